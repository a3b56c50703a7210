import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { PaymentWebhookEvent } from '../integrations/payments/provider';
import type { Db } from '../db/knex';
import { conversationContact } from '../db/queries/conversations';
import { getOrder, orderByProviderRef, transitionOrder, type OrderRow } from '../db/queries/orders';
import { recordRefundAtProvider } from '../db/queries/refunds';
import { markWebhookEventProcessed, recordWebhookEvent, webhookEventProcessed } from '../db/queries/webhook-events';
import { publishConversationEvent } from '../db/events';
import { notifyAndDeliver } from './notification-delivery';
import { checkoutWorkflowId, paymentEventSignal, paymentResultSignal } from '../workflows/contract';

export interface PaymentEventDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  log: Logger;
}

async function findOrder(db: Db, e: PaymentWebhookEvent): Promise<OrderRow | undefined> {
  if (e.orderId) {
    const byId = await getOrder(db, e.orderId).catch(() => undefined);
    if (byId && byId.provider === e.provider) return byId;
  }
  return orderByProviderRef(db, e.provider, e.providerRef);
}

/**
 * One verified provider event, applied once: stored under its provider event
 * id (a redelivery stops there), then handed to the order's checkout
 * workflow, which asks the provider for the truth before anything changes.
 * Refunds and disputes arrive after the checkout finished and change the
 * order directly, then tell the lead.
 */
export async function applyPaymentEvent(
  deps: PaymentEventDeps,
  e: PaymentWebhookEvent,
  payload: unknown,
  /**
   * The merchant account the event came from (Connect, per-account endpoints). Whoever holds that account writes the
   * event's order reference, so an order of another merchant, or one not paid through this account, reads as unknown.
   */
  scope?: { merchantId: string; paymentAccountId: string },
): Promise<'applied' | 'duplicate' | 'unknown_order'> {
  const { db } = deps;
  const found = await findOrder(db, e);
  const order = found && (!scope || (found.merchantId === scope.merchantId && found.paymentAccountId === scope.paymentAccountId)) ? found : undefined;
  if (!order) {
    deps.log.warn({ provider: e.provider, providerRef: e.providerRef, paymentAccountId: scope?.paymentAccountId }, found ? "payment event for another account's order" : 'payment event for an unknown order');
    return 'unknown_order';
  }
  const fresh = await recordWebhookEvent(db, { provider: e.provider, eventId: e.eventId, merchantId: order.merchantId, payload });
  if (!fresh && (await webhookEventProcessed(db, e.provider, e.eventId))) return 'duplicate';

  if (e.type === 'completed' || e.type === 'failed' || e.type === 'expired') {
    await signalCheckout(deps, order, { eventId: e.eventId, type: e.type });
  } else {
    // A lost dispute took the money back like a refund; a won one leaves the order paid.
    const to = e.type === 'disputed' ? 'disputed' : e.type === 'dispute_closed' ? (e.disputeOutcome === 'lost' ? 'refunded' : 'paid') : refundedStatus(order, e.amountMinor ?? null);
    // Providers report the refunded total; the timeline shows what this event added.
    const amount = e.type === 'refunded' && e.amountMinor ? Math.max(0, Math.min(order.amountMinor, e.amountMinor) - order.refundedMinor) : (e.amountMinor ?? null);
    const cause = {
      providerEventId: e.eventId,
      amountMinor: amount,
      details: {
        provider: e.provider,
        ...(e.type === 'refunded' && e.amountMinor ? { refundedTotalMinor: e.amountMinor } : {}),
        ...(e.type === 'dispute_closed' ? { outcome: e.disputeOutcome === 'lost' ? 'lost' : 'won' } : {}),
      },
      disputeDueBy: e.disputeDueBy ?? null,
    };
    if (await transitionOrder(db, order.id, to, cause)) {
      if (e.type === 'refunded' && e.amountMinor) {
        // A refund made in the provider's own dashboard still shows in the order and in analytics, once per event.
        await recordRefundAtProvider(db, order, { refundedTotalMinor: Math.min(order.amountMinor, e.amountMinor), provider: e.provider, eventId: e.eventId });
      }
      if (e.type === 'dispute_closed' && to === 'refunded') {
        const taken = e.amountMinor ?? order.amountMinor - order.refundedMinor;
        await recordRefundAtProvider(db, order, { refundedTotalMinor: Math.min(order.amountMinor, order.refundedMinor + taken), provider: e.provider, eventId: e.eventId });
      }
      // A partial refund leaves the sale standing, and a won dispute the sale as it was; the order row shows both.
      if (to === 'refunded' || to === 'disputed') {
        await deps.temporal.workflow
          .getHandle(order.conversationId)
          .signal(paymentResultSignal, { orderId: order.id, status: to })
          .catch((err: unknown) => deps.log.warn({ err, orderId: order.id }, 'lead did not take the refund/dispute'));
      }
      await notifyAndDeliver(deps, {
        merchantId: order.merchantId,
        conversationId: order.conversationId,
        kind: 'payment_issue',
        dedupeKey: `${e.provider}:${e.eventId}`,
        body: { orderId: order.id, reason: e.type === 'dispute_closed' ? (to === 'paid' ? 'dispute_won' : 'dispute_lost') : to, amountMinor: e.amountMinor ?? null },
      });
      await publishConversationEvent(db, { kind: 'conversation', merchantId: order.merchantId, conversationId: order.conversationId });
    }
  }
  await markWebhookEventProcessed(db, e.provider, e.eventId);
  return 'applied';
}

/** Providers report the refunded total; anything short of the order amount is partial. */
function refundedStatus(order: OrderRow, refundedTotalMinor: number | null): 'refunded' | 'partially_refunded' {
  return refundedTotalMinor !== null && refundedTotalMinor < order.amountMinor ? 'partially_refunded' : 'refunded';
}

async function signalCheckout(deps: PaymentEventDeps, order: OrderRow, event: { eventId: string; type: 'completed' | 'failed' | 'expired' }): Promise<void> {
  const handle = deps.temporal.workflow.getHandle(checkoutWorkflowId(order.id));
  try {
    // Signalling without looking first: a checkout that is closing still takes it (and re-checks).
    await handle.signal(paymentEventSignal, event);
    return;
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  if (event.type !== 'completed') return; // a finished checkout already settled failure or expiry
  // Paid after the checkout gave up (link expired): run the checkout again for this order. Its
  // sends are keyed per order, so the customer gets the receipt and nothing they already had.
  const lead = await conversationContact(deps.db, order.conversationId);
  if (!lead) throw new Error(`order ${order.id} has no conversation ${order.conversationId}`);
  try {
    await deps.temporal.workflow.signalWithStart('checkout', {
      workflowId: checkoutWorkflowId(order.id),
      taskQueue: deps.taskQueue,
      args: [
        {
          orderId: order.id,
          merchantId: order.merchantId,
          conversationId: order.conversationId,
          channel: lead.channel,
          customerKey: lead.customerKey,
          language: lead.language,
          sku: order.sku,
          quantity: order.quantity,
          remindBeforeMs: 0,
        },
      ],
      signal: paymentEventSignal,
      signalArgs: [event],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
