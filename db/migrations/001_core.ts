import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('merchants', (t) => {
    t.string('id', 64).primary();
    t.string('name', 200).notNullable();
    t.jsonb('settings').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('users', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.string('merchant_id', 64).notNullable().references('merchants.id').onDelete('CASCADE');
    t.string('email', 320).notNullable().unique();
    t.text('password_hash').notNullable();
    t.enu('role', ['owner', 'admin', 'agent', 'viewer']).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('products', (t) => {
    t.string('merchant_id', 64).notNullable().references('merchants.id').onDelete('CASCADE');
    t.string('sku', 64).notNullable();
    t.string('name', 200).notNullable();
    t.text('description').notNullable().defaultTo('');
    t.bigInteger('price_minor').notNullable();
    t.string('currency', 3).notNullable();
    t.integer('stock').notNullable().defaultTo(0);
    t.jsonb('tags').notNullable().defaultTo('[]');
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['merchant_id', 'sku']);
  });

  await knex.schema.createTable('playbooks', (t) => {
    t.string('merchant_id', 64).primary().references('merchants.id').onDelete('CASCADE');
    t.jsonb('config').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // A projection of live workflows for lists and analytics; the workflow stays the source of truth.
  await knex.schema.createTable('conversations', (t) => {
    t.string('id', 300).primary();
    t.string('merchant_id', 64).notNullable().references('merchants.id').onDelete('CASCADE');
    t.string('channel', 32).notNullable();
    t.string('customer_key', 200).notNullable();
    t.string('stage', 32).notNullable().defaultTo('new');
    t.string('mode', 16).notNullable().defaultTo('bot');
    t.boolean('needs_human').notNullable().defaultTo(false);
    t.integer('score').notNullable().defaultTo(0);
    t.string('language', 8).notNullable().defaultTo('en');
    t.jsonb('lead').notNullable().defaultTo('{}');
    t.text('summary').notNullable().defaultTo('');
    t.jsonb('pending_payment');
    t.timestamp('next_follow_up_at', { useTz: true });
    t.string('closed_reason', 200);
    t.string('hand_off_reason', 200);
    t.integer('message_count').notNullable().defaultTo(0);
    t.text('last_message_preview');
    t.timestamp('last_message_at', { useTz: true });
    // Guards against an older activity attempt overwriting a newer projection.
    t.bigInteger('projection_version').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['merchant_id', 'channel', 'customer_key']);
    t.index(['merchant_id', 'stage']);
    t.index(['merchant_id', 'last_message_at']);
  });

  await knex.schema.createTable('messages', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.string('conversation_id', 300).notNullable().references('conversations.id').onDelete('CASCADE');
    t.string('merchant_id', 64).notNullable();
    t.enu('direction', ['in', 'out']).notNullable();
    t.enu('sender', ['customer', 'bot', 'human']).notNullable();
    t.text('text').notNullable();
    // Inbound: the provider's (or web client's) message id. Outbound: the id the channel returned.
    t.string('provider_message_id', 200);
    // Outbound only: the same key on every activity attempt, so a retried send never duplicates.
    t.string('idempotency_key', 400).unique();
    t.string('status', 16).notNullable();
    // Inbound only: set once the workflow has the message, so a redelivery after that is a no-op.
    t.timestamp('signalled_at', { useTz: true });
    t.string('author', 200);
    t.string('intent', 32);
    t.float('confidence');
    t.jsonb('usage');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['conversation_id', 'direction', 'provider_message_id']);
    t.index(['conversation_id', 'created_at']);
  });

  await knex.schema.createTable('webhook_events', (t) => {
    t.bigIncrements('id');
    t.string('provider', 32).notNullable();
    t.string('event_id', 200).notNullable();
    t.string('merchant_id', 64);
    t.jsonb('payload').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('processed_at', { useTz: true });
    t.unique(['provider', 'event_id']);
  });

  await knex.schema.createTable('orders', (t) => {
    t.uuid('id').primary();
    t.string('merchant_id', 64).notNullable().references('merchants.id').onDelete('CASCADE');
    t.string('conversation_id', 300).notNullable().references('conversations.id').onDelete('CASCADE');
    t.string('sku', 64).notNullable();
    t.integer('quantity').notNullable();
    t.bigInteger('amount_minor').notNullable();
    t.string('currency', 3).notNullable();
    t.string('status', 16).notNullable();
    t.string('provider', 32).notNullable();
    t.string('provider_ref', 200);
    // What the payment provider says, kept apart from our own order status.
    t.string('provider_status', 32);
    t.text('checkout_url');
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('paid_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['merchant_id', 'status']);
  });

  await knex.schema.createTable('notifications', (t) => {
    t.bigIncrements('id');
    t.string('merchant_id', 64).notNullable().references('merchants.id').onDelete('CASCADE');
    t.string('conversation_id', 300);
    t.string('kind', 32).notNullable();
    t.string('dedupe_key', 400).unique();
    t.jsonb('body').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('read_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['notifications', 'orders', 'webhook_events', 'messages', 'conversations', 'playbooks', 'products', 'users', 'merchants']) {
    await knex.schema.dropTableIfExists(table);
  }
}
