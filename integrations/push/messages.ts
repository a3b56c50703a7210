/**
 * The words of a push notification in the member's language: who it is
 * about (the customer's name when the conversation has one) and why, short
 * enough for a lock screen.
 */
import type { Language } from '../../domain/language';
import { formatMoney } from '../../domain/money';
import type { PushEvent } from '../../domain/notifications';
import { handOffReasonText } from '../email/messages';

export interface PushSubject {
  /** The customer's name, as they gave it; null when unknown. */
  customerName: string | null;
  /** The stored notification's body: `{ reason, detail? }` for hand-offs, `{ orderId, amountMinor, currency }` for payments. */
  body: unknown;
}

interface Words {
  someone: string;
  needsHuman: (name: string) => string;
  customerMessage: (name: string) => string;
  customerMessageBody: string;
  paymentReceived: string;
  paid: (name: string, amount: string) => string;
  paidNoAmount: (name: string) => string;
  paymentFailed: string;
  paymentReasons: Record<string, string>;
  paymentFailedBody: string;
  newLead: string;
  newLeadBody: (name: string) => string;
}

const words: Record<Language, Words> = {
  en: {
    someone: 'A customer',
    needsHuman: (name) => `${name} needs a person`,
    customerMessage: (name) => `${name} wrote`,
    customerMessageBody: 'They wrote while a person holds the conversation.',
    paymentReceived: 'Payment received',
    paid: (name, amount) => `${name} paid ${amount}.`,
    paidNoAmount: (name) => `${name} paid.`,
    paymentFailed: 'Payment problem',
    paymentReasons: {
      payment_failed: 'A payment failed.',
      disputed: 'A payment was disputed.',
      amount_or_currency_mismatch: 'A payment did not match the order.',
      subscription_payment_failed: 'Your subscription payment failed.',
    },
    paymentFailedBody: 'A payment needs your attention.',
    newLead: 'New lead',
    newLeadBody: (name) => `${name} started a conversation.`,
  },
  tr: {
    someone: 'Bir müşteri',
    needsHuman: (name) => `${name} bir yetkili bekliyor`,
    customerMessage: (name) => `${name} yazdı`,
    customerMessageBody: 'Konuşma bir yetkilideyken yazdı.',
    paymentReceived: 'Ödeme alındı',
    paid: (name, amount) => `${name} ${amount} ödedi.`,
    paidNoAmount: (name) => `${name} ödeme yaptı.`,
    paymentFailed: 'Ödeme sorunu',
    paymentReasons: {
      payment_failed: 'Bir ödeme başarısız oldu.',
      disputed: 'Bir ödemeye itiraz edildi.',
      amount_or_currency_mismatch: 'Bir ödeme siparişle eşleşmedi.',
      subscription_payment_failed: 'Abonelik ödemeniz alınamadı.',
    },
    paymentFailedBody: 'Bir ödeme ilginizi bekliyor.',
    newLead: 'Yeni müşteri adayı',
    newLeadBody: (name) => `${name} bir konuşma başlattı.`,
  },
};

/**
 * The playbook agent names a customer's request for a person `customer_request`;
 * the words for it are those of `asked_for_person`.
 */
export const handOffReason = (reason: string): string => (reason === 'customer_request' ? 'asked_for_person' : reason);

export const languageOf = (locale: string | null | undefined): Language => (locale?.toLowerCase().startsWith('tr') ? 'tr' : 'en');

/** One line, and not a novel: a name is the customer's own text. */
const oneLine = (value: string, max = 60) => {
  const flat = value.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** A stored currency Intl does not know still shows, as its code. */
function money(amountMinor: number, currency: string, language: Language): string {
  try {
    return formatMoney({ amountMinor, currency }, language);
  } catch {
    return `${(amountMinor / 100).toFixed(2)} ${currency}`;
  }
}

export function pushText(language: Language, event: PushEvent, s: PushSubject): { title: string; body: string } {
  const w = words[language];
  const name = s.customerName ? oneLine(s.customerName) : w.someone;
  const body = (s.body ?? {}) as { reason?: unknown; amountMinor?: unknown; currency?: unknown };
  const reason = typeof body.reason === 'string' ? body.reason : '';
  switch (event) {
    case 'needs_human':
      return { title: w.needsHuman(name), body: reason ? handOffReasonText(language, handOffReason(reason)) : '' };
    case 'customer_message':
      return { title: w.customerMessage(name), body: w.customerMessageBody };
    case 'payment_received': {
      const amount = typeof body.amountMinor === 'number' && typeof body.currency === 'string' ? money(body.amountMinor, body.currency, language) : null;
      return { title: w.paymentReceived, body: amount ? w.paid(name, amount) : w.paidNoAmount(name) };
    }
    case 'payment_failed':
      return { title: w.paymentFailed, body: w.paymentReasons[reason] ?? w.paymentFailedBody };
    case 'new_lead':
      return { title: w.newLead, body: w.newLeadBody(name) };
  }
}
