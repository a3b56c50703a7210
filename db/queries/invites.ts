import type { Role } from '../../domain/roles';
import type { Db } from '../knex';
import { markEmailVerified } from './auth-tokens';
import { insertUser, userByEmail, type UserRow } from './users';

/** A row of `invites`; the token itself is never stored, only its hash. */
interface InviteRow {
  id: string;
  merchantId: string;
  email: string;
  role: Role;
  tokenHash: string;
  invitedBy: string | null;
  expiresAt: Date;
  acceptedAt: Date | null;
  createdAt: Date;
}

/** An invite as the team page shows it. */
export interface Invite {
  id: string;
  email: string;
  role: Role;
  expiresAt: string;
  createdAt: string;
}

const toInvite = (r: InviteRow): Invite => ({ id: r.id, email: r.email, role: r.role, expiresAt: r.expiresAt.toISOString(), createdAt: r.createdAt.toISOString() });

const invites = (db: Db) => db<InviteRow>('invites');

/** Invites not yet accepted and not expired, newest first. */
export async function openInvites(db: Db, merchantId: string): Promise<Invite[]> {
  const rows = await invites(db).where({ merchantId }).whereNull('acceptedAt').where('expiresAt', '>', db.fn.now()).orderBy('createdAt', 'desc');
  return rows.map(toInvite);
}

export async function createInvite(db: Db, i: { merchantId: string; email: string; role: Role; tokenHash: string; invitedBy: string; expiresAt: Date }): Promise<Invite> {
  const [row] = (await invites(db).insert(i).returning('*')) as InviteRow[];
  return toInvite(row!);
}

/** This merchant's invite that has not been accepted; null otherwise. */
export async function pendingInvite(db: Db, merchantId: string, id: string): Promise<Invite | null> {
  const row = await invites(db).where({ id, merchantId }).whereNull('acceptedAt').first();
  return row ? toInvite(row) : null;
}

export async function deleteInvite(db: Db, id: string): Promise<void> {
  await invites(db).where({ id }).delete();
}

/**
 * Turns an invite into a member, once: the invite row is locked, so two
 * acceptances of one token cannot both create a user. The password is hashed
 * only for an invite that can still be accepted.
 */
export async function acceptInvite(
  db: Db,
  tokenHash: string,
  member: { name: string; locale: string; passwordHash: () => Promise<string> },
  now = new Date(),
): Promise<{ refused: 'invalid' | 'email_taken' } | { user: UserRow }> {
  return db.transaction(async (trx) => {
    const invite = await invites(trx).where({ tokenHash }).forUpdate().first();
    if (!invite || invite.acceptedAt || invite.expiresAt <= now) return { refused: 'invalid' as const };
    if (await userByEmail(trx, invite.email)) return { refused: 'email_taken' as const };
    await invites(trx).where({ id: invite.id }).update({ acceptedAt: trx.fn.now() });
    const user = await insertUser(trx, { merchantId: invite.merchantId, email: invite.email, name: member.name, role: invite.role, locale: member.locale, passwordHash: await member.passwordHash() });
    // The invite reached them at this address, which verifies it.
    await markEmailVerified(trx, user.id, now);
    return { user: { ...user, emailVerifiedAt: now.toISOString() } };
  });
}
