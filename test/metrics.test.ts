/**
 * `/metrics` on the API and on the worker (`worker/main.ts` in its own
 * process, as deployed): refused without the token, and with it the business
 * counters move as a scripted web-chat conversation runs, beside Temporal's
 * own worker metrics. The names the alert rules and dashboards query are then
 * checked against what the two processes really serve.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from '../config/env';
import { recordInbound } from '../db/queries/messages';
import { signDemoWebhook, DEMO_SIGNATURE_HEADER } from '../integrations/payments/demo';
import { metricsAccess } from '../observability/metrics-access';
import { leadWorkflowId, stateQuery } from '../workflows/contract';
import { eventually, getTranscript, postMessage, replies, sessionId } from './support/chat';
import { exported, parseExposition, total, type Exposition } from './support/prometheus-text';
import { requireEnv, suiteStack } from './support/stack';

const TOKEN = `metrics-${randomUUID()}`;
const monitoring = path.join(repoRoot, 'deploy', 'monitoring');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe('/metrics', () => {
  const stack = suiteStack({ noWorker: true, metrics: { token: TOKEN, unansweredAfterSeconds: 60 } });
  let worker: ChildProcess;
  let workerUrl: string;
  let workerLog = '';
  let merchant: string;

  const scrape = async (url: string, token: string | null = TOKEN) => fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const read = async (url: string): Promise<Exposition> => {
    const res = await scrape(url);
    assert.equal(res.status, 200, `${url}: ${res.status}`);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    return parseExposition(await res.text());
  };
  const api = () => read(`${stack.apiUrl}/metrics`);
  const workerMetrics = () => read(workerUrl);

  before(async () => {
    merchant = await stack.createMerchant();
    const port = await freePort();
    workerUrl = `http://127.0.0.1:${port}/metrics`;
    worker = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'worker', 'main.ts')], {
      cwd: repoRoot,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        DATABASE_URL: requireEnv('TEST_DATABASE_URL'),
        TEMPORAL_ADDRESS: requireEnv('TEST_TEMPORAL_ADDRESS'),
        TEMPORAL_NAMESPACE: 'default',
        TEMPORAL_TASK_QUEUE: stack.taskQueue,
        PUBLIC_BASE_URL: stack.apiUrl,
        LLM_PROVIDERS: 'playbook',
        WORKER_METRICS_PORT: String(port),
        METRICS_TOKEN: TOKEN,
        LOG_LEVEL: 'warn',
        ...(stack.payloadKeys ? { PAYLOAD_KEYS: stack.payloadKeys } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [worker.stdout!, worker.stderr!]) stream.on('data', (d: Buffer) => (workerLog = (workerLog + d.toString()).slice(-4000)));
    // Ready once Temporal's poller gauge is exported: the worker is polling this suite's task queue.
    await eventually(
      async () => {
        if (worker.exitCode !== null) throw new Error(`the worker exited (${worker.exitCode}):\n${workerLog}`);
        return scrape(workerUrl).then((r) => (r.ok ? r.text() : ''), () => '');
      },
      (text) => /temporal_num_pollers/.test(text),
      'the worker to poll and export its metrics',
      120_000,
    );
  });
  after(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker.once('exit', r));
      worker.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
      if (worker.exitCode === null) worker.kill('SIGKILL');
    }
  });

  test('refuses a scrape without the token, or with a wrong one, on the API and on the worker', async () => {
    for (const url of [`${stack.apiUrl}/metrics`, workerUrl]) {
      const none = await scrape(url, null);
      assert.equal(none.status, 401, url);
      assert.equal(none.headers.get('www-authenticate'), 'Bearer');
      assert.doesNotMatch(await none.text(), /autocloser_/);
      const wrong = await scrape(url, `${TOKEN}x`);
      assert.equal(wrong.status, 401, url);
      assert.doesNotMatch(await wrong.text(), /autocloser_/);
    }
    // Without a token: open in development, refused in production.
    assert.deepEqual(metricsAccess({ production: false })(undefined), { ok: true });
    assert.equal(metricsAccess({ production: true })(`Bearer ${TOKEN}`).ok, false);
    assert.deepEqual(metricsAccess({ token: TOKEN, production: true })(`Bearer ${TOKEN}`), { ok: true });
  });

  test('business counters move as a conversation runs: turns, replies, hand-off, checkout, payment, signature failure', async () => {
    const [api0, worker0] = await Promise.all([api(), workerMetrics()]);

    // A buying lead: a turn, a reply, a payment link.
    const buyer = sessionId();
    assert.equal((await postMessage(stack.apiUrl, merchant, { sessionId: buyer, text: "I'd like the 2-person tent, I'll take it" })).status, 202);
    const handle = stack.client.workflow.getHandle(leadWorkflowId(merchant, 'webchat', buyer));
    const st = await eventually(() => handle.query(stateQuery), (x) => x.pendingPayment !== null, 'a pending payment', 60_000);
    const orderId = st.pendingPayment!.orderId;

    // A forged payment webhook, then the real one: the provider's ledger says paid.
    const event = { id: `evt_${randomUUID()}`, type: 'payment.completed', orderId, created: Math.floor(Date.now() / 1000) };
    const deliver = (signature: string) =>
      fetch(`${stack.apiUrl}/webhooks/demo`, { method: 'POST', headers: { 'content-type': 'application/json', [DEMO_SIGNATURE_HEADER]: signature }, body: JSON.stringify(event) });
    assert.equal((await deliver(signDemoWebhook('not-the-demo-secret-at-all', JSON.stringify(event), event.created))).status, 403);
    await stack.db('orders').where({ id: orderId }).update({ provider_status: 'paid' });
    assert.equal((await deliver(signDemoWebhook(stack.demoSecret, JSON.stringify(event), event.created))).status, 200);
    await eventually(() => handle.query(stateQuery), (x) => x.stage === 'won', 'the lead to be won', 60_000);

    // A lead who asks for a person.
    const asker = sessionId();
    await postMessage(stack.apiUrl, merchant, { sessionId: asker, text: 'Can I talk to a human please?' });
    const askerHandle = stack.client.workflow.getHandle(leadWorkflowId(merchant, 'webchat', asker));
    await eventually(() => askerHandle.query(stateQuery), (x) => x.mode === 'human', 'a hand-off', 60_000);
    await eventually(() => getTranscript(stack.apiUrl, merchant, asker), (m) => replies(m).length > 0, 'the hand-off reply', 60_000);

    // A customer nobody answered for ten minutes (stored, never signalled: as if the system were stuck).
    const stuck = sessionId();
    await recordInbound(
      stack.db,
      { conversationId: leadWorkflowId(merchant, 'webchat', stuck), merchantId: merchant, channel: 'webchat', customerKey: stuck },
      { providerMessageId: randomUUID(), text: 'hello?', at: new Date(Date.now() - 600_000) },
    );

    // Projections run after the reply; wait for the worker's counters to settle.
    const w = await eventually(workerMetrics, (e) => total(e, 'autocloser_hand_offs_total') > total(worker0, 'autocloser_hand_offs_total') && total(e, 'autocloser_lead_stage_transitions_total', { stage: 'won' }) > 0, 'hand-off and won counted', 30_000);
    // The queue gauges are read from Postgres at most once a second; re-scrape until the stuck customer is in them.
    const a = await eventually(
      api,
      (e) => total(e, 'autocloser_unanswered_customers', { mode: 'bot' }) >= 1 && total(e, 'autocloser_unanswered_customer_oldest_wait_seconds', { mode: 'bot' }) >= 590,
      'the stuck customer in the queue gauges',
      10_000,
    );
    const moved = (before: Exposition, after: Exposition, name: string, labels: Record<string, string> = {}) => total(after, name, labels) - total(before, name, labels);

    // The API: messages in, the forged webhook, the applied one, the queue read from Postgres.
    assert.equal(moved(api0, a, 'autocloser_inbound_messages_total', { channel: 'webchat' }), 2);
    assert.equal(moved(api0, a, 'autocloser_webhook_signature_failures_total', { provider: 'demo' }), 1);
    assert.equal(moved(api0, a, 'autocloser_payments_total', { provider: 'demo', outcome: 'webhook' }), 1);
    assert.ok(total(a, 'autocloser_unanswered_customers', { mode: 'bot' }) >= 1, 'the stuck customer is in the queue');
    assert.ok(total(a, 'autocloser_unanswered_customer_oldest_wait_seconds', { mode: 'bot' }) >= 590);
    assert.ok(total(a, 'http_request_duration_seconds_count', { route: '/api/webchat/:merchant/messages' }) >= 2);

    // The worker: turns, the agent's calls and tokens, replies and their latency, the checkout, the sale, the hand-off.
    assert.ok(moved(worker0, w, 'autocloser_turns_total', { outcome: 'ok' }) >= 2);
    assert.ok(moved(worker0, w, 'autocloser_llm_calls_total', { provider: 'playbook', outcome: 'ok' }) >= 2);
    assert.ok(moved(worker0, w, 'autocloser_llm_latency_seconds_count', { provider: 'playbook' }) >= 2);
    assert.ok(moved(worker0, w, 'autocloser_messages_sent_total', { channel: 'webchat', sender: 'bot' }) >= 3);
    assert.ok(moved(worker0, w, 'autocloser_reply_latency_seconds_count', { channel: 'webchat' }) >= 2);
    assert.equal(moved(worker0, w, 'autocloser_payments_total', { provider: 'demo', outcome: 'link_created' }), 1);
    assert.equal(moved(worker0, w, 'autocloser_payments_total', { provider: 'demo', outcome: 'paid' }), 1);
    assert.ok(moved(worker0, w, 'autocloser_revenue_minor_total') > 0);
    assert.equal(moved(worker0, w, 'autocloser_lead_stage_transitions_total', { stage: 'won' }), 1);
    assert.ok(moved(worker0, w, 'autocloser_hand_offs_total') >= 1);
    // No merchant, conversation or order id is ever a label.
    for (const e of [a, w]) {
      for (const s of e.series.filter((x) => x.name.startsWith('autocloser_'))) {
        for (const v of Object.values(s.labels)) assert.ok(![merchant, orderId, buyer, asker].some((id) => v.includes(id)), `${s.name} carries an id: ${v}`);
      }
    }
    // Temporal's own worker metrics ride along: task latencies, pollers, the sticky cache.
    assert.ok(total(w, 'temporal_workflow_task_schedule_to_start_latency_seconds_count') > 0, 'workflow task schedule-to-start');
    assert.ok(total(w, 'temporal_activity_execution_latency_seconds_count') > 0, 'activity execution latency');
    assert.ok(exported(w, 'temporal_sticky_cache_size'), 'sticky cache');
  });

  test('every metric the alert rules and dashboards query is one the API or the worker exports', async () => {
    const served = [await api(), await workerMetrics()];
    const expressions: { where: string; expr: string }[] = [];
    const rules = parseYaml(readFileSync(path.join(monitoring, 'alerts.yml'), 'utf8')) as { groups: { rules: { alert?: string; record?: string; expr: string }[] }[] };
    for (const g of rules.groups) for (const r of g.rules) expressions.push({ where: `alerts.yml ${r.alert ?? r.record}`, expr: r.expr });
    const recorded = new Set(rules.groups.flatMap((g) => g.rules.map((r) => r.record).filter((x): x is string => Boolean(x))));
    const dashboards = path.join(monitoring, 'dashboards');
    for (const file of readdirSync(dashboards).filter((f) => f.endsWith('.json'))) {
      const walk = (node: unknown): void => {
        if (Array.isArray(node)) node.forEach(walk);
        else if (node && typeof node === 'object') {
          for (const [k, v] of Object.entries(node)) {
            if ((k === 'expr' || k === 'query') && typeof v === 'string') expressions.push({ where: file, expr: v });
            else walk(v);
          }
        }
      };
      walk(JSON.parse(readFileSync(path.join(dashboards, file), 'utf8')));
    }
    assert.ok(expressions.length > 20, `found only ${expressions.length} expressions`);
    const missing: string[] = [];
    for (const { where, expr } of expressions) {
      // Metric names: identifiers of our families, outside label matchers and strings.
      const bare = expr.replace(/\{[^}]*\}/g, '').replace(/"[^"]*"/g, '');
      for (const name of bare.match(/\b(?:autocloser|temporal|http|process|nodejs|up)_?[a-z0-9_]*\b/g) ?? []) {
        if (name === 'up' || recorded.has(name)) continue;
        if (!served.some((e) => exported(e, name))) missing.push(`${where}: ${name}`);
      }
    }
    assert.deepEqual(missing, [], 'metric names no process exports');
  });
});
