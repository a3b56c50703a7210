import express, { Router } from 'express';
import type { IyzicoBilling } from '../../integrations/billing/iyzico-billing';
import type { BillingEvent } from '../../integrations/billing/stripe-billing';
import { WebhookPayloadError, WebhookSignatureError } from '../../integrations/payments/provider';
import { metrics } from '../../observability/metrics';
import type { Db } from '../../db/knex';
import { billingCheckout, checkoutOwner, completeBillingCheckout, subscriptionOwner } from '../../db/queries/billing';
import { applyBillingEvent } from '../billing-events';
import { HttpError } from '../errors';
import type { RouteDoc } from '../merchant/route';
import { z } from 'zod';

export const iyzicoBillingDocs: RouteDoc[] = [
  {
    method: 'post', path: '/billing/iyzico/callback', tag: 'payments', access: 'public', operationId: 'iyzicoBillingCallback',
    summary: "Where iyzico's subscription form sends the owner back; the token is looked up at iyzico",
    contentType: 'application/x-www-form-urlencoded', contentSchema: z.object({ token: z.string() }),
    responses: { 303: null, 404: 'iyzico subscriptions are not configured on this installation' },
  },
  {
    method: 'post', path: '/webhooks/billing/iyzico', tag: 'webhooks', access: 'public', operationId: 'iyzicoBillingWebhook',
    summary: "iyzico's subscription events, verified over the raw body",
    headers: { 'x-iyz-signature-v3': { description: 'iyzico', required: true } },
    contentType: 'application/json', contentSchema: z.looseObject({}).describe("iyzico's event"),
    responses: { 200: z.object({ received: z.literal(true), duplicate: z.boolean() }), 403: 'Missing or invalid signature', 404: 'Not configured, or no merchant holds the subscription' },
  },
];

/**
 * TRY plans through iyzico subscriptions. The customer finishes iyzico's form
 * and comes back with a token; the token leads to the subscription (asked of
 * iyzico, never taken from the request), and renewals arrive as signed
 * subscription webhooks applied like any other billing event.
 */
export function iyzicoBillingWebhooks(deps: { db: Db; billing: IyzicoBilling; deliverNotification?: (notificationId: number) => Promise<void> }): Router {
  const { db } = deps;
  const webhooks = Router();
  webhooks.post('/billing/iyzico/callback', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const token = typeof req.body?.token === 'string' ? req.body.token : '';
    const started = token ? await billingCheckout(db, 'iyzico', token) : null;
    if (!started) throw new HttpError(400, 'invalid_callback', 'Missing or unknown checkout token');
    const result = await deps.billing.retrieveCheckoutResult(token);
    const view = await deps.billing.retrieveSubscription(result.subscriptionReferenceCode);
    const event: BillingEvent = {
      type: 'subscription_updated',
      eventId: `checkout:${token}`,
      occurredAt: new Date(),
      subscription: { ...view, merchantId: started.merchantId, planCode: view.planCode ?? started.planCode },
    };
    await applyBillingEvent(db, 'iyzico', event, { token, subscriptionReferenceCode: result.subscriptionReferenceCode }, deps.deliverNotification);
    await completeBillingCheckout(db, token, result.subscriptionReferenceCode);
    res.redirect(303, '/pay/done?billing=1');
  });

  webhooks.post('/webhooks/billing/iyzico', express.raw({ type: '*/*', limit: '64kb' }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let events: BillingEvent[];
    try {
      events = await deps.billing.parseSubscriptionWebhook(raw, req.headers);
    } catch (err) {
      if (err instanceof WebhookSignatureError) {
        metrics.webhookSignatureFailures.inc({ provider: 'iyzico_billing' });
        throw new HttpError(403, 'invalid_signature', err.message);
      }
      if (err instanceof WebhookPayloadError) throw new HttpError(400, 'invalid_webhook', err.message);
      throw err;
    }
    let duplicate = events.length > 0;
    for (const e of events) {
      // iyzico's payload names the subscription, not our merchant: the subscription row does.
      const ref = 'subscriptionId' in e ? e.subscriptionId : 'subscription' in e ? e.subscription.id : null;
      const parent = 'parentSubscriptionId' in e ? e.parentSubscriptionId : null;
      // After a plan change the row holds the newest reference code; an event for an earlier one is traced by the chain's first.
      const owner = (ref ? await subscriptionOwner(db, 'iyzico', ref) : null) ?? (parent ? await checkoutOwner(db, 'iyzico', parent) : null);
      if (!owner) throw new HttpError(404, 'not_found', `No merchant holds iyzico subscription ${ref ?? '(none)'}`);
      const withMerchant = ('merchantId' in e ? { ...e, merchantId: owner } : e) as BillingEvent;
      if ((await applyBillingEvent(db, 'iyzico', withMerchant, JSON.parse(raw.toString('utf8')), deps.deliverNotification)) === 'applied') duplicate = false;
    }
    res.json({ received: true, duplicate });
  });
  return webhooks;
}
