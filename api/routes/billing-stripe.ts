import express, { Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { BillingEvent, StripeBilling } from '../../activities/billing/stripe-billing';
import { WebhookPayloadError, WebhookSignatureError } from '../../activities/payments/provider';
import type { Db } from '../../db/knex';
import { getPlan } from '../../db/queries/billing';
import { applyBillingEvent } from '../billing-events';
import { HttpError, notFound, parseOr400 } from '../errors';

export interface StripeBillingRouteDeps {
  db: Db;
  billing: StripeBilling;
  publicBaseUrl: string;
  log: Logger;
}

/** Merchants paying the platform through Stripe Billing: a checkout to start a plan, and its webhooks. */
export function stripeBillingRoutes(deps: StripeBillingRouteDeps): { webhooks: Router; api: Router } {
  const { db } = deps;
  const webhooks = Router();

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
    const payload = JSON.parse(raw.toString('utf8'));
    let duplicate = events.length > 0;
    for (const e of events) {
      try {
        if ((await applyBillingEvent(db, 'stripe', e, payload)) === 'applied') duplicate = false;
      } catch (err) {
        if (err instanceof WebhookPayloadError) throw new HttpError(400, 'invalid_webhook', err.message);
        throw err;
      }
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
