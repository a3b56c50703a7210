import type { Scenario } from '../scenario';

/** Learning what the customer needs, spends, when and for whom, one question at a time, then suggesting what fits. */
const scenarios: Scenario[] = [
  {
    id: 'qualification.en.family-camping',
    category: 'qualification',
    language: 'en',
    turns: [
      { customer: "Hi! I'm looking for a tent for family camping.", expect: { language: 'en', handOff: null, says: ['Basecamp 4 Family Tent'] } },
      { customer: 'Our budget is around $400.', expect: { handOff: null, saysOneOf: ['when do you need', 'for you'] } },
      { customer: 'We need it in two weeks.', expect: { handOff: null } },
    ],
    end: { handOff: null, slots: { need: 'tent', budget: '400', timeline: 'two weeks' }, interestedIn: ['TENT-BC4'] },
  },
  {
    id: 'qualification.en.gift-for-husband',
    category: 'qualification',
    language: 'en',
    turns: [
      { customer: 'Hello, I need a gift for my husband, he loves hiking.', expect: { language: 'en', handOff: null, saysOneOf: ['budget', 'when do you need', 'use it for'] } },
      { customer: 'I can spend up to $200.', expect: { handOff: null, saysNot: ['$500'] } },
      { customer: 'His birthday is next Friday.', expect: { handOff: null } },
    ],
    end: { handOff: null, slots: { budget: '200', timeline: 'next friday', decisionMaker: 'husband' } },
  },
  {
    id: 'qualification.en.answers-each-question',
    category: 'qualification',
    language: 'en',
    turns: [
      { customer: 'I want a sleeping bag.', expect: { says: ['Nightfall -5°C Sleeping Bag', '$149.00'], handOff: null } },
      { customer: 'I need it before the end of the month.', expect: { handOff: null, intent: 'qualification', saysNot: ['Do you have a budget in mind?'] } },
      { customer: "It's for myself.", expect: { handOff: null } },
    ],
    end: { handOff: null, slots: { need: 'sleeping bag', timeline: 'end of the month', decisionMaker: 'self' }, interestedIn: ['BAG-NF5'] },
  },
  {
    id: 'qualification.en.all-slots-then-suggestions',
    category: 'qualification',
    language: 'en',
    turns: [
      { customer: "I'm shopping for camping gear.", expect: { handOff: null, saysOneOf: ['budget', 'when do you need', 'for you'] } },
      { customer: 'My budget is $300.', expect: { handOff: null } },
      { customer: 'I need it this weekend.', expect: { handOff: null } },
      {
        customer: "It's for me, I decide.",
        expect: { handOff: null, saysOneOf: ['Trailblazer 2 Tent', 'Nightfall -5°C Sleeping Bag', 'Trailfire Camp Stove', 'Beam 400 Headlamp'], saysNot: ['Summit Pro'] },
      },
    ],
    end: { handOff: null, stage: 'qualified', slots: { need: 'camping', budget: '300', timeline: 'this weekend', decisionMaker: 'self' } },
  },
  {
    id: 'qualification.tr.aile-kampi',
    category: 'qualification',
    language: 'tr',
    turns: [
      { customer: 'Merhaba, aile kampı için çadır arıyorum.', expect: { language: 'tr', handOff: null, says: ['Basecamp 4 Family Tent'] } },
      { customer: 'Bütçem 400 dolar civarı.', expect: { language: 'tr', handOff: null } },
      { customer: 'İki hafta içinde lazım.', expect: { language: 'tr', handOff: null } },
    ],
    end: { handOff: null, slots: { budget: '400', timeline: 'iki hafta' }, interestedIn: ['TENT-BC4'] },
  },
  {
    id: 'qualification.tr.esime-hediye',
    category: 'qualification',
    language: 'tr',
    turns: [
      { customer: 'Merhaba, eşim için doğa yürüyüşüne uygun bir hediye almak istiyorum.', expect: { language: 'tr', handOff: null } },
      { customer: 'En fazla 200 dolar harcayabilirim.', expect: { language: 'tr', handOff: null } },
      { customer: 'Gelecek hafta lazım.', expect: { language: 'tr', handOff: null } },
    ],
    end: { handOff: null, slots: { budget: '200', timeline: 'gelecek hafta', decisionMaker: 'esim' } },
  },
  {
    id: 'qualification.tr.uyku-tulumu',
    category: 'qualification',
    language: 'tr',
    turns: [
      { customer: 'Uyku tulumu arıyorum.', expect: { language: 'tr', says: ['Nightfall -5°C Sleeping Bag', '$149,00'], handOff: null } },
      { customer: 'Bu hafta sonuna kadar lazım.', expect: { language: 'tr', handOff: null, saysNot: ['Aklınızda bir bütçe var mı?'] } },
      { customer: 'Kendim için alıyorum.', expect: { language: 'tr', handOff: null, paymentLink: null, intent: 'qualification' } },
    ],
    end: { handOff: null, paymentLink: false, slots: { timeline: 'hafta', decisionMaker: 'self' }, interestedIn: ['BAG-NF5'] },
  },
  {
    id: 'qualification.en.asks-partner-first',
    category: 'qualification',
    language: 'en',
    turns: [
      { customer: 'How much is the Trailblazer 2?', expect: { says: ['$249.00'] } },
      { customer: 'I need to ask my wife first.', expect: { handOff: null, paymentLink: null, saysNot: ['Great choice'] } },
    ],
    end: { handOff: null, paymentLink: false, slots: { decisionMaker: 'wife' }, interestedIn: ['TENT-TB2'] },
  },
  {
    id: 'qualification.en.trip-recommendation',
    category: 'qualification',
    language: 'en',
    turns: [
      {
        customer: "I'm going hiking in the Alps next month, what do you recommend?",
        expect: { handOff: null, saysOneOf: ['Ridgeline 45L Backpack', 'Stormshell Rain Jacket'], saysNot: ['Basecamp 4'] },
      },
    ],
    end: { handOff: null, slots: { timeline: 'next month' } },
  },
  {
    id: 'qualification.tr.once-esime-sorayim',
    category: 'qualification',
    language: 'tr',
    turns: [
      { customer: 'Trailblazer 2 ne kadar?', expect: { language: 'tr', says: ['$249,00'] } },
      { customer: 'Önce eşime sormam lazım.', expect: { language: 'tr', handOff: null, paymentLink: null, saysNot: ['Harika seçim'] } },
    ],
    end: { handOff: null, paymentLink: false, slots: { decisionMaker: 'eşim' }, interestedIn: ['TENT-TB2'] },
  },
  {
    id: 'qualification.tr.yuruyus-onerisi',
    category: 'qualification',
    language: 'tr',
    turns: [
      { customer: 'Gelecek ay Kaçkarlarda yürüyüşe çıkacağım, ne önerirsiniz?', expect: { language: 'tr', handOff: null, says: ['Ridgeline 45L Backpack'], saysNot: ['Basecamp 4'] } },
    ],
    end: { handOff: null, slots: { timeline: 'gelecek ay' } },
  },
];

export default scenarios;
