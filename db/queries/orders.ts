import { canTransition, type OrderStatus } from '../../domain/order';
import { netAmount } from '../../domain/order-money';
import { publishConversationEvent } from '../events';
import type { Db } from '../knex';
import { recordOrderEvent, type OrderEventKind } from './order-events';

/** A row of `orders`. */
export interface OrderRow {
  id: string;
  merchantId: string;
  conversationId: string;
  sku: string;
  quantity: number;
  amountMinor: number;
  /** Agreed with the agent; `amountMinor` already has it taken off. */
  discountPercent: number;
  currency: string;
  status: OrderStatus;
  provider: string;
  providerRef: string | null;
  /** What the payment provider says, kept apart from our own status (the demo provider keeps its ledger here). */
  providerStatus: string | null;
  checkoutUrl: string | null;
  expiresAt: Date | null;
  paidAt: Date | null;
  paymentRef: string | null;
  refundedMinor: number;
  flagReason: string | null;
  providerAttempts: { provider: string; error: string }[] | null;
  platformFeeMinor: number | null;
  /** The part of the platform's fee given back on refunds (domain/order-money.ts). */
  platformFeeRefundedMinor: number;
  disputedAt: Date | null;
  disputeDueBy: Date | null;
  /** The merchant's own payment account the checkout was made on; null for the installation's accounts. */
  paymentAccountId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An order as the merchant API and the dashboard show it. */
export interface OrderView {
  id: string;
  conversationId: string;
  sku: string;
  quantity: number;
  amountMinor: number;
  discountPercent: number;
  refundedMinor: number;
  currency: string;
  status: string;
  provider: string;
  flagReason: string | null;
  checkoutUrl: string | null;
  paidAt: string | null;
  createdAt: string;
  platformFeeMinor: number | null;
  platformFeeRefundedMinor: number;
  netMinor: number;
  dispute: { status: 'open' | 'closed'; openedAt: string; dueBy: string | null } | null;
}

export const toOrder = (o: OrderRow): OrderView => ({
  id: o.id,
  conversationId: o.conversationId,
  sku: o.sku,
  quantity: o.quantity,
  amountMinor: o.amountMinor,
  discountPercent: o.discountPercent,
  refundedMinor: o.refundedMinor,
  currency: o.currency,
  status: o.status,
  provider: o.provider,
  flagReason: o.flagReason,
  checkoutUrl: o.checkoutUrl,
  paidAt: o.paidAt ? o.paidAt.toISOString() : null,
  createdAt: o.createdAt.toISOString(),
  platformFeeMinor: o.platformFeeMinor,
  platformFeeRefundedMinor: o.platformFeeRefundedMinor,
  netMinor: netAmount(o),
  // A dispute the provider closed moves the order on (won: paid, lost: refunded).
  dispute: o.disputedAt ? { status: o.status === 'disputed' ? 'open' : 'closed', openedAt: o.disputedAt.toISOString(), dueBy: o.disputeDueBy?.toISOString() ?? null } : null,
});

const orders = (db: Db) => db<OrderRow>('orders');

export async function getOrder(db: Db, id: string): Promise<OrderRow | undefined> {
  return orders(db).where({ id }).first();
}

export async function orderByProviderRef(db: Db, provider: string, providerRef: string): Promise<OrderRow | undefined> {
  return orders(db).where({ provider, providerRef }).first();
}

export interface OrderFilter {
  status?: string;
  provider?: string;
  /** Created at or after. */
  from?: Date;
  /** Created before (exclusive). */
  to?: Date;
  /** Part of the customer's name or of the conversation id, any case. */
  customer?: string;
  /** A creation time (ISO) to page back from. */
  before?: string;
  limit: number;
}

/** An order in the merchant's list: with the customer it belongs to. */
export type OrderListItem = OrderView & { customerName: string | null; channel: string };

/** The name a customer gave the agent, else the one their channel reports. */
const customerNameSql = "coalesce(nullif(c.lead->>'name', ''), c.customer_name)";

/** The merchant's orders, newest first. */
export async function listOrders(db: Db, merchantId: string, f: OrderFilter): Promise<OrderListItem[]> {
  const q = db('orders as o')
    .join('conversations as c', 'c.id', 'o.conversationId')
    .where('o.merchantId', merchantId)
    .select<(OrderRow & { customerName: string | null; channel: string })[]>('o.*', 'c.channel', db.raw(`${customerNameSql} as customer_name`));
  if (f.status) q.andWhere('o.status', f.status);
  if (f.provider) q.andWhere('o.provider', f.provider);
  if (f.from) q.andWhere('o.createdAt', '>=', f.from);
  if (f.to) q.andWhere('o.createdAt', '<', f.to);
  if (f.customer) {
    const like = `%${f.customer.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    q.andWhere((w) => w.whereRaw(`${customerNameSql} ilike ?`, [like]).orWhereILike('c.id', like));
  }
  if (f.before) q.andWhere('o.createdAt', '<', f.before);
  const rows = await q.orderBy([{ column: 'o.createdAt', order: 'desc' }, { column: 'o.id', order: 'desc' }]).limit(f.limit);
  return rows.map((r) => ({ ...toOrder(r), customerName: r.customerName, channel: r.channel }));
}

/** One of the merchant's orders with its customer; undefined for a missing order or another merchant's. */
export async function merchantOrder(db: Db, merchantId: string, id: string): Promise<(OrderRow & { customerName: string | null; channel: string }) | undefined> {
  return db('orders as o')
    .join('conversations as c', 'c.id', 'o.conversationId')
    .where({ 'o.id': id, 'o.merchantId': merchantId })
    .first<(OrderRow & { customerName: string | null; channel: string }) | undefined>('o.*', 'c.channel', db.raw(`${customerNameSql} as customer_name`));
}

export async function conversationOrders(db: Db, merchantId: string, conversationId: string): Promise<OrderView[]> {
  return (await orders(db).where({ conversationId, merchantId }).orderBy('createdAt', 'desc')).map(toOrder);
}

/** For the merchant's live feed; null for another merchant's order. */
export async function orderStatus(db: Db, merchantId: string, id: string): Promise<OrderStatus | null> {
  return (await orders(db).where({ id, merchantId }).first('status'))?.status ?? null;
}

/** The order a checkout starts with; the id comes from the workflow, so a retried attempt finds its row. */
export async function createPendingOrder(
  db: Db,
  o: { id: string; merchantId: string; conversationId: string; sku: string; quantity: number; amountMinor: number; discountPercent: number; currency: string; provider: string },
): Promise<boolean> {
  const inserted = await orders(db)
    .insert({ ...o, status: 'pending' })
    .onConflict('id')
    .ignore()
    .returning('id');
  // Every attempt writes it; the index order_events_created_once keeps one.
  await recordOrderEvent(db, { orderId: o.id, merchantId: o.merchantId, kind: 'created', amountMinor: o.amountMinor, details: { currency: o.currency } });
  return inserted.length > 0;
}

/** The checkout a provider created for the order, and the providers that failed before it. */
export async function recordCheckout(
  db: Db,
  orderId: string,
  c: {
    provider: string;
    /** The merchant account that takes the money, when not the installation's own. */
    paymentAccountId?: string | null;
    /** The fee the provider keeps for the platform on a merchant account's checkout, fixed now because the provider takes exactly this. */
    platformFeeMinor?: number | null;
    providerRef: string;
    checkoutUrl: string;
    expiresAt: Date;
    attempts: { provider: string; error: string }[];
  },
): Promise<void> {
  const [row] = (await db('orders')
    .where({ id: orderId })
    .update({
      provider: c.provider,
      paymentAccountId: c.paymentAccountId ?? null,
      platformFeeMinor: c.platformFeeMinor ?? null,
      providerRef: c.providerRef,
      checkoutUrl: c.checkoutUrl,
      expiresAt: c.expiresAt,
      providerAttempts: c.attempts.length ? JSON.stringify(c.attempts) : null,
      updatedAt: db.fn.now(),
    })
    .returning('merchantId')) as Pick<OrderRow, 'merchantId'>[];
  if (row) {
    const failed = c.attempts.map((a) => a.provider);
    await recordOrderEvent(db, { orderId, merchantId: row.merchantId, kind: 'link_sent', details: { provider: c.provider, providerRef: c.providerRef, expiresAt: c.expiresAt.toISOString(), ...(failed.length ? { failedProviders: failed } : {}) } });
  }
}

export async function setPaymentRef(db: Db, orderId: string, paymentRef: string): Promise<void> {
  await orders(db).where({ id: orderId }).update({ paymentRef });
}

/** Why the order needs a person (an amount mismatch, a dispute). */
export async function flagOrder(db: Db, orderId: string, reason: string): Promise<void> {
  await orders(db).where({ id: orderId }).update({ flagReason: reason });
}

export async function addRefundedAmount(db: Db, orderId: string, amountMinor: number): Promise<void> {
  await orders(db).where({ id: orderId }).increment('refundedMinor', amountMinor);
}

/**
 * The provider's own verdict on an order, for a provider that keeps its
 * ledger in our database (the demo provider). With `onlyOnce` the first
 * verdict stands; returns whether this call set it.
 */
export async function setProviderStatus(db: Db, orderId: string, status: string, opts: { onlyOnce?: boolean } = {}): Promise<boolean> {
  const q = orders(db).where({ id: orderId });
  if (opts.onlyOnce) q.whereNull('providerStatus');
  return (await q.update({ providerStatus: status })) > 0;
}

/** What caused a transition, for the order's timeline. */
export interface TransitionCause {
  /** The provider's webhook event id, when a webhook moved the order. */
  providerEventId?: string | null;
  /** The money the event is about (a refund's amount); the order's amount when not given. */
  amountMinor?: number | null;
  details?: Record<string, unknown>;
  /** A dispute's deadline for the merchant's evidence. */
  disputeDueBy?: Date | null;
}

/**
 * Moves an order along its state machine under a row lock, and adds the move
 * to the order's timeline in the same transaction; false when the move is not
 * allowed (already applied).
 */
export async function transitionOrder(db: Db, id: string, to: OrderStatus, cause: TransitionCause = {}): Promise<boolean> {
  return db.transaction(async (trx) => {
    const order = await orders(trx).where({ id }).forUpdate().first();
    if (!order) throw new Error(`order ${id} not found`);
    if (!canTransition(order.status, to)) return false;
    await orders(trx)
      .where({ id })
      .update({
        status: to,
        updatedAt: trx.fn.now(),
        // A won dispute leaves the payment where it was in time (analytics counts it by paid_at).
        ...(to === 'paid' && !order.paidAt ? { paidAt: trx.fn.now() } : {}),
        ...(to === 'disputed' ? { disputedAt: trx.fn.now(), disputeDueBy: cause.disputeDueBy ?? null } : {}),
      });
    const event = { orderId: id, merchantId: order.merchantId, providerEventId: cause.providerEventId ?? null };
    if (order.status === 'disputed' && to !== 'disputed') {
      // Won (the money comes back: paid) or lost (refunded).
      await recordOrderEvent(trx, { ...event, providerEventId: null, kind: 'dispute_closed', details: { outcome: to === 'paid' ? 'won' : 'lost' } });
    }
    const kind: OrderEventKind = to === 'pending' ? 'created' : to;
    await recordOrderEvent(trx, {
      ...event,
      kind,
      amountMinor: cause.amountMinor ?? order.amountMinor,
      details: { ...cause.details, ...(to === 'disputed' && cause.disputeDueBy ? { dueBy: cause.disputeDueBy.toISOString() } : {}) },
    });
    await publishConversationEvent(trx, { kind: 'order', merchantId: order.merchantId, conversationId: order.conversationId, orderId: id });
    return true;
  });
}

/** The address a checkout collected, sealed by the caller: customer data is never stored in the clear. */
export async function setShippingAddress(db: Db, orderId: string, sealed: string): Promise<void> {
  await db('orders').where({ id: orderId }).update({ shippingAddressSealed: sealed });
}

export async function sealedShippingAddress(db: Db, orderId: string): Promise<string | null> {
  return ((await db('orders').where({ id: orderId }).first('shippingAddressSealed')) as { shippingAddressSealed: string | null } | undefined)?.shippingAddressSealed ?? null;
}
