import express, { Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { BillingEvent, StripeBilling, SubscriptionView } from '../../activities/billing/stripe-billing';
import { notifyMerchant } from '../../activities/notify/notify';
import { WebhookPayloadError, WebhookSignatureError } from '../../activities/payments/provider';
import type { Db } from '../../db/knex';
import { getPlan, issueInvoice, markInvoicePaid, setSubscription, subscriptionFor } from '../../db/queries/billing';
import { markWebhookEventProcessed, recordWebhookEvent, webhookEventProcessed } from '../../db/queries/orders';
import { invoiceLine, type SubscriptionStatus } from '../../domain/billing';
import { HttpError, notFound, parseOr400 } from '../errors';

export interface StripeBillingRouteDeps {
  db: Db;
  billing: StripeBilling;
  publicBaseUrl: string;
  log: Logger;
}

/** Stripe's subscription states in ours: anything not yet or no longer paid for is past due. */
function statusOf(view: SubscriptionView): SubscriptionStatus {
  const direct: Record<string, SubscriptionStatus> = { active: 'active', trialing: 'trialing', canceled: 'canceled' };
  return direct[view.status] ?? 'past_due';
}

/**
 * Merchants paying the platform through Stripe Billing: a checkout to start a
 * plan, and the billing webhooks, each applied once (stored by event id) and
 * never letting an older subscription event overwrite a newer one.
 */
export function stripeBillingRoutes(deps: StripeBillingRouteDeps): { webhooks: Router; api: Router } {
  const { db } = deps;
  const webhooks = Router();

  const applySubscription = async (view: SubscriptionView, planCode: string | null, at: Date) => {
    const merchantId = view.merchantId;
    const code = planCode ?? view.planCode ?? (merchantId ? (await subscriptionFor(db, merchantId))?.planCode : null);
    if (!merchantId || !code) throw new WebhookPayloadError(`subscription ${view.id} names no merchant or plan in its metadata`);
    await setSubscription(db, {
      merchantId,
      planCode: code,
      status: statusOf(view),
      provider: 'stripe',
      providerRef: view.id,
      currentPeriodStart: view.currentPeriodStart ?? at,
      currentPeriodEnd: view.currentPeriodEnd ?? new Date(at.getTime() + 30 * 86_400_000),
      cancelAtPeriodEnd: view.cancelAtPeriodEnd,
      updatedAt: at,
    });
  };

  const apply = async (e: BillingEvent) => {
    switch (e.type) {
      case 'subscription_updated':
      case 'subscription_canceled':
        await applySubscription(e.subscription, null, e.occurredAt);
        return;
      case 'subscription_checkout_completed':
        // The subscription's own events carry its periods; this one only ties it to the plan chosen.
        if (e.merchantId && e.planCode) {
          await applySubscription(
            { id: e.subscriptionId, status: 'active', planCode: e.planCode, merchantId: e.merchantId, customerId: e.customerId, currentPeriodStart: null, currentPeriodEnd: null, cancelAtPeriodEnd: false, updatedAt: e.occurredAt },
            e.planCode,
            e.occurredAt,
          );
        }
        return;
      case 'invoice_paid': {
        if (!e.merchantId) throw new WebhookPayloadError(`invoice ${e.providerInvoiceId} names no merchant`);
        const plan = await getPlan(db, (await subscriptionFor(db, e.merchantId))?.planCode ?? 'starter');
        const { invoice } = await issueInvoice(db, e.merchantId, { start: e.periodStart, end: e.periodEnd }, [invoiceLine(plan ? `${plan.name} plan` : 'Subscription', 1, e.amountPaidMinor)], {
          currency: e.currency,
          status: 'open',
          providerInvoiceId: e.providerInvoiceId,
        });
        await markInvoicePaid(db, { invoiceId: invoice.id }, e.occurredAt);
        return;
      }
      case 'invoice_failed':
        if (e.merchantId) {
          await notifyMerchant(db, {
            merchantId: e.merchantId,
            conversationId: null,
            kind: 'payment_issue',
            dedupeKey: `billing:${e.eventId}`,
            body: { reason: 'subscription_payment_failed', amountDueMinor: e.amountDueMinor, currency: e.currency, nextAttemptAt: e.nextAttemptAt },
          });
        }
        return;
    }
  };

  webhooks.post('/webhooks/billing/stripe', express.raw({ type: '*/*', limit: '512kb' }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let events: BillingEvent[];
    try {
      events = deps.billing.parseBillingWebhook(raw, req.get('stripe-signature'));
    } catch (err) {
      if (err instanceof WebhookSignatureError) throw new HttpError(403, 'invalid_signature', err.message);
      if (err instanceof WebhookPayloadError) throw new HttpError(400, 'invalid_webhook', err.message);
      throw err;
    }
    let duplicate = events.length > 0;
    for (const e of events) {
      const merchantId = 'merchantId' in e ? e.merchantId : 'subscription' in e ? e.subscription.merchantId : null;
      const fresh = await recordWebhookEvent(db, { provider: 'stripe_billing', eventId: e.eventId, merchantId, payload: JSON.parse(raw.toString('utf8')) });
      if (!fresh && (await webhookEventProcessed(db, 'stripe_billing', e.eventId))) continue;
      duplicate = false;
      try {
        await apply(e);
      } catch (err) {
        if (err instanceof WebhookPayloadError) throw new HttpError(400, 'invalid_webhook', err.message);
        throw err;
      }
      await markWebhookEventProcessed(db, 'stripe_billing', e.eventId);
    }
    res.json({ received: true, duplicate });
  });

  const api = Router();
  api.post('/billing/checkout', async (req, res) => {
    const body = parseOr400(z.strictObject({ merchantId: z.string().min(1), planCode: z.string().min(1), email: z.email().optional() }), req.body);
    const plan = await getPlan(db, body.planCode);
    if (!plan?.active) throw notFound(`plan "${body.planCode}"`);
    const merchant = await db('merchants').where({ id: body.merchantId }).first('id', 'name');
    if (!merchant) throw notFound(`merchant "${body.merchantId}"`);
    const customerId = await deps.billing.ensureCustomer({ merchantId: merchant.id, name: merchant.name, email: body.email ?? null });
    const base = deps.publicBaseUrl.replace(/\/$/, '');
    const checkout = await deps.billing.startSubscriptionCheckout({
      customerId,
      merchantId: merchant.id,
      plan: { code: plan.code, name: plan.name, priceMinor: plan.priceMinor, currency: plan.currency, interval: 'month' },
      successUrl: `${base}/pay/done?billing=1`,
      cancelUrl: `${base}/pay/done?billing=1&cancelled=1`,
      idempotencyKey: `subscribe:${merchant.id}:${plan.code}:${new Date().toISOString().slice(0, 10)}`,
    });
    res.status(201).json(checkout);
  });
  return { webhooks, api };
}
