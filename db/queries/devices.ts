import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '../knex';
import { isUniqueViolation } from './users';

export type DevicePlatform = 'android' | 'ios' | 'web';

/** A row of `devices`: one phone or browser a member gets push notifications on. */
export interface DeviceRow {
  id: string;
  merchantId: string;
  userId: string;
  /** The refresh-token family of the sign-in that registered it. */
  sessionId: string | null;
  platform: DevicePlatform;
  token: string;
  tokenHash: string;
  label: string | null;
  createdAt: Date;
  lastSeenAt: Date;
}

/** A device as its member sees it: never the token. */
export interface DeviceView {
  id: string;
  platform: DevicePlatform;
  label: string | null;
  createdAt: string;
}

const devices = (db: Db) => db<DeviceRow>('devices');
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
const view = (r: Pick<DeviceRow, 'id' | 'platform' | 'label' | 'createdAt'>): DeviceView => ({ id: r.id, platform: r.platform, label: r.label, createdAt: r.createdAt.toISOString() });

/**
 * Registers a device for the member, or refreshes it when they registered it
 * before. A token held by someone else (the phone changed hands, or another
 * member signed in on it) moves to the caller as a new device, so nothing
 * still queued for the previous member reaches it and their old id is gone.
 */
export async function registerDevice(
  db: Db,
  d: { merchantId: string; userId: string; sessionId: string | null; platform: DevicePlatform; token: string; label: string | null },
): Promise<{ device: DeviceView; created: boolean }> {
  const tokenHash = hashOf(d.token);
  try {
    return await register(db, d, tokenHash);
  } catch (err) {
    // Two registrations of a new token at once: the loser finds the winner's row on a second look.
    if (!isUniqueViolation(err)) throw err;
    return register(db, d, tokenHash);
  }
}

async function register(
  db: Db,
  d: { merchantId: string; userId: string; sessionId: string | null; platform: DevicePlatform; token: string; label: string | null },
  tokenHash: string,
): Promise<{ device: DeviceView; created: boolean }> {
  return db.transaction(async (trx) => {
    const existing = await devices(trx).where({ platform: d.platform, tokenHash }).forUpdate().first();
    if (existing && existing.userId === d.userId && existing.merchantId === d.merchantId) {
      const [row] = await devices(trx)
        .where({ id: existing.id })
        .update({ sessionId: d.sessionId, label: d.label ?? existing.label, lastSeenAt: trx.fn.now() })
        .returning(['id', 'platform', 'label', 'createdAt']);
      return { device: view(row!), created: false };
    }
    if (existing) await devices(trx).where({ id: existing.id }).delete();
    const [row] = await devices(trx)
      .insert({ id: randomUUID(), merchantId: d.merchantId, userId: d.userId, sessionId: d.sessionId, platform: d.platform, token: d.token, tokenHash, label: d.label })
      .returning(['id', 'platform', 'label', 'createdAt']);
    return { device: view(row!), created: true };
  });
}

export async function listUserDevices(db: Db, userId: string): Promise<DeviceView[]> {
  const rows = await devices(db).where({ userId }).orderBy('createdAt', 'asc').select('id', 'platform', 'label', 'createdAt');
  return rows.map(view);
}

/** False when the device is not this member's (another member's, another merchant's, or unknown). */
export async function deleteUserDevice(db: Db, userId: string, deviceId: string): Promise<boolean> {
  return (await devices(db).where({ id: deviceId, userId }).delete()) > 0;
}

/** Signing out: the devices registered in that sign-in stop getting notifications. */
export async function deleteSessionDevices(db: Db, sessionId: string): Promise<number> {
  return devices(db).where({ sessionId }).delete();
}

/** Every device of the member, e.g. after a password reset ends all their sign-ins. */
export async function deleteUserDevices(db: Db, userId: string): Promise<number> {
  return devices(db).where({ userId }).delete();
}

/** The provider said the token will never work again. */
export async function deleteDevice(db: Db, deviceId: string): Promise<void> {
  await devices(db).where({ id: deviceId }).delete();
}

/** The member's devices, for the fan-out. */
export async function devicesOfUsers(db: Db, userIds: string[]): Promise<Pick<DeviceRow, 'id' | 'userId' | 'platform'>[]> {
  if (!userIds.length) return [];
  return devices(db).whereIn('userId', userIds).select('id', 'userId', 'platform');
}
