import { recipientsFor, type PushEvent } from '../../domain/notifications';
import type { Role } from '../../domain/roles';
import type { Db } from '../knex';
import { devicesOfUsers, type DevicePlatform } from './devices';
import { recipientsOf } from './notification-preferences';

export type DeliveryStatus = 'pending' | 'sent' | 'dead' | 'failed';

/** A row of `notification_deliveries`: one notification to one device (push) or one member (email). */
export interface DeliveryRow {
  id: number;
  notificationId: number;
  channel: 'push' | 'email';
  userId: string;
  deviceId: string | null;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  sentAt: Date | null;
  createdAt: Date;
}

const deliveries = (db: Db) => db<DeliveryRow>('notification_deliveries');

/**
 * Writes the delivery rows of a notification just stored: one per device of
 * each member who wants this event by push, one per member who wants it by
 * email. Runs in the notification's own transaction, so a notification never
 * exists without its outbox; the unique indexes make a repeat add nothing.
 */
export async function fanOutNotification(
  trx: Db,
  n: { id: number; merchantId: string; conversationId: string | null; kind: string; body: unknown },
): Promise<number> {
  const members = await recipientsOf(trx, n.merchantId);
  const { push, email } = recipientsFor(n, members);
  const devices = await devicesOfUsers(trx, push);
  const rows = [
    ...devices.map((d) => ({ notificationId: n.id, channel: 'push' as const, userId: d.userId, deviceId: d.id })),
    ...email.map((userId) => ({ notificationId: n.id, channel: 'email' as const, userId, deviceId: null })),
  ];
  if (!rows.length) return 0;
  const inserted = await deliveries(trx).insert(rows).onConflict().ignore().returning('id');
  return inserted.length;
}

/** Whether any member of the merchant would hear about this event by push (a `new_lead` is only stored then). */
export async function anyoneWants(db: Db, merchantId: string, event: PushEvent): Promise<boolean> {
  return (await recipientsOf(db, merchantId)).some((m) => m.preferences.push[event]);
}

/** A delivery still to make, with what sending it needs. */
export interface PendingDelivery {
  id: number;
  channel: 'push' | 'email';
  userId: string;
  attempts: number;
  /** Null when the device was removed after the notification was fanned out. */
  device: { id: string; platform: DevicePlatform; token: string } | null;
  member: { email: string; name: string; locale: string; role: Role };
}

/** What a notification is about, for the words of its push and email. */
export interface NotificationContext {
  id: number;
  merchantId: string;
  merchantName: string;
  conversationId: string | null;
  kind: string;
  body: unknown;
  /** The name the customer gave, from their channel or the conversation. */
  customerName: string | null;
}

export async function notificationContext(db: Db, id: number): Promise<NotificationContext | null> {
  const row: (Omit<NotificationContext, 'customerName'> & { channelName: string | null; lead: { name?: string | null } | null }) | undefined = await db('notifications as n')
    .join('merchants as m', 'm.id', 'n.merchant_id')
    .leftJoin('conversations as c', 'c.id', 'n.conversation_id')
    .where('n.id', id)
    .first('n.id', 'n.merchant_id', 'm.name as merchantName', 'n.conversation_id', 'n.kind', 'n.body', 'c.customer_name as channelName', 'c.lead');
  if (!row) return null;
  const { channelName, lead, ...rest } = row;
  const name = (lead?.name ?? channelName ?? '').trim();
  return { ...rest, id: Number(rest.id), customerName: name || null };
}

export async function pendingDeliveries(db: Db, notificationId: number): Promise<PendingDelivery[]> {
  const rows: {
    id: number;
    channel: 'push' | 'email';
    userId: string;
    attempts: number;
    deviceId: string | null;
    platform: DevicePlatform | null;
    token: string | null;
    email: string;
    name: string;
    locale: string;
    role: Role;
  }[] = await db('notification_deliveries as d')
    .join('users as u', 'u.id', 'd.user_id')
    .leftJoin('devices as v', 'v.id', 'd.device_id')
    .where({ 'd.notification_id': notificationId, 'd.status': 'pending' })
    .orderBy('d.id')
    .select('d.id', 'd.channel', 'd.user_id', 'd.attempts', 'v.id as deviceId', 'v.platform', 'v.token', 'u.email', 'u.name', 'u.locale', 'u.role');
  return rows.map((r) => ({
    id: Number(r.id),
    channel: r.channel,
    userId: r.userId,
    attempts: r.attempts,
    device: r.deviceId && r.platform && r.token ? { id: r.deviceId, platform: r.platform, token: r.token } : null,
    member: { email: r.email, name: r.name, locale: r.locale, role: r.role },
  }));
}

/**
 * Records one attempt's outcome. Only a pending row changes, so a late
 * attempt can never turn a delivery back from sent.
 */
export async function recordDeliveryAttempt(db: Db, id: number, outcome: { status: DeliveryStatus; error?: string }): Promise<void> {
  await deliveries(db)
    .where({ id, status: 'pending' })
    .update({
      status: outcome.status,
      attempts: db.raw('attempts + 1'),
      lastError: outcome.error?.slice(0, 2000) ?? null,
      ...(outcome.status === 'sent' ? { sentAt: db.fn.now() } : {}),
    });
}

export async function pendingDeliveryCount(db: Db, notificationId: number): Promise<number> {
  const [row] = await deliveries(db).where({ notificationId, status: 'pending' }).count({ count: '*' });
  return Number(row?.count ?? 0);
}

/** Gives up on what is still pending (the delivery ran out of time): marked failed with the reason. */
export async function abandonPendingDeliveries(db: Db, notificationId: number, reason: string): Promise<number> {
  return deliveries(db).where({ notificationId, status: 'pending' }).update({ status: 'failed', lastError: reason });
}

/** Every delivery of a notification, for the operator and the tests. */
export async function deliveriesOf(db: Db, notificationId: number): Promise<DeliveryRow[]> {
  return deliveries(db).where({ notificationId }).orderBy('id');
}
