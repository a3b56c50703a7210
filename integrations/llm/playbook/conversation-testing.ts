import type { CatalogTool } from '../../../domain/catalog';
import { canned } from '../../../domain/canned-messages';
import type { ChatMessage, PendingPayment } from '../../../domain/conversation';
import type { Decision } from '../../../domain/decision';
import type { Language } from '../../../domain/language';
import { applyQualification, emptyLeadProfile } from '../../../domain/lead';
import { createPlaybookProvider } from './index';
import { agentContext, bot, customer, memoryCatalog } from './testing';

export const PAYMENT_URL = 'https://pay.example/ord_1';

/**
 * Plays a customer's messages through the playbook, carrying over between
 * turns what the workflow carries: interests and slots, the recent messages,
 * the language, and a payment link (with the workflow's own message) once
 * one is offered. Hand-offs are not followed: each message gets a decision.
 */
export async function converse(messages: string[], opts: { language?: Language; catalog?: CatalogTool } = {}): Promise<Decision[]> {
  const provider = createPlaybookProvider();
  const catalog = opts.catalog ?? memoryCatalog();
  let lead = emptyLeadProfile();
  let language = opts.language ?? 'en';
  let pendingPayment: PendingPayment | null = null;
  const recent: ChatMessage[] = [];
  const decisions: Decision[] = [];
  for (const text of messages) {
    const d = await provider.decide(
      agentContext(text, { lead, recent: recent.slice(-10), language, catalog, pendingPayment, stage: recent.length ? 'engaged' : 'new' }),
    );
    decisions.push(d);
    lead = applyQualification(lead, d.qualification, d.productsMentioned);
    language = d.language;
    recent.push(customer(text));
    if (d.reply) recent.push(bot(d.reply));
    const offer = d.actions.find((a) => a.type === 'offer_payment');
    if (offer?.type === 'offer_payment' && !pendingPayment) {
      const product = (await catalog.get(offer.sku))!;
      const total = { amountMinor: product.priceMinor * offer.quantity, currency: product.currency };
      pendingPayment = {
        orderId: 'ord_1',
        sku: product.sku,
        name: product.name,
        quantity: offer.quantity,
        ...total,
        url: PAYMENT_URL,
        expiresAt: '2025-05-02T10:00:00.000Z',
      };
      recent.push(bot(canned.paymentLink(language, product.name, total, PAYMENT_URL)));
    }
  }
  return decisions;
}

/** The decision for the last message. */
export const last = (decisions: Decision[]) => decisions.at(-1)!;
