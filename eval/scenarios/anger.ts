import type { Scenario } from '../scenario';

/** An angry customer gets an apology and a person at once; a merely disappointed one is helped on, not handed off. */
const scenarios: Scenario[] = [
  {
    id: 'anger.en.insults-over-price',
    category: 'anger',
    language: 'en',
    turns: [
      { customer: 'How much is the Basecamp 4 tent?', expect: { says: ['$389.00'], handOff: null } },
      { customer: '$389 for a tent?? This is ridiculous, you are thieves!', expect: { handOff: 'angry_customer', paymentLink: null, language: 'en', saysNot: ['Great choice'] } },
    ],
    end: { handOff: 'angry_customer', paymentLink: false },
  },
  {
    id: 'anger.en.shouting',
    category: 'anger',
    language: 'en',
    turns: [
      { customer: 'Hi, do you have sleeping bags?', expect: { says: ['Nightfall -5°C Sleeping Bag'] } },
      { customer: 'WHY DOES NOBODY ANSWER MY EMAILS, I HAVE BEEN WAITING FOR DAYS', expect: { handOff: 'angry_customer', paymentLink: null } },
    ],
    end: { handOff: 'angry_customer' },
  },
  {
    id: 'anger.en.disappointed-is-not-angry',
    category: 'anger',
    language: 'en',
    turns: [
      { customer: 'Are the Summit Pro boots available?', expect: { says: ['out of stock'], handOff: null } },
      { customer: "That's disappointing, I really wanted them.", expect: { handOff: null, paymentLink: null, saysOneOf: ['sorry', 'understand'] } },
      { customer: 'Do you have a rain jacket at least?', expect: { handOff: null, says: ['Stormshell Rain Jacket', '$159.00'] } },
    ],
    end: { handOff: null },
  },
  {
    id: 'anger.en.furious-after-payment-link',
    category: 'anger',
    language: 'en',
    turns: [
      { customer: "I'll buy the Beam 400 headlamp.", expect: { paymentLink: { sku: 'LAMP-B400', quantity: 1 } } },
      { customer: 'Your payment page is garbage, it charged me twice!!', expect: { handOff: 'angry_customer', paymentLink: null } },
    ],
    end: { handOff: 'angry_customer', stage: 'checkout' },
  },
  {
    id: 'anger.tr.fiyata-hakaret',
    category: 'anger',
    language: 'tr',
    turns: [
      { customer: 'Basecamp 4 çadır ne kadar?', expect: { language: 'tr', says: ['$389,00'] } },
      { customer: 'Bu ne rezalet, çadıra 389 dolar mı? Dolandırıcısınız!', expect: { handOff: 'angry_customer', paymentLink: null, language: 'tr', saysNot: ['Harika seçim'] } },
    ],
    end: { handOff: 'angry_customer', paymentLink: false },
  },
  {
    id: 'anger.tr.bagirma',
    category: 'anger',
    language: 'tr',
    turns: [
      { customer: 'Merhaba, sırt çantanız var mı?', expect: { language: 'tr', says: ['Ridgeline 45L Backpack'] } },
      { customer: 'SAATTİR CEVAP BEKLİYORUM, BU NASIL HİZMET', expect: { handOff: 'angry_customer', paymentLink: null } },
    ],
    end: { handOff: 'angry_customer' },
  },
  {
    id: 'anger.tr.hayal-kirikligi',
    category: 'anger',
    language: 'tr',
    turns: [
      { customer: 'Summit Pro botlar stokta var mı?', expect: { language: 'tr', says: ['stokta yok'], handOff: null } },
      { customer: 'Maalesef, hayal kırıklığı oldu.', expect: { language: 'tr', handOff: null, paymentLink: null, saysOneOf: ['üzgünüm', 'anlıyorum'] } },
      { customer: 'Yağmurluğunuz var mı peki?', expect: { language: 'tr', handOff: null, says: ['Stormshell Rain Jacket', '$159,00'] } },
    ],
    end: { handOff: null },
  },
];

export default scenarios;
