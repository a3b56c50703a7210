import type { Knex } from 'knex';

/** The platform's billing of merchants: plans, subscriptions, metered conversations, invoices, marketplace fees. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('plans', (t) => {
    t.string('code', 64).primary();
    t.string('name', 200).notNullable();
    t.bigInteger('price_minor').notNullable();
    t.string('currency', 3).notNullable();
    t.integer('conversation_quota').notNullable();
    t.integer('grace_percent').notNullable().defaultTo(10);
    /** Basis points of each customer payment the platform keeps. */
    t.integer('marketplace_fee_bps').notNullable();
    t.boolean('active').notNullable().defaultTo(true);
  });
  await knex('plans').insert([
    { code: 'starter', name: 'Starter', price_minor: 2_900, currency: 'USD', conversation_quota: 100, marketplace_fee_bps: 200 },
    { code: 'growth', name: 'Growth', price_minor: 9_900, currency: 'USD', conversation_quota: 1_000, marketplace_fee_bps: 100 },
    { code: 'scale', name: 'Scale', price_minor: 39_900, currency: 'USD', conversation_quota: 10_000, marketplace_fee_bps: 50 },
    { code: 'starter_try', name: 'Starter (TRY)', price_minor: 99_900, currency: 'TRY', conversation_quota: 100, marketplace_fee_bps: 200 },
  ]);

  await knex.schema.createTable('subscriptions', (t) => {
    t.string('merchant_id', 64).primary().references('merchants.id').onDelete('CASCADE');
    t.string('plan_code', 64).notNullable().references('plans.code');
    t.enu('status', ['active', 'past_due', 'canceled', 'trialing']).notNullable();
    t.enu('provider', ['stripe', 'iyzico', 'manual']).notNullable();
    t.string('provider_ref', 200);
    t.timestamp('current_period_start', { useTz: true }).notNullable();
    t.timestamp('current_period_end', { useTz: true }).notNullable();
    t.boolean('cancel_at_period_end').notNullable().defaultTo(false);
    // The time of the provider event last applied; older, late-delivered events are ignored.
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('usage_counters', (t) => {
    t.string('merchant_id', 64).notNullable().references('merchants.id').onDelete('CASCADE');
    t.timestamp('period_start', { useTz: true }).notNullable();
    t.integer('conversations').notNullable().defaultTo(0);
    t.primary(['merchant_id', 'period_start']);
  });
  // Each conversation counts once a period, however often the caller retries.
  await knex.schema.createTable('usage_events', (t) => {
    t.string('merchant_id', 64).notNullable().references('merchants.id').onDelete('CASCADE');
    t.string('conversation_id', 300).notNullable();
    t.timestamp('period_start', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['merchant_id', 'conversation_id', 'period_start']);
  });

  await knex.schema.createTable('invoice_sequences', (t) => {
    t.string('merchant_id', 64).primary().references('merchants.id').onDelete('CASCADE');
    t.integer('last').notNullable();
  });
  await knex.schema.createTable('invoices', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.string('merchant_id', 64).notNullable().references('merchants.id').onDelete('CASCADE');
    t.string('number', 32).notNullable();
    t.integer('sequence').notNullable();
    t.timestamp('period_start', { useTz: true }).notNullable();
    t.timestamp('period_end', { useTz: true }).notNullable();
    t.string('currency', 3).notNullable();
    t.bigInteger('subtotal_minor').notNullable();
    t.bigInteger('total_minor').notNullable();
    t.enu('status', ['draft', 'open', 'paid', 'void', 'uncollectible']).notNullable();
    t.string('provider_invoice_id', 200).unique();
    t.timestamp('issued_at', { useTz: true }).notNullable();
    t.timestamp('paid_at', { useTz: true });
    t.binary('pdf');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['merchant_id', 'number']);
    t.unique(['merchant_id', 'sequence']);
  });
  // One live invoice per merchant and period; a voided one may be issued again.
  await knex.raw(`create unique index invoices_merchant_period_live on invoices (merchant_id, period_start, period_end) where status <> 'void'`);
  await knex.schema.createTable('invoice_lines', (t) => {
    t.bigIncrements('id');
    t.uuid('invoice_id').notNullable().references('invoices.id').onDelete('CASCADE');
    t.integer('position').notNullable();
    t.string('description', 500).notNullable();
    t.integer('quantity').notNullable();
    t.bigInteger('unit_minor').notNullable();
    t.bigInteger('amount_minor').notNullable();
    t.unique(['invoice_id', 'position']);
  });

  await knex.schema.alterTable('orders', (t) => {
    /** The platform's marketplace fee on this payment, fixed once when it is recorded. */
    t.bigInteger('platform_fee_minor');
    t.index(['merchant_id', 'paid_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => {
    t.dropIndex(['merchant_id', 'paid_at']);
    t.dropColumn('platform_fee_minor');
  });
  for (const table of ['invoice_lines', 'invoices', 'invoice_sequences', 'usage_events', 'usage_counters', 'subscriptions', 'plans']) {
    await knex.schema.dropTableIfExists(table);
  }
}
