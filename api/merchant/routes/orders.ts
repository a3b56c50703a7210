import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { merchantAnalytics } from '../../../db/queries/analytics';
import { addRefundedAmount, getOrder, listOrders, toOrder, transitionOrder } from '../../../db/queries/orders';
import { refundByKey, refundsOf, requestRefund, setRefundResult } from '../../../db/queries/refunds';
import { paymentResultSignal } from '../../../workflows/contract';
import { Channels } from '../../../domain/conversation';
import { Stages } from '../../../domain/stage';
import { HttpError, notFound } from '../../errors';
import { OrderView, RefundView } from '../schemas';
import { audit, type MerchantApiDeps } from '../deps';
import { route, type RouteSpec } from '../route';

const RefundResponse = z.object({ refund: RefundView, duplicate: z.boolean().describe('true when this Idempotency-Key was used before; nothing new was refunded') });

const Amounts = z.array(z.object({ currency: z.string(), amountMinor: z.number() }));
const Percentiles = z.object({ p50: z.number().nullable(), p90: z.number().nullable() });
const AnalyticsView = z.object({
  period: z.object({ from: z.string(), to: z.string() }).describe('UTC days; to is the last day included'),
  channel: z.string().nullable(),
  conversations: z.number(),
  won: z.number(),
  conversionRate: z.number(),
  funnel: z.array(z.object({ stage: z.enum(Stages), reached: z.number() })),
  stages: z.array(z.object({ stage: z.enum(Stages), count: z.number() })),
  revenue: z.object({
    total: z.array(z.object({ currency: z.string(), amountMinor: z.number(), orders: z.number() })),
    refunded: Amounts,
    byDay: z.array(z.object({ day: z.string(), currency: z.string(), amountMinor: z.number(), orders: z.number() })),
  }),
  latency: z.object({ firstResponseMs: Percentiles, replyMs: Percentiles }),
  handOff: z.object({ count: z.number(), rate: z.number(), reasons: z.array(z.object({ reason: z.string(), count: z.number() })) }),
  messagesPerConversation: z.object({ avg: z.number(), p50: z.number().nullable() }),
  topObjections: z.array(z.object({ kind: z.string(), count: z.number() })),
  byChannel: z.array(z.object({ channel: z.enum(Channels), conversations: z.number(), won: z.number(), conversionRate: z.number(), revenue: Amounts })),
});

// Postgres and Date both take far wider years, but a period outside these is a mistake, not a question.
const Day = z.iso.date('must be a date like 2026-11-25').refine((d) => d >= '2000-01-01' && d <= '2100-12-31', 'must be between 2000-01-01 and 2100-12-31');

