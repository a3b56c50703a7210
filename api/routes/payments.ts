import express, { Router, type Request } from 'express';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { WebhookPayloadError, WebhookSignatureError, type PaymentProvider } from '../../integrations/payments/provider';
import { paymentAccountById } from '../../db/queries/payment-accounts';
import { metrics } from '../../observability/metrics';
import type { PaymentRegistry } from '../../integrations/payments/registry';
import { parseIyzicoCallback } from '../../integrations/payments/iyzico';
import type { Db } from '../../db/knex';
import { orderByProviderRef } from '../../db/queries/orders';
import { HttpError, notFound } from '../errors';
import { applyPaymentEvent } from '../payment-events';
import type { RouteDoc } from '../merchant/route';
import { z } from 'zod';

const Received = z.object({ received: z.literal(true), duplicate: z.boolean().describe('Every event in it was delivered before'), results: z.array(z.string()) });

/** How these routes appear in the OpenAPI document; they read raw bytes and forms, so they are mounted by hand below. */
export const paymentWebhookDocs: RouteDoc[] = [
  {
    method: 'post', path: '/webhooks/:provider', tag: 'webhooks', access: 'public', operationId: 'paymentWebhook',
    summary: "A payment provider's event (stripe, iyzico, payu, demo), verified over the raw body with that provider's signature",
    params: z.object({ provider: z.string().describe('A payment provider configured on this installation') }),
    headers: {
      'stripe-signature': { description: 'Stripe' },
      'x-iyz-signature-v3': { description: 'iyzico' },
      'openpayu-signature': { description: 'PayU' },
      'x-demo-signature': { description: 'The demo provider' },
    },
    contentType: 'application/json', contentSchema: z.looseObject({}).describe("The provider's own event, as it sent it"),
    responses: { 200: Received, 403: 'Missing or invalid signature', 404: 'No such provider on this installation, or an unknown order' },
  },
  {
    method: 'post', path: '/webhooks/payments/:accountId', tag: 'webhooks', access: 'public', operationId: 'paymentAccountWebhook',
    summary:
      "Notifications of a merchant's own iyzico or PayU account, verified with that account's own secret (iyzico: X-IYZ-SIGNATURE-V3 with the merchant's " +
      'secret key; PayU: OpenPayu-Signature with the POS second key). A notification naming an order of another merchant or account changes nothing',
    params: z.object({ accountId: z.string().describe("The payment account's id (GET /api/v1/payment-accounts); the dashboard shows this URL") }),
    headers: {
      'x-iyz-signature-v3': { description: 'iyzico, keyed with the merchant’s secret key' },
      'openpayu-signature': { description: 'PayU, with the POS second key' },
    },
    contentType: 'application/json', contentSchema: z.looseObject({}).describe("The provider's own notification, as it sent it"),
    responses: { 200: Received, 400: 'Signed, but not a notification the provider sends', 403: "Missing or invalid signature, or signed with another account's secret", 404: 'No connected key-based account with this id' },
  },
  {
    method: 'post', path: '/payments/iyzico/callback', tag: 'payments', access: 'public', operationId: 'iyzicoPaymentCallback',
    summary: "Where iyzico's checkout form sends the customer back; the token is confirmed with iyzico, never trusted",
    contentType: 'application/x-www-form-urlencoded', contentSchema: z.object({ token: z.string() }),
    responses: { 303: null, 404: 'No checkout with this token' },
  },
  {
    method: 'get', path: '/pay/done', tag: 'payments', access: 'public', operationId: 'paymentDonePage',
    summary: 'The page a customer lands on after paying or cancelling',
    query: z.object({ cancelled: z.string().optional(), order: z.string().optional(), billing: z.string().optional() }),
    responses: { 200: { file: 'text/html', description: 'A page for the customer' } },
  },
];

export interface PaymentRouteDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  payments: PaymentRegistry;
  log: Logger;
}

