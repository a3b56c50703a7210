import type { Db } from '../knex';
import { publishConversationEvent } from '../events';

export type NotificationKind = 'needs_human' | 'won' | 'payment_issue' | 'closed' | 'quota';

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
 * so open dashboards update at once; push to phones builds on the same rows.
 */
export async function notifyMerchant(db: Db, n: MerchantNotification): Promise<void> {
  await db.transaction(async (trx) => {
    const rows = await trx('notifications')
      .insert({ merchantId: n.merchantId, conversationId: n.conversationId, kind: n.kind, dedupeKey: n.dedupeKey, body: JSON.stringify(n.body) })
      .onConflict('dedupeKey')
      .ignore()
      .returning('id');
    if (rows.length && n.conversationId) await publishConversationEvent(trx, { kind: 'conversation', merchantId: n.merchantId, conversationId: n.conversationId });
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
