/**
 * `npm test`: brings up what the suites share (a throwaway embedded Postgres
 * and an in-memory Temporal dev server on their own ports, so a running
 * `npm start` is untouched), then runs every `*.test.ts` with Node's test runner.
 * Pass file paths or name fragments to run a subset: `npm test -- webchat`.
 * The dashboard's Vitest specs run first on a full run, or alone with `dashboard-unit`.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../config/env';
import { startTestServices } from '../test/support/services';

const SKIP = new Set(['node_modules', '.git', '.data', '.cache', 'dist', 'dashboard', 'mobile']);

function findTests(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) findTests(full, out);
    else if (name.endsWith('.test.ts')) out.push(path.relative(repoRoot, full));
  }
  return out.sort();
}

/** The dashboard's store specs (Vitest, in a DOM): run first, so the node runner's summary stays the last lines. */
const DASHBOARD_UNIT = 'dashboard-unit';

function runVitest(): Promise<number> {
  return new Promise<number>((resolve) => {
    const bin = path.join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs');
    const child = spawn(process.execPath, [bin, 'run', '--config', 'dashboard/vitest.config.ts'], { cwd: repoRoot, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const filters = args.filter((x) => x !== DASHBOARD_UNIT);
  const vitest = !args.length || args.includes(DASHBOARD_UNIT) ? await runVitest() : 0;
  if (args.length && !filters.length) return vitest;
  const files = findTests(repoRoot).filter((f) => !filters.length || filters.some((x) => f.includes(x)));
  if (!files.length) throw new Error(`no test files match ${filters.join(' ')}`);

  const log = (line: string) => process.stdout.write(`[setup] ${line}\n`);
  const services = await startTestServices('test', log);
  log(`postgres ${services.env.TEST_DATABASE_URL}, temporal ${services.env.TEST_TEMPORAL_ADDRESS}`);

  try {
    return await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
        cwd: repoRoot,
        stdio: 'inherit',
        env: {
          ...process.env,
          NODE_ENV: 'test',
          LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
          ...services.env,
        },
      });
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    }).then((code) => code || vitest);
  } finally {
    await services.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
