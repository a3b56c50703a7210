import { randomUUID } from 'node:crypto';
import express, { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { z } from 'zod';
import { WebhookPayloadError, WebhookSignatureError } from '../../activities/payments/provider';
import type { PaymentRegistry } from '../../activities/payments/registry';
import { parseIyzicoCallback } from '../../activities/payments/iyzico';
import type { Db } from '../../db/knex';
import { getOrder, transitionOrder } from '../../db/queries/orders';
import { paymentResultSignal } from '../../workflows/contract';
import { HttpError, notFound, parseOr400 } from '../errors';
import { applyPaymentEvent } from '../payment-events';

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

/** Provider webhooks (verified over their raw bytes), iyzico's callback, the return page, and refunds. */
export function paymentRoutes(deps: PaymentRouteDeps): { webhooks: Router; api: Router } {
  const webhooks = Router();
  const eventDeps = { db: deps.db, temporal: deps.temporal, taskQueue: deps.taskQueue, log: deps.log };

  webhooks.post('/webhooks/:provider', express.raw({ type: '*/*', limit: '256kb' }), async (req, res, next) => {
    const provider = deps.payments.byName(String(req.params.provider));
    if (!provider?.parseWebhook) {
      next();
      return;
    }
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let events;
    try {
      events = await provider.parseWebhook(raw, req.headers, req.originalUrl);
    } catch (err) {
      if (err instanceof WebhookSignatureError) throw new HttpError(403, 'invalid_signature', err.message);
      if (err instanceof WebhookPayloadError) throw new HttpError(400, 'invalid_webhook', err.message);
      throw err;
    }
    const results = [];
    for (const event of events) results.push(await applyPaymentEvent(eventDeps, event, JSON.parse(raw.toString('utf8') || 'null')));
    res.json({ received: true, duplicate: results.length > 0 && results.every((r) => r === 'duplicate'), results });
  });

  // iyzico sends the customer back with a token; it proves nothing until iyzico confirms it, which the checkout does.
  webhooks.post('/payments/iyzico/callback', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    let token: string;
    try {
      token = parseIyzicoCallback(req.body as Record<string, unknown>);
    } catch (err) {
      throw new HttpError(400, 'invalid_callback', (err as Error).message);
    }
    const order = await deps.db('orders').where({ provider: 'iyzico', provider_ref: token }).first('id');
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

  const api = Router();
  const RefundBody = z.strictObject({
    amountMinor: z.number().int().positive().optional(),
    reason: z.string().trim().min(1).max(500),
    by: z.string().trim().min(1).max(200),
  });
  // Full or partial, once per Idempotency-Key; the lead hears about a full refund.
  api.post('/orders/:id/refund', async (req, res) => {
    const body = parseOr400(RefundBody, req.body);
    const orderId = parseOr400(z.uuid(), req.params.id, 'order id');
    const order = await getOrder(deps.db, orderId);
    if (!order) throw notFound(`order "${orderId}"`);
    if (order.status !== 'paid' && order.status !== 'partially_refunded') {
      throw new HttpError(409, 'not_refundable', `Only paid orders can be refunded; this one is ${order.status}`);
    }
    const refundable = order.amount_minor - order.refunded_minor;
    const amount = body.amountMinor ?? refundable;
    if (amount > refundable) throw new HttpError(400, 'invalid_request', `At most ${refundable} (minor units) can still be refunded`);
    const provider = deps.payments.byName(order.provider);
    if (!provider?.refund) throw new HttpError(409, 'not_supported', `Refunds through ${order.provider} are not available`);
    const idempotencyKey = req.get('idempotency-key') ?? randomUUID();

    const [row] = await deps.db('refunds')
      .insert({ order_id: order.id, merchant_id: order.merchant_id, amount_minor: amount, currency: order.currency, status: 'requested', reason: body.reason, requested_by: body.by, idempotency_key: idempotencyKey })
      .onConflict('idempotency_key')
      .ignore()
      .returning('*');
    if (!row) {
      res.json({ refund: await deps.db('refunds').where({ idempotency_key: idempotencyKey }).first(), duplicate: true });
      return;
    }
    const result = await provider.refund({
      providerRef: order.provider_ref!,
      paymentRef: order.payment_ref,
      amountMinor: amount,
      currency: order.currency,
      reason: body.reason,
      idempotencyKey,
    });
    await deps.db('refunds').where({ id: row.id }).update({ status: result.status, provider_ref: result.refundRef, updated_at: deps.db.fn.now() });
    if (result.status !== 'failed') {
      const full = amount === refundable;
      await deps.db('orders').where({ id: order.id }).increment('refunded_minor', amount);
      await transitionOrder(deps.db, order.id, full ? 'refunded' : 'partially_refunded');
      if (full) {
        await deps.temporal.workflow
          .getHandle(order.conversation_id)
          .signal(paymentResultSignal, { orderId: order.id, status: 'refunded' })
          .catch((err: unknown) => deps.log.warn({ err }, 'lead did not take the refund'));
      }
    }
    res.status(result.status === 'failed' ? 502 : 200).json({ refund: { ...row, status: result.status, provider_ref: result.refundRef }, duplicate: false });
  });
  return { webhooks, api };
}
