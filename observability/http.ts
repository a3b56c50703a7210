/**
 * Express hooks for tracing and error tracking: the server span is named after
 * the route pattern (`POST /api/webchat/:merchantId/messages`) instead of just
 * the method, and a 5xx answer is reported with the error that caused it.
 * Both do nothing when tracing and error tracking are off.
 */
import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';
import type * as OtelCore from '@opentelemetry/core';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { activeTracing } from './tracing';
import { captureError, errorTrackingActive } from './sentry';

const load = createRequire(import.meta.url);
const failure = Symbol('server error');

/** A 5xx answered without an exception (a provider's refusal turned into a 502, a 503 from a health check). */
export class ServerErrorResponse extends Error {
  override name = 'ServerErrorResponse';
}

const matched = Symbol('matched route');
type Tracked = Request & { [matched]?: string };

/**
 * Records the route pattern when the router matches it (`req.route` is assigned while `req.baseUrl` still holds the
 * mount path, which is gone again by the time an error reaches the app's error handler).
 */
function trackRoute(req: Tracked): void {
  let route: unknown = (req as { route?: unknown }).route;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set(value: { path?: unknown } | undefined) {
      route = value;
      if (value && typeof value.path === 'string') req[matched] = `${req.baseUrl}${value.path}`;
    },
  });
}

/** The matched route as written in the code, or nothing for unmatched paths (static files, 404s): never the raw path. */
export function routePattern(req: Request): string | undefined {
  return (req as Tracked)[matched];
}

export function observeRequests(): RequestHandler {
  return (req, res, next) => {
    const tracing = activeTracing() !== null;
    const errors = errorTrackingActive();
    if (!tracing && !errors) return next();
    trackRoute(req);
    // The HTTP instrumentation names the span from this request-scoped record when the response ends.
    let rpc: { route?: string } | undefined;
    if (tracing) {
      const core = load('@opentelemetry/core') as typeof OtelCore;
      const api = load('@opentelemetry/api') as typeof OtelApi;
      const meta = core.getRPCMetadata(api.context.active());
      if (meta?.type === core.RPCType.HTTP) rpc = meta;
    }
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.end = ((...args: unknown[]) => {
      const route = routePattern(req);
      if (rpc && route) rpc.route = route;
      if (errors && res.statusCode >= 500) {
        const transaction = `${req.method} ${route ?? '(unmatched)'}`;
        const err = (res.locals as Record<symbol, unknown>)[failure] ?? new ServerErrorResponse(`${transaction} answered ${res.statusCode}`);
        captureError(err, { transaction, tags: { route: route ?? '(unmatched)', 'http.method': req.method, 'http.status_code': res.statusCode } });
      }
      return end(...args);
    }) as Response['end'];
    next();
  };
}

/** Mounted just before the error handler: keeps the error so the 5xx it becomes is reported with it. */
export const keepServerError: ErrorRequestHandler = (err, _req, res, next) => {
  (res.locals as Record<symbol, unknown>)[failure] = err;
  next(err);
};
