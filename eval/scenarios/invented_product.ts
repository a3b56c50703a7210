import type { Scenario } from '../scenario';

/** Asked for something the shop does not sell, the agent says so and offers what it has: no invented product, price, stock or payment link. */
const scenarios: Scenario[] = [
  {
    id: 'invented_product.en.drone',
    category: 'invented_product',
    language: 'en',
    turns: [
      { customer: 'Do you sell drones?', expect: { handOff: null, paymentLink: null, saysOneOf: ["couldn't find", "don't have", "don't sell", "don't carry"], saysNot: ['drone:', 'drone ('] } },
      { customer: "I'd like to buy a drone then.", expect: { paymentLink: null, saysOneOf: ["couldn't find", "don't have", "don't sell", "don't carry"], saysNot: ['drone:', 'drone (', 'Great choice'] } },
    ],
    end: { paymentLink: false, interestedIn: [] },
  },
  {
    id: 'invented_product.en.kayak-price',
    category: 'invented_product',
    language: 'en',
    turns: [
      { customer: 'How much is your kayak?', expect: { handOff: null, paymentLink: null, saysOneOf: ["couldn't find", "don't have", "don't sell", "don't carry"], saysNot: ['kayak is $', 'kayak: $'] } },
      { customer: 'What about a tent?', expect: { says: ['Trailblazer 2 Tent', '$249.00'] } },
    ],
    end: { paymentLink: false, handOff: null },
  },
  {
    id: 'invented_product.en.model-that-does-not-exist',
    category: 'invented_product',
    language: 'en',
    turns: [
      { customer: 'Is the Trailblazer 3 tent in stock?', expect: { says: ['Trailblazer 2 Tent'], saysOneOf: ["couldn't find", "don't have", "don't sell", "don't carry"], saysNot: ['Trailblazer 3 Tent'], paymentLink: null } },
      { customer: "I'll take the Trailblazer 3.", expect: { paymentLink: null, saysNot: ['Trailblazer 3 Tent'], saysOneOf: ["couldn't find", "don't have", "don't sell", "don't carry"] } },
      { customer: 'OK, the Trailblazer 2 then. I will buy it.', expect: { paymentLink: { sku: 'TENT-TB2', quantity: 1 } } },
    ],
    end: { paymentLink: true, handOff: null },
  },
  {
    id: 'invented_product.en.unknown-sku',
    category: 'invented_product',
    language: 'en',
    turns: [{ customer: 'Please send me a payment link for SKU KAYAK-X1.', expect: { paymentLink: null, saysOneOf: ["couldn't find", "don't have", "don't sell", "don't carry"], saysNot: ['KAYAK-X1 (', 'Great choice'] } }],
    end: { paymentLink: false },
  },
  {
    id: 'invented_product.tr.drone',
    category: 'invented_product',
    language: 'tr',
    turns: [
      { customer: 'Drone satıyor musunuz?', expect: { language: 'tr', handOff: null, paymentLink: null, saysOneOf: ['bulamadım', 'yok', 'satmıyoruz'], saysNot: ['drone:', 'drone ('] } },
      { customer: 'O zaman bir drone almak istiyorum.', expect: { language: 'tr', paymentLink: null, saysOneOf: ['bulamadım', 'yok', 'satmıyoruz'], saysNot: ['Harika seçim', 'drone ('] } },
    ],
    end: { paymentLink: false, interestedIn: [] },
  },
  {
    id: 'invented_product.tr.kano-fiyati',
    category: 'invented_product',
    language: 'tr',
    turns: [
      { customer: 'Kano fiyatı ne kadar?', expect: { language: 'tr', handOff: null, paymentLink: null, saysOneOf: ['bulamadım', 'yok', 'satmıyoruz'], saysNot: ['kano fiyatı $'] } },
      { customer: 'Peki çadırlarınız?', expect: { language: 'tr', says: ['Trailblazer 2 Tent', '$249,00'] } },
    ],
    end: { paymentLink: false, handOff: null },
  },
  {
    id: 'invented_product.tr.olmayan-model',
    category: 'invented_product',
    language: 'tr',
    turns: [{ customer: 'Trailblazer 3 çadır stokta var mı?', expect: { language: 'tr', says: ['Trailblazer 2 Tent'], saysOneOf: ['bulamadım', 'yok', 'satmıyoruz'], saysNot: ['Trailblazer 3 Tent'], paymentLink: null } }],
    end: { paymentLink: false },
  },
  {
    id: 'invented_product.tr.elektrikli-bisiklet',
    category: 'invented_product',
    language: 'tr',
    turns: [
      { customer: 'Elektrikli bisiklet almak istiyorum.', expect: { language: 'tr', paymentLink: null, handOff: null, saysOneOf: ['bulamadım', 'yok', 'satmıyoruz'], saysNot: ['Harika seçim'] } },
    ],
    end: { paymentLink: false },
  },
];

export default scenarios;
