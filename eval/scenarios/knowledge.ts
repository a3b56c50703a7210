import type { Scenario } from '../scenario';

/** Questions about the shop answered from the merchant's own knowledge base, in the customer's language, with the sale kept going. */
const scenarios: Scenario[] = [
  {
    id: 'knowledge.en.delivery-time-and-cost',
    category: 'knowledge',
    language: 'en',
    turns: [
      { customer: 'How long does delivery to Germany take?', expect: { language: 'en', handOff: null, says: ['5-10 business days'] } },
      { customer: 'And how much does shipping cost?', expect: { handOff: null, says: ['$19.90'], saysOneOf: ['free on orders over $100'] } },
    ],
    end: { handOff: null },
  },
  {
    id: 'knowledge.en.returns-before-buying',
    category: 'knowledge',
    language: 'en',
    turns: [
      { customer: "I'm interested in the Trailblazer 2 tent.", expect: { says: ['Trailblazer 2 Tent', '$249.00'] } },
      { customer: "What is your return policy if it doesn't suit me?", expect: { handOff: null, says: ['30 days', 'full refund'], intent: 'product_question' } },
      { customer: "Great, I'll take it.", expect: { paymentLink: { sku: 'TENT-TB2', quantity: 1 } } },
    ],
    end: { handOff: null, paymentLink: true },
  },
  {
    id: 'knowledge.en.instalments',
    category: 'knowledge',
    language: 'en',
    turns: [
      { customer: 'How much is the Basecamp 4 tent?', expect: { says: ['$389.00'] } },
      { customer: 'Can I pay in instalments?', expect: { handOff: null, paymentLink: null, says: ['6 instalments'], saysNot: ['12 instalments'] } },
      { customer: "Great, I'll order the Basecamp then.", expect: { paymentLink: { sku: 'TENT-BC4', quantity: 1 }, says: ['$389.00'] } },
    ],
    end: { handOff: null, paymentLink: true },
  },
  {
    id: 'knowledge.en.buy-and-ask-about-cards',
    category: 'knowledge',
    language: 'en',
    turns: [
      {
        customer: "I'll take the Ridgeline backpack. Which credit cards do you accept?",
        expect: { paymentLink: { sku: 'PACK-RL45', quantity: 1 }, says: ['$179.00', 'Visa', 'Mastercard'], handOff: null },
      },
    ],
    end: { handOff: null, paymentLink: true },
  },
  {
    id: 'knowledge.en.store-and-hours',
    category: 'knowledge',
    language: 'en',
    turns: [
      { customer: 'Where is your store? I would like to see the tents in person.', expect: { handOff: null, says: ['Moda Caddesi 12'] } },
      { customer: 'Are you open on Sundays?', expect: { handOff: null, says: ['12:00-18:00'] } },
    ],
    end: { handOff: null },
  },
  {
    id: 'knowledge.en.warranty',
    category: 'knowledge',
    language: 'en',
    turns: [
      { customer: 'Do you have a headlamp?', expect: { says: ['Beam 400 Headlamp', '$39.00'] } },
      { customer: 'Is there a warranty on it?', expect: { handOff: null, says: ['2-year warranty'] } },
    ],
    end: { handOff: null, interestedIn: ['LAMP-B400'] },
  },
  {
    id: 'knowledge.tr.kargo-suresi-ve-ucreti',
    category: 'knowledge',
    language: 'tr',
    turns: [
      { customer: 'Kargo ne kadar sürer?', expect: { language: 'tr', handOff: null, says: ['2-4 iş günü'] } },
      { customer: 'Kargo ücreti ne kadar?', expect: { language: 'tr', handOff: null, says: ['7,90 $'] } },
    ],
    end: { handOff: null },
  },
  {
    id: 'knowledge.tr.iade-sonra-siparis',
    category: 'knowledge',
    language: 'tr',
    turns: [
      { customer: 'Stormshell yağmurluk ne kadar?', expect: { language: 'tr', says: ['$159,00'] } },
      { customer: 'Olmazsa iade edebilir miyim?', expect: { language: 'tr', handOff: null, says: ['30 gün'] } },
      { customer: 'Tamam, yağmurluğu alayım.', expect: { language: 'tr', paymentLink: { sku: 'JKT-SS', quantity: 1 } } },
    ],
    end: { handOff: null, paymentLink: true },
  },
  {
    id: 'knowledge.tr.taksit',
    category: 'knowledge',
    language: 'tr',
    turns: [
      { customer: 'Basecamp 4 çadırın fiyatı nedir?', expect: { language: 'tr', says: ['$389,00'] } },
      { customer: 'Kredi kartına taksit var mı?', expect: { language: 'tr', handOff: null, paymentLink: null, says: ['6 taksit'] } },
      { customer: 'Harika, o zaman Basecamp çadırı alayım.', expect: { language: 'tr', paymentLink: { sku: 'TENT-BC4', quantity: 1 }, says: ['$389,00'] } },
    ],
    end: { handOff: null, paymentLink: true },
  },
  {
    id: 'knowledge.tr.magaza-adresi-ve-saatler',
    category: 'knowledge',
    language: 'tr',
    turns: [
      { customer: 'Mağazanız nerede?', expect: { language: 'tr', handOff: null, says: ['Moda Caddesi 12'] } },
      { customer: 'Çalışma saatleriniz nedir?', expect: { language: 'tr', handOff: null, says: ['10:00-19:00'] } },
    ],
    end: { handOff: null },
  },
];

export default scenarios;
