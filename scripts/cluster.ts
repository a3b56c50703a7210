/**
 * `npm run cluster`: AutoCloser as it runs in production, on this machine:
 * the Temporal server (built from source the first time) on an embedded
 * Postgres, two API processes and two worker processes. Kill any one of them
 * (the pids are printed) and watch the others carry on. Ctrl-C stops it all;
 * the data lives under `.data/cluster/` until the next run starts afresh.
 */
import path from 'node:path';
import { prettyFactory } from 'pino-pretty';
import { repoRoot } from '../config/env';
import { startCluster } from '../temporal/cluster';
import { ensureTemporalCli } from '../temporal/cli';
import { demoMerchant } from '../db/demo-data';

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
  say('Starting a Temporal cluster on Postgres, 2 APIs and 2 workers (the first run builds the Temporal server: a few minutes)…');
  const cluster = await startCluster({
    dir: path.join(repoRoot, '.data', 'cluster'),
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
  const [api1, api2] = cluster.apiUrls;
  const pids = [cluster.temporal, ...cluster.apis, ...cluster.workers].map((p) => `${p.name} ${p.pid}`).join(', ');
  say('');
  say('AutoCloser cluster is running:');
  say(`  API replica 1:     ${api1}/  (demo chat for merchant ${demoMerchant.id}; dashboard at /app/)`);
  say(`  API replica 2:     ${api2}/  (the same product: a reply written behind one replica reaches sockets on both)`);
  say(`  Temporal frontend: ${cluster.temporalAddress}  (namespace ${cluster.namespace}, task queue ${cluster.taskQueue})`);
  say(`  Postgres:          ${cluster.databaseUrl}`);
  say(`  processes:         ${pids}`);
  say('');
  say('  The Temporal UI ships inside the dev server only; inspect this cluster with the CLI:');
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
