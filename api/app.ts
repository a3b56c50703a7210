import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import express from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { Db } from '../db/knex';
import { errorHandler, unknownRoute } from './errors';
import { createMetrics } from './metrics';
import type { SecretBox } from '../config/secrets';
import { channelRoutes } from './routes/channels';
import { conversationRoutes, requireAdminToken } from './routes/conversations';
import { templateRoutes } from './routes/templates';
import { whatsAppWebhookRoutes } from './routes/whatsapp-webhooks';
import type { IyzicoBilling } from '../activities/billing/iyzico-billing';
import type { StripeBilling } from '../activities/billing/stripe-billing';
import type { PaymentRegistry } from '../activities/payments/registry';
import { billingRoutes } from './routes/billing';
import { iyzicoBillingRoutes } from './routes/billing-iyzico';
import { stripeBillingRoutes } from './routes/billing-stripe';
import { demoPaymentRoutes } from './routes/demo-payments';
import { merchantSettingsRoutes } from './routes/merchant-settings';
import { paymentRoutes } from './routes/payments';
import { webchatRoutes } from './routes/webchat';

const publicDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'public');

export interface AppDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  adminToken: string;
  demoPaymentSecret: string;
  trustProxy: boolean;
  webchatRateLimitPerMinute?: number;
  log: Logger;
  box: SecretBox;
  /** The URL providers call us at; without it, the request's own origin (tests). */
  publicBaseUrl?: string;
  meta: { appSecret?: string; verifyToken?: string };
  /** Payment providers by currency; their webhooks and refunds go through here. */
  payments: PaymentRegistry;
  /** Stripe Billing for the platform's own plans, when configured. */
  billing?: StripeBilling;
  /** iyzico subscriptions for TRY plans, when configured. */
  iyzicoBilling?: IyzicoBilling;
  /** Provider API roots for template sync (tests point them at local peers). */
  providerUrls?: { graphBaseUrl?: string; twilioBaseUrls?: { content?: string } };
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  const metrics = createMetrics();
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

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/readyz', async (_req, res) => {
    await deps.db.raw('select 1');
    await deps.temporal.connection.workflowService.getSystemInfo({});
    res.json({ ok: true });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  // Before the JSON parser: the demo webhook is verified over its raw bytes.
  app.use(demoPaymentRoutes({ db: deps.db, secret: deps.demoPaymentSecret, log: deps.log }));
  const payments = paymentRoutes(deps);
  app.use(payments.webhooks);
  // Also before it: Meta signs the raw body, Twilio posts forms.
  app.use(whatsAppWebhookRoutes(deps));
  const stripeBilling = deps.billing ? stripeBillingRoutes({ db: deps.db, billing: deps.billing, publicBaseUrl: deps.publicBaseUrl ?? '', log: deps.log }) : null;
  if (stripeBilling) app.use(stripeBilling.webhooks);
  const iyzicoBilling = deps.iyzicoBilling ? iyzicoBillingRoutes({ db: deps.db, billing: deps.iyzicoBilling }) : null;
  if (iyzicoBilling) app.use(iyzicoBilling.webhooks);

  app.use(express.json({ limit: '16kb' }));
  app.use(
    '/api/webchat',
    // The widget is embedded on merchants' own sites, so these endpoints answer any origin.
    (req, res, next) => {
      res.set({ 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type', 'access-control-allow-methods': 'GET, POST, OPTIONS' });
      if (req.method === 'OPTIONS') res.sendStatus(204);
      else next();
    },
    webchatRoutes({ db: deps.db, temporal: deps.temporal, taskQueue: deps.taskQueue, rateLimitPerMinute: deps.webchatRateLimitPerMinute ?? 60 }),
  );
  app.use('/api/v1/conversations', conversationRoutes({ db: deps.db, temporal: deps.temporal, adminToken: deps.adminToken }));
  app.use('/api/v1', requireAdminToken(deps.adminToken), channelRoutes(deps), templateRoutes({ ...deps, providerUrls: deps.providerUrls }),
    payments.api,
    billingRoutes({ db: deps.db }),
    merchantSettingsRoutes(deps),
    // TRY plans go to iyzico first; it hands every other currency on to Stripe.
    ...(iyzicoBilling ? [iyzicoBilling.api] : []),
    ...(stripeBilling ? [stripeBilling.api] : []),
  );

  app.use('/widget.js', (_req, res, next) => {
    // Loaded by third-party pages.
    res.set('cross-origin-resource-policy', 'cross-origin');
    next();
  });
  app.use(express.static(publicDir, { index: 'index.html', maxAge: '5m' }));

  app.use(unknownRoute);
  app.use(errorHandler(deps.log));
  return app;
}
