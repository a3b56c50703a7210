/**
 * Health that means something: the API's /readyz fails when Postgres or
 * Temporal cannot be reached while /healthz (liveness) stays up, and the
 * worker is ready only while it polls a Temporal server that answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ensureTemporalCli } from '../temporal/cli';
import { getFreePort, startDevServer, type DevServer } from '../temporal/dev-server';
import { frontendProbe, startWorkerHealth, type WorkerHealth } from '../worker/health';
import { eventually } from './support/chat';
import { startStack, type Stack } from './support/stack';

const getJson = async (url: string) => {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('health: a Temporal server that goes away', () => {
  let server: DevServer;
  let stack: Stack;
  let health: WorkerHealth;

  before(async () => {
    // A server of this suite's own, so it can be stopped without harming the others.
    server = await startDevServer({ port: await getFreePort(), headless: true, dbFile: null, cliPath: await ensureTemporalCli(() => {}) });
    stack = await startStack({ temporalAddress: server.address, workerOverrides: { shutdownGraceTime: '1s' } });
    health = await startWorkerHealth({
      port: 0,
      host: '127.0.0.1',
      status: () => stack.worker!.getStatus(),
      probeTemporal: frontendProbe(stack.workerConnection!),
    });
  });
  after(async () => {
    await health?.close();
    await stack?.stop();
    await server?.stop();
  });

  test('ready while Temporal answers; not ready, but alive, once it is gone', { timeout: 120_000 }, async () => {
    const workerUrl = `http://127.0.0.1:${health.port}`;
    assert.deepEqual(await getJson(`${stack.apiUrl}/readyz`), { status: 200, body: { ok: true, checks: { postgres: 'ok', temporal: 'ok' } } });
    const ready = await eventually(() => getJson(`${workerUrl}/readyz`), (r) => r.status === 200, 'the worker polling');
    assert.deepEqual(ready.body, { ok: true, state: 'RUNNING', pollers: { workflow: 'POLLING', activity: 'POLLING' }, temporal: 'ok' });
    assert.equal((await getJson(`${workerUrl}/healthz`)).status, 200);

    await server.stop();

    const started = Date.now();
    const api = await getJson(`${stack.apiUrl}/readyz`);
    assert.equal(api.status, 503);
    const checks = api.body.checks as { postgres: string; temporal: string };
    assert.equal(api.body.ok, false);
    assert.equal(checks.postgres, 'ok');
    assert.ok(checks.temporal === 'unreachable' || checks.temporal === 'timeout', `temporal: ${checks.temporal}`);
    assert.ok(Date.now() - started < 5_000, 'the probe answers within its own timeout');
    assert.equal((await getJson(`${stack.apiUrl}/healthz`)).status, 200, 'the API is still alive');

    const worker = await eventually(() => getJson(`${workerUrl}/readyz`), (r) => r.status === 503, 'the worker not ready', 30_000);
    assert.equal(worker.body.ok, false);
    assert.equal(worker.body.temporal, 'unreachable');
    assert.deepEqual(await getJson(`${workerUrl}/healthz`), { status: 200, body: { ok: true, state: 'RUNNING' } });
  });
});

describe('health: a database that cannot be reached', () => {
  let stack: Stack;
  before(async () => {
    // Nothing listens on a port just found free.
    stack = await startStack({ noWorker: true, databaseUrl: `postgres://nobody:nothing@127.0.0.1:${await getFreePort()}/none` });
  });
  after(() => stack?.stop());

  test('/readyz is 503 naming Postgres; /healthz stays 200', async () => {
    const started = Date.now();
    assert.deepEqual(await getJson(`${stack.apiUrl}/readyz`), { status: 503, body: { ok: false, checks: { postgres: 'unreachable', temporal: 'ok' } } });
    assert.ok(Date.now() - started < 5_000);
    assert.deepEqual(await getJson(`${stack.apiUrl}/healthz`), { status: 200, body: { ok: true } });
  });
});
