import type { Scenario } from '../scenario';

/** "What do you sell?": the kinds of products and a few of them with catalog prices, never "I couldn't find that". */
export const scenarios: Scenario[] = [
  {
    id: 'catalogue.en.what-do-you-sell',
    category: 'catalogue',
    language: 'en',
    turns: [
      {
        customer: 'What do you sell?',
        expect: {
          intent: 'product_question',
          language: 'en',
          says: ['tents', 'sleeping bags', 'backpacks', 'Trailblazer 2 Tent: $249.00', 'Beam 400 Headlamp: $39.00', '?'],
          saysNot: ["couldn't find", 'Summit Pro'],
          handOff: null,
        },
      },
    ],
    end: { handOff: null, paymentLink: false },
  },
  {
    id: 'catalogue.en.overview-then-a-price',
    category: 'catalogue',
    language: 'en',
    turns: [
      { customer: 'Hi! What do you have?', expect: { says: ['We sell', 'Nightfall -5°C Sleeping Bag: $149.00'], handOff: null } },
      { customer: 'How much is the backpack?', expect: { intent: 'price_question', says: ['Ridgeline 45L Backpack', '$179.00'], handOff: null } },
    ],
    end: { handOff: null, interestedIn: ['PACK-RL45'] },
  },
  {
    id: 'catalogue.en.sold-out-and-new-prices',
    category: 'catalogue',
    language: 'en',
    catalog: { 'TENT-TB2': { stock: 0 }, 'LAMP-B400': { priceMinor: 4_500 } },
    turns: [
      {
        customer: 'What products do you have?',
        expect: { says: ['Basecamp 4 Family Tent: $389.00 (only 4 left)', 'Beam 400 Headlamp: $45.00'], saysNot: ['Trailblazer', '$39.00'], handOff: null },
      },
    ],
  },
  {
    id: 'catalogue.en.overview-then-buy',
    category: 'catalogue',
    language: 'en',
    turns: [
      { customer: 'What else do you sell besides tents?', expect: { says: ['We sell', 'Ridgeline 45L Backpack: $179.00'], handOff: null } },
      { customer: "Great, I'll take the headlamp", expect: { intent: 'buying_signal', paymentLink: { sku: 'LAMP-B400', quantity: 1 }, says: ['$39.00'] } },
    ],
    end: { paymentLink: true, handOff: null, stage: 'checkout' },
  },
  {
    id: 'catalogue.tr.neler-satiyorsunuz',
    category: 'catalogue',
    language: 'tr',
    turns: [
      {
        customer: 'Neler satıyorsunuz?',
        expect: {
          intent: 'product_question',
          language: 'tr',
          says: ['çadır', 'uyku tulumu', 'sırt çantası', 'Trailblazer 2 Tent: $249,00', 'Beam 400 Headlamp: $39,00', '?'],
          saysNot: ['bulamadım', 'We sell'],
          handOff: null,
        },
      },
    ],
    end: { handOff: null, paymentLink: false },
  },
  {
    id: 'catalogue.tr.urunleriniz-sonra-fiyat',
    category: 'catalogue',
    language: 'tr',
    turns: [
      { customer: 'Merhaba, ürünleriniz neler?', expect: { language: 'tr', says: ['satıyoruz', 'Nightfall -5°C Sleeping Bag: $149,00'], handOff: null } },
      { customer: 'Sırt çantası ne kadar?', expect: { language: 'tr', says: ['Ridgeline 45L Backpack', '$179,00'], handOff: null } },
    ],
    end: { handOff: null },
  },
  {
    id: 'catalogue.tr.guncel-fiyat-ve-stok',
    category: 'catalogue',
    language: 'tr',
    catalog: { 'TENT-TB2': { stock: 0 }, 'LAMP-B400': { priceMinor: 4_500 } },
    turns: [
      {
        customer: 'Elinizde neler var?',
        expect: { language: 'tr', says: ['Basecamp 4 Family Tent: $389,00 (son 4 adet)', 'Beam 400 Headlamp: $45,00'], saysNot: ['Trailblazer', '$39,00'], handOff: null },
      },
    ],
  },
  {
    id: 'catalogue.tr.katalog-sonra-siparis',
    category: 'catalogue',
    language: 'tr',
    turns: [
      { customer: 'Kataloğunuzu görebilir miyim?', expect: { language: 'tr', says: ['satıyoruz', 'Trailblazer 2 Tent'], handOff: null } },
      { customer: 'Kafa lambasını alayım', expect: { paymentLink: { sku: 'LAMP-B400', quantity: 1 }, says: ['$39,00'] } },
    ],
    end: { paymentLink: true, handOff: null },
  },
];

export default scenarios;
