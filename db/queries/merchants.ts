import { PlaybookSchema, type Playbook } from '../../domain/playbook';
import type { Db } from '../knex';

export async function merchantExists(db: Db, merchantId: string): Promise<boolean> {
  return Boolean(await db('merchants').where({ id: merchantId }).first('id'));
}

export async function getPlaybook(db: Db, merchantId: string): Promise<Playbook> {
  const row = await db('playbooks').where({ merchant_id: merchantId }).first('config');
  if (!row) throw new Error(`merchant ${merchantId} has no playbook`);
  return PlaybookSchema.parse(row.config);
}

export async function upsertMerchant(db: Db, merchant: { id: string; name: string }, playbook: Playbook): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('merchants').insert(merchant).onConflict('id').merge(['name']);
    await trx('playbooks')
      .insert({ merchant_id: merchant.id, config: JSON.stringify(playbook) })
      .onConflict('merchant_id')
      .merge(['config', 'updated_at']);
  });
}
