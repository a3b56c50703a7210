import type { Knex } from 'knex';

/**
 * Rate-limit counters shared by every API replica (`api/rate-limit.ts`,
 * rate-limiter-flexible's Postgres store). The library would create this table
 * itself, but then the API would need DDL rights at run time; it is told the
 * table exists. Its statements insert positionally, so the columns keep the
 * library's order: key, points, expire (epoch milliseconds, null = never).
 * The key is `text` rather than the library's varchar(255): keys carry
 * client-chosen parts (an email) and a too-long one must not make a limit
 * fail open.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table rate_limits (
      key text primary key,
      points integer not null default 0,
      expire bigint
    )
  `);
  // The library deletes expired rows every five minutes by this column.
  await knex.raw('create index rate_limits_expire_idx on rate_limits (expire)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('rate_limits');
}
