import type { Knex } from 'knex';

/**
 * Single-use, expiring links sent by email: password reset and email
 * verification. As with invites and refresh tokens, only the token's SHA-256
 * is stored, so a leaked database holds no usable link.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('auth_tokens', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.string('purpose', 32).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['user_id', 'purpose']);
  });
  await knex.raw(`alter table auth_tokens add constraint auth_tokens_purpose_check check (purpose in ('password_reset', 'email_verification'))`);

  // Null until the member follows a verification link (or any other link mailed to them).
  await knex.schema.alterTable('users', (t) => {
    t.timestamp('email_verified_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => t.dropColumn('email_verified_at'));
  await knex.schema.dropTableIfExists('auth_tokens');
}
