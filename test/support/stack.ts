/**
 * A real stack for integration tests: the suite's Postgres and Temporal dev
 * server (started by `npm test`), an in-process worker on its own task queue
 * and the API on a random port. Only the network edge may be faked.
 */
import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, type Worker, type WorkerOptions } from '@temporalio/worker';
import { createWebchatChannel } from '../../activities/channels/webchat';
import { createWhatsAppChannel } from '../../activities/channels/whatsapp';
import { createLocalMediaStore } from '../../integrations/media/store';
import { newMasterKey, SecretBox } from '../../config/secrets';
import { whatsAppClientFactory } from '../../integrations/channels/whatsapp-clients';
import type { LlmProvider } from '../../integrations/llm/provider';
import { createPlaybookProvider } from '../../integrations/llm/playbook';
import { createPlaybookCache } from '../../db/playbook-cache';
import { createDemoPaymentProvider } from '../../integrations/payments/demo';
import type { IyzicoBilling } from '../../integrations/billing/iyzico-billing';
import type { StripeBilling } from '../../integrations/billing/stripe-billing';
import type { StripeConnect } from '../../integrations/payments/stripe-connect';
import type { PaymentProvider } from '../../integrations/payments/provider';
import type { IyzicoAccountsConfig } from '../../integrations/payments/iyzico-accounts';
import type { PayUAccountsConfig } from '../../integrations/payments/payu-accounts';
import { createPaymentRegistry, type AccountProviderFactories } from '../../integrations/payments/registry';
import { createLogger } from '../../config/logger';
import { demoCatalog, demoPlaybook } from '../../db/demo-data';
import { createDb, type Db } from '../../db/knex';
import { upsertProducts } from '../../db/queries/catalog';
import { upsertMerchant } from '../../db/queries/merchants';
import type { Playbook } from '../../domain/playbook';
import { startApi } from '../../api/server';
import { createAccessTokens, type AccessTokens } from '../../api/auth/tokens';
import { insertUser } from '../../db/queries/users';
import type { Role } from '../../domain/roles';
import { createWorker } from '../../worker/create-worker';
import { workflowBundle } from './workflow-bundle';
import { newPayloadKey, parsePayloadKeys, payloadDataConverter } from '../../temporal/payload-codec';
import type { PushConfig } from '../../api/merchant/deps';
import type { PushPlatform, PushSender } from '../../integrations/push/sender';
import { createSmtpMailer, type Mailer } from '../../integrations/email/mailer';
import { startMailpit, type RunningMailpit } from '../../tools/mailpit';

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suites through "npm test"`);
  return value;
}

let runtimeInstalled = false;
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} } as never, shutdownSignals: [] });
}

/** A loopback port nothing listens on (the discard port needs root to bind and no test does). */
const NO_PROVIDER = 'http://127.0.0.1:9';

export interface StackOptions {
  llm?: LlmProvider;
  checkoutTtlMs?: number;
  workerOverrides?: Partial<WorkerOptions>;
  /** Skip the in-process worker (a test runs its own, e.g. as a child process). */
  noWorker?: boolean;
  /** Real payment providers pointed at local peers, and the routes between them (default: demo for everything). */
  paymentProviders?: PaymentProvider[];
  paymentRoutes?: string;
  /** `false`: no demo checkout, as in production without DEMO_PAYMENTS=true. */
  demoPayments?: boolean;
  /** Merchants' own payment accounts: how to build each provider's, and whether only they may take payments. */
  paymentAccounts?: { factories: AccountProviderFactories; marketplace?: boolean };
  /** Stripe Connect onboarding and the Connect endpoint (pointed at stripe-mock). */
  stripeConnect?: StripeConnect;
  /** Connecting merchants' iyzico accounts and own PayU POSes (pointed at the local peers). */
  iyzicoAccounts?: IyzicoAccountsConfig;
  payuAccounts?: PayUAccountsConfig;
  /** Enforce plan quotas on new leads (off by default, as in a self-hosted install). */
  enforceQuota?: boolean;
  /** Stripe Billing for the platform's plans (its webhooks are verified with this). */
  billing?: StripeBilling;
  iyzicoBilling?: IyzicoBilling;
  /** Local peers standing in for the WhatsApp providers. */
  graphBaseUrl?: string;
  twilioApiBaseUrl?: string;
  /** Sign-in, sign-up and account-link requests per client address and minute (default 10, as in production). */
  authRateLimitPerMinute?: number;
  /**
   * The other limits, per minute (default 10,000 each: suites share one database and one client address, and
   * only the suites about limits want to reach them).
   */
  rateLimits?: { webchat?: number; api?: number; webhooks?: number; platform?: number };
  /** Run a Mailpit for this suite and send the API's email through it (off by default: email is then off). */
  mailpit?: boolean;
  /**
   * PAYLOAD_KEYS for the stack's client, API and worker: a fresh key by default, as production runs with one;
   * `null` runs without the codec.
   */
  payloadKeys?: string | null;
  /** Another Temporal server or database than the suite's (a throwaway server to stop, a closed port), and a fixed task queue. */
  temporalAddress?: string;
  databaseUrl?: string;
  taskQueue?: string;
  /** Push senders pointed at local peers (the worker sends), and what the API's `/push/config` says about them. */
  push?: { senders: Partial<Record<PushPlatform, PushSender>>; config?: PushConfig };
  /** Who may read the API's /metrics (default: anyone, as in development). */
  metrics?: Parameters<typeof startApi>[0]['metrics'];
}

/** The suite's Meta app: webhook signatures are made with this secret. */
export const META_APP_SECRET = 'test-meta-app-secret';
export const META_VERIFY_TOKEN = 'test-meta-verify-token';
/** The one extra origin the suite's API lets call /api/v1 from a browser. */
export const TRUSTED_ORIGIN = 'http://dashboard.example.test';
/** The Temporal UI's origin, the only one granted CORS on /codec, and the support staff's token for it. */
export const TEMPORAL_UI_ORIGIN = 'http://temporal-ui.example.test';
export const CODEC_TOKEN = 'test-codec-token-0123456789';

export interface Stack {
  db: Db;
  client: Client;
  apiUrl: string;
  taskQueue: string;
  adminToken: string;
  tokens: AccessTokens;
  demoSecret: string;
  box: SecretBox;
  /** Where this stack's worker stores customer attachments. */
  mediaDir: string;
  databaseUrl: string;
  temporalAddress: string;
  /** The PAYLOAD_KEYS this stack encrypts history with (null without the codec), e.g. for a worker in another process. */
  payloadKeys: string | null;
  worker: Worker | null;
  /** The in-process worker's connection (null with `noWorker`). */
  workerConnection: NativeConnection | null;
  /** The suite's Mailpit when `mailpit: true`; read what was sent through `mailpitInbox(stack.mailpit.apiUrl)`. */
  mailpit: RunningMailpit | null;
  /** A fresh merchant with the demo catalog, so tests never see each other's conversations. */
  createMerchant(playbook?: Partial<Playbook>): Promise<string>;
  /** A member of the merchant with this role, and a valid access token for them (the sign-in itself is tested in auth.test.ts). */
  member(merchantId: string, role?: Role): Promise<{ userId: string; email: string; token: string; headers: Record<string, string> }>;
  stop(): Promise<void>;
}

/**
 * A stack started before the suite's tests and stopped after them. The object
 * is filled in by the \`before\` hook, so read it inside tests and hooks only.
 */
export function suiteStack(opts: StackOptions = {}): Stack {
  const stack = {} as Stack;
  before(async () => {
    Object.assign(stack, await startStack(opts));
  });
  after(() => stack.stop?.());
  return stack;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  quietRuntime();
  const databaseUrl = opts.databaseUrl ?? requireEnv('TEST_DATABASE_URL');
  const temporalAddress = opts.temporalAddress ?? requireEnv('TEST_TEMPORAL_ADDRESS');
  const log = createLogger('test', process.env.LOG_LEVEL ?? 'warn');
  const db = createDb(databaseUrl, { max: 20 });
  const payloadKeys = opts.payloadKeys === undefined ? `test:${newPayloadKey()}` : opts.payloadKeys;
  const dataConverter = payloadDataConverter(payloadKeys ? parsePayloadKeys(payloadKeys) : undefined);
  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection, dataConverter });
  const taskQueue = opts.taskQueue ?? `test-${randomUUID()}`;
  const adminToken = `admin-${randomUUID()}`;
  const tokens = createAccessTokens(`jwt-${randomUUID()}-${randomUUID()}`);
  const demoSecret = `demo-${randomUUID()}`;
  const box = SecretBox.fromBase64(newMasterKey());
  const mediaDir = await mkdtemp(path.join(os.tmpdir(), 'autocloser-media-'));
  const mailpit = opts.mailpit ? await startMailpit({ smtpPort: 0, uiPort: 0 }) : null;
  const mailer: Mailer | null = mailpit ? createSmtpMailer({ url: mailpit.smtpUrl, from: 'AutoCloser <no-reply@autocloser.test>' }) : null;
  const paymentRegistry = (demo: PaymentProvider) =>
    createPaymentRegistry(
      [...(opts.demoPayments === false ? [] : [demo]), ...(opts.paymentProviders ?? [])],
      opts.paymentRoutes ?? '*:demo',
      opts.paymentAccounts ? { db, box, factories: opts.paymentAccounts.factories, marketplace: opts.paymentAccounts.marketplace ?? false } : undefined,
    );

  // The API listens first so the demo provider's checkout URL can point at it.
  // No test may reach a real provider: without a peer, provider calls go to a closed loopback port and fail fast.
  const graphBaseUrl = opts.graphBaseUrl ?? NO_PROVIDER;
  const twilioApiBaseUrl = opts.twilioApiBaseUrl ?? NO_PROVIDER;
  const api = await startApi({
    db,
    temporal: client,
    log,
    databaseUrl,
    port: 0,
    host: '127.0.0.1',
    taskQueue,
    adminToken,
    tokens,
    demoPaymentSecret: demoSecret,
    trustProxy: false,
    box,
    meta: { appSecret: META_APP_SECRET, verifyToken: META_VERIFY_TOKEN },
    // The API only verifies webhooks and refunds; checkout links are made by the worker's registry below.
    billing: opts.billing,
    iyzicoBilling: opts.iyzicoBilling,
    ...(opts.stripeConnect ? { stripeConnect: opts.stripeConnect } : {}),
    ...(opts.iyzicoAccounts ? { iyzicoAccounts: opts.iyzicoAccounts } : {}),
    ...(opts.payuAccounts ? { payuAccounts: opts.payuAccounts } : {}),
    payments: paymentRegistry(createDemoPaymentProvider(db, 'http://api.invalid', demoSecret)),
    webchatRateLimitPerMinute: opts.rateLimits?.webchat ?? 10_000,
    apiRateLimitPerMinute: opts.rateLimits?.api ?? 10_000,
    webhookRateLimitPerMinute: opts.rateLimits?.webhooks ?? 10_000,
    platformRateLimitPerMinute: opts.rateLimits?.platform ?? 10_000,
    // Suites share one database: each stack counts on its own, as each used to in memory.
    rateLimitNamespace: taskQueue,
    authRateLimitPerMinute: opts.authRateLimitPerMinute,
    corsOrigins: [TRUSTED_ORIGIN],
    codec: { codec: dataConverter?.payloadCodecs?.[0] ?? null, namespace: 'default', codecToken: CODEC_TOKEN, corsOrigins: [TEMPORAL_UI_ORIGIN] },
    providerUrls: { graphBaseUrl, twilioBaseUrls: { content: twilioApiBaseUrl } },
    mailer,
    ...(opts.push?.config ? { push: opts.push.config } : {}),
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
  });
  const publicUrl = api.url;

  let worker: Worker | null = null;
  let running: Promise<void> | null = null;
  let nativeConnection: NativeConnection | null = null;
  const playbooks = opts.noWorker ? null : createPlaybookCache(db, databaseUrl);
  if (!opts.noWorker) {
    nativeConnection = await NativeConnection.connect({ address: temporalAddress });
    worker = await createWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      deps: {
        db,
        llm: opts.llm ?? createPlaybookProvider(),
        ...(playbooks ? { playbooks } : {}),
        channels: {
          webchat: createWebchatChannel(db),
          whatsapp: createWhatsAppChannel({
            db,
            box,
            clientFor: whatsAppClientFactory({ publicBaseUrl: publicUrl, graphBaseUrl, twilioApiBaseUrl }),
          }),
        },
        payments: paymentRegistry(createDemoPaymentProvider(db, publicUrl)),
        publicBaseUrl: publicUrl,
        enforceQuota: opts.enforceQuota ?? false,
        checkoutTtlMs: opts.checkoutTtlMs ?? 60 * 60_000,
        // The worker sends notifications: push through the given senders, email through the suite's Mailpit.
        ...(opts.push ? { push: opts.push.senders } : {}),
        mailer,
        box,
        media: {
          box,
          fetch: { store: createLocalMediaStore(mediaDir), graphBaseUrl, twilioApiBaseUrl },
        },
      },
      overrides: { workflowBundle: await workflowBundle(), workflowsPath: undefined, dataConverter, ...opts.workerOverrides },
    });
    running = worker.run();
  }

  return {
    db,
    client,
    apiUrl: publicUrl,
    taskQueue,
    adminToken,
    tokens,
    demoSecret,
    box,
    mediaDir,
    databaseUrl,
    temporalAddress,
    payloadKeys,
    worker,
    workerConnection: nativeConnection,
    mailpit,
    async createMerchant(playbook = {}) {
      const id = `m-${randomUUID().slice(0, 8)}`;
      await upsertMerchant(db, { id, name: `Test merchant ${id}` }, { ...demoPlaybook, ...playbook });
      await upsertProducts(db, id, demoCatalog);
      return id;
    },
    async member(merchantId, role = 'owner') {
      const email = `${role}-${randomUUID().slice(0, 8)}@${merchantId}.test`;
      // Never used to sign in: these members exist only to carry a role.
      const user = await insertUser(db, { merchantId, email, name: `Test ${role}`, role, locale: 'en', passwordHash: 'x' });
      const { token } = await tokens.sign({ userId: user.id, merchantId, role });
      return { userId: user.id, email, token, headers: { authorization: `Bearer ${token}` } };
    },
    async stop() {
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await running?.catch(() => {});
      await nativeConnection?.close();
      await playbooks?.close();
      await api.close();
      await connection.close();
      mailer?.close();
      await mailpit?.stop();
      await db.destroy();
    },
  };
}
