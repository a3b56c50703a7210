import type { Knex } from 'knex';

/** A started plan checkout: the provider's token is the only thread back to the merchant once the customer returns. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('billing_checkouts', (t) => {
    t.string('token', 200).primary();
    t.string('merchant_id', 64).notNullable().references('merchants.id').onDelete('CASCADE');
    t.string('plan_code', 64).notNullable();
    t.string('provider', 16).notNullable();
    t.string('subscription_ref', 200);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('completed_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('billing_checkouts');
}
