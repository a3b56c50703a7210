import { canTransition, type OrderStatus } from '../../domain/order';
import { publishConversationEvent } from '../events';
import type { Db, DbRow } from '../knex';

export interface OrderRow {
  id: string;
  merchant_id: string;
  conversation_id: string;
  sku: string;
  quantity: number;
  amount_minor: number;
  currency: string;
  status: OrderStatus;
  provider: string;
  provider_ref: string | null;
  provider_status: string | null;
  checkout_url: string | null;
  expires_at: Date | null;
  paid_at: Date | null;
  payment_ref: string | null;
  refunded_minor: number;
  flag_reason: string | null;
}

export async function getOrder(db: Db, id: string): Promise<OrderRow | undefined> {
  return db('orders').where({ id }).first();
}

/** Moves an order along its state machine under a row lock; false when the move is not allowed (already applied). */
export async function transitionOrder(db: Db, id: string, to: OrderStatus): Promise<boolean> {
  return db.transaction(async (trx) => {
    const order: OrderRow | undefined = await trx('orders').where({ id }).forUpdate().first();
    if (!order) throw new Error(`order ${id} not found`);
    if (!canTransition(order.status, to)) return false;
    await trx('orders')
      .where({ id })
      .update({ status: to, updated_at: trx.fn.now(), ...(to === 'paid' ? { paid_at: trx.fn.now() } : {}) });
    await publishConversationEvent(trx, { kind: 'order', merchantId: order.merchant_id, conversationId: order.conversation_id, orderId: id });
    return true;
  });
}

/** Records a webhook once per provider event id; false for a redelivery. */
export async function recordWebhookEvent(
  db: Db,
  e: { provider: string; eventId: string; merchantId: string | null; payload: unknown },
): Promise<boolean> {
  const rows = await db('webhook_events')
    .insert({ provider: e.provider, event_id: e.eventId, merchant_id: e.merchantId, payload: JSON.stringify(e.payload) })
    .onConflict(['provider', 'event_id'])
    .ignore()
    .returning('id');
  return rows.length > 0;
}

export async function webhookEventProcessed(db: Db, provider: string, eventId: string): Promise<boolean> {
  const row = await db('webhook_events').where({ provider, event_id: eventId }).first('processed_at');
  return Boolean(row?.processed_at);
}

export async function markWebhookEventProcessed(db: Db, provider: string, eventId: string): Promise<void> {
  await db('webhook_events').where({ provider, event_id: eventId }).update({ processed_at: db.fn.now() });
}

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

/** An order as the merchant API and the dashboard show it. */
export const toOrder = (o: DbRow) => ({
  id: o.id as string,
  conversationId: o.conversation_id as string,
  sku: o.sku as string,
  quantity: o.quantity as number,
  amountMinor: Number(o.amount_minor),
  refundedMinor: Number(o.refunded_minor ?? 0),
  currency: o.currency as string,
  status: o.status as string,
  provider: o.provider as string,
  flagReason: (o.flag_reason as string | null) ?? null,
  checkoutUrl: (o.checkout_url as string | null) ?? null,
  paidAt: iso(o.paid_at),
  createdAt: iso(o.created_at)!,
});
