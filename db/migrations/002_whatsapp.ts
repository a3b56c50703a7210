import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // One row per connected WhatsApp number; credentials are AES-256-GCM ciphertext, never plaintext.
  await knex.schema.createTable('merchant_channels', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.string('merchant_id', 64).notNullable().references('merchants.id').onDelete('CASCADE');
    t.enu('provider', ['twilio', 'meta']).notNullable();
    /** Twilio: the business number in E.164. Meta: the phone_number_id. */
    t.string('address', 64).notNullable();
    t.text('credentials_encrypted').notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['provider', 'address']);
  });

  await knex.schema.createTable('templates', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.string('merchant_id', 64).notNullable().references('merchants.id').onDelete('CASCADE');
    t.enu('provider', ['twilio', 'meta']).notNullable();
    t.string('name', 200).notNullable();
    t.string('language', 16).notNullable();
    t.enu('category', ['utility', 'marketing', 'authentication']).notNullable();
    /** What the workflow uses it for outside the 24-hour window. */
    t.string('purpose', 32);
    t.text('body').notNullable();
    t.jsonb('components').notNullable().defaultTo('[]');
    t.integer('variable_count').notNullable().defaultTo(0);
    t.string('provider_id', 200);
    t.enu('status', ['draft', 'pending', 'approved', 'rejected', 'paused']).notNullable().defaultTo('draft');
    t.timestamp('synced_at', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['merchant_id', 'provider', 'name', 'language']);
  });

  await knex.schema.alterTable('conversations', (t) => {
    /** Which connected number the lead talks to (WhatsApp only). */
    t.uuid('merchant_channel_id').references('merchant_channels.id').onDelete('SET NULL');
    /** The customer's phone number, encrypted: the customer key is only its keyed hash. */
    t.text('customer_address_encrypted');
    t.string('customer_name', 200);
  });

  await knex.schema.alterTable('messages', (t) => {
    // Breaks ties between messages stamped in the same second (WhatsApp timestamps are whole seconds).
    t.bigIncrements('seq', { primaryKey: false });
    t.string('failure_reason', 500);
    t.jsonb('media');
    t.timestamp('status_at', { useTz: true });
    t.index(['provider_message_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => {
    t.dropIndex(['provider_message_id']);
    t.dropColumns('seq', 'failure_reason', 'media', 'status_at');
  });
  await knex.schema.alterTable('conversations', (t) => t.dropColumns('merchant_channel_id', 'customer_address_encrypted', 'customer_name'));
  await knex.schema.dropTableIfExists('templates');
  await knex.schema.dropTableIfExists('merchant_channels');
}
