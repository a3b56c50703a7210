/**
 * `npm run migrate` (the image's `migrate` role): brings a deployment's shared
 * state up to what this version of the code expects, once, before its API and
 * worker processes start. It applies the database migrations and makes sure the
 * Temporal namespace exists with the search attributes the workflows upsert,
 * and re-seals stored credentials under the first key of CREDENTIALS_KEY
 * after a rotation (docs/operations.md).
 * Every step is idempotent, so it runs on every deploy.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { ConfigError, loadEnv, secretBox } from '../config/env';
import { resealStoredSecrets } from '../db/queries/channels';
import { createLogger } from '../config/logger';
import { temporalConnectionOptions } from '../config/temporal';
import { createDb } from '../db/knex';
import { migrateLatest, pendingMigrations } from '../db/migrate';
import { ensureNamespace, ensureSearchAttributes } from '../temporal/dev-server';

const log = createLogger('migrate');

/** The frontend may still be starting when a deploy runs this first; keep trying for a while. */
async function connectTemporal(options: Awaited<ReturnType<typeof temporalConnectionOptions>>, timeoutMs: number): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await Connection.connect({ ...options, connectTimeout: 10_000 });
    } catch (err) {
      if (Date.now() > deadline) throw err;
      log.info({ address: options.address }, 'waiting for Temporal');
      await sleep(2_000);
    }
  }
}

async function main(): Promise<void> {
  const env = loadEnv();
  if (!env.DATABASE_URL) throw new ConfigError('DATABASE_URL is required: the database to migrate');

  const db = createDb(env.DATABASE_URL, { max: 1 });
  try {
    const pending = await pendingMigrations(db);
    await migrateLatest(db);
    log.info({ applied: pending }, pending.length ? `applied ${pending.length} migration(s)` : 'database schema is current');
    // Never without CREDENTIALS_KEY: the box would use a throwaway key.
    if (env.CREDENTIALS_KEY) {
      const moved = await resealStoredSecrets(db, secretBox(env));
      if (moved.unreadable) log.error({ unreadable: moved.unreadable }, 'sealed secrets that no key of CREDENTIALS_KEY opens: put back the key they were sealed with');
      log.info(moved, moved.channels + moved.customers ? 're-sealed stored secrets under the first CREDENTIALS_KEY' : 'stored secrets are sealed under the first CREDENTIALS_KEY');
    }
  } finally {
    await db.destroy();
  }

  const connection = await connectTemporal(await temporalConnectionOptions(env), 120_000);
  try {
    const say = (msg: string) => log.info(msg);
    // Registers the namespace on a self-hosted cluster that lacks it; on Temporal Cloud it exists already.
    await ensureNamespace(connection, env.TEMPORAL_NAMESPACE, say);
    await ensureSearchAttributes(connection, env.TEMPORAL_NAMESPACE, undefined, say);
    log.info({ namespace: env.TEMPORAL_NAMESPACE }, 'temporal namespace and search attributes are in place');
  } finally {
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log.fatal({ err: err instanceof ConfigError ? err.message : err }, 'migrate failed');
    process.exit(1);
  },
);
