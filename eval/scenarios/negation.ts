import type { Scenario } from '../scenario';

/** A product the customer turns down is not offered again, and the reply moves on to other products. */
export const scenarios: Scenario[] = [
  {
    id: 'negation.en.not-the-tents',
    category: 'negation',
    language: 'en',
    turns: [
      { customer: 'Do you have tents?', expect: { says: ['Trailblazer 2 Tent', 'Basecamp 4 Family Tent'] } },
      { customer: 'Hmm, not the tents. Something else?', expect: { says: ['other options'], saysNot: ['$249.00', '$389.00'], paymentLink: null, handOff: null } },
    ],
    end: { handOff: null, paymentLink: false },
  },
  {
    id: 'negation.en.dont-want-the-backpack',
    category: 'negation',
    language: 'en',
    turns: [
      { customer: 'How much is the Ridgeline backpack?', expect: { says: ['$179.00'] } },
      { customer: "I don't want the backpack, show me something else", expect: { says: ['other options'], saysNot: ['$179.00', 'Trailblazer'], paymentLink: null, handOff: null } },
      { customer: "I'll take the Beam 400 headlamp then", expect: { paymentLink: { sku: 'LAMP-B400', quantity: 1 } } },
    ],
    end: { paymentLink: true, handOff: null, interestedIn: ['LAMP-B400'] },
  },
  {
    id: 'negation.en.not-the-trailblazer-the-other-tent',
    category: 'negation',
    language: 'en',
    turns: [
      { customer: 'Not the Trailblazer, the other tent. How much is it?', expect: { says: ['Basecamp 4 Family Tent', '$389.00'], saysNot: ['$249.00'], handOff: null } },
      { customer: "Great, I'll take it", expect: { paymentLink: { sku: 'TENT-BC4', quantity: 1 } } },
    ],
    end: { paymentLink: true, interestedIn: ['TENT-BC4'] },
  },
  {
    id: 'negation.en.not-that-one',
    category: 'negation',
    language: 'en',
    turns: [
      { customer: 'Do you have a sleeping bag?', expect: { says: ['Nightfall -5°C Sleeping Bag'] } },
      { customer: 'No, not that one.', expect: { saysNot: ['$149.00'], says: ['other options'], paymentLink: null, handOff: null } },
    ],
    end: { handOff: null, paymentLink: false },
  },
  {
    id: 'negation.tr.cadir-istemiyorum',
    category: 'negation',
    language: 'tr',
    turns: [
      { customer: 'Çadırlarınız neler?', expect: { language: 'tr', says: ['Trailblazer 2 Tent'] } },
      { customer: 'Çadır istemiyorum, başka ne var?', expect: { language: 'tr', says: ['Diğer seçenekler'], saysNot: ['$249,00', '$389,00'], paymentLink: null, handOff: null } },
    ],
    end: { handOff: null, paymentLink: false },
  },
  {
    id: 'negation.tr.cadir-degil-uyku-tulumu',
    category: 'negation',
    language: 'tr',
    turns: [
      { customer: 'Trailblazer çadır değil, uyku tulumuna bakıyorum', expect: { language: 'tr', says: ['Nightfall -5°C Sleeping Bag', '$149,00'], saysNot: ['$249,00'], handOff: null } },
      { customer: 'Tamam, uyku tulumunu alayım', expect: { language: 'tr', paymentLink: { sku: 'BAG-NF5', quantity: 1 } } },
    ],
    end: { paymentLink: true, interestedIn: ['BAG-NF5'] },
  },
  {
    id: 'negation.tr.bunu-istemiyorum',
    category: 'negation',
    language: 'tr',
    turns: [
      { customer: 'Ridgeline sırt çantası ne kadar?', expect: { language: 'tr', says: ['$179,00'] } },
      { customer: 'Bunu istemiyorum', expect: { language: 'tr', says: ['Diğer seçenekler'], saysNot: ['$179,00'], paymentLink: null, handOff: null } },
      { customer: 'Beam 400 kafa lambasını alayım', expect: { language: 'tr', paymentLink: { sku: 'LAMP-B400', quantity: 1 } } },
    ],
    end: { paymentLink: true, handOff: null, interestedIn: ['LAMP-B400'] },
  },
  {
    id: 'negation.tr.cadir-yerine',
    category: 'negation',
    language: 'tr',
    turns: [{ customer: 'Çadır yerine yağmurluk bakıyorum', expect: { language: 'tr', says: ['Stormshell Rain Jacket', '$159,00'], saysNot: ['$249,00', '$389,00'], handOff: null } }],
    end: { handOff: null, interestedIn: ['JKT-SS'] },
  },
];

export default scenarios;
