import type { Scenario } from '../scenario';

/**
 * The reply's language follows the customer's, in English and Turkish,
 * accented or not, and stays put on messages that carry no language ("ok", a
 * product name). A language the merchant does not serve is answered in the
 * merchant's default language with a note saying which ones it speaks, or
 * handed to a person, as the playbook says.
 */
export const scenarios: Scenario[] = [
  {
    id: 'language.en.spanish-customer-gets-a-note',
    category: 'language',
    language: 'en',
    turns: [
      {
        customer: 'Hola, ¿cuánto cuesta la tienda?',
        expect: { language: 'en', says: ['Spanish', 'English or Turkish'], saysNot: ['Merhaba', 'fiyat'], handOff: null, paymentLink: null },
      },
      { customer: 'How much is the Trailblazer tent?', expect: { language: 'en', says: ['$249.00'], handOff: null } },
    ],
    end: { handOff: null },
  },
  {
    id: 'language.en.french-customer-still-gets-the-price',
    category: 'language',
    language: 'en',
    turns: [
      { customer: 'Bonjour, combien coûte la Beam 400 ?', expect: { language: 'en', says: ['French', 'English or Turkish', '$39.00'], handOff: null } },
    ],
    end: { handOff: null },
  },
  {
    id: 'language.en.german-customer-handed-off',
    category: 'language',
    language: 'en',
    playbook: (p) => ({ ...p, otherLanguages: 'hand_off' }),
    turns: [
      { customer: 'Hallo, was kostet das Zelt? Ich möchte eins kaufen.', expect: { language: 'en', handOff: 'unsupported_language', paymentLink: null } },
    ],
    end: { handOff: 'unsupported_language', paymentLink: false },
  },
  {
    id: 'language.en.english-only-shop-answers-turkish-in-english',
    category: 'language',
    language: 'en',
    playbook: (p) => ({ ...p, languages: ['en'], defaultLanguage: 'en' }),
    turns: [
      { customer: 'Merhaba, çadırınız var mı?', expect: { language: 'en', says: ['I can answer in English', 'Trailblazer 2 Tent'], saysNot: ['Merhaba'], handOff: null } },
    ],
    end: { handOff: null },
  },
  {
    id: 'language.en.short-messages-keep-english',
    category: 'language',
    language: 'en',
    turns: [
      { customer: 'Do you have tents?', expect: { language: 'en', says: ['Trailblazer 2 Tent'] } },
      { customer: 'ok', expect: { language: 'en', handOff: null } },
      { customer: 'Trailblazer 2 Tent', expect: { language: 'en', says: ['$249.00'], handOff: null } },
      { customer: '👍', expect: { language: 'en', handOff: null } },
    ],
    end: { handOff: null },
  },
  {
    id: 'language.tr.aksansiz-turkce',
    category: 'language',
    language: 'tr',
    turns: [
      { customer: 'merhaba, cadiriniz var mi?', expect: { language: 'tr', says: ['Trailblazer 2 Tent'], handOff: null } },
      { customer: 'trailblazer kac para', expect: { language: 'tr', says: ['$249,00'], handOff: null } },
    ],
    end: { handOff: null },
  },
  {
    id: 'language.tr.aksansiz-kargo-sorusu',
    category: 'language',
    language: 'tr',
    turns: [{ customer: 'Kargom hala gelmedi', expect: { language: 'tr', handOff: 'support_request' } }],
    end: { handOff: 'support_request' },
  },
  {
    id: 'language.tr.kisa-mesajlarda-dil-degismez',
    category: 'language',
    language: 'tr',
    turns: [
      { customer: 'Çadırlarınız neler?', expect: { language: 'tr', says: ['Trailblazer 2 Tent'] } },
      { customer: 'ok', expect: { language: 'tr', handOff: null } },
      { customer: 'Basecamp 4', expect: { language: 'tr', says: ['$389,00'], handOff: null } },
      { customer: '👍', expect: { language: 'tr', handOff: null } },
    ],
  },
  {
    id: 'language.tr.karisik-mesaj',
    category: 'language',
    language: 'tr',
    turns: [{ customer: 'Hi, Trailblazer çadırın fiyatı ne kadar?', expect: { language: 'tr', says: ['$249,00'], handOff: null } }],
  },
  {
    id: 'language.tr.turkce-magaza-ispanyolca-musteri',
    category: 'language',
    language: 'tr',
    playbook: (p) => ({ ...p, defaultLanguage: 'tr' }),
    turns: [
      { customer: 'Hola, ¿tienen mochilas? Gracias', expect: { language: 'tr', says: ['İspanyolca', 'İngilizce veya Türkçe'], handOff: null, paymentLink: null } },
    ],
    end: { handOff: null },
  },
  {
    id: 'language.tr.yalniz-turkce-magaza-ingilizce-musteri',
    category: 'language',
    language: 'tr',
    playbook: (p) => ({ ...p, languages: ['tr'], defaultLanguage: 'tr' }),
    turns: [{ customer: 'Hi, how much is the Beam 400 headlamp?', expect: { language: 'tr', says: ['Türkçe', '$39,00'], handOff: null } }],
    end: { handOff: null },
  },
  {
    id: 'language.tr.almanca-musteri-devredilir',
    category: 'language',
    language: 'tr',
    playbook: (p) => ({ ...p, defaultLanguage: 'tr', otherLanguages: 'hand_off' }),
    turns: [{ customer: 'Guten Tag, ich möchte ein Zelt kaufen. Danke!', expect: { language: 'tr', handOff: 'unsupported_language' } }],
    end: { handOff: 'unsupported_language' },
  },
];

export default scenarios;
