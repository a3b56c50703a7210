import express, { Router } from 'express';
import type { Logger } from 'pino';
import type { BillingEvent, StripeBilling } from '../../integrations/billing/stripe-billing';
import { WebhookPayloadError, WebhookSignatureError } from '../../integrations/payments/provider';
import { metrics } from '../../observability/metrics';
import type { Db } from '../../db/knex';
import { applyBillingEvent } from '../billing-events';
import { HttpError } from '../errors';
import type { RouteDoc } from '../merchant/route';
import { z } from 'zod';

export const stripeBillingDocs: RouteDoc[] = [
  {
    method: 'post', path: '/webhooks/billing/stripe', tag: 'webhooks', access: 'public', operationId: 'stripeBillingWebhook',
    summary: "Stripe Billing's events for merchants' own subscriptions, verified over the raw body",
    headers: { 'stripe-signature': { description: 'Stripe', required: true } },
    contentType: 'application/json', contentSchema: z.looseObject({}).describe("Stripe's event"),
    responses: { 200: z.object({ received: z.literal(true), duplicate: z.boolean() }), 403: 'Missing or invalid signature', 404: 'Stripe Billing is not configured on this installation' },
  },
];

export interface StripeBillingRouteDeps {
  db: Db;
  billing: StripeBilling;
  log: Logger;
  /** Starts a notification's delivery to phones (a failed subscription payment). */
  deliverNotification?: (notificationId: number) => Promise<void>;
}

/** Stripe Billing's webhooks for merchants paying the platform; checkouts start in the merchant API. */
export function stripeBillingWebhooks(deps: StripeBillingRouteDeps): Router {
  const { db } = deps;
  const webhooks = Router();

  webhooks.post('/webhooks/billing/stripe', express.raw({ type: '*/*', limit: '512kb' }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let events: BillingEvent[];
    try {
      events = deps.billing.parseBillingWebhook(raw, req.get('stripe-signature'));
    } catch (err) {
      if (err instanceof WebhookSignatureError) {
        metrics.webhookSignatureFailures.inc({ provider: 'stripe_billing' });
        throw new HttpError(403, 'invalid_signature', err.message);
      }
      if (err instanceof WebhookPayloadError) throw new HttpError(400, 'invalid_webhook', err.message);
      throw err;
    }
    const payload = JSON.parse(raw.toString('utf8'));
    let duplicate = events.length > 0;
    for (const e of events) {
      try {
        if ((await applyBillingEvent(db, 'stripe', e, payload, deps.deliverNotification)) === 'applied') duplicate = false;
      } catch (err) {
        if (err instanceof WebhookPayloadError) throw new HttpError(400, 'invalid_webhook', err.message);
        throw err;
      }
    }
    res.json({ received: true, duplicate });
  });

  return webhooks;
}
