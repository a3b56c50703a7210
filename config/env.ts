import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parsePayloadKeys, type PayloadKey } from '../temporal/payload-codec';
import { newMasterKey, parseCredentialKeys, SecretBox } from './secrets';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();
/** A key list is checked by the parser that will use it, so the message names the exact problem (never the key). */
const keyListCheck = (parse: (spec: string) => unknown) => (value: string, ctx: z.RefinementCtx) => {
  try {
    parse(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
  }
};
const port = (fallback: number) => z.coerce.number().int().min(1).max(65_535).default(fallback);

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATA_DIR: z.string().default(path.join(repoRoot, '.data')),

    PORT: port(3000),
    PUBLIC_BASE_URL: optionalString.pipe(z.url().optional()),
    ADMIN_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
    /** Signs merchant access tokens (HS256): at least 32 random characters. */
    JWT_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters (openssl rand -base64 32)').optional()),
    /** Extra origins (comma-separated) whose pages may call /api/v1, e.g. a dashboard served elsewhere. */
    CORS_ORIGINS: z
      .string()
      .default('')
      .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean))
      .pipe(z.array(z.url('must be a comma-separated list of origins like https://app.example.com'))),
    AUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(10),
    WEBCHAT_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(60),
    API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
    WEBHOOK_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(6000),
    PLATFORM_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(120),
    TRUST_PROXY: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
    /** How long a stopping API waits for in-flight requests; below Kubernetes' 30 s grace period so it exits on its own. */
    SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(25),

    DATABASE_URL: optionalString.pipe(z.url().optional()),
    EMBEDDED_PG_PORT: port(54329),

    TEMPORAL_ADDRESS: z.string().default('localhost:7233'),
    TEMPORAL_NAMESPACE: z.string().default('default'),
    TEMPORAL_TASK_QUEUE: z.string().default('autocloser'),
    /** Each cached conversation costs about 1 MB of worker memory (see bench/README.md). */
    WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(1000),
    /** The worker's health endpoint (200 while it polls, 503 while it drains); off when unset. */
    WORKER_HEALTH_PORT: optionalString.transform((v) => (v === undefined ? undefined : Number(v))).pipe(z.number().int().min(1).max(65_535).optional()),
    /** The worker's `/metrics` (Temporal SDK and business metrics); off when unset. */
    WORKER_METRICS_PORT: optionalString.transform((v) => (v === undefined ? undefined : Number(v))).pipe(z.number().int().min(1).max(65_535).optional()),
    /** Bearer token `/metrics` requires on the API and the worker; without it metrics are open in development and refused in production. */
    METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
    /** A customer whose message has waited this long for an answer counts in `autocloser_unanswered_customers`. */
    METRICS_UNANSWERED_AFTER_SECONDS: z.coerce.number().int().min(1).default(120),
    TEMPORAL_UI_URL: z.string().default('http://localhost:8233'),
    TEMPORAL_UI_PORT: port(8233),
    TEMPORAL_TLS_CERT_PATH: optionalString,
    TEMPORAL_TLS_KEY_PATH: optionalString,
    TEMPORAL_API_KEY: optionalString,

    LLM_PROVIDERS: optionalString,
    OPENAI_API_KEY: optionalString,
    OPENAI_BASE_URL: optionalString.pipe(z.url().optional()),
    OPENAI_MODEL: z.string().default('gpt-4o-mini'),
    /** Azure OpenAI: `https://<resource>.openai.azure.com`, a deployment, and a key or an Entra ID token. */
    AZURE_OPENAI_ENDPOINT: optionalString.pipe(z.url().optional()),
    AZURE_OPENAI_DEPLOYMENT: optionalString,
    AZURE_OPENAI_API_VERSION: z.string().default('2024-10-21'),
    AZURE_OPENAI_API_KEY: optionalString,
    AZURE_OPENAI_AD_TOKEN: optionalString,
    ANTHROPIC_API_KEY: optionalString,
    ANTHROPIC_BASE_URL: optionalString.pipe(z.url().optional()),
    ANTHROPIC_MODEL: z.string().default('claude-sonnet-4-5'),

    DEMO_PAYMENT_SECRET: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
    /** The demo checkout, where no card is charged: on in development and tests, off in production unless set to true. */
    DEMO_PAYMENTS: z.enum(['true', 'false']).optional(),
    /** A marketplace: customer payments go only to merchants' own accounts (Stripe Connect, iyzico sub-merchants, their own keys). */
    PAYMENTS_MARKETPLACE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
    /** One base64 key, or a rotation list `id:base64,…` whose first key seals (config/secrets.ts, docs/operations.md). */
    CREDENTIALS_KEY: optionalString.pipe(z.string().superRefine(keyListCheck(parseCredentialKeys)).optional()),
    /** Temporal payload encryption keys `id:base64,…`, the first encrypts (temporal/payload-codec.ts); required in production. */
    PAYLOAD_KEYS: optionalString.pipe(z.string().superRefine(keyListCheck(parsePayloadKeys)).optional()),
    /** Bearer token support staff give the codec endpoint (`/codec`) besides ADMIN_TOKEN, e.g. the CLI's --codec-auth. */
    CODEC_AUTH_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
    /** Origins (comma-separated) of Temporal UIs that may call `/codec` from a browser; default: TEMPORAL_UI_URL's origin. */
    CODEC_CORS_ORIGINS: optionalString.pipe(
      z
        .string()
        .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean))
        .pipe(z.array(z.url('must be a comma-separated list of origins like https://temporal.example.com')))
        .optional(),
    ),
    /** Development only (npm start sets it): the local Temporal UI, which cannot send a token, may use /codec from this machine. */
    CODEC_TRUST_LOCAL_UI: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),

    META_APP_SECRET: optionalString,
    META_VERIFY_TOKEN: optionalString,
    META_GRAPH_BASE_URL: z.url().default('https://graph.facebook.com/v21.0'),

    MEDIA_DIR: optionalString,
    MEDIA_MAX_BYTES: z.coerce.number().int().positive().default(16 * 1024 * 1024),
    MEDIA_S3_BUCKET: optionalString,
    MEDIA_S3_REGION: optionalString,
    MEDIA_S3_ENDPOINT: optionalString,
    MEDIA_S3_FORCE_PATH_STYLE: optionalString,
    MEDIA_S3_ACCESS_KEY_ID: optionalString,
    MEDIA_S3_SECRET_ACCESS_KEY: optionalString,
    MEDIA_S3_PREFIX: optionalString,
    CHECKOUT_EXPIRY_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60),
    PAYMENT_ROUTES: z.string().default('TRY:iyzico,stripe;PLN:payu,stripe;CZK:payu,stripe;*:stripe'),
    STRIPE_SECRET_KEY: optionalString,
    STRIPE_WEBHOOK_SECRET: optionalString,
    /** Stripe Connect: merchants connect accounts of this type (on when set, with STRIPE_SECRET_KEY); its events' endpoint secret. */
    STRIPE_CONNECT_ACCOUNT_TYPE: optionalString.pipe(z.enum(['express', 'standard']).optional()),
    STRIPE_CONNECT_WEBHOOK_SECRET: optionalString,
    /** The platform billing its merchants: enforce plan quotas, and Stripe Billing's webhook secret. */
    BILLING_ENFORCE_QUOTA: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
    STRIPE_BILLING_WEBHOOK_SECRET: optionalString,
    IYZICO_API_KEY: optionalString,
    IYZICO_SECRET_KEY: optionalString,
    IYZICO_BASE_URL: z.url().default('https://sandbox-api.iyzipay.com'),
    /** iyzico's id for our account: part of its subscription webhook signature. */
    IYZICO_MERCHANT_ID: optionalString,
    /** iyzico marketplace: approve sub-merchants' items once the payment is verified, or leave that to a person. */
    IYZICO_APPROVE_ITEMS: z.enum(['on_payment', 'manual']).default('on_payment'),
    PAYU_POS_ID: optionalString,
    PAYU_CLIENT_ID: optionalString,
    PAYU_CLIENT_SECRET: optionalString,
    PAYU_SECOND_KEY: optionalString,
    PAYU_BASE_URL: z.url().default('https://secure.snd.payu.com'),

    /** Email (password reset, verification, invitations, alerts): off without it, except that `npm start` in development points it at a local Mailpit. */
    SMTP_URL: optionalString.pipe(
      z
        .string()
        .refine((v) => /^smtps?:\/\/[^\s]+$/.test(v), 'must be smtp://host:port or smtps://user:pass@host:465')
        .optional(),
    ),
    MAIL_FROM: z.string().trim().min(3).default('AutoCloser <no-reply@localhost>'),
    /** Where `npm start` runs Mailpit when SMTP_URL is unset in development (Mailpit's own defaults). */
    MAILPIT_SMTP_PORT: port(1025),
    MAILPIT_UI_PORT: port(8025),

    /** Push notifications: each platform is on when its group is complete (integrations/push/from-env.ts). */
    FCM_SERVICE_ACCOUNT_JSON: optionalString,
    FCM_SERVICE_ACCOUNT_FILE: optionalString,
    FCM_BASE_URL: optionalString.pipe(z.url().optional()),
    APNS_KEY_ID: optionalString,
    APNS_TEAM_ID: optionalString,
    APNS_BUNDLE_ID: optionalString,
    APNS_PRIVATE_KEY: optionalString,
    APNS_PRIVATE_KEY_FILE: optionalString,
    APNS_ENV: optionalString,
    VAPID_PUBLIC_KEY: optionalString,
    VAPID_PRIVATE_KEY: optionalString,
    VAPID_SUBJECT: optionalString,
  })
  .transform((env) => ({
    ...env,
    PUBLIC_BASE_URL: env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`,
  }));

export type Env = z.infer<typeof EnvSchema>;

export class ConfigError extends Error {}

/**
 * Parses the environment once, reporting every bad variable together so an
 * operator fixes them in one go instead of one restart per mistake.
 */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}\nSee .env.example for every setting.`);
  }
  const env = parsed.data;
  if (env.NODE_ENV === 'production') {
    const missing = (['ADMIN_TOKEN', 'CREDENTIALS_KEY', 'JWT_SECRET', ...(demoPaymentsOn(env) ? (['DEMO_PAYMENT_SECRET'] as const) : [])] as const).filter((key) => !env[key]);
    const problems = missing.map((k) => `  ${k}: required in production`);
    if (env.CODEC_TRUST_LOCAL_UI) problems.push('  CODEC_TRUST_LOCAL_UI: not allowed in production (give support staff CODEC_AUTH_TOKEN)');
    if (problems.length) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  return env;
}

/** No play money in production: the demo checkout only runs there when DEMO_PAYMENTS=true says so. */
export function demoPaymentsOn(env: Pick<Env, 'NODE_ENV' | 'DEMO_PAYMENTS'>): boolean {
  return env.DEMO_PAYMENTS ? env.DEMO_PAYMENTS === 'true' : env.NODE_ENV !== 'production';
}

/**
 * What production runs without but should not: logged at every start. An
 * installation that predates PAYLOAD_KEYS keeps starting as it did, and is told.
 */
export function productionWarnings(env: Env): string[] {
  if (env.NODE_ENV !== 'production') return [];
  const warnings: string[] = [];
  if (!env.PAYLOAD_KEYS) warnings.push("PAYLOAD_KEYS is not set: customers' messages and lead profiles are stored in Temporal's history in the clear (docs/operations.md, Encrypted payloads)");
  return warnings;
}

/** Which LLM providers run, in failover order. Without keys: the offline playbook. */
export function llmProviderChain(env: Env): string[] {
  if (env.LLM_PROVIDERS) return env.LLM_PROVIDERS.split(',').map((p) => p.trim()).filter(Boolean);
  const chain: string[] = [];
  if (env.OPENAI_API_KEY) chain.push('openai');
  if (env.AZURE_OPENAI_ENDPOINT && (env.AZURE_OPENAI_API_KEY || env.AZURE_OPENAI_AD_TOKEN)) chain.push('azure');
  if (env.ANTHROPIC_API_KEY) chain.push('anthropic');
  return chain.length ? chain : ['playbook'];
}

/** Dev-only secrets are random per process tree; production must set them explicitly. */
export function devSecret(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * The box that seals credentials and phone numbers. Without CREDENTIALS_KEY
 * (development only; production refuses to start) a process-local key is
 * used, so nothing sealed survives a restart: `npm start` always sets one.
 */
export function secretBox(env: Env): SecretBox {
  return SecretBox.fromBase64(env.CREDENTIALS_KEY ?? newMasterKey());
}

/** Temporal payload encryption keys, first one encrypting; none (payloads in the clear) when PAYLOAD_KEYS is unset, which production refuses. */
export function payloadKeys(env: Env): PayloadKey[] | undefined {
  return env.PAYLOAD_KEYS ? parsePayloadKeys(env.PAYLOAD_KEYS) : undefined;
}

/** Where a Temporal UI may call the codec endpoint from: CODEC_CORS_ORIGINS, or the origin of TEMPORAL_UI_URL. */
export function codecCorsOrigins(env: Env): string[] {
  if (env.CODEC_CORS_ORIGINS) return env.CODEC_CORS_ORIGINS;
  return URL.canParse(env.TEMPORAL_UI_URL) ? [new URL(env.TEMPORAL_UI_URL).origin] : [];
}
