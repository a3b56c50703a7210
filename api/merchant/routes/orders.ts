import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { merchantAnalytics } from '../../../db/queries/analytics';
import { getOrder, toOrder, transitionOrder } from '../../../db/queries/orders';
import { paymentResultSignal } from '../../../workflows/contract';
import { HttpError, notFound } from '../../errors';
import { audit, type MerchantApiDeps } from '../deps';
import { route, type RouteSpec } from '../route';

const OrderView = z.object({
  id: z.string(),
  conversationId: z.string(),
  sku: z.string(),
  quantity: z.number(),
  amountMinor: z.number(),
  refundedMinor: z.number(),
  currency: z.string(),
  status: z.string(),
  provider: z.string(),
  flagReason: z.string().nullable(),
  checkoutUrl: z.string().nullable(),
  paidAt: z.string().nullable(),
  createdAt: z.string(),
});
const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

const Day = z.iso.date('must be a date like 2026-11-25');

/** Orders, refunds and the numbers that say what converts. */
export function orderRoutes(deps: MerchantApiDeps): RouteSpec[] {
  const { db } = deps;
  const ownOrder = async (merchantId: string, id: string) => {
    const order = z.uuid().safeParse(id).success ? await getOrder(db, id) : undefined;
    // Another merchant's order reads exactly like a missing one.
    if (!order || order.merchant_id !== merchantId) throw notFound(`order "${id}"`);
    return order;
  };

  return [
    route({
      method: 'get', path: '/orders', tag: 'orders', access: 'viewer', summary: 'Orders, newest first',
      query: z.strictObject({ status: z.string().max(32).optional(), limit: z.coerce.number().int().min(1).max(200).default(50), before: z.iso.datetime().optional() }),
      response: z.object({ items: z.array(OrderView) }),
      async handle({ caller, query }) {
        const q = db('orders').where({ merchant_id: caller.merchantId });
        if (query.status) q.andWhere({ status: query.status });
        if (query.before) q.andWhere('created_at', '<', query.before);
        return { items: (await q.orderBy('created_at', 'desc').limit(query.limit)).map(toOrder) };
      },
    }),
    route({
      method: 'get', path: '/orders/:orderId', tag: 'orders', access: 'viewer', summary: 'One order with its refunds',
      response: OrderView.extend({ refunds: z.array(z.object({ id: z.string(), amountMinor: z.number(), status: z.string(), reason: z.string().nullable(), requestedBy: z.string().nullable(), createdAt: z.string() })) }),
      async handle({ caller, params }) {
        const order = await ownOrder(caller.merchantId, params.orderId!);
        const refunds = await db('refunds').where({ order_id: order.id }).orderBy('created_at');
        return {
          ...toOrder(order),
          refunds: refunds.map((r) => ({ id: r.id, amountMinor: Number(r.amount_minor), status: r.status, reason: r.reason, requestedBy: r.requested_by, createdAt: iso(r.created_at)! })),
        };
      },
    }),
    route({
      method: 'post', path: '/orders/:orderId/refunds', tag: 'orders', access: 'admin',
      summary: 'Refund all or part of a paid order; send an Idempotency-Key so a retry refunds once',
      body: z.strictObject({ amountMinor: z.number().int().positive().optional(), reason: z.string().trim().min(1, 'must say why').max(500) }),
      example: { amountMinor: 1000, reason: 'customer changed their mind' },
      response: z.object({ refund: z.record(z.string(), z.unknown()), duplicate: z.boolean() }),
      async handle({ caller, params, body, req, res }) {
        const order = await ownOrder(caller.merchantId, params.orderId!);
        const idempotencyKey = req.get('idempotency-key') ?? randomUUID();
        const earlier = await db('refunds').where({ idempotency_key: idempotencyKey, merchant_id: caller.merchantId }).first();
        if (earlier) return { refund: earlier, duplicate: true };
        if (order.status !== 'paid' && order.status !== 'partially_refunded') {
          throw new HttpError(409, 'not_refundable', `Only paid orders can be refunded; this one is ${order.status}`);
        }
        const refundable = order.amount_minor - order.refunded_minor;
        const amount = body.amountMinor ?? refundable;
        if (amount > refundable) throw new HttpError(400, 'invalid_request', `Invalid body: amountMinor: at most ${refundable} can still be refunded`, [{ path: 'amountMinor', message: `must be at most ${refundable}` }]);
        const provider = deps.payments.byName(order.provider);
        if (!provider?.refund) throw new HttpError(409, 'not_supported', `Refunds through ${order.provider} are not available`);

        // The row is written before the provider call, so a retry with the same key can never refund twice.
        const [row] = await db('refunds')
          .insert({ order_id: order.id, merchant_id: order.merchant_id, amount_minor: amount, currency: order.currency, status: 'requested', reason: body.reason, requested_by: caller.email, idempotency_key: idempotencyKey })
          .onConflict('idempotency_key')
          .ignore()
          .returning('*');
        if (!row) return { refund: await db('refunds').where({ idempotency_key: idempotencyKey }).first(), duplicate: true };
        const result = await provider.refund({
          providerRef: order.provider_ref!,
          paymentRef: order.payment_ref,
          amountMinor: amount,
          currency: order.currency,
          reason: body.reason,
          idempotencyKey,
        });
        await db('refunds').where({ id: row.id }).update({ status: result.status, provider_ref: result.refundRef, updated_at: db.fn.now() });
        await audit(db, caller, req, 'order.refund', order.id, { amountMinor: amount, currency: order.currency, status: result.status });
        if (result.status !== 'failed') {
          const full = amount === refundable;
          await db('orders').where({ id: order.id }).increment('refunded_minor', amount);
          await transitionOrder(db, order.id, full ? 'refunded' : 'partially_refunded');
          if (full) {
            await deps.temporal.workflow
              .getHandle(order.conversation_id)
              .signal(paymentResultSignal, { orderId: order.id, status: 'refunded' })
              .catch((err: unknown) => deps.log.warn({ err }, 'lead did not take the refund'));
          }
        }
        if (result.status === 'failed') res.status(502);
        return { refund: { ...row, status: result.status, provider_ref: result.refundRef }, duplicate: false };
      },
    }),
    route({
      method: 'get', path: '/analytics', tag: 'analytics', access: 'viewer',
      summary: 'Funnel, conversion, revenue, latency, hand-offs and objections for a period (UTC days, both ends included)',
      query: z
        .strictObject({ from: Day.optional(), to: Day.optional(), channel: z.enum(['webchat', 'whatsapp']).optional() })
        .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'must not be before from', path: ['to'] }),
      response: z.record(z.string(), z.unknown()),
      async handle({ caller, query }) {
        const today = new Date().toISOString().slice(0, 10);
        const to = new Date(`${query.to ?? today}T00:00:00Z`);
        to.setUTCDate(to.getUTCDate() + 1);
        const from = query.from ? new Date(`${query.from}T00:00:00Z`) : new Date(to.getTime() - 30 * 86_400_000);
        if (to.getTime() - from.getTime() > 366 * 86_400_000) throw new HttpError(400, 'invalid_request', 'Invalid query: from: a period is at most 366 days', [{ path: 'from', message: 'a period is at most 366 days' }]);
        return merchantAnalytics(db, { merchantId: caller.merchantId, from, to, channel: query.channel });
      },
    }),
  ];
}
