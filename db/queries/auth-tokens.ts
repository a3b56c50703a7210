import type { Db } from '../knex';
import { deleteUserDevices } from './devices';
import { revokeAllRefreshTokens } from './refresh-tokens';

export type AuthTokenPurpose = 'password_reset' | 'email_verification';

/** A row of `auth_tokens`; the token itself is never stored, only its hash. */
interface AuthTokenRow {
  id: string;
  userId: string;
  purpose: AuthTokenPurpose;
  tokenHash: string;
  expiresAt: Date;
  usedAt: Date | null;
  createdAt: Date;
}

const authTokens = (db: Db) => db<AuthTokenRow>('auth_tokens');

export async function insertAuthToken(db: Db, t: { userId: string; purpose: AuthTokenPurpose; tokenHash: string; expiresAt: Date }): Promise<void> {
  await authTokens(db).insert(t);
}

/**
 * Locks the token and checks it is of this purpose, unused and unexpired.
 * Using one link uses up every other open link of the same purpose for that
 * user, so an older mail in the inbox cannot be replayed afterwards.
 */
async function consume(trx: Db, purpose: AuthTokenPurpose, tokenHash: string, now: Date): Promise<string | null> {
  const row = await authTokens(trx).where({ tokenHash, purpose }).forUpdate().first();
  if (!row || row.usedAt || row.expiresAt <= now) return null;
  await authTokens(trx).where({ userId: row.userId, purpose }).whereNull('usedAt').update({ usedAt: now });
  return row.userId;
}

/**
 * Sets a new password from a reset link, once: the user's every sign-in ends
 * (all refresh-token families) and their registered devices stop receiving
 * notifications. Following a link mailed to the address also proves it is
 * theirs. The password is hashed only for a link that can still be used.
 * Returns the user's id, or null for an unknown, used or expired link.
 */
export async function resetPassword(db: Db, tokenHash: string, passwordHash: () => Promise<string>, now = new Date()): Promise<string | null> {
  return db.transaction(async (trx) => {
    const userId = await consume(trx, 'password_reset', tokenHash, now);
    if (!userId) return null;
    await trx('users').where({ id: userId }).update({ passwordHash: await passwordHash() });
    await markEmailVerified(trx, userId, now);
    await revokeAllRefreshTokens(trx, userId, now);
    await deleteUserDevices(trx, userId);
    return userId;
  });
}

/** Marks the address verified from a verification link; null for an unknown, used or expired link. */
export async function verifyEmailWithToken(db: Db, tokenHash: string, now = new Date()): Promise<string | null> {
  return db.transaction(async (trx) => {
    const userId = await consume(trx, 'email_verification', tokenHash, now);
    if (userId) await markEmailVerified(trx, userId, now);
    return userId;
  });
}

export async function markEmailVerified(db: Db, userId: string, now = new Date()): Promise<void> {
  await db('users').where({ id: userId }).whereNull('emailVerifiedAt').update({ emailVerifiedAt: now });
}
