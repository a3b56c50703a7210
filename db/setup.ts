import path from 'node:path';
import type { Env } from '../config/env';
import { demoCatalog, demoKnowledge, demoMerchant, demoPlaybook } from './demo-data';
import { startEmbeddedPostgres } from './embedded';
import { createDb, type Db } from './knex';
import { migrateLatest } from './migrate';
import { upsertProducts } from './queries/catalog';
import { seedKnowledge } from './queries/knowledge';
import { upsertMerchant } from './queries/merchants';

export interface PreparedDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** `DATABASE_URL` when given; otherwise a Postgres of our own under the data directory. */
export async function prepareDatabase(env: Env, log: (line: string) => void = () => {}): Promise<PreparedDatabase> {
  const pg = env.DATABASE_URL
    ? { url: env.DATABASE_URL, stop: async () => {} }
    : await startEmbeddedPostgres({ dataDir: path.join(env.DATA_DIR, 'postgres'), port: env.EMBEDDED_PG_PORT, log });
  await migrateAndSeed(pg.url);
  return { url: pg.url, embedded: !env.DATABASE_URL, stop: pg.stop };
}

/** Brings a database to the latest schema with the demo merchant in it, on a short-lived connection. */
export async function migrateAndSeed(url: string): Promise<void> {
  const db = createDb(url, { max: 1 });
  try {
    await migrateLatest(db);
    await seedDemo(db);
  } finally {
    await db.destroy();
  }
}

/** The demo merchant always exists, so a fresh install has someone to chat with. */
export async function seedDemo(db: Db): Promise<void> {
  await upsertMerchant(db, { id: demoMerchant.id, name: demoMerchant.name }, demoPlaybook);
  await upsertProducts(db, demoMerchant.id, demoCatalog);
  await seedKnowledge(db, demoMerchant.id, demoKnowledge);
}
