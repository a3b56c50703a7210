/**
 * The stack the bench measures, built in this process the way the production
 * processes build it: the API (own pool of 10, as api/main.ts) and a worker
 * made by createWorker (own pool of 20, as worker/main.ts) with the offline
 * playbook agent and the web-chat channel, against the given Postgres and
 * Temporal. Unlike the test stack there is no rate limit on the chat endpoint:
 * every bench request comes from 127.0.0.1.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { createAccessTokens } from '../../api/auth/tokens';
import { startApi } from '../../api/server';
import { createWebchatChannel } from '../../activities/channels/webchat';
import type { Channel } from '../../integrations/channels/channel';
import { createPlaybookProvider } from '../../integrations/llm/playbook';
import type { LlmProvider } from '../../integrations/llm/provider';
import { createDemoPaymentProvider } from '../../integrations/payments/demo';
import { createPaymentRegistry } from '../../integrations/payments/registry';
import { newMasterKey, SecretBox } from '../../config/secrets';
import { createLogger } from '../../config/logger';
import { demoCatalog, demoPlaybook } from '../../db/demo-data';
import { createDb, type Db } from '../../db/knex';
import { upsertProducts } from '../../db/queries/catalog';
import { upsertMerchant } from '../../db/queries/merchants';
import { createWorker, workflowsPath } from '../../worker/create-worker';

const silent = { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} } as never;

export interface BenchStack {
  /** The worker's pool; the baseline uses it too, so both sides get the same 20 connections. */
  db: Db;
  apiUrl: string;
  /** The API's Temporal client, for reading histories. */
  temporal: Client;
  worker: Worker;
  llm: LlmProvider;
  webchat: Channel;
  createMerchant(): Promise<string>;
  /** Resolves once the worker has no workflow task or activity in flight, so one section's tail does not land in the next. */
  quiesce(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startBenchStack(o: { databaseUrl: string; temporalAddress: string; maxCachedWorkflows?: number }): Promise<BenchStack> {
  Runtime.install({ logger: silent, shutdownSignals: [] });
  const log = createLogger('bench', process.env.LOG_LEVEL ?? 'warn');
  const apiDb = createDb(o.databaseUrl);
  const db = createDb(o.databaseUrl, { max: 20 });
  const connection = await Connection.connect({ address: o.temporalAddress });
  const client = new Client({ connection });
  const taskQueue = `bench-${randomUUID()}`;

  const api = await startApi({
    db: apiDb,
    temporal: client,
    log,
    databaseUrl: o.databaseUrl,
    port: 0,
    host: '127.0.0.1',
    taskQueue,
    adminToken: `admin-${randomUUID()}`,
    tokens: createAccessTokens(`jwt-${randomUUID()}-${randomUUID()}`),
    demoPaymentSecret: `demo-${randomUUID()}`,
    trustProxy: false,
    box: SecretBox.fromBase64(newMasterKey()),
    meta: {},
    payments: createPaymentRegistry([createDemoPaymentProvider(apiDb, 'http://api.invalid')], '*:demo'),
    webchatRateLimitPerMinute: 1_000_000_000,
  });

  const llm = createPlaybookProvider();
  const webchat = createWebchatChannel(db);
  const nativeConnection = await NativeConnection.connect({ address: o.temporalAddress });
  const worker = await createWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    deps: { db, llm, channels: { webchat }, payments: createPaymentRegistry([createDemoPaymentProvider(db, api.url)], '*:demo'),
    publicBaseUrl: api.url, checkoutTtlMs: 60 * 60_000 },
    overrides: {
      workflowBundle: await bundleWorkflowCode({ workflowsPath, logger: silent }),
      workflowsPath: undefined,
      ...(o.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: o.maxCachedWorkflows } : {}),
    },
  });
  const running = worker.run();

  return {
    db,
    apiUrl: api.url,
    temporal: client,
    worker,
    llm,
    webchat,
    async createMerchant() {
      const id = `bench-${randomUUID().slice(0, 8)}`;
      await upsertMerchant(db, { id, name: `Bench merchant ${id}` }, demoPlaybook);
      await upsertProducts(db, id, demoCatalog);
      return id;
    },
    async quiesce(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let idleSince = 0;
      while (Date.now() < deadline) {
        const s = worker.getStatus();
        const idle = s.numInFlightActivities === 0 && s.numInFlightWorkflowActivations === 0;
        if (!idle) idleSince = 0;
        else if (!idleSince) idleSince = Date.now();
        else if (Date.now() - idleSince >= 300) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => {});
      await nativeConnection.close();
      await api.close();
      await connection.close();
      await db.destroy();
      await apiDb.destroy();
    },
  };
}
