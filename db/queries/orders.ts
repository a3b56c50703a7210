import { canTransition, type OrderStatus } from '../../domain/order';
import { publishConversationEvent } from '../events';
import type { Db } from '../knex';

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
});

const orders = (db: Db) => db<OrderRow>('orders');

export async function getOrder(db: Db, id: string): Promise<OrderRow | undefined> {
  return orders(db).where({ id }).first();
}

export async function orderByProviderRef(db: Db, provider: string, providerRef: string): Promise<OrderRow | undefined> {
  return orders(db).where({ provider, providerRef }).first();
}

/** The merchant's orders, newest first; `before` is a creation time (ISO) to page back from. */
export async function listOrders(db: Db, merchantId: string, f: { status?: string; before?: string; limit: number }): Promise<OrderView[]> {
  const q = orders(db).where({ merchantId });
  if (f.status) q.andWhere({ status: f.status as OrderStatus });
  if (f.before) q.andWhere('createdAt', '<', f.before);
  return (await q.orderBy('createdAt', 'desc').limit(f.limit)).map(toOrder);
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
): Promise<void> {
  await orders(db)
    .insert({ ...o, status: 'pending' })
    .onConflict('id')
    .ignore();
}

/** The checkout a provider created for the order, and the providers that failed before it. */
export async function recordCheckout(
  db: Db,
  orderId: string,
  c: { provider: string; providerRef: string; checkoutUrl: string; expiresAt: Date; attempts: { provider: string; error: string }[] },
): Promise<void> {
  await db('orders')
    .where({ id: orderId })
    .update({
      provider: c.provider,
      providerRef: c.providerRef,
      checkoutUrl: c.checkoutUrl,
      expiresAt: c.expiresAt,
      providerAttempts: c.attempts.length ? JSON.stringify(c.attempts) : null,
      updatedAt: db.fn.now(),
    });
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

/** Moves an order along its state machine under a row lock; false when the move is not allowed (already applied). */
export async function transitionOrder(db: Db, id: string, to: OrderStatus): Promise<boolean> {
  return db.transaction(async (trx) => {
    const order = await orders(trx).where({ id }).forUpdate().first();
    if (!order) throw new Error(`order ${id} not found`);
    if (!canTransition(order.status, to)) return false;
    await orders(trx)
      .where({ id })
      .update({ status: to, updatedAt: trx.fn.now(), ...(to === 'paid' ? { paidAt: trx.fn.now() } : {}) });
    await publishConversationEvent(trx, { kind: 'order', merchantId: order.merchantId, conversationId: order.conversationId, orderId: id });
    return true;
  });
}
