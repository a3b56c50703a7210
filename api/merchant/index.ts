import express, { Router } from 'express';
import cookieParser from 'cookie-parser';
import { createAuthenticator } from '../auth/authenticator';
import { apiDocument, publicRouteGroups } from '../document';
import type { MerchantApiDeps } from './deps';
import { mountRoutes } from './route';
import { merchantRouteSpecs } from './specs';

export { merchantRouteSpecs };

/**
 * The document `/api/v1/openapi.json` serves (every public route, the
 * merchant API first), built without a server or a database. The dashboard's
 * typed client is generated from it (`npm run generate:client`).
 */
export const merchantOpenApiDocument = apiDocument;

/** `/api/v1`: the merchant API and the OpenAPI document. */
export function merchantApi(deps: MerchantApiDeps, version: string) {
  const routes = merchantRouteSpecs(deps);
  const authenticator = createAuthenticator(deps.db, deps.tokens);
  const router = Router();
  router.use(cookieParser(), express.text({ type: 'text/csv', limit: '5mb' }));
  // Built once: the specs make rate limiters, which belong to startup, not to a request.
  const groups = publicRouteGroups();
  router.get('/openapi.json', (req, res) => {
    res.json(apiDocument({ version, serverUrl: deps.publicBaseUrl ?? `${req.protocol}://${req.get('host')}` }, groups));
  });
  mountRoutes(router, routes, authenticator);
  return { router, routes, authenticator };
}
