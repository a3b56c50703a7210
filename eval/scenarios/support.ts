import type { Scenario } from '../scenario';

/** After the sale (where an order is, a broken delivery, a refund) a person with the order system takes over; the agent never guesses an order's status. */
const scenarios: Scenario[] = [
  {
    id: 'support.en.where-is-my-order',
    category: 'support',
    language: 'en',
    turns: [
      {
        customer: 'Hi, where is my order? I ordered a tent last week.',
        expect: { intent: 'support_request', handOff: 'support_request', paymentLink: null, language: 'en', says: ['colleague'], saysNot: ['on its way', 'has been delivered', 'payment link'] },
      },
    ],
    end: { handOff: 'support_request', paymentLink: false },
  },
  {
    id: 'support.en.arrived-broken',
    category: 'support',
    language: 'en',
    turns: [
      { customer: 'My Beam 400 headlamp arrived broken.', expect: { intent: 'support_request', handOff: 'support_request', paymentLink: null, saysOneOf: ['sorry', 'apolog'] } },
      { customer: 'Hello? Anyone there?', expect: { handOff: null, paymentLink: null } },
    ],
    end: { handOff: 'support_request', paymentLink: false },
  },
  {
    id: 'support.en.refund-mid-sale',
    category: 'support',
    language: 'en',
    turns: [
      { customer: 'How much is the Trailfire stove?', expect: { says: ['$69.00'], handOff: null } },
      { customer: 'Actually, I want a refund for the jacket I bought last month.', expect: { intent: 'support_request', handOff: 'support_request', paymentLink: null } },
    ],
    end: { handOff: 'support_request', paymentLink: false },
  },
  {
    id: 'support.en.tracking-number',
    category: 'support',
    language: 'en',
    turns: [
      { customer: "My parcel still hasn't arrived, can you give me the tracking number?", expect: { intent: 'support_request', handOff: 'support_request', saysNot: ['2-4 business days'] } },
    ],
    end: { handOff: 'support_request', paymentLink: false },
  },
  {
    id: 'support.tr.siparisim-nerede',
    category: 'support',
    language: 'tr',
    turns: [
      {
        customer: 'Merhaba, siparişim nerede? Geçen hafta çadır sipariş ettim.',
        expect: { intent: 'support_request', handOff: 'support_request', paymentLink: null, language: 'tr', says: ['arkadaş'], saysNot: ['ödeme bağlantı'] },
      },
    ],
    end: { handOff: 'support_request', paymentLink: false },
  },
  {
    id: 'support.tr.kirik-geldi',
    category: 'support',
    language: 'tr',
    turns: [
      { customer: 'Kafa lambası kırık geldi.', expect: { intent: 'support_request', handOff: 'support_request', language: 'tr', says: ['üzgünüm'] } },
      { customer: 'Ne zaman dönüş yaparsınız?', expect: { handOff: null, paymentLink: null } },
    ],
    end: { handOff: 'support_request', paymentLink: false },
  },
  {
    id: 'support.tr.iade-talebi',
    category: 'support',
    language: 'tr',
    turns: [
      { customer: 'Uyku tulumu kaç para?', expect: { language: 'tr', says: ['$149,00'] } },
      { customer: 'Geçen ay aldığım montu iade etmek istiyorum.', expect: { intent: 'support_request', handOff: 'support_request', language: 'tr' } },
    ],
    end: { handOff: 'support_request', paymentLink: false },
  },
  {
    id: 'support.tr.kargo-gelmedi',
    category: 'support',
    language: 'tr',
    turns: [{ customer: 'Kargom hâlâ gelmedi, takip numarası alabilir miyim?', expect: { intent: 'support_request', handOff: 'support_request', language: 'tr', saysNot: ['2-4 iş günü'] } }],
    end: { handOff: 'support_request', paymentLink: false },
  },
  {
    id: 'support.en.return-something-bought',
    category: 'support',
    language: 'en',
    turns: [{ customer: 'I want to return the tent I bought last week.', expect: { intent: 'support_request', handOff: 'support_request', paymentLink: null, saysNot: ['Trailblazer 2 Tent:', 'Basecamp 4 Family Tent:'] } }],
    end: { handOff: 'support_request', paymentLink: false },
  },
  {
    id: 'support.en.parts-missing-and-cancel',
    category: 'support',
    language: 'en',
    turns: [{ customer: 'My order arrived but the tent poles are missing. I want to cancel it.', expect: { intent: 'support_request', handOff: 'support_request', paymentLink: null } }],
    end: { handOff: 'support_request', paymentLink: false },
  },
  {
    id: 'support.en.return-question-before-buying-is-not-support',
    category: 'support',
    language: 'en',
    turns: [
      { customer: 'How much is the Stormshell rain jacket?', expect: { says: ['$159.00'] } },
      { customer: "Can I return it if it doesn't fit?", expect: { handOff: null, says: ['30 days'] } },
    ],
    end: { handOff: null },
  },
  {
    id: 'support.tr.siparis-iptali',
    category: 'support',
    language: 'tr',
    turns: [{ customer: 'Dün verdiğim siparişimi iptal etmek istiyorum.', expect: { intent: 'support_request', handOff: 'support_request', language: 'tr', paymentLink: null } }],
    end: { handOff: 'support_request', paymentLink: false },
  },
  {
    id: 'support.tr.eksik-parca',
    category: 'support',
    language: 'tr',
    turns: [{ customer: 'Çadır geldi ama direkleri eksik.', expect: { intent: 'support_request', handOff: 'support_request', language: 'tr', saysNot: ['Harika seçim'] } }],
    end: { handOff: 'support_request', paymentLink: false },
  },
];

export default scenarios;
