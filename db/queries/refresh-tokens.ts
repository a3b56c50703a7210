import { randomUUID } from 'node:crypto';
import type { Db } from '../knex';

/** A row of `refresh_tokens`: one per token, grouped in families (one family per sign-in). Only the token's hash is stored. */
interface RefreshTokenRow {
  id: string;
  familyId: string;
  userId: string;
  tokenHash: string;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

const tokens = (db: Db) => db<RefreshTokenRow>('refresh_tokens');

export async function insertRefreshToken(db: Db, t: { familyId: string; userId: string; tokenHash: string; expiresAt: Date }): Promise<void> {
  await tokens(db).insert({ id: randomUUID(), ...t });
}

export type RotationRefusal = 'unknown' | 'revoked' | 'reused' | 'expired';

/**
 * Marks the presented token used and stores its successor in the same
 * family, under a row lock. A token that was already used means two parties
 * hold it: the whole family is revoked instead.
 */
export async function rotateRefreshTokenRow(
  db: Db,
  presentedHash: string,
  next: { tokenHash: string; expiresAt: Date },
  now: Date,
): Promise<{ refused: RotationRefusal } | { userId: string }> {
  return db.transaction(async (trx) => {
    const row = await tokens(trx).where({ tokenHash: presentedHash }).forUpdate().first();
    if (!row) return { refused: 'unknown' as const };
    if (row.revokedAt) return { refused: 'revoked' as const };
    if (row.usedAt) {
      await tokens(trx).where({ familyId: row.familyId }).whereNull('revokedAt').update({ revokedAt: now });
      return { refused: 'reused' as const };
    }
    if (row.expiresAt <= now) return { refused: 'expired' as const };
    await tokens(trx).where({ id: row.id }).update({ usedAt: now });
    await insertRefreshToken(trx, { familyId: row.familyId, userId: row.userId, ...next });
    return { userId: row.userId };
  });
}

/** Ends the family the token belongs to; an unknown token changes nothing. */
export async function revokeRefreshFamily(db: Db, presentedHash: string, now: Date): Promise<void> {
  const row = await tokens(db).where({ tokenHash: presentedHash }).first('familyId');
  if (row) await tokens(db).where({ familyId: row.familyId }).whereNull('revokedAt').update({ revokedAt: now });
}

/** The family (sign-in) a token belongs to, or null for an unknown token. */
export async function refreshFamilyOf(db: Db, tokenHash: string): Promise<string | null> {
  return (await tokens(db).where({ tokenHash }).first('familyId'))?.familyId ?? null;
}

export async function revokeAllRefreshTokens(db: Db, userId: string, now: Date): Promise<void> {
  await tokens(db).where({ userId }).whereNull('revokedAt').update({ revokedAt: now });
}
