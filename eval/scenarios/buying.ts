import type { Scenario } from '../scenario';

/** A customer ready to buy gets one payment link for the right product and quantity at the catalog's price, and nothing sold out is sold. */
const scenarios: Scenario[] = [
  {
    id: 'buying.en.straight-to-checkout',
    category: 'buying',
    language: 'en',
    turns: [
      { customer: 'I want to buy the Trailfire camp stove.', expect: { intent: 'buying_signal', paymentLink: { sku: 'STOVE-TF', quantity: 1 }, says: ['$69.00'], handOff: null } },
      { customer: 'Thanks!', expect: { paymentLink: null, handOff: null } },
    ],
    end: { stage: 'checkout', paymentLink: true, handOff: null, interestedIn: ['STOVE-TF'] },
  },
  {
    id: 'buying.en.after-comparing',
    category: 'buying',
    language: 'en',
    turns: [
      { customer: 'Do you have tents?', expect: { says: ['Trailblazer 2 Tent', 'Basecamp 4 Family Tent'] } },
      { customer: 'Is the Trailblazer waterproof?', expect: { says: ['waterproof'] } },
      { customer: "Perfect, I'll order the Trailblazer.", expect: { paymentLink: { sku: 'TENT-TB2', quantity: 1 }, says: ['$249.00'] } },
    ],
    end: { stage: 'checkout', paymentLink: true, handOff: null },
  },
  {
    id: 'buying.en.sold-out-then-other-product',
    category: 'buying',
    language: 'en',
    turns: [
      { customer: "I'd like to order the Summit Pro hiking boots.", expect: { paymentLink: null, says: ['out of stock'], handOff: null } },
      { customer: "OK, then I'll take the Stormshell rain jacket instead.", expect: { paymentLink: { sku: 'JKT-SS', quantity: 1 }, says: ['$159.00'] } },
    ],
    end: { paymentLink: true, handOff: null },
  },
  {
    id: 'buying.en.link-sent-again-not-twice',
    category: 'buying',
    language: 'en',
    turns: [
      { customer: "I'll take the Nightfall sleeping bag.", expect: { paymentLink: { sku: 'BAG-NF5', quantity: 1 }, says: ['$149.00'] } },
      { customer: 'Can you send me the payment link again?', expect: { paymentLink: null, says: ['https://pay.example/eval/', '$149.00'], handOff: null } },
    ],
    end: { stage: 'checkout', paymentLink: true, handOff: null },
  },
  {
    id: 'buying.en.large-order-goes-to-a-person',
    category: 'buying',
    language: 'en',
    playbook: (p) => ({ ...p, handOff: { ...p.handOff, highValueMinor: 50_000 } }),
    turns: [{ customer: "We'll take 3 Trailblazer 2 tents for our club.", expect: { paymentLink: null, handOff: 'high_value' } }],
    end: { paymentLink: false, handOff: 'high_value' },
  },
  {
    id: 'buying.tr.dogrudan-siparis',
    category: 'buying',
    language: 'tr',
    turns: [
      { customer: 'Trailfire kamp ocağını satın almak istiyorum.', expect: { language: 'tr', paymentLink: { sku: 'STOVE-TF', quantity: 1 }, says: ['$69,00'] } },
      { customer: 'Teşekkürler!', expect: { language: 'tr', paymentLink: null, handOff: null } },
    ],
    end: { stage: 'checkout', paymentLink: true, handOff: null },
  },
  {
    id: 'buying.tr.karsilastirip-alma',
    category: 'buying',
    language: 'tr',
    turns: [
      { customer: 'Çadırlarınız neler?', expect: { language: 'tr', says: ['Trailblazer 2 Tent', 'Basecamp 4 Family Tent'] } },
      { customer: 'Basecamp 4 çadırı sipariş vermek istiyorum.', expect: { language: 'tr', paymentLink: { sku: 'TENT-BC4', quantity: 1 }, says: ['$389,00'] } },
    ],
    end: { stage: 'checkout', paymentLink: true, handOff: null },
  },
  {
    id: 'buying.tr.stokta-yok',
    category: 'buying',
    language: 'tr',
    turns: [
      { customer: 'Summit Pro botları almak istiyorum.', expect: { language: 'tr', paymentLink: null, says: ['stokta yok'], handOff: null } },
      { customer: 'O zaman Ridgeline sırt çantasını alayım.', expect: { language: 'tr', paymentLink: { sku: 'PACK-RL45', quantity: 1 }, says: ['$179,00'] } },
    ],
    end: { paymentLink: true, handOff: null },
  },
  {
    id: 'buying.tr.link-tekrar',
    category: 'buying',
    language: 'tr',
    turns: [
      { customer: 'Kafa lambasını alayım.', expect: { language: 'tr', paymentLink: { sku: 'LAMP-B400', quantity: 1 }, says: ['$39,00'] } },
      { customer: 'Ödeme linkini tekrar gönderir misiniz?', expect: { language: 'tr', paymentLink: null, says: ['https://pay.example/eval/'], handOff: null } },
    ],
    end: { stage: 'checkout', paymentLink: true, handOff: null },
  },
];

export default scenarios;
