import type { BillingEvent, SubscriptionView } from '../integrations/billing/stripe-billing';
import { notifyMerchant } from '../db/queries/notifications';
import { WebhookPayloadError } from '../integrations/payments/provider';
import type { Db } from '../db/knex';
import { markWebhookEventProcessed, recordWebhookEvent, webhookEventProcessed } from '../db/queries/webhook-events';
import { getPlan, issueInvoice, markInvoicePaid, setSubscription, subscriptionFor } from '../db/queries/billing';
import { invoiceLine, type SubscriptionProvider, type SubscriptionStatus } from '../domain/billing';

/** A provider's subscription state in ours: anything not yet or no longer paid for is past due. */
function statusOf(view: SubscriptionView): SubscriptionStatus {
  const direct: Record<string, SubscriptionStatus> = { active: 'active', trialing: 'trialing', canceled: 'canceled' };
  return direct[view.status] ?? 'past_due';
}

async function applySubscription(db: Db, provider: SubscriptionProvider, view: SubscriptionView, planCode: string | null, at: Date): Promise<void> {
  const merchantId = view.merchantId;
  const code = planCode ?? view.planCode ?? (merchantId ? (await subscriptionFor(db, merchantId))?.planCode : null);
  if (!merchantId || !code) throw new WebhookPayloadError(`subscription ${view.id} names no merchant or plan`);
  await setSubscription(db, {
    merchantId,
    planCode: code,
    status: statusOf(view),
    provider,
    providerRef: view.id,
    currentPeriodStart: view.currentPeriodStart ?? at,
    currentPeriodEnd: view.currentPeriodEnd ?? new Date(at.getTime() + 30 * 86_400_000),
    cancelAtPeriodEnd: view.cancelAtPeriodEnd,
    updatedAt: at,
  });
}

/**
 * One billing event from any provider, applied once (stored by event id) and
 * never letting an older subscription event overwrite a newer one.
 */
export async function applyBillingEvent(
  db: Db,
  provider: SubscriptionProvider & ('stripe' | 'iyzico'),
  e: BillingEvent,
  payload: unknown,
  /** Starts the delivery of a stored notification to the owners' phones; without it the notice is only listed. */
  deliver?: (notificationId: number) => Promise<void>,
): Promise<'applied' | 'duplicate'> {
  const source = `${provider}_billing`;
  const merchantId = 'merchantId' in e ? e.merchantId : 'subscription' in e ? e.subscription.merchantId : null;
  const fresh = await recordWebhookEvent(db, { provider: source, eventId: e.eventId, merchantId, payload });
  if (!fresh && (await webhookEventProcessed(db, source, e.eventId))) return 'duplicate';
  switch (e.type) {
    case 'subscription_updated':
    case 'subscription_canceled':
      await applySubscription(db, provider, e.subscription, null, e.occurredAt);
      break;
    case 'subscription_checkout_completed':
      // The subscription's own events carry its periods; this one only ties it to the plan chosen.
      if (e.merchantId && e.planCode) {
        const view: SubscriptionView = {
          id: e.subscriptionId,
          status: 'active',
          planCode: e.planCode,
          merchantId: e.merchantId,
          customerId: e.customerId,
          currentPeriodStart: null,
          currentPeriodEnd: null,
          cancelAtPeriodEnd: false,
          updatedAt: e.occurredAt,
        };
        await applySubscription(db, provider, view, e.planCode, e.occurredAt);
      }
      break;
    case 'invoice_paid': {
      if (!e.merchantId) throw new WebhookPayloadError(`invoice ${e.providerInvoiceId} names no merchant`);
      const plan = await getPlan(db, (await subscriptionFor(db, e.merchantId))?.planCode ?? 'starter');
      const lines = [invoiceLine(plan ? `${plan.name} plan` : 'Subscription', 1, e.amountPaidMinor)];
      const { invoice } = await issueInvoice(db, e.merchantId, { start: e.periodStart, end: e.periodEnd }, lines, {
        currency: e.currency,
        status: 'open',
        providerInvoiceId: e.providerInvoiceId,
      });
      await markInvoicePaid(db, { invoiceId: invoice.id }, e.occurredAt);
      break;
    }
    case 'invoice_failed':
      if (e.merchantId) {
        const id = await notifyMerchant(db, {
          merchantId: e.merchantId,
          conversationId: null,
          kind: 'payment_issue',
          dedupeKey: `billing:${source}:${e.eventId}`,
          body: { reason: 'subscription_payment_failed', amountDueMinor: e.amountDueMinor, currency: e.currency, nextAttemptAt: e.nextAttemptAt },
        });
        await deliver?.(id);
      }
      break;
  }
  await markWebhookEventProcessed(db, source, e.eventId);
  return 'applied';
}
