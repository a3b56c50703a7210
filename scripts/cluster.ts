/**
 * `npm run cluster`: AutoCloser as it runs in production, on this machine:
 * the Temporal server and its UI (built from source the first time) on an
 * embedded Postgres, two API processes and two worker processes. Kill any one of them
 * (the pids are printed) and watch the others carry on. Ctrl-C stops it all;
 * the data lives under `.data/cluster/` until the next run starts afresh.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { prettyFactory } from 'pino-pretty';
import { repoRoot } from '../config/env';
import { startCluster } from '../temporal/cluster';
import { ensureTemporalCli } from '../temporal/cli';
import { demoMerchant } from '../db/demo-data';
import { createDb } from '../db/knex';
import { DEMO_OWNER_EMAIL, ensureDemoOwner } from './demo-conversations';

const say = (line: string) => process.stdout.write(`${line}\n`);
const pretty = prettyFactory({ colorize: process.stdout.isTTY, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' });

let stopping = false;

/** Warnings and errors from every process; the rest would drown the terminal. */
function showLine(name: string, line: string): void {
  // Shutting down makes the server's services warn about each other's closed ports: noise, not news.
  if (stopping) return;
  let entry: { level?: unknown } | null = null;
  try {
    entry = JSON.parse(line) as { level?: unknown };
  } catch {
    // not JSON: a stack trace or a plain message
  }
  if (!entry) {
    say(`[${name}] ${line}`);
    return;
  }
  const level = entry.level;
  // pino's levels are numbers (40 = warn); the Temporal server's are names.
  const loud = typeof level === 'number' ? level >= 40 : typeof level === 'string' && /warn|error|fatal|panic/i.test(level);
  if (!loud) return;
  if (typeof level === 'number') process.stdout.write(`[${name}] ${pretty(entry)}`);
  else say(`[${name}] ${line}`);
}

async function main(): Promise<void> {
  say('Starting a Temporal cluster on Postgres, its UI, 2 APIs and 2 workers (the first run builds the Temporal server and UI: a few minutes)…');
  const cluster = await startCluster({
    dir: path.join(repoRoot, '.data', 'cluster'),
    ui: true,
    log: (m) => say(`  ${m}`),
    onProcessLine: showLine,
  });
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say('\nStopping…');
    await cluster.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  const cli = await ensureTemporalCli((m) => say(`  ${m}`)).catch(() => 'temporal');
  // The cluster's database is new on every run, so is the demo owner's password.
  const password = randomBytes(12).toString('base64url');
  const db = createDb(cluster.databaseUrl, { max: 1 });
  try {
    await ensureDemoOwner(db, password);
  } finally {
    await db.destroy();
  }
  const [api1, api2] = cluster.apiUrls;
  const pids = [cluster.temporal, ...(cluster.ui ? [cluster.ui] : []), ...cluster.apis, ...cluster.workers].map((p) => `${p.name} ${p.pid}`).join(', ');
  say('');
  say('AutoCloser cluster is running:');
  say(`  API replica 1:     ${api1}/  (demo chat for merchant ${demoMerchant.id}; dashboard at /app/)`);
  say(`  API replica 2:     ${api2}/  (the same product: a reply written behind one replica reaches sockets on both)`);
  say(`  Dashboard sign-in: ${DEMO_OWNER_EMAIL} / ${password}  (on either replica)`);
  say(`  Temporal frontend: ${cluster.temporalAddress}  (namespace ${cluster.namespace}, task queue ${cluster.taskQueue})`);
  say(`  Postgres:          ${cluster.databaseUrl}`);
  say(`  processes:         ${pids}`);
  say(`  Temporal UI:       ${cluster.uiUrl}/namespaces/${cluster.namespace}/workflows`);
  say('');
  say('  Or with the CLI:');
  say(`    ${cli} workflow list --address ${cluster.temporalAddress}`);
  say(`    ${cli} workflow query --address ${cluster.temporalAddress} --workflow-id <lead id> --type state`);
  say('  Kill any one process (kill -9 <pid>) and the others carry on; Ctrl-C stops everything.');

  // A process that dies on its own is worth knowing about; one killed by hand stays down.
  const seen = new Set<string>();
  setInterval(() => {
    for (const exit of cluster.unexpectedExits()) {
      const key = `${exit.name}:${exit.how}`;
      if (seen.has(key)) continue;
      seen.add(key);
      say(`${exit.name} exited (${exit.how})`);
    }
  }, 1_000);
  await new Promise(() => {});
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
