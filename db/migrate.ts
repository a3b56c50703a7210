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
};

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
