import { platformFeeGivenBack } from '../../domain/order-money';
import type { Db } from '../knex';
import { planFor } from './billing';
import type { OrderRow } from './orders';

/** A row of `refunds`: one per refund asked of a provider (or made at the provider and reported to us). */
interface RefundRow {
  id: string;
  orderId: string;
  merchantId: string;
  amountMinor: number;
  currency: string;
  status: string;
  providerRef: string | null;
  reason: string | null;
  requestedBy: string | null;
  idempotencyKey: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A refund as the merchant API shows it. */
export interface Refund {
  id: string;
  amountMinor: number;
  currency: string;
  status: string;
  reason: string | null;
  requestedBy: string | null;
  providerRef: string | null;
  createdAt: string;
}

const toRefund = (r: RefundRow): Refund => ({
  id: r.id,
  amountMinor: r.amountMinor,
  currency: r.currency,
  status: r.status,
  reason: r.reason,
  requestedBy: r.requestedBy,
  providerRef: r.providerRef,
  createdAt: r.createdAt.toISOString(),
});

const refunds = (db: Db) => db<RefundRow>('refunds');

export async function refundsOf(db: Db, orderId: string): Promise<Refund[]> {
  return (await refunds(db).where({ orderId }).orderBy('createdAt')).map(toRefund);
}

export async function refundByKey(db: Db, merchantId: string, idempotencyKey: string): Promise<Refund | null> {
  const row = await refunds(db).where({ idempotencyKey, merchantId }).first();
  return row ? toRefund(row) : null;
}

/**
 * Writes the refund as requested before the provider is asked, so a retry
 * with the same key can never refund twice: `created` is false when the key
 * was already used, with the refund made under it.
 */
export async function requestRefund(
  db: Db,
  r: { order: Pick<OrderRow, 'id' | 'merchantId' | 'currency'>; amountMinor: number; reason: string; requestedBy: string; idempotencyKey: string },
): Promise<{ refund: Refund; created: boolean }> {
  const [row] = (await refunds(db)
    .insert({ orderId: r.order.id, merchantId: r.order.merchantId, amountMinor: r.amountMinor, currency: r.order.currency, status: 'requested', reason: r.reason, requestedBy: r.requestedBy, idempotencyKey: r.idempotencyKey })
    .onConflict('idempotencyKey')
    .ignore()
    .returning('*')) as RefundRow[];
  if (row) return { refund: toRefund(row), created: true };
  const earlier = await refunds(db).where({ idempotencyKey: r.idempotencyKey }).first();
  if (!earlier) throw new Error(`refund ${r.idempotencyKey} vanished`);
  return { refund: toRefund(earlier), created: false };
}

/** The provider's answer to a requested refund. */
export async function setRefundResult(db: Db, id: string, result: { status: string; providerRef: string | null }): Promise<void> {
  await refunds(db).where({ id }).update({ status: result.status, providerRef: result.providerRef, updatedAt: db.fn.now() });
}

/**
 * A refund made in the provider's own dashboard: the order takes the
 * provider's refunded total, and the part not yet counted becomes a refund
 * row (once per provider event), so the order and analytics both show it.
 */
export async function recordRefundAtProvider(
  db: Db,
  order: Pick<OrderRow, 'id' | 'merchantId' | 'currency' | 'refundedMinor'>,
  e: { refundedTotalMinor: number; provider: string; eventId: string },
): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('orders').where({ id: order.id }).update({ refundedMinor: e.refundedTotalMinor });
    if (e.refundedTotalMinor <= order.refundedMinor) return;
    await refunds(trx)
      .insert({
        orderId: order.id,
        merchantId: order.merchantId,
        amountMinor: e.refundedTotalMinor - order.refundedMinor,
        currency: order.currency,
        status: 'succeeded',
        reason: 'refunded at the provider',
        requestedBy: e.provider,
        idempotencyKey: `${e.provider}:${e.eventId}`,
      })
      .onConflict('idempotencyKey')
      .ignore();
  });
  await settlePlatformFeeRefund(db, order.id);
}

/**
 * Sets the part of the platform's fee given back for what the order has had
 * refunded so far, by the merchant's plan (the rule is in
 * domain/order-money.ts). Called after every change to the refunded amount.
 */
export async function settlePlatformFeeRefund(db: Db, orderId: string): Promise<void> {
  const order = await db<OrderRow>('orders').where({ id: orderId }).first('merchantId', 'amountMinor', 'refundedMinor', 'platformFeeMinor');
  if (!order) return;
  const plan = await planFor(db, order.merchantId);
  await db<OrderRow>('orders').where({ id: orderId }).update({ platformFeeRefundedMinor: platformFeeGivenBack(order, plan.refundsPlatformFee) });
}
