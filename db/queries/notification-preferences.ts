import { withDefaults, type NotificationPreferences, type Recipient } from '../../domain/notifications';
import type { Role } from '../../domain/roles';
import type { Db } from '../knex';

/** A row of `notification_preferences`; a member without one has the defaults. */
interface PreferencesRow {
  userId: string;
  preferences: unknown;
  updatedAt: Date;
}

const preferences = (db: Db) => db<PreferencesRow>('notification_preferences');

export async function notificationPreferences(db: Db, userId: string): Promise<NotificationPreferences> {
  return withDefaults((await preferences(db).where({ userId }).first('preferences'))?.preferences);
}

export async function setNotificationPreferences(db: Db, userId: string, p: NotificationPreferences): Promise<NotificationPreferences> {
  await preferences(db)
    .insert({ userId, preferences: JSON.stringify(p), updatedAt: db.fn.now() })
    .onConflict('userId')
    .merge(['preferences', 'updatedAt']);
  return withDefaults(p);
}

/** Every member of the merchant with their preferences, for deciding who hears about a notification. */
export async function recipientsOf(db: Db, merchantId: string): Promise<Recipient[]> {
  const rows: { userId: string; role: Role; preferences: unknown }[] = await db('users as u')
    .leftJoin('notification_preferences as p', 'p.user_id', 'u.id')
    .where('u.merchant_id', merchantId)
    .select('u.id as userId', 'u.role', 'p.preferences');
  return rows.map((r) => ({ userId: r.userId, role: r.role, preferences: withDefaults(r.preferences) }));
}
