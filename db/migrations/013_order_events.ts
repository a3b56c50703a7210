import type { Knex } from 'knex';

/**
 * What happened to each order, for the dashboard's timeline; the dispute a
 * provider opened and its response deadline; the part of the platform's fee
 * given back when an order is refunded, and whether a plan gives it back.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('order_events', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('order_id').notNullable().references('orders.id').onDelete('CASCADE');
    t.string('merchant_id', 64).notNullable();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    /** created, link_sent, paid, failed, expired, mismatch, refund_requested, refund_failed, refunded, partially_refunded, disputed. */
    t.string('kind', 32).notNullable();
    /** Set when a provider's webhook caused the event: a redelivered webhook adds nothing. */
    t.string('provider_event_id', 200);
    t.bigInteger('amount_minor');
    t.jsonb('details').notNullable().defaultTo('{}');
    t.unique(['order_id', 'provider_event_id']);
    t.index(['order_id', 'at']);
  });
  // An order is created once, however often the activity that creates it is retried.
  await knex.raw("create unique index order_events_created_once on order_events (order_id) where kind = 'created'");
  // A retried checkout step records its link once; a new checkout for the same order is a new line.
  await knex.raw("create unique index order_events_link_once on order_events (order_id, (details->>'providerRef')) where kind = 'link_sent'");
  await knex.schema.alterTable('orders', (t) => {
    t.timestamp('disputed_at', { useTz: true });
    /** The provider's deadline for the merchant's evidence (Stripe's evidence_details.due_by). */
    t.timestamp('dispute_due_by', { useTz: true });
    t.bigInteger('platform_fee_refunded_minor').notNullable().defaultTo(0);
  });
  await knex.schema.alterTable('plans', (t) => {
    t.boolean('refunds_platform_fee').notNullable().defaultTo(false);
  });
  // The provider and creation-time filters of the merchant's order list.
  await knex.schema.alterTable('orders', (t) => t.index(['merchant_id', 'created_at']));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => {
    t.dropIndex(['merchant_id', 'created_at']);
    t.dropColumns('disputed_at', 'dispute_due_by', 'platform_fee_refunded_minor');
  });
  await knex.schema.alterTable('plans', (t) => t.dropColumn('refunds_platform_fee'));
  await knex.schema.dropTableIfExists('order_events');
}
