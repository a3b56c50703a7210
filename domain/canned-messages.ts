import type { Language } from './language';
import { formatMoney, type Money } from './money';

/** One message in every language the agent speaks; a missing translation is a type error. */
const inEvery =
  <A extends unknown[]>(texts: Record<Language, (...args: A) => string>) =>
  (lang: Language, ...args: A): string =>
    texts[lang](...args);

const orderRef = (orderId: string) => orderId.slice(0, 8).toUpperCase();

/** System messages the workflow sends itself; agent replies come from the agent. */
export const canned = {
  handOff: inEvery({
    en: () => "I'm bringing in a member of our team; they'll reply here shortly.",
    tr: () => 'Sizi ekibimizden bir arkadaşa aktarıyorum, kısa süre içinde buradan yazacak.',
  }),
  paymentLink: inEvery({
    en: (name: string, total: Money, url: string) => `Your total for ${name} is ${formatMoney(total, 'en')}. Here is your secure payment link: ${url}`,
    tr: (name: string, total: Money, url: string) => `${name} için toplam ${formatMoney(total, 'tr')}. Güvenli ödeme bağlantınız: ${url}`,
  }),
  paymentReminder: inEvery({
    en: (url: string) => `A quick reminder: your payment link expires soon. ${url}`,
    tr: (url: string) => `Küçük bir hatırlatma: ödeme bağlantınızın süresi yakında doluyor. ${url}`,
  }),
  paymentExpired: inEvery({
    en: () => 'Your payment link has expired. Just say the word if you would like a new one.',
    tr: () => 'Ödeme bağlantınızın süresi doldu. Yeni bir bağlantı isterseniz yazmanız yeterli.',
  }),
  paymentFailed: inEvery({
    en: () => "The payment didn't go through. I can send a fresh link if you'd like to try again.",
    tr: () => 'Ödeme tamamlanamadı. Tekrar denemek isterseniz yeni bir bağlantı gönderebilirim.',
  }),
  receipt: inEvery({
    en: (name: string, total: Money, orderId: string) => `Payment received, thank you! ${name}, total ${formatMoney(total, 'en')}. Order ref: ${orderRef(orderId)}`,
    tr: (name: string, total: Money, orderId: string) => `Ödemeniz alındı, teşekkürler! ${name}, toplam ${formatMoney(total, 'tr')}. Sipariş no: ${orderRef(orderId)}`,
  }),
  outOfStock: inEvery({
    en: () => "Sorry, that item is out of stock right now.",
    tr: () => 'Üzgünüm, bu ürün şu anda stokta yok.',
  }),
  /** The checkout could not hold the items: another customer bought the last ones between the offer and the link. */
  soldOut: inEvery({
    en: (names: string) => `Sorry, ${names} just sold out, so I can't send a payment link for it. Would you like something else?`,
    tr: (names: string) => `Üzgünüm, ${names} az önce tükendi, bu yüzden ödeme bağlantısı gönderemiyorum. Başka bir ürünle ilgilenir misiniz?`,
  }),
};
