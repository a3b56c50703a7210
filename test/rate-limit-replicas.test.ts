/**
 * Rate limits hold across API replicas: two `api/main.ts` processes on one
 * database, requests split between them, and the limit is reached at the
 * configured count, not at twice it. Behind a load balancer (TRUST_PROXY) the
 * client address comes from X-Forwarded-For, which also gives each test an
 * address of its own in a database other suites share.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import pino from 'pino';
import { repoRoot } from '../config/env';
import { createAccessTokens } from '../api/auth/tokens';
import { errorHandler } from '../api/errors';
import { rateLimit } from '../api/rate-limit';
import { demoPlaybook } from '../db/demo-data';
import { createDb, type Db } from '../db/knex';
import { upsertMerchant } from '../db/queries/merchants';
import { insertUser } from '../db/queries/users';
import { requireEnv } from './support/stack';

const LIMITS = { auth: 4, api: 9, webhooks: 5, platform: 3 };
const JWT_SECRET = `jwt-${randomUUID()}-${randomUUID()}`;
const ADMIN_TOKEN = `admin-${randomUUID()}`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startApiProcess(): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'api/main.ts')], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      DATABASE_URL: requireEnv('TEST_DATABASE_URL'),
      TEMPORAL_ADDRESS: requireEnv('TEST_TEMPORAL_ADDRESS'),
      TEMPORAL_TASK_QUEUE: `rate-limits-${randomUUID()}`,
      JWT_SECRET,
      ADMIN_TOKEN,
      TRUST_PROXY: 'true',
      AUTH_RATE_LIMIT_PER_MINUTE: String(LIMITS.auth),
      API_RATE_LIMIT_PER_MINUTE: String(LIMITS.api),
      WEBHOOK_RATE_LIMIT_PER_MINUTE: String(LIMITS.webhooks),
      PLATFORM_RATE_LIMIT_PER_MINUTE: String(LIMITS.platform),
    },
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`api exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`api did not answer /healthz within a minute:\n${output}`);
    const up = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (up) return { url, child, output: () => output };
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A client address of this test's own (TEST-NET-2), so no other suite's requests count against it. */
const newAddress = () => `198.51.100.${1 + Math.floor(Math.random() * 254)}`;

describe('rate limits shared by two API processes', { timeout: 180_000 }, () => {
  let apis: Awaited<ReturnType<typeof startApiProcess>>[] = [];
  let db: Db;

  before(async () => {
    db = createDb(requireEnv('TEST_DATABASE_URL'), { max: 2 });
    apis = await Promise.all([startApiProcess(), startApiProcess()]);
  });
  after(async () => {
    for (const api of apis) api.child.kill('SIGTERM');
    await Promise.all(apis.map((api) => (api.child.exitCode === null ? new Promise((r) => api.child.once('exit', r)) : null)));
    await db?.destroy();
  });

  /** Sends `count` requests alternately to each process; returns the answers in order. */
  async function alternate(count: number, send: (baseUrl: string, i: number) => Promise<Response>): Promise<Response[]> {
    const answers: Response[] = [];
    for (let i = 0; i < count; i++) answers.push(await send(apis[i % 2]!.url, i));
    return answers;
  }

  function assertLimited(answers: Response[], limit: number, name: string): void {
    const statuses = answers.map((r) => r.status);
    assert.ok(statuses.slice(0, limit).every((s) => s !== 429), `the first ${limit} pass: ${statuses.join(' ')}`);
    assert.deepEqual(statuses.slice(limit), Array(answers.length - limit).fill(429), `then every one is refused: ${statuses.join(' ')}`);
    for (const refused of answers.slice(limit)) {
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${refused.headers.get('retry-after')}`);
      assert.match(refused.headers.get('ratelimit-policy') ?? '', new RegExp(`"${name}";q=${limit};w=60`));
      assert.match(refused.headers.get('ratelimit') ?? '', new RegExp(`"${name}";r=0;t=\\d+`));
    }
  }

  test('sign-in: per address and email, across both processes', async () => {
    const address = newAddress();
    const email = `guess-${randomUUID()}@example.test`;
    const answers = await alternate(LIMITS.auth + 2, (url) =>
      fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
        body: JSON.stringify({ email, password: 'guessing password' }),
      }),
    );
    assert.equal(answers[0]!.status, 401);
    assertLimited(answers, LIMITS.auth, 'auth');
    const body = (await answers.at(-1)!.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'rate_limited');
    assert.match(body.error.message, /try again in \d+ seconds/);
  });

  test('the merchant API: per member, whichever process and address they use', async () => {
    const merchantId = `m-${randomUUID().slice(0, 8)}`;
    await upsertMerchant(db, { id: merchantId, name: 'Rate limit test' }, demoPlaybook);
    const user = await insertUser(db, { merchantId, email: `owner@${merchantId}.test`, name: 'Owner', role: 'owner', locale: 'en', passwordHash: 'x' });
    const { token } = await createAccessTokens(JWT_SECRET).sign({ userId: user.id, merchantId, role: 'owner' });
    const answers = await alternate(LIMITS.api + 2, (url) =>
      fetch(`${url}/api/v1/me`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': newAddress() } }),
    );
    assert.equal(answers[0]!.status, 200);
    assertLimited(answers, LIMITS.api, 'api');
    // Another member is counted on their own.
    const other = await insertUser(db, { merchantId, email: `viewer@${merchantId}.test`, name: 'Viewer', role: 'viewer', locale: 'en', passwordHash: 'x' });
    const otherToken = (await createAccessTokens(JWT_SECRET).sign({ userId: other.id, merchantId, role: 'viewer' })).token;
    assert.equal((await fetch(`${apis[0]!.url}/api/v1/me`, { headers: { authorization: `Bearer ${otherToken}` } })).status, 200);
  });

  test('webhooks and the operator API: per source address', async () => {
    const hook = newAddress();
    const hooks = await alternate(LIMITS.webhooks + 1, (url) =>
      fetch(`${url}/webhooks/meta/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': hook }, body: '{}' }),
    );
    assertLimited(hooks, LIMITS.webhooks, 'webhooks');

    const operator = newAddress();
    const platform = await alternate(LIMITS.platform + 1, (url) =>
      fetch(`${url}/api/platform/merchants/nobody/subscription`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}`, 'x-forwarded-for': operator },
        body: JSON.stringify({ planCode: 'growth' }),
      }),
    );
    assert.equal(platform[0]!.status, 404);
    assertLimited(platform, LIMITS.platform, 'platform');
  });
});

describe('a limiter whose database is unreachable', () => {
  test('lets requests through and logs a warning', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    // Nothing listens on the discard port, so every connection is refused at once.
    const deadDb = createDb('postgres://nobody:nothing@127.0.0.1:9/none');
    const app = express();
    app.get('/', rateLimit({ db: deadDb, log }, { name: 'unreachable', perMinute: 1 }), (_req, res) => {
      res.json({ ok: true });
    });
    app.use(errorHandler(log));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch(url)).status);
      assert.deepEqual(statuses, [200, 200, 200], 'a limit of 1 is not enforced while the store is down');
      const warnings = lines.map((l) => JSON.parse(l) as { msg: string; limit: string }).filter((l) => /rate limit store unavailable/.test(l.msg));
      assert.equal(warnings.length, 1, 'one warning, not one per request');
      assert.equal(warnings[0]!.limit, 'unreachable');
    } finally {
      server.close();
      await deadDb.destroy();
    }
  });
});