const page = (title: string, text: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title>` +
  `<style>body{font:16px/1.5 system-ui,sans-serif;display:grid;place-items:center;min-height:100vh;margin:0;background:#f4f5f7}main{background:#fff;padding:2rem;border-radius:12px;max-width:26rem}</style>` +
  `</head><body><main><h1>${title}</h1><p>${text}</p></main></body></html>`;

/** Provider webhooks (verified over their raw bytes), iyzico's callback and the return page. */
export function paymentWebhookRoutes(deps: PaymentRouteDeps): Router {
  const webhooks = Router();
  const eventDeps = { db: deps.db, temporal: deps.temporal, taskQueue: deps.taskQueue, log: deps.log };

  /** Verifies with `provider` and applies each event; a bad signature is a 403 and nothing else happens. */
  async function receive(
    provider: string,
    parse: NonNullable<PaymentProvider['parseWebhook']>,
    req: Request,
    scope?: { merchantId: string; paymentAccountId: string },
  ) {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let events;
    try {
      events = await parse(raw, req.headers, req.originalUrl);
    } catch (err) {
      if (err instanceof WebhookSignatureError) {
        metrics.webhookSignatureFailures.inc({ provider });
        throw new HttpError(403, 'invalid_signature', err.message);
      }
      if (err instanceof WebhookPayloadError) throw new HttpError(400, 'invalid_webhook', err.message);
      throw err;
    }
    const results = [];
    for (const event of events) results.push(await applyPaymentEvent(eventDeps, event, JSON.parse(raw.toString('utf8') || 'null'), scope));
    for (const r of results) if (r === 'applied') metrics.payments.inc({ provider, outcome: 'webhook' });
    return { received: true, duplicate: results.length > 0 && results.every((r) => r === 'duplicate'), results };
  }

  webhooks.post('/webhooks/:provider', express.raw({ type: '*/*', limit: '256kb' }), async (req, res, next) => {
    const provider = deps.payments.byName(String(req.params.provider));
    if (!provider?.parseWebhook) {
      next();
      return;
    }
    res.json(await receive(provider.name, provider.parseWebhook.bind(provider), req));
  });

  // A merchant's own iyzico or PayU account signs with its own secret, so its notifications come here, to the account,
  // and are verified with that account's keys alone: another merchant's secret cannot sign for it.
  webhooks.post('/webhooks/payments/:accountId', express.raw({ type: '*/*', limit: '256kb' }), async (req, res) => {
    const account = await paymentAccountById(deps.db, String(req.params.accountId));
    // A disconnected account has no secret left to verify with; Stripe's connected accounts have their own endpoint.
    if (!account || account.kind !== 'own_keys' || account.status === 'disabled') throw notFound('payment account');
    const provider = await deps.payments.forOrder({ merchantId: account.merchantId, provider: account.provider, paymentAccountId: account.id });
    if (!provider?.parseWebhook) throw notFound('payment account');
    res.json(await receive(provider.name, provider.parseWebhook.bind(provider), req, { merchantId: account.merchantId, paymentAccountId: account.id }));
  });

  // iyzico sends the customer back with a token; it proves nothing until iyzico confirms it, which the checkout does.
  webhooks.post('/payments/iyzico/callback', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    let token: string;
    try {
      token = parseIyzicoCallback(req.body as Record<string, unknown>);
    } catch (err) {
      throw new HttpError(400, 'invalid_callback', (err as Error).message);
    }
    const order = await orderByProviderRef(deps.db, 'iyzico', token);
    if (!order) throw notFound('checkout');
    await applyPaymentEvent(eventDeps, { provider: 'iyzico', eventId: `callback:${token}`, type: 'completed', providerRef: token, orderId: order.id }, req.body);
    res.redirect(303, `/pay/done?order=${order.id}`);
  });

  webhooks.get('/pay/done', (req, res) => {
    const cancelled = req.query.cancelled === '1';
    res
      .type('html')
      .send(
        cancelled
          ? page('Payment cancelled', 'Nothing was charged. You can close this page and continue in the chat.')
          : page('Thank you!', 'We are confirming your payment; the receipt arrives in the chat in a moment. You can close this page.'),
      );
  });

  return webhooks;
}
