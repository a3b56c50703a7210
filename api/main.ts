// First: tracing and error tracking must be running before anything loads http, express or pg.
import '../observability/start-api';
import { codecCorsOrigins, ConfigError, devSecret, loadEnv, productionWarnings, secretBox } from '../config/env';
import { createLogger } from '../config/logger';
import { createDb } from '../db/knex';
import { assertSchemaCurrent, SchemaBehindError } from '../db/migrate';
import { iyzicoAccountsFromEnv, paymentRegistryFromEnv, payuAccountsFromEnv, stripeConnectFromEnv } from '../integrations/payments/from-env';
import { describeRoutes } from '../integrations/payments/registry';
import { createIyzicoBilling } from '../integrations/billing/iyzico-billing';
import { createStripeBilling } from '../integrations/billing/stripe-billing';
import { createAccessTokens } from './auth/tokens';
import { mailerFromEnv } from '../integrations/email/mailer';
import { pushSendersFromEnv } from '../integrations/push/from-env';
import { failInterruptedImports } from '../db/queries/product-imports';
import { startApi } from './server';
import { connectTemporal, payloadCodec } from './temporal-client';
import { observabilitySummary, reportFatal, stopObservability } from '../observability/telemetry';

const log = createLogger('api');

async function main(): Promise<void> {
  const env = loadEnv();
  if (!env.DATABASE_URL) throw new ConfigError('DATABASE_URL is required for the API (npm start sets it for the embedded database)');
  const db = createDb(env.DATABASE_URL);
  await assertSchemaCurrent(db).catch(async (err: unknown) => {
    await db.destroy();
    throw err;
  });
  const temporal = await connectTemporal(env);
  const demoPaymentSecret = env.DEMO_PAYMENT_SECRET ?? devSecret();
  // Only imports older than any real one: another replica may be running a fresh import right now.
  await failInterruptedImports(db, { olderThanMs: 10 * 60_000 });
  const mailer = mailerFromEnv(env);
  if (!mailer) log.warn('SMTP_URL is not set: password reset, verification and invitation emails are off');
  // Built only to check the settings and say which platforms are on; the worker does the sending.
  const push = pushSendersFromEnv(env);
  await push.close();
  log.info(push.summary);
  const payments = paymentRegistryFromEnv(env, db, secretBox(env), demoPaymentSecret);
  log.info({ routes: describeRoutes(payments, env.PAYMENT_ROUTES) }, 'payment providers by currency');
  const stripeConnect = stripeConnectFromEnv(env);
  if (stripeConnect) {
    log.info({ accountType: stripeConnect.accountType }, 'Stripe Connect: merchants can connect their own Stripe accounts');
    // Without the Connect endpoint a payment on a connected account is only noticed when its checkout expires and re-checks.
    if (!stripeConnect.parseWebhook) log.warn('STRIPE_CONNECT_WEBHOOK_SECRET is not set: events of connected accounts (payments, refunds, disputes, account updates) are refused');
  }
  const api = await startApi({
    db,
    temporal,
    log,
    databaseUrl: env.DATABASE_URL,
    port: env.PORT,
    metrics: { token: env.METRICS_TOKEN, production: env.NODE_ENV === 'production', unansweredAfterSeconds: env.METRICS_UNANSWERED_AFTER_SECONDS },
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    adminToken: env.ADMIN_TOKEN ?? devSecret(),
    tokens: createAccessTokens(env.JWT_SECRET ?? devSecret()),
    corsOrigins: env.CORS_ORIGINS,
    authRateLimitPerMinute: env.AUTH_RATE_LIMIT_PER_MINUTE,
    webchatRateLimitPerMinute: env.WEBCHAT_RATE_LIMIT_PER_MINUTE,
    apiRateLimitPerMinute: env.API_RATE_LIMIT_PER_MINUTE,
    webhookRateLimitPerMinute: env.WEBHOOK_RATE_LIMIT_PER_MINUTE,
    platformRateLimitPerMinute: env.PLATFORM_RATE_LIMIT_PER_MINUTE,
    demoPaymentSecret,
    payments,
    stripeConnect,
    iyzicoAccounts: iyzicoAccountsFromEnv(env),
    payuAccounts: payuAccountsFromEnv(env),
    trustProxy: env.TRUST_PROXY,
    box: secretBox(env),
    codec: {
      codec: payloadCodec(env),
      namespace: env.TEMPORAL_NAMESPACE,
      codecToken: env.CODEC_AUTH_TOKEN,
      corsOrigins: codecCorsOrigins(env),
      trustLocalUi: env.CODEC_TRUST_LOCAL_UI,
    },
    publicBaseUrl: env.PUBLIC_BASE_URL,
    meta: { appSecret: env.META_APP_SECRET, verifyToken: env.META_VERIFY_TOKEN },
    providerUrls: { graphBaseUrl: env.META_GRAPH_BASE_URL },
    mailer,
    push: {
      webPushPublicKey: push.senders.web ? (env.VAPID_PUBLIC_KEY ?? null) : null,
      platforms: { android: Boolean(push.senders.android), ios: Boolean(push.senders.ios), web: Boolean(push.senders.web) },
    },
    billing:
      env.STRIPE_SECRET_KEY && env.STRIPE_BILLING_WEBHOOK_SECRET
        ? createStripeBilling({ secretKey: env.STRIPE_SECRET_KEY, webhookSecret: env.STRIPE_BILLING_WEBHOOK_SECRET })
        : undefined,
    iyzicoBilling:
      env.IYZICO_API_KEY && env.IYZICO_SECRET_KEY && env.IYZICO_MERCHANT_ID
        ? createIyzicoBilling({
            apiKey: env.IYZICO_API_KEY,
            secretKey: env.IYZICO_SECRET_KEY,
            baseUrl: env.IYZICO_BASE_URL,
            iyzicoMerchantId: env.IYZICO_MERCHANT_ID,
            callbackUrl: `${env.PUBLIC_BASE_URL.replace(/\/$/, '')}/billing/iyzico/callback`,
          })
        : undefined,
  });
  log.info({ port: env.PORT }, 'api listening');
  log.info(observabilitySummary());
  if (env.NODE_ENV === 'production' && !env.METRICS_TOKEN) log.warn('METRICS_TOKEN is not set: /metrics refuses every request in production');
  for (const warning of productionWarnings(env)) log.warn(warning);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const graceMs = env.SHUTDOWN_TIMEOUT_SECONDS * 1000;
    // Whatever hangs (a stuck query, an unanswered close handshake), the process still ends in bounded time.
    setTimeout(() => {
      log.error({ graceMs }, 'shutdown timed out; exiting');
      process.exit(1);
    }, graceMs + 5_000).unref();
    log.info({ signal, graceMs }, 'api draining');
    await api.close({ graceMs });
    mailer?.close();
    await temporal.connection.close();
    await db.destroy();
    await stopObservability();
    log.info('api stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  if (err instanceof SchemaBehindError) {
    log.fatal(err.message);
    process.exit(1);
  }
  log.fatal({ err: err instanceof ConfigError ? err.message : err }, 'api failed');
  if (err instanceof ConfigError) process.exit(1);
  void reportFatal(err).finally(() => process.exit(1));
});
