import type { Knex } from 'knex';

/** The discount a customer agreed with the agent, as a percentage off the catalog price; the amount already includes it. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table orders add column discount_percent integer not null default 0 check (discount_percent between 0 and 90)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table orders drop column discount_percent');
}
