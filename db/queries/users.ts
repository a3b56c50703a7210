import type { Role } from '../../domain/roles';
import type { Playbook } from '../../domain/playbook';
import type { Db } from '../knex';

export interface UserRow {
  id: string;
  merchantId: string;
  email: string;
  name: string;
  role: Role;
  locale: string;
  passwordHash: string;
  createdAt: string;
  lastLoginAt: string | null;
}

const toUser = (r: Record<string, unknown>): UserRow => ({
  id: r.id as string,
  merchantId: r.merchant_id as string,
  email: r.email as string,
  name: r.name as string,
  role: r.role as Role,
  locale: r.locale as string,
  passwordHash: r.password_hash as string,
  createdAt: new Date(r.created_at as string).toISOString(),
  lastLoginAt: r.last_login_at ? new Date(r.last_login_at as string).toISOString() : null,
});

export async function userByEmail(db: Db, email: string): Promise<UserRow | null> {
  const row = await db('users').whereRaw('lower(email) = lower(?)', [email]).first();
  return row ? toUser(row) : null;
}

export async function userById(db: Db, id: string): Promise<UserRow | null> {
  const row = await db('users').where({ id }).first();
  return row ? toUser(row) : null;
}

export async function membersOf(db: Db, merchantId: string): Promise<UserRow[]> {
  return (await db('users').where({ merchant_id: merchantId }).orderBy('created_at')).map(toUser);
}

export async function insertUser(db: Db, u: { merchantId: string; email: string; name: string; role: Role; locale: string; passwordHash: string }): Promise<UserRow> {
  const [row] = await db('users')
    .insert({ merchant_id: u.merchantId, email: u.email, name: u.name, role: u.role, locale: u.locale, password_hash: u.passwordHash })
    .returning('*');
  return toUser(row);
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
    await trx('playbooks').insert({ merchant_id: merchant.id, config: JSON.stringify(playbook) });
    return insertUser(trx, { ...owner, merchantId: merchant.id, role: 'owner' });
  });
}

export async function touchLogin(db: Db, userId: string): Promise<void> {
  await db('users').where({ id: userId }).update({ last_login_at: db.fn.now() });
}

export const isUniqueViolation = (err: unknown): boolean => (err as { code?: string })?.code === '23505';
