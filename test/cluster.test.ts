/**
 * AutoCloser on a real Temporal cluster: the Temporal server (not the dev
 * server) on Postgres, two API processes and two worker processes, all child
 * processes. Web-chat customers write through both APIs while a worker, an
 * API and the Temporal server are SIGKILLed and restarted in turn; every
 * customer message must be answered exactly once.
 *
 * The customers behave as the widget does: a request that fails because a
 * process is down is sent again, to either replica, with the same client
 * message id, which the API de-duplicates.
 *
 * The first run on a machine builds the Temporal server from the Go module
 * proxy (a few minutes), hence the long `before` timeout.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { WebSocket } from 'ws';
import { repoRoot } from '../config/env';
import { demoCatalog, demoPlaybook } from '../db/demo-data';
import { createDb, type Db } from '../db/knex';
import { upsertProducts } from '../db/queries/catalog';
import { upsertMerchant } from '../db/queries/merchants';
import type { ChatMessage } from '../domain/conversation';
import { startCluster, type Cluster, type ClusterProcess } from '../temporal/cluster';
import { leadWorkflowId, stateQuery } from '../workflows/contract';
import { requireEnv } from './support/stack';

const CONVERSATIONS = 50;
/** Sent one after another, each once the previous one is answered, as a person chats. */
const SCRIPT = ['Hi there', 'Do you have sleeping bags?', 'How much is the 2-person tent?'];
/** Customers chatting at the same time. */
const CONCURRENCY = 10;
/** How long each killed process stays down before it is started again. */
const DOWN_MS = 2_000;

const sessionId = () => `c_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
const bots = (messages: ChatMessage[]) => messages.filter((m) => m.from === 'bot');

/** The widget's client: any replica, retried through connection errors and 5xx until accepted. */
class Customer {
  retries = 0;
  constructor(
    private readonly apiUrls: string[],
    private readonly merchant: string,
    readonly session: string,
    private turn = 0,
  ) {}

  private nextUrl(): string {
    return this.apiUrls[this.turn++ % this.apiUrls.length]!;
  }

  async say(text: string, clientMessageId: string, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const res = await fetch(`${this.nextUrl()}/api/webchat/${this.merchant}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ sessionId: this.session, text, clientMessageId }),
          signal: AbortSignal.timeout(10_000),
        });
        if (res.status === 202) return;
        // Anything but a server-side failure or a rate limit (which the widget also waits out) is a bug, not an outage.
        if (res.status < 500 && res.status !== 429) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
      } catch (err) {
        if (err instanceof Error && err.message.startsWith('POST answered')) throw err;
      }
      this.retries++;
      if (Date.now() > deadline) throw new Error(`${this.session}: "${text}" was not accepted within ${timeoutMs / 1000} s`);
      await sleep(250);
    }
  }

  /** Polls the transcript (through either replica) until it has `n` bot replies. */
  async waitForReplies(n: number, timeoutMs = 120_000): Promise<ChatMessage[]> {
    const deadline = Date.now() + timeoutMs;
    let last: ChatMessage[] = [];
    for (;;) {
      try {
        const res = await fetch(`${this.nextUrl()}/api/webchat/${this.merchant}/sessions/${this.session}/messages`, { signal: AbortSignal.timeout(5_000) });
        if (res.ok) last = (await res.json()) as ChatMessage[];
      } catch {
        // a replica is down: the next poll goes to the other
      }
      if (bots(last).length >= n) return last;
      if (Date.now() > deadline) throw new Error(`${this.session}: ${bots(last).length} of ${n} replies after ${timeoutMs / 1000} s: ${JSON.stringify(last).slice(0, 1500)}`);
      await sleep(300);
    }
  }
}

interface KillFigure {
  process: string;
  /** From SIGKILL until the restarted process served again. */
  downMs: number;
  /** From SIGKILL until a customer who wrote at that moment had the answer. */
  answeredMs: number;
}

