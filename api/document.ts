import type { MerchantApiDeps } from './merchant/deps';
import { openApiDocument, type RouteGroup } from './merchant/openapi';
import { merchantRouteSpecs } from './merchant/specs';
import { iyzicoBillingDocs } from './routes/billing-iyzico';
import { stripeBillingDocs } from './routes/billing-stripe';
import { demoPaymentDocs } from './routes/demo-payments';
import { shippingAddressDocs } from './routes/shipping-address';
import { paymentWebhookDocs } from './routes/payments';
import { stripeConnectDocs } from './routes/stripe-connect';
import { platformRouteSpecs } from './routes/platform';
import { codecRouteSpecs } from './routes/codec';
import { webchatRouteSpecs } from './routes/webchat';
import { whatsAppWebhookDocs } from './routes/whatsapp-webhooks';

/**
 * Every public route, by prefix, as the document describes it. Route specs
 * read their deps only when a request arrives, so the document can be built
 * without a server or a database (the generated client is made that way).
 */
export function publicRouteGroups(deps: Partial<MerchantApiDeps> = {}): RouteGroup[] {
  const merchant = { authRateLimitPerMinute: 10, ...deps } as MerchantApiDeps;
  return [
    { base: '/api/v1', routes: merchantRouteSpecs(merchant) },
    { base: '/api/webchat', routes: webchatRouteSpecs({ ...merchant, taskQueue: '', rateLimitPerMinute: 60 }) },
    { base: '/api/platform', routes: platformRouteSpecs(merchant) },
    { base: '/codec', routes: codecRouteSpecs({ codec: null, namespace: 'default' }) },
    { base: '', routes: [...paymentWebhookDocs, ...stripeConnectDocs, ...stripeBillingDocs, ...iyzicoBillingDocs, ...whatsAppWebhookDocs, ...demoPaymentDocs, ...shippingAddressDocs] },
  ];
}

/** The document served at `/api/v1/openapi.json`. */
export function apiDocument(
  info: { version: string; serverUrl: string } = { version: '0.1.0', serverUrl: 'http://localhost:3000' },
  groups: RouteGroup[] = publicRouteGroups(),
): Record<string, unknown> {
  return openApiDocument(groups, info);
}
