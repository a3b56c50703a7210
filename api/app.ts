import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import express from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { Db } from '../db/knex';
import { checkReadiness } from './readiness';
import { codecRoutes, type CodecDeps } from './routes/codec';
import { errorHandler, unknownRoute } from './errors';
import { createMetrics } from './metrics';
import { metricsAccess } from '../observability/metrics-access';
import { keepServerError, observeRequests } from '../observability/http';
import type { SecretBox } from '../config/secrets';
import { whatsAppWebhookRoutes } from './routes/whatsapp-webhooks';
import type { IyzicoBilling } from '../integrations/billing/iyzico-billing';
import type { StripeBilling } from '../integrations/billing/stripe-billing';
import type { PaymentRegistry } from '../integrations/payments/registry';
import { iyzicoBillingWebhooks } from './routes/billing-iyzico';
import { stripeBillingWebhooks } from './routes/billing-stripe';
import { demoPaymentRoutes } from './routes/demo-payments';
import { shippingAddressRoutes } from './routes/shipping-address';
import { paymentWebhookRoutes } from './routes/payments';
import { stripeConnectRoutes } from './routes/stripe-connect';
import type { StripeConnect } from '../integrations/payments/stripe-connect';
import { platformRoutes } from './routes/platform';
import { webchatRoutes } from './routes/webchat';
import { clientAddress, rateLimit } from './rate-limit';
import cors from 'cors';
import { existsSync } from 'node:fs';
import { repoRoot } from '../config/env';
import type { AccessTokens } from './auth/tokens';
import type { Mailer } from '../integrations/email/mailer';
import { merchantApi } from './merchant';
import type { IyzicoAccountsConfig } from '../integrations/payments/iyzico-accounts';
import type { PayUAccountsConfig } from '../integrations/payments/payu-accounts';
import type { PushConfig } from './merchant/deps';
import { startNotificationDelivery } from './notification-delivery';

const publicDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'public');
export const dashboardDist = path.join(repoRoot, 'dashboard', 'dist');
/** The phone app's web build (mobile/), also installable as a PWA. */
export const mobileDist = path.join(repoRoot, 'mobile', 'dist', 'web');

