import type { Scenario } from '../scenario';

/**
 * A message the agent does not understand gets a short clarifying question,
 * and the lead stays with the bot; only a second misunderstanding in a row
 * brings in a person (`low_confidence`).
 */
export const scenarios: Scenario[] = [
  {
    id: 'clarification.en.question-then-understood',
    category: 'clarification',
    language: 'en',
    turns: [
      { customer: 'asdfgh qwerty', expect: { intent: 'unknown', language: 'en', handOff: null, says: ["didn't quite catch that", '?'] } },
      { customer: 'How much is the camp stove?', expect: { handOff: null, says: ['Trailfire Camp Stove', '$69.00'] } },
    ],
    end: { handOff: null },
  },
  {
    id: 'clarification.en.yes-shows-the-range',
    category: 'clarification',
    language: 'en',
    turns: [
      { customer: 'zxcvb asdfgh', expect: { handOff: null } },
      { customer: 'yes', expect: { handOff: null, says: ['We sell', 'Trailblazer 2 Tent: $249.00'] } },
    ],
    end: { handOff: null },
  },
  {
    id: 'clarification.en.twice-goes-to-a-person',
    category: 'clarification',
    language: 'en',
    turns: [
      { customer: 'asdfgh qwerty', expect: { handOff: null, says: ['?'] } },
      { customer: 'qwerty zxcvb', expect: { handOff: 'low_confidence' } },
    ],
    end: { handOff: 'low_confidence', paymentLink: false },
  },
  {
    id: 'clarification.en.count-starts-again',
    category: 'clarification',
    language: 'en',
    turns: [
      { customer: 'asdfgh qwerty', expect: { handOff: null } },
      { customer: 'Hello', expect: { intent: 'greeting', handOff: null } },
      { customer: 'qwerty zxcvb', expect: { handOff: null, says: ["didn't quite catch that"] } },
    ],
    end: { handOff: null },
  },
  {
    id: 'clarification.tr.soru-sonra-anlasildi',
    category: 'clarification',
    language: 'tr',
    turns: [
      { customer: 'şşşğğ ııııı', expect: { intent: 'unknown', language: 'tr', handOff: null, says: ['anlayamadım', '?'] } },
      { customer: 'Kamp ocağı ne kadar?', expect: { handOff: null, says: ['Trailfire Camp Stove', '$69,00'] } },
    ],
    end: { handOff: null },
  },
  {
    id: 'clarification.tr.evet-urunleri-gosterir',
    category: 'clarification',
    language: 'tr',
    turns: [
      { customer: 'ğğğ şşşış', expect: { handOff: null } },
      { customer: 'evet', expect: { language: 'tr', handOff: null, says: ['satıyoruz', 'Trailblazer 2 Tent: $249,00'] } },
    ],
    end: { handOff: null },
  },
  {
    id: 'clarification.tr.iki-kez-anlasilmazsa-temsilci',
    category: 'clarification',
    language: 'tr',
    turns: [
      { customer: 'şşşğğ ııııı', expect: { handOff: null } },
      { customer: 'ııııı ğğğşş', expect: { handOff: 'low_confidence' } },
    ],
    end: { handOff: 'low_confidence', paymentLink: false },
  },
];

export default scenarios;
