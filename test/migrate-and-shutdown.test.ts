/**
 * The deploy contract of the API and worker processes: they refuse a database
 * whose schema is behind, `npm run migrate` brings it (and the Temporal
 * namespace) up to date, and a SIGTERM drains the API instead of cutting it.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import WebSocket from 'ws';
import { repoRoot } from '../config/env';
import { createDb } from '../db/knex';
import { seedDemo } from '../db/setup';
import { searchAttributes } from '../temporal/search-attributes';
import { getFreePort } from '../temporal/dev-server';
import { requireEnv } from './support/stack';

interface Run {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

function start(script: string, env: NodeJS.ProcessEnv): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on('line', (line) => lines.push(line));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

async function waitForLine(run: Run, msg: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!run.lines.some((l) => l.includes(`"msg":"${msg}"`))) {
    if (run.child.exitCode !== null) throw new Error(`exited (${run.child.exitCode}) before "${msg}":\n${run.lines.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`no "${msg}" within ${timeoutMs} ms:\n${run.lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms).unref())]);
}

describe('schema check, npm run migrate and graceful shutdown', () => {
  const dbName = `fresh_${randomBytes(4).toString('hex')}`;
  const namespace = `migrate-${randomBytes(4).toString('hex')}`;
  const adminUrl = requireEnv('TEST_DATABASE_URL');
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let api: Run | undefined;

  before(async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'autocloser-migrate-'));
    env = {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: requireEnv('TEST_TEMPORAL_ADDRESS'),
      TEMPORAL_NAMESPACE: namespace,
      PORT: String(await getFreePort()),
    };
  });

  after(async () => {
    api?.child.kill('SIGKILL');
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
    await rm(dataDir, { recursive: true, force: true });
  });

  for (const [role, script] of [
    ['API', 'api/main.ts'],
    ['worker', 'worker/main.ts'],
  ] as const) {
    test(`the ${role} refuses an empty database with one line saying to run npm run migrate`, async () => {
      const run = start(script, env);
      const code = await withTimeout(run.exited, 60_000, `${role} on an empty database`);
      assert.notEqual(code, 0);
      const logged = run.lines.filter((l) => l.trim() && !l.startsWith('npm warn'));
      assert.equal(logged.length, 1, `expected one line, got:\n${logged.join('\n')}`);
      const entry = JSON.parse(logged[0]!) as { level: number; msg: string };
      assert.equal(entry.level, 60);
      assert.match(entry.msg, /schema is behind/);
      assert.match(entry.msg, /npm run migrate/);
      assert.match(entry.msg, /001_core/);
    });
  }

  test('npm run migrate applies the migrations and registers the namespace and search attributes, twice over', async () => {
    for (let i = 0; i < 2; i++) {
      const run = start('scripts/migrate.ts', env);
      const code = await withTimeout(run.exited, 120_000, 'migrate');
      assert.equal(code, 0, run.lines.join('\n'));
    }
    const db = createDb(databaseUrl, { max: 1 });
    try {
      assert.ok(await db.schema.hasTable('merchants'));
    } finally {
      await db.destroy();
    }
    const connection = await Connection.connect({ address: requireEnv('TEST_TEMPORAL_ADDRESS') });
    try {
      const listed = await connection.operatorService.listSearchAttributes({ namespace });
      for (const { name } of searchAttributes) assert.ok(name in (listed.customAttributes ?? {}), `${name} registered in ${namespace}`);
    } finally {
      await connection.close();
    }
  });

  test('after migrating, the worker starts; its health endpoint answers 200 while it polls, and SIGTERM stops it cleanly', async () => {
    const healthPort = await getFreePort();
    const worker = start('worker/main.ts', { ...env, WORKER_HEALTH_PORT: String(healthPort), TEMPORAL_TASK_QUEUE: `migrate-test-${randomBytes(4).toString('hex')}` });
    try {
      await waitForLine(worker, 'worker ready', 120_000);
      await waitForLine(worker, 'worker health endpoint listening', 10_000);
      const res = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { ok: true, state: 'RUNNING' });
      worker.child.kill('SIGTERM');
      assert.equal(await withTimeout(worker.exited, 60_000, 'worker exit'), 0, worker.lines.join('\n'));
      assert.ok(worker.lines.some((l) => l.includes('"msg":"worker stopped"')));
      await assert.rejects(fetch(`http://127.0.0.1:${healthPort}/healthz`), 'the endpoint goes with the worker');
    } finally {
      worker.child.kill('SIGKILL');
    }
  });

  test('after migrating, the API starts; on SIGTERM it refuses new connections, finishes the request in flight and says going-away to sockets', async () => {
    const db = createDb(databaseUrl, { max: 1 });
    try {
      await seedDemo(db);
    } finally {
      await db.destroy();
    }
    api = start('api/main.ts', { ...env, SHUTDOWN_TIMEOUT_SECONDS: '20' });
    await waitForLine(api, 'api listening', 60_000);
    const base = `http://127.0.0.1:${env.PORT}`;
    assert.equal((await fetch(`${base}/readyz`)).status, 200);

    const ws = new WebSocket(`ws://127.0.0.1:${env.PORT}/api/webchat/demo/sessions/drain-test-session-0001/ws`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const wsClosed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

    // A request whose body is still arriving: the server has accepted it and is waiting for the rest.
    const body = JSON.stringify({ sessionId: 'drain-test-session-0001', text: 'Do you ship abroad?' });
    const half = Math.floor(body.length / 2);
    let req!: http.ClientRequest;
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req = http.request(`${base}/api/webchat/demo/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
    });
    req.write(body.slice(0, half));
    await new Promise((r) => setTimeout(r, 300));

    api.child.kill('SIGTERM');
    await waitForLine(api, 'api draining', 10_000);

    assert.equal(await withTimeout(wsClosed, 10_000, 'websocket close'), 1001);
    await assert.rejects(
      fetch(`${base}/healthz`),
      (err: Error & { cause?: { code?: string } }) => err.cause?.code === 'ECONNREFUSED',
      'a new connection is refused while draining',
    );
    assert.equal(api.child.exitCode, null, 'still running while a request is in flight');

    req.end(body.slice(half));
    const res = await withTimeout(response, 15_000, 'in-flight request');
    assert.ok(res.status >= 200 && res.status < 300, `in-flight request answered ${res.status}: ${res.body}`);
    assert.equal(await withTimeout(api.exited, 15_000, 'api exit'), 0);
    assert.ok(api.lines.some((l) => l.includes('"msg":"api stopped"')));
  });
});
