import { PlaybookSchema, type Playbook } from '../../domain/playbook';
import type { ShippingSettings } from '../../domain/shipping';
import { publishConversationEvent } from '../events';
import type { Db } from '../knex';
import { recordAudit, type AuditEntry } from './audit';

/** Per-merchant choices kept as one JSON document; keys are added as features need them. */
export interface MerchantSettings {
  /** The merchant's payment routing (`TRY:iyzico,stripe;*:stripe`); absent or null uses the installation's. */
  paymentRoutes?: string | null;
  /** Set when the merchant ships goods: checkouts collect a delivery address in these countries. */
  shipping?: ShippingSettings | null;
}

interface MerchantRow {
  id: string;
  name: string;
  settings: MerchantSettings;
  createdAt: Date;
}

interface PlaybookRow {
  merchantId: string;
  config: unknown;
  updatedAt: Date;
}

export interface MerchantName {
  id: string;
  name: string;
}

export async function merchantExists(db: Db, merchantId: string): Promise<boolean> {
  return Boolean(await db<MerchantRow>('merchants').where({ id: merchantId }).first('id'));
}

export async function merchantName(db: Db, merchantId: string): Promise<MerchantName | null> {
  return (await db<MerchantRow>('merchants').where({ id: merchantId }).first('id', 'name')) ?? null;
}

export async function merchantSettings(db: Db, merchantId: string): Promise<MerchantSettings | null> {
  const row = await db<MerchantRow>('merchants').where({ id: merchantId }).first('settings');
  return row?.settings ?? null;
}

/** Sets one key of the settings document, leaving the others as they are. */
export async function setPaymentRoutes(db: Db, merchantId: string, routes: string | null): Promise<void> {
  await db('merchants')
    .where({ id: merchantId })
    .update({ settings: db.raw(`jsonb_set(settings, '{paymentRoutes}', ?::jsonb)`, [JSON.stringify(routes)]) });
}

/** Whether (and where) the merchant ships goods; null: it does not, and no address is asked for. */
export async function setShipping(db: Db, merchantId: string, shipping: ShippingSettings | null): Promise<void> {
  await db('merchants')
    .where({ id: merchantId })
    .update({ settings: db.raw(`jsonb_set(settings, '{shipping}', ?::jsonb)`, [JSON.stringify(shipping)]) });
}

export async function getPlaybook(db: Db, merchantId: string): Promise<Playbook> {
  const row = await db<PlaybookRow>('playbooks').where({ merchantId }).first('config');
  if (!row) throw new Error(`merchant ${merchantId} has no playbook`);
  return PlaybookSchema.parse(row.config);
}

/**
 * Replaces the playbook and records which top-level fields changed, read
 * under the same transaction so the audit entry matches what was replaced.
 */
export async function replacePlaybook(db: Db, merchantId: string, playbook: Playbook, audit: Omit<AuditEntry, 'details'>): Promise<void> {
  await db.transaction(async (trx) => {
    const before = await getPlaybook(trx, merchantId);
    await trx('playbooks')
      .insert({ merchantId, config: JSON.stringify(playbook), updatedAt: trx.fn.now() })
      .onConflict('merchantId')
      .merge(['config', 'updatedAt']);
    const changed = (Object.keys(playbook) as (keyof Playbook)[]).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(playbook[k]));
    await recordAudit(trx, { ...audit, details: { changed } });
    await publishConversationEvent(trx, { kind: 'playbook', merchantId });
  });
}

export async function upsertMerchant(db: Db, merchant: MerchantName, playbook: Playbook): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('merchants').insert(merchant).onConflict('id').merge(['name']);
    await trx('playbooks')
      .insert({ merchantId: merchant.id, config: JSON.stringify(playbook) })
      .onConflict('merchantId')
      .merge(['config', 'updatedAt']);
    await publishConversationEvent(trx, { kind: 'playbook', merchantId: merchant.id });
  });
}
