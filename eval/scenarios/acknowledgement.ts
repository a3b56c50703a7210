import type { Scenario } from '../scenario';

/**
 * "Ok", "thanks", "yes please", "tamam": they answer our question or carry
 * the conversation on; never a second link, never a hand-off for doubt.
 */
export const scenarios: Scenario[] = [
  {
    id: 'acknowledgement.en.ok-after-the-link',
    category: 'acknowledgement',
    language: 'en',
    turns: [
      { customer: "I'll take the Trailblazer 2 Tent", expect: { paymentLink: { sku: 'TENT-TB2', quantity: 1 } } },
      { customer: 'ok', expect: { handOff: null, paymentLink: null, says: ['payment link', 'Trailblazer 2 Tent'], saysNot: ['https://'] } },
      { customer: 'thanks!', expect: { handOff: null, paymentLink: null, saysNot: ['https://'] } },
    ],
    end: { handOff: null, stage: 'checkout' },
  },
  {
    id: 'acknowledgement.en.yes-please-after-the-link',
    category: 'acknowledgement',
    language: 'en',
    turns: [
      { customer: 'I want to buy the Beam 400 headlamp', expect: { paymentLink: { sku: 'LAMP-B400', quantity: 1 } } },
      { customer: 'yes please', expect: { handOff: null, paymentLink: null, says: ['Beam 400 Headlamp'], saysNot: ['https://'] } },
    ],
    end: { handOff: null },
  },
  {
    id: 'acknowledgement.en.sounds-good-answers-our-question',
    category: 'acknowledgement',
    language: 'en',
    turns: [
      { customer: 'Do you have tents?' },
      { customer: 'the cheaper one', expect: { says: ['Would you like to order it?'] } },
      { customer: 'Sounds good', expect: { intent: 'buying_signal', paymentLink: { sku: 'TENT-TB2', quantity: 1 }, handOff: null } },
    ],
    end: { paymentLink: true, handOff: null },
  },
  {
    id: 'acknowledgement.en.ok-after-hello-and-no-thanks',
    category: 'acknowledgement',
    language: 'en',
    turns: [
      { customer: 'Hi' },
      { customer: 'ok', expect: { handOff: null, says: ['What will you mainly use it for'] } },
      { customer: 'How much is the stove?', expect: { says: ['$69.00'] } },
      { customer: 'no thanks', expect: { handOff: null, paymentLink: null, says: ['No problem', 'anything else'], saysNot: ['order it?'] } },
    ],
    end: { handOff: null, paymentLink: false },
  },
  {
    id: 'acknowledgement.en.quiet-after-a-hand-off',
    category: 'acknowledgement',
    language: 'en',
    turns: [
      { customer: 'I want to talk to a real person', expect: { handOff: 'customer_request' } },
      { customer: 'ok thanks', expect: { handOff: null, paymentLink: null } },
    ],
    end: { handOff: 'customer_request' },
  },
  {
    id: 'acknowledgement.tr.tamam-odeme-baglantisindan-sonra',
    category: 'acknowledgement',
    language: 'tr',
    turns: [
      { customer: 'Trailblazer çadırı satın almak istiyorum', expect: { paymentLink: { sku: 'TENT-TB2', quantity: 1 } } },
      { customer: 'tamam', expect: { language: 'tr', handOff: null, paymentLink: null, says: ['ödeme bağlantınız'], saysNot: ['https://'] } },
      { customer: 'teşekkürler', expect: { language: 'tr', handOff: null, paymentLink: null, saysNot: ['https://'] } },
    ],
    end: { handOff: null, stage: 'checkout' },
  },
  {
    id: 'acknowledgement.tr.super-odeme-baglantisindan-sonra',
    category: 'acknowledgement',
    language: 'tr',
    turns: [
      { customer: 'Kafa lambasını almak istiyorum', expect: { paymentLink: { sku: 'LAMP-B400', quantity: 1 } } },
      { customer: 'süper', expect: { language: 'tr', handOff: null, paymentLink: null, says: ['Beam 400 Headlamp'] } },
    ],
    end: { handOff: null },
  },
  {
    id: 'acknowledgement.tr.evet-lutfen-soruya-cevap',
    category: 'acknowledgement',
    language: 'tr',
    turns: [
      { customer: 'Çadırlarınız var mı?' },
      { customer: 'ucuz olanı', expect: { says: ['Sipariş vermek ister misiniz?'] } },
      { customer: 'evet lütfen', expect: { intent: 'buying_signal', paymentLink: { sku: 'TENT-TB2', quantity: 1 }, handOff: null } },
    ],
    end: { paymentLink: true, handOff: null },
  },
  {
    id: 'acknowledgement.tr.olur-selamdan-sonra',
    category: 'acknowledgement',
    language: 'tr',
    turns: [
      { customer: 'Merhaba' },
      { customer: 'olur', expect: { language: 'tr', handOff: null, says: ['ne için kullanacaksınız'] } },
      { customer: 'Kamp ocağı ne kadar?', expect: { says: ['$69,00'] } },
      { customer: 'hayır, teşekkürler', expect: { handOff: null, paymentLink: null, says: ['Sorun değil', 'başka bir şey'], saysNot: ['Sipariş vermek'] } },
    ],
    end: { handOff: null, paymentLink: false },
  },
];

export default scenarios;
