import path from 'node:path';
import type { Env } from '../config/env';
import { demoCatalog, demoMerchant, demoPlaybook } from './demo-data';
import { startEmbeddedPostgres } from './embedded';
import { createDb, type Db } from './knex';
import { migrateLatest } from './migrate';
import { upsertProducts } from './queries/catalog';
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
  const db = createDb(pg.url, { max: 2 });
  try {
    await migrateLatest(db);
    await seedDemo(db);
  } finally {
    await db.destroy();
  }
  return { url: pg.url, embedded: !env.DATABASE_URL, stop: pg.stop };
}

/** The demo merchant always exists, so a fresh install has someone to chat with. */
export async function seedDemo(db: Db): Promise<void> {
  await upsertMerchant(db, { id: demoMerchant.id, name: demoMerchant.name }, demoPlaybook);
  await upsertProducts(db, demoMerchant.id, demoCatalog);
}