describe('a real Temporal cluster (server on Postgres, 2 APIs, 2 workers) losing one process at a time', () => {
  let cluster: Cluster;
  let clusterDir: string;
  let db: Db;
  let client: Client;
  let merchant: string;

  before(
    async () => {
      const databaseUrl = requireEnv('TEST_DATABASE_URL');
      const runId = `${process.pid}_${randomUUID().slice(0, 6)}`;
      clusterDir = path.join(repoRoot, '.data', `cluster-test-${runId}`);
      cluster = await startCluster({
        dir: clusterDir,
        databaseUrl,
        temporalDatabasePrefix: `temporal_${runId}`,
        taskQueue: `cluster-${runId}`,
        ui: true,
        // Every simulated customer calls from one address.
        appEnv: { WEBCHAT_RATE_LIMIT_PER_MINUTE: '1000000', LOG_LEVEL: 'info' },
        log: (m) => process.stdout.write(`[cluster] ${m}\n`),
      });
      db = createDb(databaseUrl, { max: 4 });
      merchant = `m-${randomUUID().slice(0, 8)}`;
      await upsertMerchant(db, { id: merchant, name: `Cluster merchant ${merchant}` }, demoPlaybook);
      await upsertProducts(db, merchant, demoCatalog);
      client = new Client({ connection: await Connection.connect({ address: cluster.temporalAddress }), namespace: cluster.namespace });
    },
    { timeout: 40 * 60_000 },
  );
  after(async () => {
    await client?.connection.close();
    await db?.destroy();
    await cluster?.stop();
    if (clusterDir) await rm(clusterDir, { recursive: true, force: true });
  });

  test('a web-chat socket on API replica 1 receives the reply to a message posted through API replica 2', { timeout: 120_000 }, async () => {
    const [api1, api2] = cluster.apiUrls as [string, string];
    const session = sessionId();
    const frames: ChatMessage[] = [];
    const ws = new WebSocket(`${api1.replace('http', 'ws')}/api/webchat/${merchant}/sessions/${session}/ws`);
    ws.on('message', (data) => frames.push((JSON.parse(String(data)) as { message: ChatMessage }).message));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    try {
      const res = await fetch(`${api2}/api/webchat/${merchant}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sessionId: session, text: 'Hello, do you have sleeping bags?', clientMessageId: 'cross-1' }),
      });
      assert.equal(res.status, 202);
      const deadline = Date.now() + 60_000;
      while (!frames.some((m) => m.from === 'bot') && Date.now() < deadline) await sleep(100);
      assert.deepEqual(
        frames.map((m) => m.from),
        ['customer', 'bot'],
        'the customer message and the worker-written reply both reach the socket held by the other replica',
      );
      assert.equal(frames[0]!.id, 'cross-1');
    } finally {
      ws.close();
    }
  });

  test(`${CONVERSATIONS}+ conversations while a worker, an API and the Temporal server are each killed: every message answered exactly once`, { timeout: 15 * 60_000 }, async () => {
    const started = Date.now();
    const sessions: string[] = [];
    const customers: Customer[] = [];
    let answered = 0;
    let chaosDone = false;

    const converse = async (index: number) => {
      const customer = new Customer(cluster.apiUrls, merchant, sessionId(), index);
      customers.push(customer);
      sessions.push(customer.session);
      for (const [i, text] of SCRIPT.entries()) {
        await customer.say(text, `${customer.session}-${i}`);
        await customer.waitForReplies(i + 1);
        answered++;
      }
    };
    // Customers keep arriving until there have been enough of them and every kill has happened under load.
    let next = 0;
    let failed: unknown = null;
    const runners = Array.from({ length: CONCURRENCY }, async () => {
      try {
        while (!failed && (next < CONVERSATIONS || !chaosDone)) await converse(next++);
      } catch (err) {
        failed ??= err;
        throw err;
      }
    });

    // One kill at a time, each restarted as a supervisor would, each while customers are mid-conversation.
    const figures: KillFigure[] = [];
    const killAndRestart = async (proc: ClusterProcess) => {
      const answeredBefore = answered;
      while (answered < answeredBefore + 15) {
        if (failed) throw new Error('a conversation failed; no more kills');
        await sleep(100);
      }
      const probe = new Customer(cluster.apiUrls, merchant, sessionId());
      const killedAt = Date.now();
      await proc.kill();
      const answeredAt = (async () => {
        await probe.say('Hi there', `${probe.session}-0`, 300_000);
        await probe.waitForReplies(1, 300_000);
        return Date.now();
      })();
      // Down for a while, as under a supervisor's restart back-off, so customers meet the outage.
      await sleep(DOWN_MS);
      await proc.start();
      const downMs = Date.now() - killedAt;
      figures.push({ process: proc.name, downMs, answeredMs: (await answeredAt) - killedAt });
      sessions.push(probe.session);
      customers.push(probe);
    };
    const chaos = (async () => {
      try {
        await killAndRestart(cluster.workers[0]!);
        await killAndRestart(cluster.apis[1]!);
        await killAndRestart(cluster.temporal);
      } finally {
        chaosDone = true;
      }
    })();
    await Promise.all([chaos, ...runners]);
    const loadMs = Date.now() - started;

    // Let any late duplicate surface before counting.
    await sleep(2_000);
    const ids = sessions.map((s) => leadWorkflowId(merchant, 'webchat', s));
    const rows = (await db('messages')
      .select('conversation_id', 'sender')
      .count({ n: '*' })
      .whereIn('conversation_id', ids)
      .groupBy('conversation_id', 'sender')) as unknown as { conversationId: string; sender: string; n: string | number }[];
    const counts = new Map<string, { customer: number; bot: number; human: number }>(ids.map((id) => [id, { customer: 0, bot: 0, human: 0 }]));
    for (const r of rows) counts.get(r.conversationId)![r.sender as 'customer' | 'bot' | 'human'] = Number(r.n);
    let messages = 0;
    let replies = 0;
    let duplicates = 0;
    let lost = 0;
    for (const c of counts.values()) {
      messages += c.customer;
      replies += c.bot;
      duplicates += Math.max(0, c.bot - c.customer);
      lost += Math.max(0, c.customer - c.bot);
    }
    // Every conversation ran its whole script (a failure would have thrown); each probe wrote once.
    const expectedMessages = next * SCRIPT.length + figures.length;

    // Every lead is still listed and queryable: through the Temporal CLI (as support staff would) and the client.
    const cli = requireEnv('TEMPORAL_CLI_PATH');
    const listed = await eventuallyValue(
      async () => {
        const { stdout } = await promisify(execFile)(
          cli,
          ['workflow', 'list', '--address', cluster.temporalAddress, '--namespace', cluster.namespace, '--query', `MerchantId='${merchant}'`, '--limit', '10000', '-o', 'jsonl'],
          { maxBuffer: 32 * 1024 * 1024 },
        );
        return new Set(stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { execution: { workflowId: string } }).execution.workflowId));
      },
      (set) => ids.every((id) => set.has(id)),
      30_000,
    );
    const cliQueried = JSON.parse(
      (
        await promisify(execFile)(cli, ['workflow', 'query', '--address', cluster.temporalAddress, '--namespace', cluster.namespace, '--workflow-id', ids[0]!, '--type', 'state', '-o', 'json'])
      ).stdout,
    ) as { queryResult: { turns: number }[] };
    const states = await Promise.all(ids.map((id) => client.workflow.getHandle(id).query(stateQuery)));
    // And through the Temporal UI's own API, which its workflow list page calls.
    const uiListed = new Set<string>();
    for (let token = ''; ; ) {
      const query = new URLSearchParams({ query: `MerchantId='${merchant}'`, pageSize: '1000', ...(token ? { nextPageToken: token } : {}) });
      const res = await fetch(`${cluster.uiUrl}/api/v1/namespaces/${cluster.namespace}/workflows?${query}`);
      assert.equal(res.status, 200, `the Temporal UI lists workflows: ${res.status}`);
      const page = (await res.json()) as { executions?: { execution: { workflowId: string } }[]; nextPageToken?: string };
      for (const e of page.executions ?? []) uiListed.add(e.execution.workflowId);
      if (!page.nextPageToken) break;
      token = page.nextPageToken;
    }

    const retries = customers.reduce((sum, c) => sum + c.retries, 0);
    process.stdout.write(
      [
        '',
        `cluster run: ${ids.length} conversations, ${messages} customer messages, ${replies} bot replies, ${duplicates} duplicated, ${lost} lost, ` +
          `${retries} client retries, ${(loadMs / 1000).toFixed(1)} s under load`,
        ...figures.map((f) => `  killed ${f.process.padEnd(9)} back in ${(f.downMs / 1000).toFixed(1)} s; a customer writing at the kill answered after ${(f.answeredMs / 1000).toFixed(1)} s`),
        `  Temporal CLI listed ${ids.filter((id) => listed.has(id)).length}/${ids.length} leads, the Temporal UI ${ids.filter((id) => uiListed.has(id)).length}/${ids.length}; queries answered for ${states.length}/${ids.length}`,
        '',
      ].join('\n'),
    );

    assert.ok(ids.length >= CONVERSATIONS, `at least ${CONVERSATIONS} conversations`);
    assert.deepEqual(figures.map((f) => f.process), ['worker-1', 'api-2', 'temporal']);
    assert.equal(messages, expectedMessages, 'every customer message stored once');
    assert.equal(lost, 0, 'no customer message unanswered');
    assert.equal(duplicates, 0, 'no reply duplicated');
    for (const [id, c] of counts) assert.equal(c.bot, c.customer, `${id}: one reply per customer message`);
    for (const [i, s] of states.entries()) {
      const c = counts.get(ids[i]!)!;
      assert.equal(s.mode, 'bot', `${ids[i]} still with the bot`);
      assert.equal(s.turns, c.customer, `${ids[i]}: one turn per customer message`);
    }
    assert.equal(cliQueried.queryResult[0]!.turns, counts.get(ids[0]!)!.customer);
    assert.deepEqual(ids.filter((id) => !listed.has(id)), [], 'every lead listed by the Temporal CLI');
    assert.deepEqual(ids.filter((id) => !uiListed.has(id)), [], 'every lead listed by the Temporal UI');
    assert.deepEqual(cluster.unexpectedExits(), [], 'no process died that was not killed');
  });
});

async function eventuallyValue<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > deadline) return v;
    await sleep(500);
  }
}
