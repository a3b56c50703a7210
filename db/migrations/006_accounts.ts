import type { Knex } from 'knex';

/**
 * Merchant accounts and the history the dashboard reads: refresh-token
 * families, invites, the audit log, conversation events (stage timeline and
 * hand-off reasons) and product imports.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.string('name', 200).notNullable().defaultTo('');
    t.string('locale', 8).notNullable().defaultTo('en');
    t.timestamp('last_login_at', { useTz: true });
  });
  // Emails are matched case-insensitively; the plain unique index would let "A@x" and "a@x" both register.
  await knex.raw('create unique index users_email_lower_unique on users (lower(email))');

  // One row per refresh token; a family is one login. Presenting a token that was
  // already rotated means it leaked, so the whole family is revoked.
  await knex.schema.createTable('refresh_tokens', (t) => {
    t.uuid('id').primary();
    t.uuid('family_id').notNullable();
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.string('token_hash', 64).notNullable().unique();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['family_id']);
    t.index(['user_id']);
  });

  await knex.schema.createTable('invites', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.string('merchant_id', 64).notNullable().references('merchants.id').onDelete('CASCADE');
    t.string('email', 320).notNullable();
    t.enu('role', ['owner', 'admin', 'agent', 'viewer']).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    t.uuid('invited_by').references('users.id').onDelete('SET NULL');
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('accepted_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['merchant_id']);
  });

  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id');
    t.string('merchant_id', 64).notNullable().references('merchants.id').onDelete('CASCADE');
    t.uuid('user_id').references('users.id').onDelete('SET NULL');
    t.string('actor', 320).notNullable();
    t.string('action', 64).notNullable();
    t.string('target', 400);
    t.jsonb('details').notNullable().defaultTo('{}');
    t.string('ip', 64);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['merchant_id', 'created_at']);
  });

  // Written by the projection when a field changes: the stage timeline and the
  // hand-off reasons that analytics counts.
  await knex.schema.createTable('conversation_events', (t) => {
    t.bigIncrements('id');
    t.string('conversation_id', 300).notNullable().references('conversations.id').onDelete('CASCADE');
    t.string('merchant_id', 64).notNullable();
    t.string('kind', 32).notNullable();
    t.string('from_value', 200);
    t.string('to_value', 200);
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['conversation_id', 'at']);
    t.index(['merchant_id', 'kind', 'at']);
  });

  // Which objection the agent answered, so analytics can rank them.
  await knex.schema.alterTable('messages', (t) => {
    t.string('objection', 32);
  });

  // Analytics reads the period's conversations, paid orders and refunds per merchant.
  await knex.raw('create index conversations_merchant_created on conversations (merchant_id, created_at)');
  await knex.raw('create index orders_merchant_paid on orders (merchant_id, paid_at) where paid_at is not null');
  await knex.raw('create index refunds_merchant_created on refunds (merchant_id, created_at)');
  await knex.raw('create index refunds_order on refunds (order_id)');

  await knex.schema.createTable('product_imports', (t) => {
    t.uuid('id').primary();
    t.string('merchant_id', 64).notNullable().references('merchants.id').onDelete('CASCADE');
    t.string('status', 16).notNullable();
    t.integer('total').notNullable().defaultTo(0);
    t.integer('processed').notNullable().defaultTo(0);
    t.integer('imported').notNullable().defaultTo(0);
    t.jsonb('errors').notNullable().defaultTo('[]');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('product_imports');
  for (const index of ['conversations_merchant_created', 'orders_merchant_paid', 'refunds_merchant_created', 'refunds_order']) await knex.raw(`drop index if exists ${index}`);
  await knex.schema.alterTable('messages', (t) => t.dropColumn('objection'));
  for (const table of ['conversation_events', 'audit_log', 'invites', 'refresh_tokens']) await knex.schema.dropTableIfExists(table);
  await knex.raw('drop index if exists users_email_lower_unique');
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('name');
    t.dropColumn('locale');
    t.dropColumn('last_login_at');
  });
}
