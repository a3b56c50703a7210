import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/knex';
import { HttpError } from '../errors';
import { newOpaqueToken, tokenHash } from './tokens';

export const REFRESH_TTL_MS = 30 * 24 * 3600_000;

const signedOut = (message: string) => new HttpError(401, 'unauthorized', message);

/** Starts a login: a new family with its first refresh token. */
export async function startRefreshFamily(db: Db, userId: string, now = new Date()): Promise<string> {
  return insertToken(db, userId, randomUUID(), now);
}

async function insertToken(db: Db, userId: string, familyId: string, now: Date): Promise<string> {
  const token = newOpaqueToken();
  await db('refresh_tokens').insert({ id: randomUUID(), family_id: familyId, user_id: userId, token_hash: tokenHash(token), expires_at: new Date(now.getTime() + REFRESH_TTL_MS) });
  return token;
}

/**
 * Trades a refresh token for the next one in its family. A token that was
 * already traded means two parties hold it, so the whole family is revoked
 * and both have to sign in again.
 */
export async function rotateRefreshToken(db: Db, presented: string, now = new Date()): Promise<{ userId: string; refreshToken: string }> {
  const outcome = await db.transaction(async (trx): Promise<{ error: string } | { userId: string; refreshToken: string }> => {
    const row = await trx('refresh_tokens').where({ token_hash: tokenHash(presented) }).forUpdate().first();
    if (!row) return { error: 'Unknown refresh token; sign in again' };
    if (row.revoked_at) return { error: 'This session was signed out; sign in again' };
    if (row.used_at) {
      await trx('refresh_tokens').where({ family_id: row.family_id }).whereNull('revoked_at').update({ revoked_at: now });
      return { error: 'This refresh token was already used, so every session of this sign-in has been ended; sign in again' };
    }
    if (new Date(row.expires_at) <= now) return { error: 'Session expired; sign in again' };
    await trx('refresh_tokens').where({ id: row.id }).update({ used_at: now });
    return { userId: row.user_id as string, refreshToken: await insertToken(trx, row.user_id, row.family_id, now) };
  });
  if ('error' in outcome) throw signedOut(outcome.error);
  return outcome;
}

/** Logout: ends the family the token belongs to. Unknown tokens are ignored. */
export async function revokeFamilyOf(db: Db, presented: string, now = new Date()): Promise<void> {
  const row = await db('refresh_tokens').where({ token_hash: tokenHash(presented) }).first('family_id');
  if (row) await db('refresh_tokens').where({ family_id: row.family_id }).whereNull('revoked_at').update({ revoked_at: now });
}

/** A removed member or a changed password: every session of that user ends. */
export async function revokeAllFor(db: Db, userId: string, now = new Date()): Promise<void> {
  await db('refresh_tokens').where({ user_id: userId }).whereNull('revoked_at').update({ revoked_at: now });
}
