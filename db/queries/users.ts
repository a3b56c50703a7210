import type { Role } from '../../domain/roles';
import type { Playbook } from '../../domain/playbook';
import type { Db } from '../knex';
import { revokeAllRefreshTokens } from './refresh-tokens';

/** A row of `users`. */
interface StoredUser {
  id: string;
  merchantId: string;
  email: string;
  name: string;
  role: Role;
  locale: string;
  passwordHash: string;
  createdAt: Date;
  lastLoginAt: Date | null;
  /** When the member followed a link mailed to this address; null until then. */
  emailVerifiedAt: Date | null;
}

/** A user with its times as ISO strings, as the API shows them. */
export interface UserRow extends Omit<StoredUser, 'createdAt' | 'lastLoginAt' | 'emailVerifiedAt'> {
  createdAt: string;
  lastLoginAt: string | null;
  emailVerifiedAt: string | null;
}

export type UserProfile = Pick<StoredUser, 'id' | 'email' | 'name' | 'role' | 'locale'>;
export type Member = Pick<StoredUser, 'id' | 'email' | 'role'>;

const toUser = (r: StoredUser): UserRow => ({
  ...r,
  createdAt: r.createdAt.toISOString(),
  lastLoginAt: r.lastLoginAt ? r.lastLoginAt.toISOString() : null,
  emailVerifiedAt: r.emailVerifiedAt ? r.emailVerifiedAt.toISOString() : null,
});

const users = (db: Db) => db<StoredUser>('users');

export async function userByEmail(db: Db, email: string): Promise<UserRow | null> {
  const row = await users(db).whereRaw('lower(email) = lower(?)', [email]).first();
  return row ? toUser(row) : null;
}

export async function userById(db: Db, id: string): Promise<UserRow | null> {
  const row = await users(db).where({ id }).first();
  return row ? toUser(row) : null;
}

export async function userProfile(db: Db, id: string): Promise<UserProfile | null> {
  return (await users(db).where({ id }).first('id', 'email', 'name', 'role', 'locale')) ?? null;
}

export async function membersOf(db: Db, merchantId: string): Promise<UserRow[]> {
  return (await users(db).where({ merchantId }).orderBy('createdAt')).map(toUser);
}

/** A member of this merchant; null for another merchant's user. */
export async function memberOf(db: Db, merchantId: string, userId: string): Promise<Member | null> {
  return (await users(db).where({ id: userId, merchantId }).first('id', 'email', 'role')) ?? null;
}

/** Owners of the merchant other than this user. */
export async function otherOwners(db: Db, merchantId: string, userId: string): Promise<number> {
  const [row] = await users(db).where({ merchantId, role: 'owner' }).whereNot({ id: userId }).count({ count: '*' });
  return Number(row?.count ?? 0);
}

export async function setRole(db: Db, userId: string, role: Role): Promise<void> {
  await users(db).where({ id: userId }).update({ role });
}

export async function setPasswordHash(db: Db, userId: string, passwordHash: string): Promise<void> {
  await users(db).where({ id: userId }).update({ passwordHash });
}

/** Removes a member; their sessions end with them. */
export async function removeMember(db: Db, userId: string, now = new Date()): Promise<void> {
  await db.transaction(async (trx) => {
    await revokeAllRefreshTokens(trx, userId, now);
    await users(trx).where({ id: userId }).delete();
  });
}

export async function insertUser(db: Db, u: { merchantId: string; email: string; name: string; role: Role; locale: string; passwordHash: string }): Promise<UserRow> {
  const [row] = (await db('users').insert(u).returning('*')) as StoredUser[];
  return toUser(row!);
}

/** A merchant and its owner appear together or not at all. */
export async function createMerchantWithOwner(
  db: Db,
  merchant: { id: string; name: string },
  playbook: Playbook,
  owner: { email: string; name: string; locale: string; passwordHash: string },
): Promise<UserRow> {
  return db.transaction(async (trx) => {
    await trx('merchants').insert(merchant);
    await trx('playbooks').insert({ merchantId: merchant.id, config: JSON.stringify(playbook) });
    return insertUser(trx, { ...owner, merchantId: merchant.id, role: 'owner' });
  });
}

export async function touchLogin(db: Db, userId: string): Promise<void> {
  await users(db).where({ id: userId }).update({ lastLoginAt: db.fn.now() });
}

export const isUniqueViolation = (err: unknown): boolean => (err as { code?: string })?.code === '23505';
