import type { Scenario } from '../scenario';

/**
 * "The first one", "the cheaper one", "ikincisi", "bunu": the product meant
 * comes from the list the bot just showed, in its order, and buying it opens
 * the checkout for that product.
 */
export const scenarios: Scenario[] = [
  {
    id: 'reference.en.first-one-from-the-overview',
    category: 'reference',
    language: 'en',
    turns: [
      { customer: 'What do you sell?', expect: { says: ['Trailblazer 2 Tent'] } },
      { customer: "I'll take the first one", expect: { intent: 'buying_signal', paymentLink: { sku: 'TENT-TB2', quantity: 1 }, says: ['Trailblazer 2 Tent', '$249.00'], handOff: null } },
    ],
    end: { paymentLink: true, handOff: null, stage: 'checkout' },
  },
  {
    id: 'reference.en.price-of-the-second-then-buy',
    category: 'reference',
    language: 'en',
    turns: [
      { customer: 'Do you have tents?', expect: { says: ['Basecamp 4 Family Tent', 'Trailblazer 2 Tent'] } },
      { customer: 'How much is the second one?', expect: { intent: 'price_question', says: ['Trailblazer 2 Tent', '$249.00'], saysNot: ['$389.00'], paymentLink: null } },
      { customer: "OK, I'll take it", expect: { paymentLink: { sku: 'TENT-TB2', quantity: 1 } } },
    ],
    end: { paymentLink: true, handOff: null },
  },
  {
    id: 'reference.en.the-cheaper-one-then-yes',
    category: 'reference',
    language: 'en',
    turns: [
      { customer: 'Do you have tents?' },
      { customer: 'The cheaper one please', expect: { says: ['Trailblazer 2 Tent', '$249.00', 'order'], saysNot: ['Basecamp'], paymentLink: null, handOff: null } },
      { customer: 'yes please', expect: { intent: 'buying_signal', paymentLink: { sku: 'TENT-TB2', quantity: 1 } } },
    ],
    end: { paymentLink: true, handOff: null },
  },
  {
    id: 'reference.en.the-more-expensive-one',
    category: 'reference',
    language: 'en',
    turns: [
      { customer: 'Which tents do you have?' },
      { customer: "I'll take the more expensive one", expect: { paymentLink: { sku: 'TENT-BC4', quantity: 1 }, says: ['Basecamp 4 Family Tent', '$389.00'], handOff: null } },
    ],
    end: { paymentLink: true, handOff: null },
  },
  {
    id: 'reference.en.the-last-one-then-that-one',
    category: 'reference',
    language: 'en',
    turns: [
      { customer: 'What do you have?' },
      { customer: 'Tell me about the last one', expect: { says: ['Ridgeline 45L Backpack', '$179.00'], paymentLink: null } },
      { customer: "Nice, I'll take that one", expect: { paymentLink: { sku: 'PACK-RL45', quantity: 1 } } },
    ],
    end: { paymentLink: true, handOff: null, interestedIn: ['PACK-RL45'] },
  },
  {
    id: 'reference.tr.ilkini-alayim',
    category: 'reference',
    language: 'tr',
    turns: [
      { customer: 'Neler satıyorsunuz?', expect: { says: ['Trailblazer 2 Tent'] } },
      { customer: 'İlkini alayım', expect: { intent: 'buying_signal', language: 'tr', paymentLink: { sku: 'TENT-TB2', quantity: 1 }, says: ['$249,00'], handOff: null } },
    ],
    end: { paymentLink: true, handOff: null, stage: 'checkout' },
  },
  {
    id: 'reference.tr.ikincisinin-fiyati',
    category: 'reference',
    language: 'tr',
    turns: [
      { customer: 'Çadırlarınız var mı?', expect: { says: ['Basecamp 4 Family Tent', 'Trailblazer 2 Tent'] } },
      { customer: 'İkincisinin fiyatı ne kadar?', expect: { language: 'tr', says: ['Trailblazer 2 Tent', '$249,00'], saysNot: ['$389,00'], paymentLink: null } },
      { customer: 'Tamam, alayım', expect: { paymentLink: { sku: 'TENT-TB2', quantity: 1 } } },
    ],
    end: { paymentLink: true, handOff: null },
  },
  {
    id: 'reference.tr.ucuz-olani-sonra-evet',
    category: 'reference',
    language: 'tr',
    turns: [
      { customer: 'Çadırlarınız var mı?' },
      { customer: 'ucuz olanı', expect: { language: 'tr', says: ['Trailblazer 2 Tent', '$249,00'], saysNot: ['Basecamp'], paymentLink: null, handOff: null } },
      { customer: 'evet lütfen', expect: { paymentLink: { sku: 'TENT-TB2', quantity: 1 } } },
    ],
    end: { paymentLink: true, handOff: null },
  },
  {
    id: 'reference.tr.pahali-olani-alayim',
    category: 'reference',
    language: 'tr',
    turns: [
      { customer: 'Hangi çadırlarınız var?' },
      { customer: 'Pahalı olanı alayım', expect: { paymentLink: { sku: 'TENT-BC4', quantity: 1 }, says: ['$389,00'], handOff: null } },
    ],
    end: { paymentLink: true, handOff: null },
  },
  {
    id: 'reference.tr.bunu-alayim',
    category: 'reference',
    language: 'tr',
    turns: [
      { customer: 'Kamp ocağı ne kadar?', expect: { says: ['Trailfire Camp Stove', '$69,00'] } },
      { customer: 'Bunu alayım', expect: { paymentLink: { sku: 'STOVE-TF', quantity: 1 }, handOff: null } },
    ],
    end: { paymentLink: true, handOff: null },
  },
  {
    id: 'reference.en.that-one-please-then-yes',
    category: 'reference',
    language: 'en',
    turns: [
      { customer: 'How much is the camp stove?', expect: { says: ['$69.00'] } },
      { customer: 'That one please', expect: { says: ['Trailfire Camp Stove', 'order it?'], paymentLink: null, handOff: null } },
      { customer: 'yes', expect: { paymentLink: { sku: 'STOVE-TF', quantity: 1 } } },
    ],
    end: { paymentLink: true, handOff: null },
  },
  {
    id: 'reference.tr.sunu-sonra-evet',
    category: 'reference',
    language: 'tr',
    turns: [
      { customer: 'Kafa lambası ne kadar?', expect: { says: ['$39,00'] } },
      { customer: 'şunu', expect: { language: 'tr', says: ['Beam 400 Headlamp', 'Sipariş vermek ister misiniz?'], paymentLink: null, handOff: null } },
      { customer: 'evet', expect: { paymentLink: { sku: 'LAMP-B400', quantity: 1 } } },
    ],
    end: { paymentLink: true, handOff: null },
  },
];

export default scenarios;
