import type { NotificationKind } from '../../domain/notifications';
import type { Db } from '../knex';
import { publishConversationEvent } from '../events';
import { fanOutNotification } from './notification-deliveries';

export type { NotificationKind };

export interface MerchantNotification {
  merchantId: string;
  /** Null for notices about the account rather than one lead (billing). */
  conversationId: string | null;
  kind: NotificationKind;
  /** One notification per key however often the activity runs. */
  dedupeKey: string;
  body: Record<string, unknown>;
}

/** A row of `notifications`. */
interface NotificationRow {
  id: number;
  merchantId: string;
  conversationId: string | null;
  kind: NotificationKind;
  dedupeKey: string | null;
  body: unknown;
  createdAt: Date;
  readAt: Date | null;
}

/** A notification as the dashboard lists it. */
export interface NotificationItem {
  id: number;
  kind: string;
  conversationId: string | null;
  body: unknown;
  createdAt: string;
  readAt: string | null;
}

const notifications = (db: Db) => db<NotificationRow>('notifications');

/**
 * Stored for the dashboard's notification list and announced on the event bus
 * so open dashboards update at once. A new notification gets its delivery
 * rows (push and email, per member's preferences) in the same transaction;
 * the caller then starts the delivery workflow for the id returned, which is
 * the existing notification's when the key was seen before, so a retried
 * caller starts the same delivery again rather than a second one.
 */
export async function notifyMerchant(db: Db, n: MerchantNotification): Promise<number> {
  return db.transaction(async (trx) => {
    const rows: { id: number }[] = await trx('notifications')
      .insert({ merchantId: n.merchantId, conversationId: n.conversationId, kind: n.kind, dedupeKey: n.dedupeKey, body: JSON.stringify(n.body) })
      .onConflict('dedupeKey')
      .ignore()
      .returning('id');
    const created = rows[0];
    if (!created) {
      const existing = await notifications(trx).where({ dedupeKey: n.dedupeKey }).first('id');
      if (!existing) throw new Error(`notification ${n.dedupeKey} was neither stored nor found`);
      return existing.id;
    }
    await fanOutNotification(trx, { id: created.id, merchantId: n.merchantId, conversationId: n.conversationId, kind: n.kind, body: n.body });
    if (n.conversationId) await publishConversationEvent(trx, { kind: 'conversation', merchantId: n.merchantId, conversationId: n.conversationId });
    return created.id;
  });
}

/** Newest first, with the count of unread ones. */
export async function listNotifications(db: Db, merchantId: string, opts: { unreadOnly?: boolean; limit: number }): Promise<{ items: NotificationItem[]; unread: number }> {
  const q = notifications(db).where({ merchantId });
  if (opts.unreadOnly) q.whereNull('readAt');
  const [rows, [unread]] = await Promise.all([
    q.orderBy('id', 'desc').limit(opts.limit),
    notifications(db).where({ merchantId }).whereNull('readAt').count({ count: '*' }),
  ]);
  return {
    items: rows.map((r) => ({ id: r.id, kind: r.kind, conversationId: r.conversationId, body: r.body, createdAt: r.createdAt.toISOString(), readAt: r.readAt ? r.readAt.toISOString() : null })),
    unread: Number(unread?.count ?? 0),
  };
}

/** False for another merchant's notification or an unknown id. */
export async function markNotificationRead(db: Db, merchantId: string, id: number): Promise<boolean> {
  return (await notifications(db).where({ id, merchantId }).update({ readAt: db.fn.now() })) > 0;
}
