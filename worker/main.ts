import { DefaultLogger, NativeConnection, Runtime, makeTelemetryFilterString, type LogLevel } from '@temporalio/worker';
import path from 'node:path';
import { createWebchatChannel } from '../activities/channels/webchat';
import { s3Put } from '../integrations/media/s3-put';
import { mediaStoreFromEnv } from '../integrations/media/store';
import { createWhatsAppChannel } from '../activities/channels/whatsapp';
import { whatsAppClientFactory } from '../integrations/channels/whatsapp-clients';
import { ConfigError, loadEnv, secretBox } from '../config/env';
import { createLogger } from '../config/logger';
import { temporalConnectionOptions } from '../config/temporal';
import { createDb } from '../db/knex';
import { assertSchemaCurrent, SchemaBehindError } from '../db/migrate';
import { createLlmChain } from '../integrations/llm/chain';
import { createWorker } from './create-worker';
import { startWorkerHealth } from './health';
import { paymentRegistryFromEnv } from '../integrations/payments/from-env';
import { pushSendersFromEnv } from '../integrations/push/from-env';
import { mailerFromEnv } from '../integrations/email/mailer';

const log = createLogger('worker');

async function main(): Promise<void> {
  const env = loadEnv();
  if (!env.DATABASE_URL) throw new ConfigError('DATABASE_URL is required for the worker (npm start sets it for the embedded database)');
  // SDK and workflow logs go through the same pino logger as everything else.
  const sdkLevel = (env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace' ? 'DEBUG' : 'WARN') as LogLevel;
  Runtime.install({
    logger: new DefaultLogger(sdkLevel, ({ level, message, meta }) => {
      const method = level === 'ERROR' ? 'error' : level === 'WARN' ? 'warn' : level === 'INFO' ? 'info' : 'debug';
      log[method](meta ?? {}, message);
    }),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
  });

  const db = createDb(env.DATABASE_URL, { max: 20 });
  await assertSchemaCurrent(db).catch(async (err: unknown) => {
    await db.destroy();
    throw err;
  });
  const connection = await NativeConnection.connect(await temporalConnectionOptions(env));
  const llm = createLlmChain(env, log);
  const push = pushSendersFromEnv(env);
  const mailer = mailerFromEnv(env);
  const worker = await createWorker({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    deps: {
      db,
      llm,
      channels: {
        webchat: createWebchatChannel(db),
        whatsapp: createWhatsAppChannel({
          db,
          box: secretBox(env),
          clientFor: whatsAppClientFactory({ publicBaseUrl: env.PUBLIC_BASE_URL, graphBaseUrl: env.META_GRAPH_BASE_URL }),
        }),
      },
      payments: paymentRegistryFromEnv(env, db),
      publicBaseUrl: env.PUBLIC_BASE_URL,
      enforceQuota: env.BILLING_ENFORCE_QUOTA,
      checkoutTtlMs: env.CHECKOUT_EXPIRY_MINUTES * 60_000,
      push: push.senders,
      mailer,
      media: {
        box: secretBox(env),
        fetch: {
          store: mediaStoreFromEnv({ ...env, MEDIA_DIR: env.MEDIA_DIR ?? path.join(env.DATA_DIR, 'media') }, s3Put),
          maxBytes: env.MEDIA_MAX_BYTES,
          graphBaseUrl: env.META_GRAPH_BASE_URL,
        },
      },
    },
    overrides: { maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS },
  });
  log.info(`${push.summary}; email ${mailer ? 'on' : 'off (SMTP_URL)'}`);
  log.info({ taskQueue: env.TEMPORAL_TASK_QUEUE, agent: llm.name }, 'worker ready');
  // Runtime turns SIGINT/SIGTERM into a graceful shutdown; run() resolves once in-flight work is done.
  const running = worker.run();
  const health = env.WORKER_HEALTH_PORT ? await startWorkerHealth({ port: env.WORKER_HEALTH_PORT, state: () => worker.getState() }) : null;
  if (health) log.info({ port: health.port }, 'worker health endpoint listening');
  try {
    await running;
  } finally {
    await health?.close();
  }
  await push.close();
  mailer?.close();
  await connection.close();
  await db.destroy();
  log.info('worker stopped');
}

main().catch((err) => {
  if (err instanceof SchemaBehindError) {
    log.fatal(err.message);
    process.exit(1);
  }
  log.fatal({ err: err instanceof ConfigError ? err.message : err }, 'worker failed');
  process.exit(1);
});
