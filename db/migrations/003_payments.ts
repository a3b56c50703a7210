import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => {
    // Room for partially_refunded and later states.
    t.string('status', 32).notNullable().alter();
    /** The provider's payment id once paid (Stripe PaymentIntent, iyzico paymentId, PayU orderId); refunds need it. */
    t.string('payment_ref', 200);
    t.bigInteger('refunded_minor').notNullable().defaultTo(0);
    /** Why an order needs a person: amount mismatch, dispute. */
    t.string('flag_reason', 500);
    /** Providers tried before one created the checkout, for the merchant to see. */
    t.jsonb('provider_attempts');
  });
  await knex.schema.createTable('refunds', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('order_id').notNullable().references('orders.id').onDelete('CASCADE');
    t.string('merchant_id', 64).notNullable();
    t.bigInteger('amount_minor').notNullable();
    t.string('currency', 3).notNullable();
    t.string('status', 16).notNullable();
    t.string('provider_ref', 200);
    t.string('reason', 500);
    t.string('requested_by', 200);
    // A retried request refunds once.
    t.string('idempotency_key', 200).notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('refunds');
  await knex.schema.alterTable('orders', (t) => t.dropColumns('payment_ref', 'refunded_minor', 'flag_reason', 'provider_attempts'));
}