export interface AppDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  /** The installation operator's token for /api/platform (plans by hand, invoices). */
  adminToken: string;
  /** Signs and verifies merchant access tokens. */
  tokens: AccessTokens;
  /** Origins allowed to call /api/v1 from a browser with credentials; same-origin always works. */
  corsOrigins?: string[];
  /** Per client address and email, on sign-in, sign-up, refresh and invite acceptance. */
  authRateLimitPerMinute?: number;
  demoPaymentSecret: string;
  trustProxy: boolean;
  webchatRateLimitPerMinute?: number;
  /** Per signed-in member (per address without a valid access token) on the rest of /api/v1. */
  apiRateLimitPerMinute?: number;
  /** Per source address on provider webhooks, payment callbacks and the demo payment pages. */
  webhookRateLimitPerMinute?: number;
  /** Per address on /api/platform. */
  platformRateLimitPerMinute?: number;
  /** Counts apart from other apps on the same database; replicas of one installation must share it (the default: none). */
  rateLimitNamespace?: string;
  log: Logger;
  box: SecretBox;
  /** The URL providers call us at; without it, the request's own origin (tests). */
  publicBaseUrl?: string;
  meta: { appSecret?: string; verifyToken?: string };
  /** Payment providers by currency; their webhooks and refunds go through here. */
  payments: PaymentRegistry;
  /** Stripe Connect: merchants' connected accounts (onboarding, the Connect endpoint), when the installation offers it. */
  stripeConnect?: StripeConnect;
  /** Merchants' iyzico accounts (sub-merchants, own keys) and own PayU POSes: connecting them, and their per-account webhooks. */
  iyzicoAccounts?: IyzicoAccountsConfig;
  payuAccounts?: PayUAccountsConfig;
  /** Stripe Billing for the platform's own plans, when configured. */
  billing?: StripeBilling;
  /** iyzico subscriptions for TRY plans, when configured. */
  iyzicoBilling?: IyzicoBilling;
  /** Provider API roots for template sync (tests point them at local peers). */
  providerUrls?: { graphBaseUrl?: string; twilioBaseUrls?: { content?: string } };
  /** SMTP for account emails (password reset, verification, invitations); email is off without it. */
  mailer?: Mailer | null;
  /** Which push platforms are on, for the apps' `/push/config`. */
  push?: PushConfig;
  /** The Temporal payload codec endpoint at /codec (support staff reading history); not served without it. */
  codec?: Omit<CodecDeps, 'adminToken'>;
  /** Who may read /metrics (METRICS_TOKEN; production refuses without one) and the unanswered-customer threshold. */
  metrics?: { token?: string; production?: boolean; unansweredAfterSeconds?: number };
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  const metrics = createMetrics({ db: deps.db, log: deps.log, unansweredAfterSeconds: deps.metrics?.unansweredAfterSeconds });
  const metricsAllowed = metricsAccess({ token: deps.metrics?.token, production: deps.metrics?.production ?? process.env.NODE_ENV === 'production' });
  // Behind a load balancer the client address (for rate limits) comes from X-Forwarded-For.
  app.set('trust proxy', deps.trustProxy ? 1 : false);
  app.disable('x-powered-by');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: { 'form-action': ["'self'"], 'connect-src': ["'self'", 'ws:', 'wss:'] },
      },
    }),
  );
  app.use(metrics.middleware);
  // Names the trace's server span after the route and reports 5xx answers; a pass-through when both are off.
  app.use(observeRequests());

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  // Liveness stays trivial (a restart does not bring a database back); readiness takes the replica out of rotation.
  app.get('/readyz', async (_req, res) => {
    const readiness = await checkReadiness(deps);
    res.status(readiness.ok ? 200 : 503).set('cache-control', 'no-store').json(readiness);
  });
  app.get('/metrics', async (req, res) => {
    const verdict = metricsAllowed(req.get('authorization'));
    if (!verdict.ok) {
      if (verdict.status === 401) res.set('www-authenticate', 'Bearer');
      res.status(verdict.status).type('text').send(verdict.message);
      return;
    }
    res.set('cache-control', 'no-store').type(metrics.contentType).send(await metrics.render());
  });

  // Counted before the bodies are read or verified, so a flood costs one counter update per request.
  // Generous: a provider answered 429 retries later at best (Meta, Stripe) and drops the message at worst (Twilio).
  app.use(['/webhooks', '/payments', '/billing', '/pay'], rateLimit(deps, { name: 'webhooks', perMinute: deps.webhookRateLimitPerMinute ?? 6_000 }));
  // Before the JSON parser: the demo webhook is verified over its raw bytes. No demo provider (production), no demo pages: 404.
  if (deps.payments.byName('demo')) app.use(demoPaymentRoutes({ db: deps.db, secret: deps.demoPaymentSecret, log: deps.log }));
  // The delivery address for providers whose checkout does not ask for one.
  app.use(shippingAddressRoutes({ db: deps.db, box: deps.box }));
  // Also before the JSON parser: Connect events are verified over their raw bytes.
  app.use(stripeConnectRoutes(deps));
  app.use(paymentWebhookRoutes(deps));
  // Also before it: Meta signs the raw body, Twilio posts forms.
  app.use(whatsAppWebhookRoutes(deps));
  const deliverNotification = (id: number) => startNotificationDelivery(deps, id);
  if (deps.billing) app.use(stripeBillingWebhooks({ db: deps.db, billing: deps.billing, log: deps.log, deliverNotification }));
  if (deps.iyzicoBilling) app.use(iyzicoBillingWebhooks({ db: deps.db, billing: deps.iyzicoBilling, deliverNotification }));

  app.use(
    '/api/webchat',
    express.json({ limit: '16kb' }),
    // The widget is embedded on merchants' own sites, so these endpoints answer any origin.
    (req, res, next) => {
      res.set({ 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type', 'access-control-allow-methods': 'GET, POST, OPTIONS' });
      if (req.method === 'OPTIONS') res.sendStatus(204);
      else next();
    },
    webchatRoutes({ ...deps, rateLimitPerMinute: deps.webchatRateLimitPerMinute ?? 60 }),
  );
  app.use(
    '/api/platform',
    rateLimit(deps, { name: 'platform', perMinute: deps.platformRateLimitPerMinute ?? 120 }),
    express.json({ limit: '16kb' }),
    platformRoutes({ db: deps.db, adminToken: deps.adminToken }),
  );
  if (deps.codec) app.use('/codec', codecRoutes({ ...deps, ...deps.codec, adminToken: deps.adminToken }));
  app.use(
    '/api/v1',
    cors({ origin: deps.corsOrigins ?? false, credentials: true, maxAge: 600 }),
    // After CORS, which answers preflights itself, so they are not counted. A member counts wherever they connect
    // from, and an office behind one address is not one member; the token is only read here, the route authenticates.
    rateLimit(deps, {
      name: 'api',
      perMinute: deps.apiRateLimitPerMinute ?? 600,
      subject: async (req) => {
        const bearer = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
        const claims = bearer ? await deps.tokens.verify(bearer) : null;
        return claims ? `member:${claims.userId}` : `address:${clientAddress(req)}`;
      },
    }),
    // Playbooks are the largest JSON bodies; CSV imports have their own limit.
    express.json({ limit: '64kb' }),
    merchantApi({ ...deps, authRateLimitPerMinute: deps.authRateLimitPerMinute ?? 10 }, process.env.npm_package_version ?? '0.1.0').router,
  );

  app.use('/widget.js', (_req, res, next) => {
    // Loaded by third-party pages.
    res.set('cross-origin-resource-policy', 'cross-origin');
    next();
  });
  app.use(express.static(publicDir, { index: 'index.html', maxAge: '5m' }));
  app.use('/app', dashboard());
  app.use('/m', mobileApp());

  app.use(unknownRoute);
  app.use(keepServerError);
  app.use(errorHandler(deps.log));
  return app;
}

/** The built dashboard, with every unknown path under /app answered by its index so client-side routes survive a reload. */
function dashboard(): express.Router {
  const router = express.Router();
  if (!existsSync(path.join(dashboardDist, 'index.html'))) {
    router.use((_req, res) => {
      res.status(503).type('text').send('The dashboard is not built yet: run "npm run build:dashboard" (npm start does it for you).');
    });
    return router;
  }
  // Hashed file names never change content, so they can be cached for good; index.html must not be.
  router.use('/assets', express.static(path.join(dashboardDist, 'assets'), { immutable: true, maxAge: '1y', fallthrough: false }));
  router.use(express.static(dashboardDist, { index: false, maxAge: '5m' }));
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    res.set('cache-control', 'no-cache').sendFile(path.join(dashboardDist, 'index.html'));
  });
  return router;
}

/** The phone app at /m/, with the same SPA fallback; its service worker must never be cached stale, or an old app shell lives on. */
function mobileApp(): express.Router {
  const router = express.Router();
  if (!existsSync(path.join(mobileDist, 'index.html'))) {
    router.use((_req, res) => {
      res.status(503).type('text').send('The mobile app is not built yet: run "npm run mobile:build" (npm start does it for you).');
    });
    return router;
  }
  router.use('/assets', express.static(path.join(mobileDist, 'assets'), { immutable: true, maxAge: '1y', fallthrough: false }));
  router.use(
    express.static(mobileDist, {
      index: false,
      maxAge: '5m',
      setHeaders: (res, file) => {
        if (/(^|[\\/])(sw\.js|manifest\.webmanifest)$/.test(file)) res.set('cache-control', 'no-cache');
        if (file.endsWith('.webmanifest')) res.type('application/manifest+json');
      },
    }),
  );
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    res.set('cache-control', 'no-cache').sendFile(path.join(mobileDist, 'index.html'));
  });
  return router;
}