/** Orders, refunds and the numbers that say what converts. */
export function orderRoutes(deps: MerchantApiDeps): RouteSpec[] {
  const { db } = deps;
  const ownOrder = async (merchantId: string, id: string) => {
    const order = z.uuid().safeParse(id).success ? await getOrder(db, id) : undefined;
    // Another merchant's order reads exactly like a missing one.
    if (!order || order.merchantId !== merchantId) throw notFound(`order "${id}"`);
    return order;
  };

  return [
    route({
      method: 'get', path: '/orders', tag: 'orders', access: 'viewer', summary: 'Orders, newest first',
      query: z.strictObject({ status: z.string().max(32).optional(), limit: z.coerce.number().int().min(1).max(200).default(50), before: z.iso.datetime().optional() }),
      responses: { 200: z.object({ items: z.array(OrderView) }) },
      async handle({ caller, query }) {
        return { status: 200, body: { items: await listOrders(db, caller.merchantId, query) } };
      },
    }),
    route({
      method: 'get', path: '/orders/:orderId', tag: 'orders', access: 'viewer', summary: 'One order with its refunds',
      responses: { 200: OrderView.extend({ refunds: z.array(RefundView) }) },
      async handle({ caller, params }) {
        const order = await ownOrder(caller.merchantId, params.orderId!);
        return { status: 200, body: { ...toOrder(order), refunds: await refundsOf(db, order.id) } };
      },
    }),
    route({
      method: 'post', path: '/orders/:orderId/refunds', tag: 'orders', access: 'admin',
      summary: 'Refund all or part of a paid order; send an Idempotency-Key so a retry refunds once',
      body: z.strictObject({ amountMinor: z.number().int().positive().optional(), reason: z.string().trim().min(1, 'must say why').max(500) }),
      example: { amountMinor: 1000, reason: 'customer changed their mind' },
      headers: { 'idempotency-key': { description: 'Any string up to 200 characters; a retry with the same key refunds once' } },
      responses: {
        200: RefundResponse,
        409: 'The order is not paid, or its provider cannot refund',
        502: 'The payment provider refused or failed the refund; it is recorded as failed and nothing was refunded',
      },
      async handle({ caller, params, body, req }) {
        const order = await ownOrder(caller.merchantId, params.orderId!);
        const idempotencyKey = req.get('idempotency-key') ?? randomUUID();
        if (idempotencyKey.length > 200 || idempotencyKey.includes('\0')) {
          throw new HttpError(400, 'invalid_request', 'Invalid header: idempotency-key: must be at most 200 characters', [{ path: 'idempotency-key', message: 'must be at most 200 characters' }]);
        }
        const earlier = await refundByKey(db, caller.merchantId, idempotencyKey);
        if (earlier) return { status: 200, body: { refund: earlier, duplicate: true } };
        if (order.status !== 'paid' && order.status !== 'partially_refunded') {
          throw new HttpError(409, 'not_refundable', `Only paid orders can be refunded; this one is ${order.status}`);
        }
        const refundable = order.amountMinor - order.refundedMinor;
        const amount = body.amountMinor ?? refundable;
        if (amount > refundable) throw new HttpError(400, 'invalid_request', `Invalid body: amountMinor: at most ${refundable} can still be refunded`, [{ path: 'amountMinor', message: `must be at most ${refundable}` }]);
        const provider = deps.payments.byName(order.provider);
        if (!provider?.refund) throw new HttpError(409, 'not_supported', `Refunds through ${order.provider} are not available`);

        // The row is written before the provider call, so a retry with the same key can never refund twice.
        const requested = await requestRefund(db, { order, amountMinor: amount, reason: body.reason, requestedBy: caller.email, idempotencyKey });
        if (!requested.created) return { status: 200, body: { refund: requested.refund, duplicate: true } };
        let result: { status: string; refundRef: string | null };
        let refusal = '';
        try {
          result = await provider.refund({
            providerRef: order.providerRef!,
            paymentRef: order.paymentRef,
            amountMinor: amount,
            currency: order.currency,
            reason: body.reason,
            idempotencyKey,
          });
        } catch (err) {
          // The provider said no, or could not be reached; its own words go to the log, not to the client.
          deps.log.warn({ err, orderId: order.id }, 'refund refused by the provider');
          result = { status: 'failed', refundRef: null };
          refusal = ' (see the server log for its answer)';
        }
        await setRefundResult(db, requested.refund.id, { status: result.status, providerRef: result.refundRef });
        await audit(db, caller, req, 'order.refund', order.id, { amountMinor: amount, currency: order.currency, status: result.status });
        if (result.status === 'failed') throw new HttpError(502, 'refund_refused', `${order.provider} refused the refund${refusal}; nothing was refunded`);
        const full = amount === refundable;
        await addRefundedAmount(db, order.id, amount);
        await transitionOrder(db, order.id, full ? 'refunded' : 'partially_refunded');
        if (full) {
          await deps.temporal.workflow
            .getHandle(order.conversationId)
            .signal(paymentResultSignal, { orderId: order.id, status: 'refunded' })
            .catch((err: unknown) => deps.log.warn({ err }, 'lead did not take the refund'));
        }
        return { status: 200, body: { refund: { ...requested.refund, status: result.status, providerRef: result.refundRef }, duplicate: false } };
      },
    }),
    route({
      method: 'get', path: '/analytics', tag: 'analytics', access: 'viewer',
      summary: 'Funnel, conversion, revenue, latency, hand-offs and objections for a period (UTC days, both ends included)',
      query: z
        .strictObject({ from: Day.optional(), to: Day.optional(), channel: z.enum(['webchat', 'whatsapp']).optional() })
        .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'must not be before from', path: ['to'] }),
      responses: { 200: AnalyticsView },
      async handle({ caller, query }) {
        const today = new Date().toISOString().slice(0, 10);
        const to = new Date(`${query.to ?? today}T00:00:00Z`);
        to.setUTCDate(to.getUTCDate() + 1);
        const from = query.from ? new Date(`${query.from}T00:00:00Z`) : new Date(to.getTime() - 30 * 86_400_000);
        if (from.getTime() >= to.getTime()) throw new HttpError(400, 'invalid_request', 'Invalid query: from: must not be after to (today when to is not given)', [{ path: 'from', message: 'must not be after to' }]);
        if (to.getTime() - from.getTime() > 366 * 86_400_000) throw new HttpError(400, 'invalid_request', 'Invalid query: from: a period is at most 366 days', [{ path: 'from', message: 'a period is at most 366 days' }]);
        return { status: 200, body: await merchantAnalytics(db, { merchantId: caller.merchantId, from, to, channel: query.channel }) };
      },
    }),
  ];
}
