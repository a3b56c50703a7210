import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { merchantAnalytics } from '../../../db/queries/analytics';
import { planFor } from '../../../db/queries/billing';
import { listOrderItems } from '../../../db/queries/order-items';
import { orderEvents, recordOrderEvent } from '../../../db/queries/order-events';
import { addRefundedAmount, getOrder, listOrders, merchantOrder, sealedShippingAddress, toOrder, transitionOrder } from '../../../db/queries/orders';
import { refundByKey, refundsOf, requestRefund, setRefundResult, settlePlatformFeeRefund } from '../../../db/queries/refunds';
import { OrderStatuses } from '../../../domain/order';
import { atLeast } from '../../../domain/roles';
import type { ShippingAddress as ShippingAddressValue } from '../../../domain/shipping';
import { paymentResultSignal } from '../../../workflows/contract';
import { Channels } from '../../../domain/conversation';
import { Stages } from '../../../domain/stage';
import { HttpError, notFound } from '../../errors';
import { OrderEventView, OrderView, RefundView } from '../schemas';
import { audit, type MerchantApiDeps } from '../deps';
import { route, type RouteSpec } from '../route';

const OrderListItem = OrderView.extend({
  customerName: z.string().nullable().describe('The name the customer gave, else the one their channel reports'),
  channel: z.string(),
});
const ShippingAddress = z.object({
  name: z.string(),
  line1: z.string(),
  line2: z.string().nullable(),
  city: z.string(),
  postalCode: z.string().nullable(),
  state: z.string().nullable(),
  country: z.string().describe('ISO 3166-1 alpha-2'),
});
const OrderDetail = OrderListItem.extend({
  shippingAddress: ShippingAddress.nullable()
    .optional()
    .describe('Where the customer wants the goods, as the checkout collected it; null when none was collected. Customer data: absent for viewers'),
  items: z
    .array(z.object({ sku: z.string(), name: z.string(), quantity: z.number(), unitPriceMinor: z.number(), lineAmountMinor: z.number().describe("Unit price × quantity, before the order's discount") }))
    .describe('The lines of the order; empty for an order made before orders had lines (its sku and quantity say it)'),
  refunds: z.array(RefundView),
  timeline: z.array(OrderEventView).describe('What happened to the order, oldest first'),
});

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
    refunded: z.array(z.object({ currency: z.string(), amountMinor: z.number(), count: z.number().describe('How many refunds') })),
    platformFees: Amounts.describe("The platform's fees on orders paid in the period, less what it gave back on refunds"),
    net: Amounts.describe('Revenue − refunds − platform fees, per currency'),
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
  const openShippingAddress = async (orderId: string): Promise<ShippingAddressValue | null> => {
    const sealed = await sealedShippingAddress(db, orderId);
    if (!sealed) return null;
    try {
      return deps.box.openJson<ShippingAddressValue>(sealed);
    } catch (err) {
      // A key dropped from CREDENTIALS_KEY must not make the whole order unreadable; the operator sees why in the log.
      deps.log.warn({ err, orderId }, 'shipping address could not be opened');
      return null;
    }
  };

  return [
    route({
      method: 'get', path: '/orders', tag: 'orders', access: 'viewer', summary: 'Orders, newest first, filtered by status, provider, creation day (UTC, both ends included) and customer',
      query: z
        .strictObject({
          status: z.enum(OrderStatuses).optional(),
          provider: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be a provider name like stripe').optional(),
          from: Day.optional(),
          to: Day.optional(),
          customer: z.string().trim().min(1, 'must not be empty').max(200).optional().describe("Part of the customer's name or of the conversation id"),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          before: z.iso.datetime().optional().describe('Page back from this creation time: the last order of the previous page'),
        })
        .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'must not be before from', path: ['to'] }),
      responses: { 200: z.object({ items: z.array(OrderListItem) }) },
      async handle({ caller, query }) {
        const dayAfter = (day: string) => new Date(new Date(`${day}T00:00:00Z`).getTime() + 86_400_000);
        const items = await listOrders(db, caller.merchantId, {
          ...query,
          from: query.from ? new Date(`${query.from}T00:00:00Z`) : undefined,
          to: query.to ? dayAfter(query.to) : undefined,
        });
        return { status: 200, body: { items } };
      },
    }),
    route({
      method: 'get', path: '/orders/:orderId', tag: 'orders', access: 'viewer', summary: 'One order with its customer, refunds and timeline',
      responses: { 200: OrderDetail },
      async handle({ caller, params }) {
        const id = params.orderId!;
        const order = z.uuid().safeParse(id).success ? await merchantOrder(db, caller.merchantId, id) : undefined;
        if (!order) throw notFound(`order "${id}"`);
        const [lines, refunds, timeline] = await Promise.all([listOrderItems(db, order.id), refundsOf(db, order.id), orderEvents(db, caller.merchantId, order.id)]);
        const items = lines.map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity, unitPriceMinor: l.unitPriceMinor, lineAmountMinor: l.lineAmountMinor }));
        // Those who serve the customer (agent and up) need the address to send the goods; a viewer only watches the numbers.
        const shipping = atLeast(caller.role, 'agent') ? { shippingAddress: await openShippingAddress(order.id) } : {};
        return { status: 200, body: { ...toOrder(order), customerName: order.customerName, channel: order.channel, ...shipping, items, refunds, timeline } };
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
        const provider = await deps.payments.forOrder(order);
        if (!provider?.refund) throw new HttpError(409, 'not_supported', `Refunds through ${order.provider} are not available`);

        // The row is written before the provider call, so a retry with the same key can never refund twice.
        const requested = await requestRefund(db, { order, amountMinor: amount, reason: body.reason, requestedBy: caller.email, idempotencyKey });
        if (!requested.created) return { status: 200, body: { refund: requested.refund, duplicate: true } };
        const timeline = { orderId: order.id, merchantId: order.merchantId, amountMinor: amount };
        await recordOrderEvent(db, { ...timeline, kind: 'refund_requested', details: { refundId: requested.refund.id, reason: body.reason, requestedBy: caller.email } });
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
            // Stripe Connect gives the application fee back only when asked: the same rule as the order's net amount.
            refundPlatformFee: (await planFor(db, order.merchantId)).refundsPlatformFee,
          });
        } catch (err) {
          // The provider said no, or could not be reached; its own words go to the log, not to the client.
          deps.log.warn({ err, orderId: order.id }, 'refund refused by the provider');
          result = { status: 'failed', refundRef: null };
          refusal = ' (see the server log for its answer)';
        }
        await setRefundResult(db, requested.refund.id, { status: result.status, providerRef: result.refundRef });
        await audit(db, caller, req, 'order.refund', order.id, { amountMinor: amount, currency: order.currency, status: result.status });
        if (result.status === 'failed') await recordOrderEvent(db, { ...timeline, kind: 'refund_failed', details: { refundId: requested.refund.id } });
        if (result.status === 'failed') throw new HttpError(502, 'refund_refused', `${order.provider} refused the refund${refusal}; nothing was refunded`);
        const full = amount === refundable;
        await addRefundedAmount(db, order.id, amount);
        await settlePlatformFeeRefund(db, order.id);
        await transitionOrder(db, order.id, full ? 'refunded' : 'partially_refunded', { amountMinor: amount, details: { refundId: requested.refund.id, reason: body.reason } });
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
