import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/knex';
import { insertRefreshToken, revokeRefreshFamily, rotateRefreshTokenRow, type RotationRefusal } from '../../db/queries/refresh-tokens';
import { HttpError } from '../errors';
import { newOpaqueToken, tokenHash } from './tokens';

export const REFRESH_TTL_MS = 30 * 24 * 3600_000;

const signedOut = (message: string) => new HttpError(401, 'unauthorized', message);

/** Starts a login: a new family with its first refresh token. */
export async function startRefreshFamily(db: Db, userId: string, now = new Date()): Promise<string> {
  const token = newOpaqueToken();
  await insertRefreshToken(db, { familyId: randomUUID(), userId, tokenHash: tokenHash(token), expiresAt: new Date(now.getTime() + REFRESH_TTL_MS) });
  return token;
}

const refusals: Record<RotationRefusal, string> = {
  unknown: 'Unknown refresh token; sign in again',
  revoked: 'This session was signed out; sign in again',
  reused: 'This refresh token was already used, so every session of this sign-in has been ended; sign in again',
  expired: 'Session expired; sign in again',
};

/**
 * Trades a refresh token for the next one in its family. A token that was
 * already traded means two parties hold it, so the whole family is revoked
 * and both have to sign in again.
 */
export async function rotateRefreshToken(db: Db, presented: string, now = new Date()): Promise<{ userId: string; refreshToken: string }> {
  const refreshToken = newOpaqueToken();
  const outcome = await rotateRefreshTokenRow(db, tokenHash(presented), { tokenHash: tokenHash(refreshToken), expiresAt: new Date(now.getTime() + REFRESH_TTL_MS) }, now);
  if ('refused' in outcome) throw signedOut(refusals[outcome.refused]);
  return { userId: outcome.userId, refreshToken };
}

/** Logout: ends the family the token belongs to. Unknown tokens are ignored. */
export async function revokeFamilyOf(db: Db, presented: string, now = new Date()): Promise<void> {
  await revokeRefreshFamily(db, tokenHash(presented), now);
}
