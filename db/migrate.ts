import type { Knex } from 'knex';
import { createPlainDb, type Db } from './knex';
import * as core from './migrations/001_core';
import * as whatsapp from './migrations/002_whatsapp';
import * as payments from './migrations/003_payments';
import * as billing from './migrations/004_billing';
import * as billingCheckouts from './migrations/005_billing_checkouts';
import * as accounts from './migrations/006_accounts';
import * as devicesAndDeliveries from './migrations/007_devices_and_deliveries';
import * as authTokens from './migrations/008_auth_tokens';
import * as rateLimits from './migrations/009_rate_limits';
import * as knowledge from './migrations/010_knowledge';
import * as orderDiscounts from './migrations/011_order_discounts';
import * as paymentAccounts from './migrations/012_payment_accounts';
import * as orderEvents from './migrations/013_order_events';
import * as orderItemsStock from './migrations/015_order_items_stock';

// Migrations are imported, not globbed from disk, so they work the same under
// tsx, a bundler, or compiled output.
const migrations: Record<string, { up(k: Knex): Promise<void>; down(k: Knex): Promise<void> }> = {
  '001_core': core,
  '002_whatsapp': whatsapp,
  '003_payments': payments,
  '004_billing': billing,
  '005_billing_checkouts': billingCheckouts,
  '006_accounts': accounts,
  '007_devices_and_deliveries': devicesAndDeliveries,
  '008_auth_tokens': authTokens,
  '009_rate_limits': rateLimits,
  '010_knowledge': knowledge,
  '011_order_discounts': orderDiscounts,
  '012_payment_accounts': paymentAccounts,
  '013_order_events': orderEvents,
  '015_order_items_stock': orderItemsStock,
};

/** knex's default bookkeeping table. */
const MIGRATIONS_TABLE = 'knex_migrations';

const source: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};

/** Runs on its own connection without the case conversion: migrations name their columns in snake_case. */
export async function migrateLatest(db: Db): Promise<void> {
  const plain = createPlainDb(db);
  try {
    await plain.migrate.latest({ migrationSource: source });
  } finally {
    await plain.destroy();
  }
}

/** The migrations this code knows that the database has not applied, oldest first. */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const plain = createPlainDb(db);
  try {
    // Read-only on purpose: knex's own `migrate.list()` creates its bookkeeping tables, and a
    // process that only checks must not write to a database it was told is not ready.
    const applied = (await plain.schema.hasTable(MIGRATIONS_TABLE))
      ? new Set((await plain(MIGRATIONS_TABLE).select<{ name: string }[]>('name')).map((r) => r.name))
      : new Set<string>();
    return Object.keys(migrations)
      .sort()
      .filter((name) => !applied.has(name));
  } finally {
    await plain.destroy();
  }
}

/**
 * Thrown when the schema is older than the code: the API and the worker refuse to run against it
 * rather than fail later on a missing column. A database *ahead* of the code is fine, so a rolling
 * upgrade can migrate first and replace the old processes after.
 */
export class SchemaBehindError extends Error {
  constructor(readonly pending: string[]) {
    super(
      `database schema is behind: ${pending.length} migration(s) not applied (${pending.join(', ')}); run \`npm run migrate\` (the image's \`migrate\` role) against this database first`,
    );
  }
}

export async function assertSchemaCurrent(db: Db): Promise<void> {
  const pending = await pendingMigrations(db);
  if (pending.length) throw new SchemaBehindError(pending);
}
