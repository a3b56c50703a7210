import type { Db } from '../knex';

export const OrderEventKinds = [
  'created',
  'link_sent',
  'paid',
  'failed',
  'expired',
  'mismatch',
  'refund_requested',
  'refund_failed',
  'refunded',
  'partially_refunded',
  'disputed',
  'dispute_closed',
  // The merchant's share held by the provider until the platform releases it (iyzico marketplace items).
  'items_approved',
  'approval_pending',
  'approval_failed',
] as const;
export type OrderEventKind = (typeof OrderEventKinds)[number];

/** A row of `order_events`. */
interface OrderEventRow {
  id: number;
  orderId: string;
  merchantId: string;
  at: Date;
  kind: OrderEventKind;
  providerEventId: string | null;
  amountMinor: number | null;
  details: Record<string, unknown>;
}

/** One line of an order's timeline as the merchant API shows it. */
export interface OrderEvent {
  at: string;
  kind: OrderEventKind;
  providerEventId: string | null;
  amountMinor: number | null;
  details: Record<string, unknown>;
}

export interface NewOrderEvent {
  orderId: string;
  merchantId: string;
  kind: OrderEventKind;
  /** The provider's webhook event id: the same webhook delivered again adds nothing. */
  providerEventId?: string | null;
  amountMinor?: number | null;
  /** Plain facts for the timeline (who asked, why, the provider); never secrets. */
  details?: Record<string, unknown>;
}

const events = (db: Db) => db<OrderEventRow>('order_events');

/** Adds a line to the order's timeline; false when it was already there (a redelivered webhook, a retried creation). */
export async function recordOrderEvent(db: Db, e: NewOrderEvent): Promise<boolean> {
  const inserted = await events(db)
    .insert({
      orderId: e.orderId,
      merchantId: e.merchantId,
      kind: e.kind,
      providerEventId: e.providerEventId ?? null,
      amountMinor: e.amountMinor ?? null,
      details: JSON.stringify(e.details ?? {}) as unknown as Record<string, unknown>,
    })
    .onConflict()
    .ignore()
    .returning('id');
  return inserted.length > 0;
}

/** The order's timeline, oldest first. */
export async function orderEvents(db: Db, merchantId: string, orderId: string): Promise<OrderEvent[]> {
  const rows = await events(db).where({ orderId, merchantId }).orderBy([{ column: 'at' }, { column: 'id' }]);
  return rows.map((r) => ({ at: r.at.toISOString(), kind: r.kind, providerEventId: r.providerEventId, amountMinor: r.amountMinor, details: r.details }));
}
