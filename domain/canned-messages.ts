import type { Language } from './language';
import { formatMoney, type Money } from './money';

/** System messages the workflow sends itself; agent replies come from the agent. */
export const canned = {
  handOff: (lang: Language) =>
    lang === 'tr'
      ? 'Sizi ekibimizden bir arkadaşa aktarıyorum, kısa süre içinde buradan yazacak.'
      : "I'm bringing in a member of our team; they'll reply here shortly.",
  paymentLink: (lang: Language, name: string, total: Money, url: string) =>
    lang === 'tr'
      ? `${name} için toplam ${formatMoney(total, lang)}. Güvenli ödeme bağlantınız: ${url}`
      : `Your total for ${name} is ${formatMoney(total, lang)}. Here is your secure payment link: ${url}`,
  paymentReminder: (lang: Language, url: string) =>
    lang === 'tr'
      ? `Küçük bir hatırlatma: ödeme bağlantınızın süresi yakında doluyor. ${url}`
      : `A quick reminder: your payment link expires soon. ${url}`,
  paymentExpired: (lang: Language) =>
    lang === 'tr'
      ? 'Ödeme bağlantınızın süresi doldu. Yeni bir bağlantı isterseniz yazmanız yeterli.'
      : 'Your payment link has expired. Just say the word if you would like a new one.',
  paymentFailed: (lang: Language) =>
    lang === 'tr'
      ? 'Ödeme tamamlanamadı. Tekrar denemek isterseniz yeni bir bağlantı gönderebilirim.'
      : "The payment didn't go through. I can send a fresh link if you'd like to try again.",
  receipt: (lang: Language, name: string, total: Money, orderId: string) =>
    lang === 'tr'
      ? `Ödemeniz alındı, teşekkürler! ${name}, toplam ${formatMoney(total, lang)}. Sipariş no: ${orderId.slice(0, 8).toUpperCase()}`
      : `Payment received, thank you! ${name}, total ${formatMoney(total, lang)}. Order ref: ${orderId.slice(0, 8).toUpperCase()}`,
  outOfStock: (lang: Language) =>
    lang === 'tr' ? 'Üzgünüm, bu ürün şu anda stokta yok.' : "Sorry, that item is out of stock right now.",
};
