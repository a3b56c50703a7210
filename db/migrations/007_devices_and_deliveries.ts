import type { Knex } from 'knex';

/**
 * Push notifications: the devices members registered, what each member wants
 * to hear about, and one delivery row per notification and device (push) or
 * member (email): the outbox the delivery workflow works through.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('devices', (t) => {
    t.uuid('id').primary();
    t.string('merchant_id', 64).notNullable().references('merchants.id').onDelete('CASCADE');
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    // The refresh-token family of the sign-in that registered it: signing out removes the device.
    t.uuid('session_id');
    t.string('platform', 16).notNullable();
    t.text('token').notNullable();
    // Tokens run to 4 KB (a Web Push subscription), past what a btree entry may hold: uniqueness is on the hash.
    t.string('token_hash', 64).notNullable();
    t.string('label', 100);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['platform', 'token_hash']);
    t.index(['user_id']);
    t.index(['session_id']);
  });
  await knex.raw(`alter table devices add constraint devices_platform_check check (platform in ('android', 'ios', 'web'))`);

  // Absent for a member who never changed anything: the defaults in domain/notifications.ts apply.
  await knex.schema.createTable('notification_preferences', (t) => {
    t.uuid('user_id').primary().references('users.id').onDelete('CASCADE');
    t.jsonb('preferences').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('notification_deliveries', (t) => {
    t.bigIncrements('id');
    t.bigInteger('notification_id').notNullable().references('notifications.id').onDelete('CASCADE');
    t.string('channel', 8).notNullable();
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    // Null once the device is gone (signed out, token dead, moved to another member): a pending row then sends nothing.
    t.uuid('device_id').references('devices.id').onDelete('SET NULL');
    t.string('status', 8).notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
    t.timestamp('sent_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['notification_id', 'status']);
  });
  await knex.raw(`alter table notification_deliveries add constraint notification_deliveries_channel_check check (channel in ('push', 'email'))`);
  await knex.raw(`alter table notification_deliveries add constraint notification_deliveries_status_check check (status in ('pending', 'sent', 'dead', 'failed'))`);
  // A repeated fan-out adds nothing: one row per notification and device, one per notification and member by email.
  await knex.raw(`create unique index notification_deliveries_push_unique on notification_deliveries (notification_id, device_id) where channel = 'push'`);
  await knex.raw(`create unique index notification_deliveries_email_unique on notification_deliveries (notification_id, user_id) where channel = 'email'`);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['notification_deliveries', 'notification_preferences', 'devices']) await knex.schema.dropTableIfExists(table);
}
