import type { Scenario } from '../scenario';

/** Price, trust, timing and competitor objections answered with the merchant's own arguments, without giving in or giving up. */
const scenarios: Scenario[] = [
  {
    id: 'objection.en.price-cheaper-option',
    category: 'objection',
    language: 'en',
    turns: [
      { customer: 'How much is the Basecamp 4 family tent?', expect: { says: ['$389.00'], intent: 'price_question' } },
      {
        customer: "Hmm, that's too expensive for us.",
        expect: { intent: 'objection', handOff: null, says: ['2-year warranty', 'Trailblazer 2 Tent', '$249.00'], paymentLink: null },
      },
      { customer: "OK, I'll take the Trailblazer then.", expect: { intent: 'buying_signal', paymentLink: { sku: 'TENT-TB2', quantity: 1 }, says: ['$249.00'] } },
    ],
    end: { handOff: null, paymentLink: true, stage: 'checkout', interestedIn: ['TENT-TB2', 'TENT-BC4'] },
  },
  {
    id: 'objection.en.trust-then-buy',
    category: 'objection',
    language: 'en',
    turns: [
      { customer: 'Do you have rain jackets?', expect: { says: ['Stormshell Rain Jacket', '$159.00'] } },
      { customer: "Is this shop legit? I've never heard of you.", expect: { intent: 'objection', handOff: null, says: ['2012', '30 days'] } },
      { customer: "Fine, I'll buy the rain jacket.", expect: { paymentLink: { sku: 'JKT-SS', quantity: 1 } } },
    ],
    end: { handOff: null, paymentLink: true },
  },
  {
    id: 'objection.en.timing-no-pressure',
    category: 'objection',
    language: 'en',
    turns: [
      { customer: 'Tell me about the Nightfall sleeping bag.', expect: { says: ['Nightfall -5°C Sleeping Bag', '$149.00', '-5°C'] } },
      { customer: 'Maybe later, I need to think about it.', expect: { intent: 'objection', handOff: null, paymentLink: null, saysOneOf: ['no rush', 'check back'] } },
    ],
    end: { handOff: null, paymentLink: false, interestedIn: ['BAG-NF5'] },
  },
  {
    id: 'objection.en.competitor-backpack',
    category: 'objection',
    language: 'en',
    turns: [
      { customer: "What's the price of the Ridgeline backpack?", expect: { says: ['$179.00'] } },
      { customer: 'I saw a similar backpack cheaper on Amazon.', expect: { intent: 'objection', handOff: null, says: ['2-year warranty', '30 days'], saysNot: ['$150', '$160'] } },
    ],
    end: { handOff: null, paymentLink: false },
  },
  {
    id: 'objection.en.repeated-objections-bring-a-person',
    category: 'objection',
    language: 'en',
    turns: [
      { customer: 'How much is the Trailblazer 2 tent?', expect: { says: ['$249.00'] } },
      { customer: "That's too expensive.", expect: { intent: 'objection', handOff: null } },
      { customer: 'I found it cheaper somewhere else.', expect: { intent: 'objection', handOff: null } },
      { customer: "I'm not sure I trust an online shop I've never heard of.", expect: { handOff: 'repeated_objections' } },
    ],
    end: { handOff: 'repeated_objections', paymentLink: false },
  },
  {
    id: 'objection.tr.pahali-daha-uygun',
    category: 'objection',
    language: 'tr',
    turns: [
      { customer: 'Basecamp 4 aile çadırının fiyatı ne kadar?', expect: { language: 'tr', says: ['$389,00'] } },
      { customer: 'Bu biraz pahalı.', expect: { language: 'tr', intent: 'objection', handOff: null, says: ['2 yıl garanti', 'Trailblazer 2 Tent', '$249,00'], paymentLink: null } },
      { customer: 'Tamam, Trailblazer çadırı alayım.', expect: { language: 'tr', paymentLink: { sku: 'TENT-TB2', quantity: 1 } } },
    ],
    end: { handOff: null, paymentLink: true, stage: 'checkout' },
  },
  {
    id: 'objection.tr.guven',
    category: 'objection',
    language: 'tr',
    turns: [
      { customer: 'Kafa lambası var mı?', expect: { language: 'tr', says: ['Beam 400 Headlamp', '$39,00'] } },
      { customer: 'Sizi hiç duymadım, güvenilir misiniz?', expect: { language: 'tr', intent: 'objection', handOff: null, says: ['2012', '30 gün'] } },
    ],
    end: { handOff: null, paymentLink: false, interestedIn: ['LAMP-B400'] },
  },
  {
    id: 'objection.tr.sonra-bakarim',
    category: 'objection',
    language: 'tr',
    turns: [
      { customer: 'Kamp ocağının fiyatı nedir?', expect: { language: 'tr', says: ['Trailfire Camp Stove', '$69,00'] } },
      { customer: 'Daha sonra bakarım, düşüneceğim.', expect: { language: 'tr', intent: 'objection', handOff: null, paymentLink: null, saysOneOf: ['acele etmeyin', 'tekrar yazabilirim'] } },
    ],
    end: { handOff: null, paymentLink: false, interestedIn: ['STOVE-TF'] },
  },
  {
    id: 'objection.tr.rakip',
    category: 'objection',
    language: 'tr',
    turns: [
      { customer: 'Ridgeline sırt çantası kaç para?', expect: { language: 'tr', says: ['$179,00'] } },
      { customer: "Trendyol'da benzerini daha ucuza gördüm.", expect: { language: 'tr', intent: 'objection', handOff: null, says: ['2 yıl garanti', '30 gün'] } },
    ],
    end: { handOff: null, paymentLink: false },
  },
];

export default scenarios;
