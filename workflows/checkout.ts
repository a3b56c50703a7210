/**
 * One order's checkout: open a payment link, send it, wait for the provider to
 * say something (or the link to run out), believe only the provider's own
 * status and our order's amount, then tell the customer and the lead.
 */
import { ActivityFailure, condition, getExternalWorkflowHandle, log, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { canned } from '../domain/canned-messages';
import { orderLabel } from '../domain/conversation';
import type { OrderStatus } from '../domain/order';
import { outbox, store } from './activities';
import {
  checkoutOpenedSignal,
  paymentEventSignal,
  paymentResultSignal,
  type CheckoutInput,
  type PaymentEvent,
  type PaymentResult,
} from './contract';

/** How a checkout can end. */
type Settled = Extract<OrderStatus, 'paid' | 'expired' | 'failed' | 'mismatch'>;

export async function checkout(input: CheckoutInput): Promise<PaymentResult> {
  const id = workflowInfo().workflowId;
  const events: PaymentEvent[] = [];
  const seenEvents = new Set<string>();
  setHandler(paymentEventSignal, (event) => {
    if (!event?.eventId || seenEvents.has(event.eventId)) return;
    seenEvents.add(event.eventId);
    events.push(event);
  });

  const lead = getExternalWorkflowHandle(input.conversationId);
  let opened: Awaited<ReturnType<typeof store.createCheckout>>;
  try {
    opened = await store.createCheckout({
      orderId: input.orderId,
      merchantId: input.merchantId,
      conversationId: input.conversationId,
      sku: input.sku,
      quantity: input.quantity,
      ...(input.items ? { items: input.items } : {}),
      discountPercent: input.discountPercent ?? 0,
    });
  } catch (err) {
    // No link will follow: whatever the order held goes back on the shelf before this checkout fails.
    if (err instanceof ActivityFailure && patched('stock-holds')) await store.releaseStock(input.orderId);
    throw err;
  }
  if ('outOfStock' in opened) return soldOut(opened.outOfStock.map((l) => l.name).join(', '));
  const payment = opened;
  await lead.signal(checkoutOpenedSignal, payment);

  const send = async (suffix: string, text: string, url = payment.url) => {
    try {
      await outbox.sendMessage({
        conversationId: input.conversationId,
        merchantId: input.merchantId,
        channel: input.channel,
        customerKey: input.customerKey,
        text,
        sender: 'bot',
        idempotencyKey: `${id}:${suffix}`,
        intent: 'payment',
        // Reminders can fall outside WhatsApp's window; the channel then uses the merchant's template.
        templateFallback: { purpose: 'payment_reminder', variables: [url], language: input.language },
      });
    } catch (err) {
      // An undeliverable notice must not stop the payment from being tracked; the channel recorded the failure.
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('checkout message not delivered', { suffix, error: err.cause?.message });
    }
  };
  const total = { amountMinor: payment.amountMinor, currency: payment.currency };
  await send('link', canned.paymentLink(input.language, orderLabel(payment), total, payment.url));

  const expiresAt = Date.parse(payment.expiresAt);
  const remindAt = expiresAt - input.remindBeforeMs;
  let reminded = remindAt <= Date.now();
  let outcome: Settled | null = null;

  while (!outcome) {
    const wakeAt = reminded ? expiresAt : remindAt;
    const heard = await condition(() => events.length > 0, Math.max(1, wakeAt - Date.now()));
    if (heard) {
      events.shift();
      // The webhook is only a hint; the provider's status decides, and may still be pending.
      const { status } = await store.verifyPayment(input.orderId);
      if (status !== 'pending') outcome = status;
    } else if (!reminded) {
      reminded = true;
      await send('reminder', canned.paymentReminder(input.language, payment.url));
    } else {
      const { status } = await store.verifyPayment(input.orderId);
      outcome = status === 'pending' ? 'expired' : status;
    }
  }

  let result = await conclude(outcome);
  // A payment can land while this checkout is closing as expired or failed: Temporal delivers a
  // signal that arrives before completion, so look once more before returning.
  if ((outcome === 'expired' || outcome === 'failed') && events.length > 0 && patched('late-payment-while-closing')) {
    events.splice(0);
    const { status } = await store.verifyPayment(input.orderId);
    if (status === 'paid' || status === 'mismatch') result = await conclude(status);
  }
  return result;

  /**
   * The items were gone by the time the order tried to hold them (another
   * customer took the last ones): the customer hears so instead of getting a
   * link, and the lead may offer something else.
   */
  async function soldOut(names: string): Promise<PaymentResult> {
    try {
      await outbox.sendMessage({
        conversationId: input.conversationId,
        merchantId: input.merchantId,
        channel: input.channel,
        customerKey: input.customerKey,
        text: canned.soldOut(input.language, names),
        sender: 'bot',
        idempotencyKey: `${id}:sold-out`,
        intent: 'payment',
      });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('sold-out notice not delivered', { error: err.cause?.message });
    }
    const reported: PaymentResult = { orderId: input.orderId, status: 'out_of_stock' };
    try {
      await lead.signal(paymentResultSignal, reported);
    } catch (err) {
      log.warn('lead did not take the sold-out result', { error: String(err) });
    }
    return reported;
  }

  /** Settles the order once, tells the customer and the merchant, and reports to the lead. */
  async function conclude(final: Settled): Promise<PaymentResult> {
    await store.settleOrder({ orderId: input.orderId, status: final });
    if (final === 'paid' && patched('platform-fee')) await store.recordPlatformFee(input.orderId);
    if (final === 'paid') {
      await send('receipt', canned.receipt(input.language, orderLabel(payment), total, input.orderId));
      await store.notifyMerchant({
        merchantId: input.merchantId,
        conversationId: input.conversationId,
        kind: 'won',
        dedupeKey: `${id}:won`,
        body: { orderId: input.orderId, amountMinor: payment.amountMinor, currency: payment.currency },
      });
    } else if (final === 'mismatch') {
      await store.notifyMerchant({
        merchantId: input.merchantId,
        conversationId: input.conversationId,
        kind: 'payment_issue',
        dedupeKey: `${id}:mismatch`,
        body: { orderId: input.orderId, reason: 'amount_or_currency_mismatch' },
      });
    } else {
      await send(final, final === 'expired' ? canned.paymentExpired(input.language) : canned.paymentFailed(input.language));
    }
    const reported: PaymentResult = { orderId: input.orderId, status: final };
    try {
      await lead.signal(paymentResultSignal, reported);
    } catch (err) {
      // The lead may have been closed meanwhile; the order row still tells the truth.
      log.warn('lead did not take the payment result', { error: String(err) });
    }
    return reported;
  }
}
