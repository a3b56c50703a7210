import { rm } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../../config/env';
import { startEmbeddedPostgres } from '../../db/embedded';
import { migrateAndSeed } from '../../db/setup';
import { ensureTemporalCli } from '../../temporal/cli';
import { getFreePort, startDevServer } from '../../temporal/dev-server';

export interface TestServices {
  /** Variables the suites read (see test/support/stack.ts). */
  env: { TEST_DATABASE_URL: string; TEST_TEMPORAL_ADDRESS: string; TEMPORAL_CLI_PATH: string };
  stop(): Promise<void>;
}

/**
 * A throwaway Postgres and an in-memory Temporal dev server on free ports, so
 * tests never touch the data of a running `npm start`.
 */
export async function startTestServices(name: string, log: (line: string) => void): Promise<TestServices> {
  // Per process, so two suites on one checkout never share a data directory.
  const dataDir = path.join(repoRoot, '.data', `${name}-${process.pid}-postgres`);
  await rm(dataDir, { recursive: true, force: true });
  const pg = await startEmbeddedPostgres({ dataDir, port: await getFreePort(), persistent: false, log });
  await migrateAndSeed(pg.url);
  const cli = await ensureTemporalCli(log);
  const temporal = await startDevServer({ port: await getFreePort(), dbFile: null, headless: true, cliPath: cli }).catch(async (err) => {
    await pg.stop();
    throw err;
  });
  return {
    env: { TEST_DATABASE_URL: pg.url, TEST_TEMPORAL_ADDRESS: temporal.address, TEMPORAL_CLI_PATH: cli },
    async stop() {
      await temporal.stop();
      await pg.stop();
    },
  };
}
