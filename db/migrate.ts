import type { Knex } from 'knex';
import type { Db } from './knex';
import * as core from './migrations/001_core';
import * as whatsapp from './migrations/002_whatsapp';
import * as payments from './migrations/003_payments';
import * as billing from './migrations/004_billing';
import * as billingCheckouts from './migrations/005_billing_checkouts';
import * as accounts from './migrations/006_accounts';

// Migrations are imported, not globbed from disk, so they work the same under
// tsx, a bundler, or compiled output.
const migrations: Record<string, { up(k: Knex): Promise<void>; down(k: Knex): Promise<void> }> = {
  '001_core': core,
  '002_whatsapp': whatsapp,
  '003_payments': payments,
  '004_billing': billing,
  '005_billing_checkouts': billingCheckouts,
  '006_accounts': accounts,
};

const source: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};

export async function migrateLatest(db: Db): Promise<void> {
  await db.migrate.latest({ migrationSource: source });
}
