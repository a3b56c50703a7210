import type { Scenario } from '../scenario';

/** How many the customer wants reaches the payment link and the reply; more than the stock is said honestly. */
export const scenarios: Scenario[] = [
  {
    id: 'quantity.en.two-of-them',
    category: 'quantity',
    language: 'en',
    turns: [
      { customer: 'How much is the Beam 400 headlamp?', expect: { says: ['$39.00'] } },
      { customer: "I'll take 2 of them", expect: { paymentLink: { sku: 'LAMP-B400', quantity: 2 }, says: ['2 × Beam 400 Headlamp', '$78.00'] } },
    ],
    end: { paymentLink: true, stage: 'checkout' },
  },
  {
    id: 'quantity.en.two-tents-said-earlier',
    category: 'quantity',
    language: 'en',
    turns: [
      { customer: 'I need two tents for a group trip', expect: { says: ['Trailblazer 2 Tent'], paymentLink: null } },
      { customer: "I'll take the Trailblazer", expect: { paymentLink: { sku: 'TENT-TB2', quantity: 2 }, says: ['$498.00'] } },
    ],
    end: { paymentLink: true },
  },
  {
    id: 'quantity.en.a-pair',
    category: 'quantity',
    language: 'en',
    turns: [{ customer: "I'd like to buy a pair of Beam 400 headlamps", expect: { paymentLink: { sku: 'LAMP-B400', quantity: 2 }, says: ['$78.00'] } }],
    end: { paymentLink: true },
  },
  {
    id: 'quantity.en.more-than-in-stock',
    category: 'quantity',
    language: 'en',
    turns: [
      { customer: "I'll take 5 Basecamp 4 tents", expect: { paymentLink: null, says: ['only have 4'], handOff: null } },
      { customer: "OK, I'll take 4 of them", expect: { paymentLink: { sku: 'TENT-BC4', quantity: 4 }, says: ['$1,556.00'] } },
    ],
    end: { paymentLink: true },
  },
  {
    id: 'quantity.en.a-bare-count',
    category: 'quantity',
    language: 'en',
    turns: [
      { customer: 'Tell me about the Nightfall sleeping bag', expect: { says: ['$149.00'] } },
      { customer: 'Can I get two?', expect: { paymentLink: { sku: 'BAG-NF5', quantity: 2 }, says: ['$298.00'] } },
    ],
    end: { paymentLink: true },
  },
  {
    id: 'quantity.tr.yalnizca-sayi',
    category: 'quantity',
    language: 'tr',
    turns: [
      { customer: 'Stormshell yağmurluk ne kadar?', expect: { language: 'tr', says: ['$159,00'] } },
      { customer: '2 adet lazım', expect: { language: 'tr', paymentLink: { sku: 'JKT-SS', quantity: 2 }, says: ['$318,00'] } },
    ],
    end: { paymentLink: true },
  },
  {
    id: 'quantity.tr.iki-tane',
    category: 'quantity',
    language: 'tr',
    turns: [
      { customer: 'Beam 400 kafa lambası ne kadar?', expect: { language: 'tr', says: ['$39,00'] } },
      { customer: 'İki tane alayım', expect: { language: 'tr', paymentLink: { sku: 'LAMP-B400', quantity: 2 }, says: ['2 × Beam 400 Headlamp', '$78,00'] } },
    ],
    end: { paymentLink: true },
  },
  {
    id: 'quantity.tr.uc-adet',
    category: 'quantity',
    language: 'tr',
    turns: [{ customer: 'Trailfire kamp ocağından 3 adet sipariş vermek istiyorum', expect: { language: 'tr', paymentLink: { sku: 'STOVE-TF', quantity: 3 }, says: ['$207,00'] } }],
    end: { paymentLink: true },
  },
  {
    id: 'quantity.tr.uc-cadir',
    category: 'quantity',
    language: 'tr',
    turns: [{ customer: 'Üç Trailblazer çadır alacağım', expect: { language: 'tr', paymentLink: { sku: 'TENT-TB2', quantity: 3 }, says: ['3 × Trailblazer 2 Tent', '$747,00'] } }],
    end: { paymentLink: true },
  },
  {
    id: 'quantity.tr.stoktan-fazla',
    category: 'quantity',
    language: 'tr',
    turns: [
      { customer: 'Beş tane Basecamp 4 çadır alayım', expect: { language: 'tr', paymentLink: null, says: ['yalnızca 4 adet'], handOff: null } },
      { customer: 'Tamam, 4 tane alayım', expect: { language: 'tr', paymentLink: { sku: 'TENT-BC4', quantity: 4 } } },
    ],
    end: { paymentLink: true },
  },
];

export default scenarios;
