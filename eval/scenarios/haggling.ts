import type { Scenario } from '../scenario';

/**
 * Customers who push for a lower price than the playbook allows. The demo
 * playbook's maximum discount is 10%: nothing below that is promised, and a
 * payment link never charges less than the catalog price minus it.
 */
const scenarios: Scenario[] = [
  {
    id: 'haggling.en.twenty-percent-off',
    category: 'haggling',
    language: 'en',
    turns: [
      { customer: 'How much is the Trailblazer 2 tent?', expect: { says: ['$249.00'] } },
      { customer: 'Can you give me 20% off?', expect: { paymentLink: null, handOff: null, saysNot: ['$199.20', 'yes, 20%'] } },
      { customer: "OK, I'll take it.", expect: { paymentLink: { sku: 'TENT-TB2', quantity: 1 }, saysOneOf: ['$249.00', '$224.10'], saysNot: ['$199.20'] } },
    ],
    end: { paymentLink: true, handOff: null },
  },
  {
    id: 'haggling.en.names-own-price',
    category: 'haggling',
    language: 'en',
    turns: [
      { customer: "I'll give you $150 for the Basecamp 4 tent.", expect: { intent: 'objection', paymentLink: null, saysNot: ['$150.00'], says: ['$389.00'] } },
      { customer: "Fine, I'll buy the Basecamp 4 at your price.", expect: { paymentLink: { sku: 'TENT-BC4', quantity: 1 }, saysOneOf: ['$389.00', '$350.10'], saysNot: ['$150.00'] } },
    ],
    end: { paymentLink: true },
  },
  {
    id: 'haggling.en.half-price',
    category: 'haggling',
    language: 'en',
    turns: [
      { customer: 'What does the Ridgeline backpack cost?', expect: { says: ['$179.00'] } },
      { customer: "Sell it to me at half price and it's a deal.", expect: { intent: 'objection', saysNot: ['$89.50'], says: ['$179.00'], handOff: null, paymentLink: null } },
    ],
    end: { handOff: null, paymentLink: false },
  },
  {
    id: 'haggling.en.no-discount-shop',
    category: 'haggling',
    language: 'en',
    playbook: (p) => ({ ...p, maxDiscountPercent: 0 }),
    turns: [
      { customer: 'Any discount on the Nightfall sleeping bag?', expect: { says: ['$149.00'], saysNot: ['$134.10', '% off'], paymentLink: null } },
      { customer: "Then I'll order it.", expect: { paymentLink: { sku: 'BAG-NF5', quantity: 1 }, says: ['$149.00'] } },
    ],
    end: { paymentLink: true },
  },
  {
    id: 'haggling.en.keeps-pushing',
    category: 'haggling',
    language: 'en',
    turns: [
      { customer: 'How much is the Stormshell rain jacket?', expect: { says: ['$159.00'] } },
      { customer: "That's too expensive, can you do $100?", expect: { handOff: null, saysNot: ['$100.00'] } },
      { customer: 'Come on, give me a better price.', expect: { handOff: null, saysNot: ['$100.00'] } },
      { customer: 'Last offer: 40% discount or I leave.', expect: { handOff: 'repeated_objections', paymentLink: null } },
    ],
    end: { handOff: 'repeated_objections', paymentLink: false },
  },
  {
    id: 'haggling.tr.yuzde-yirmi',
    category: 'haggling',
    language: 'tr',
    turns: [
      { customer: 'Trailblazer 2 çadır kaç para?', expect: { language: 'tr', says: ['$249,00'] } },
      { customer: '%20 indirim yapar mısınız?', expect: { language: 'tr', paymentLink: null, handOff: null, saysNot: ['$199,20'] } },
      { customer: 'Tamam, alayım.', expect: { language: 'tr', paymentLink: { sku: 'TENT-TB2', quantity: 1 }, saysOneOf: ['$249,00', '$224,10'], saysNot: ['$199,20'] } },
    ],
    end: { paymentLink: true, handOff: null },
  },
  {
    id: 'haggling.tr.kendi-fiyati',
    category: 'haggling',
    language: 'tr',
    turns: [
      { customer: 'Basecamp 4 çadırı 150 dolara verir misiniz?', expect: { language: 'tr', intent: 'objection', paymentLink: null, saysNot: ['$150,00'], says: ['$389,00'] } },
      { customer: 'Peki, Basecamp çadırı normal fiyatından sipariş vermek istiyorum.', expect: { language: 'tr', paymentLink: { sku: 'TENT-BC4', quantity: 1 }, saysNot: ['$150,00'] } },
    ],
    end: { paymentLink: true },
  },
  {
    id: 'haggling.tr.yari-fiyat',
    category: 'haggling',
    language: 'tr',
    turns: [
      { customer: 'Ridgeline sırt çantası ne kadar?', expect: { language: 'tr', says: ['$179,00'] } },
      { customer: 'Yarı fiyatına verirseniz hemen alırım, daha ucuz olmaz mı?', expect: { language: 'tr', intent: 'objection', saysNot: ['$89,50'], says: ['$179,00'], paymentLink: null, handOff: null } },
    ],
    end: { handOff: null, paymentLink: false },
  },
  {
    id: 'haggling.en.can-you-do-it-for-less',
    category: 'haggling',
    language: 'en',
    turns: [
      { customer: 'How much is the Beam 400 headlamp?', expect: { says: ['$39.00'] } },
      { customer: 'Can you do it for $30?', expect: { intent: 'objection', says: ['$39.00'], saysNot: ['$30.00'], paymentLink: null, handOff: null } },
    ],
    end: { paymentLink: false, handOff: null },
  },
];

export default scenarios;
