import express, { Router } from 'express';
import cookieParser from 'cookie-parser';
import { authRoutes } from '../auth/routes';
import { createAuthenticator } from '../auth/authenticator';
import { catalogRoutes } from './routes/catalog';
import { playbookRoutes } from './routes/playbook';
import { billingRoutes } from './routes/billing';
import { conversationRoutes } from './routes/conversations';
import { orderRoutes } from './routes/orders';
import { settingsRoutes } from './routes/settings';
import { teamRoutes } from './routes/team';
import type { MerchantApiDeps } from './deps';
import { openApiDocument } from './openapi';
import { mountRoutes, type RouteSpec } from './route';

/** Every route of the merchant API, in the order the docs list them. */
export function merchantRouteSpecs(deps: MerchantApiDeps): RouteSpec[] {
  return [
    ...authRoutes(deps),
    ...teamRoutes(deps),
    ...conversationRoutes(deps),
    ...catalogRoutes(deps),
    ...playbookRoutes(deps),
    ...settingsRoutes(deps),
    ...orderRoutes(deps),
    ...billingRoutes(deps),
  ];
}

/**
 * The document `/api/v1/openapi.json` serves, built without a server or a
 * database: route specs read their deps only when a request arrives. The
 * dashboard's typed client is generated from it (`npm run generate:client`).
 */
export function merchantOpenApiDocument(info: { version: string; serverUrl: string } = { version: '0.1.0', serverUrl: 'http://localhost:3000' }): Record<string, unknown> {
  return openApiDocument(merchantRouteSpecs({ authRateLimitPerMinute: 10 } as MerchantApiDeps), info);
}

/** `/api/v1`: the merchant API and its OpenAPI document. */
export function merchantApi(deps: MerchantApiDeps, version: string) {
  const routes = merchantRouteSpecs(deps);
  const authenticator = createAuthenticator(deps.db, deps.tokens);
  const router = Router();
  router.use(cookieParser(), express.text({ type: 'text/csv', limit: '5mb' }));
  router.get('/openapi.json', (req, res) => {
    res.json(openApiDocument(routes, { version, serverUrl: deps.publicBaseUrl ?? `${req.protocol}://${req.get('host')}` }));
  });
  mountRoutes(router, routes, authenticator);
  return { router, routes, authenticator };
}
