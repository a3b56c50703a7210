import type { Knex } from 'knex';

/**
 * A merchant's own payment accounts: a Stripe connected account, an iyzico
 * sub-merchant or the merchant's own iyzico / PayU keys. Secrets are sealed
 * with the credential box; `details` holds only what the merchant may see.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('payment_accounts', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.string('merchant_id', 64).notNullable().references('merchants.id').onDelete('CASCADE');
    t.string('provider', 16).notNullable();
    t.string('kind', 16).notNullable();
    /** Stripe `acct_…`, iyzico `subMerchantKey`, PayU POS id. */
    t.string('external_ref', 200);
    t.text('credentials_encrypted');
    t.string('status', 16).notNullable().defaultTo('pending');
    t.jsonb('details').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['merchant_id', 'provider']);
    t.index(['provider', 'external_ref']);
  });
  await knex.raw(`alter table payment_accounts add constraint payment_accounts_provider check (provider in ('stripe', 'iyzico', 'payu'))`);
  await knex.raw(`alter table payment_accounts add constraint payment_accounts_kind check (kind in ('connect', 'sub_merchant', 'own_keys'))`);
  await knex.raw(`alter table payment_accounts add constraint payment_accounts_status check (status in ('pending', 'active', 'restricted', 'disabled'))`);
  await knex.schema.alterTable('orders', (t) => {
    t.uuid('payment_account_id').references('payment_accounts.id').onDelete('SET NULL');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => t.dropColumn('payment_account_id'));
  await knex.schema.dropTableIfExists('payment_accounts');
}
