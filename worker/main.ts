// First: tracing and error tracking must be running before anything loads http or pg.
import '../observability/start-worker';
import { DefaultLogger, NativeConnection, Runtime, makeTelemetryFilterString, type LogLevel } from '@temporalio/worker';
import path from 'node:path';
import { createWebchatChannel } from '../activities/channels/webchat';
import { createPlaybookCache } from '../db/playbook-cache';
import { s3Put } from '../integrations/media/s3-put';
import { mediaStoreFromEnv } from '../integrations/media/store';
import { createWhatsAppChannel } from '../activities/channels/whatsapp';
import { whatsAppClientFactory } from '../integrations/channels/whatsapp-clients';
import { ConfigError, loadEnv, payloadKeys, productionWarnings, secretBox } from '../config/env';
import { createLogger } from '../config/logger';
import { temporalConnectionOptions } from '../config/temporal';
import { payloadDataConverter } from '../temporal/payload-codec';
import { createDb } from '../db/knex';
import { assertSchemaCurrent, SchemaBehindError } from '../db/migrate';
import { createLlmChain } from '../integrations/llm/chain';
import { createWorker } from './create-worker';
import { frontendProbe, startWorkerHealth } from './health';
import { temporalMetricsExporter } from '../observability/temporal-metrics';
import { startWorkerMetrics } from '../observability/worker-metrics';
import { paymentRegistryFromEnv } from '../integrations/payments/from-env';
import { describeRoutes } from '../integrations/payments/registry';
import { pushSendersFromEnv } from '../integrations/push/from-env';
import { mailerFromEnv } from '../integrations/email/mailer';
import { observabilitySummary, reportFatal, stopObservability } from '../observability/telemetry';

const log = createLogger('worker');

async function main(): Promise<void> {
  const env = loadEnv();
  if (!env.DATABASE_URL) throw new ConfigError('DATABASE_URL is required for the worker (npm start sets it for the embedded database)');
  // SDK and workflow logs go through the same pino logger as everything else.
  const sdkLevel = (env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace' ? 'DEBUG' : 'WARN') as LogLevel;
  const temporalMetrics = env.WORKER_METRICS_PORT ? await temporalMetricsExporter() : null;
  Runtime.install({
    logger: new DefaultLogger(sdkLevel, ({ level, message, meta }) => {
      const method = level === 'ERROR' ? 'error' : level === 'WARN' ? 'warn' : level === 'INFO' ? 'info' : 'debug';
      log[method](meta ?? {}, message);
    }),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      ...(temporalMetrics ? { metrics: temporalMetrics.config } : {}),
    },
  });

  const db = createDb(env.DATABASE_URL, { max: 20 });
  await assertSchemaCurrent(db).catch(async (err: unknown) => {
    await db.destroy();
    throw err;
  });
  const connection = await NativeConnection.connect(await temporalConnectionOptions(env));
  const llm = createLlmChain(env, log);
  const playbooks = createPlaybookCache(db, env.DATABASE_URL, (err) => log.warn({ err }, 'playbook cache listener lost; reading playbooks from the database until it is back'));
  const push = pushSendersFromEnv(env);
  const mailer = mailerFromEnv(env);
  const payments = paymentRegistryFromEnv(env, db, secretBox(env));
  log.info({ routes: describeRoutes(payments, env.PAYMENT_ROUTES) }, 'payment providers by currency');
  const worker = await createWorker({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    deps: {
      db,
      llm,
      playbooks,
      channels: {
        webchat: createWebchatChannel(db),
        whatsapp: createWhatsAppChannel({
          db,
          box: secretBox(env),
          clientFor: whatsAppClientFactory({ publicBaseUrl: env.PUBLIC_BASE_URL, graphBaseUrl: env.META_GRAPH_BASE_URL }),
        }),
      },
      payments,
      publicBaseUrl: env.PUBLIC_BASE_URL,
      enforceQuota: env.BILLING_ENFORCE_QUOTA,
      checkoutTtlMs: env.CHECKOUT_EXPIRY_MINUTES * 60_000,
      push: push.senders,
      mailer,
      // Shipping addresses on orders are customer data, sealed like phone numbers.
      box: secretBox(env),
      media: {
        box: secretBox(env),
        fetch: {
          store: mediaStoreFromEnv({ ...env, MEDIA_DIR: env.MEDIA_DIR ?? path.join(env.DATA_DIR, 'media') }, s3Put),
          maxBytes: env.MEDIA_MAX_BYTES,
          graphBaseUrl: env.META_GRAPH_BASE_URL,
        },
      },
    },
    // Encrypts what workflows and activities write to history (PAYLOAD_KEYS); plain payloads of older history still decode.
    overrides: { maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS, dataConverter: payloadDataConverter(payloadKeys(env)) },
  });
  log.info(`${push.summary}; email ${mailer ? 'on' : 'off (SMTP_URL)'}`);
  log.info(observabilitySummary());
  for (const warning of productionWarnings(env)) log.warn(warning);
  log.info({ taskQueue: env.TEMPORAL_TASK_QUEUE, agent: llm.name }, 'worker ready');
  // Runtime turns SIGINT/SIGTERM into a graceful shutdown; run() resolves once in-flight work is done.
  const running = worker.run();
  const health = env.WORKER_HEALTH_PORT
    ? await startWorkerHealth({ port: env.WORKER_HEALTH_PORT, status: () => worker.getStatus(), probeTemporal: frontendProbe(connection) })
    : null;
  if (health) log.info({ port: health.port }, 'worker health endpoint listening');
  const metricsServer = await startWorkerMetrics(env, temporalMetrics?.scrape ?? null, log);
  try {
    await running;
  } finally {
    await health?.close();
    await metricsServer?.close();
  }
  await push.close();
  mailer?.close();
  await connection.close();
  await playbooks.close();
  await db.destroy();
  await stopObservability();
  log.info('worker stopped');
}

main().catch((err) => {
  if (err instanceof SchemaBehindError) {
    log.fatal(err.message);
    process.exit(1);
  }
  log.fatal({ err: err instanceof ConfigError ? err.message : err }, 'worker failed');
  if (err instanceof ConfigError) process.exit(1);
  void reportFatal(err).finally(() => process.exit(1));
});
