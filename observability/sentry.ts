/**
 * Error tracking with Sentry (`@sentry/node` 9, the last major built on the
 * OpenTelemetry SDK 1.x line that the Temporal interceptors use; see
 * observability/tracing.ts), configured by `SENTRY_DSN` and off without it.
 *
 * Sentry reports errors only: traces go to the OTLP collector. When tracing is
 * on, Sentry shares its OpenTelemetry context (`skipOpenTelemetrySetup`), so an
 * error event carries the trace id of the turn it happened in; when tracing is
 * off, Sentry sets OpenTelemetry up for itself (it needs the context to keep
 * one request's scope apart from another's) and samples no spans.
 *
 * Every event, transaction and breadcrumb goes through observability/scrub.ts.
 */
import { createRequire } from 'node:module';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type * as SentryNs from '@sentry/node';
import { scrubBreadcrumb, scrubEvent } from './scrub';

const load = createRequire(import.meta.url);

let sentry: typeof SentryNs | null = null;

export interface ErrorTrackingOptions {
  dsn: string;
  service: string;
  release: string;
  environment: string;
  /** Whether OpenTelemetry tracing already runs in this process. */
  tracing: boolean;
}

export function errorTrackingOptions(service: string, version: string, tracing: boolean, env: NodeJS.ProcessEnv = process.env): ErrorTrackingOptions | null {
  const dsn = env.SENTRY_DSN?.trim();
  if (!dsn) return null;
  return {
    dsn,
    service,
    release: env.SENTRY_RELEASE?.trim() || `autocloser@${version}`,
    environment: env.SENTRY_ENVIRONMENT?.trim() || env.NODE_ENV?.trim() || 'development',
    tracing,
  };
}

/** Synchronous for the same reason as startTracing: its HTTP integration must see `http` before the app requires it. */
export function startErrorTracking(o: ErrorTrackingOptions): void {
  if (sentry) return;
  const Sentry = load('@sentry/node') as typeof SentryNs;
  Sentry.init({
    dsn: o.dsn,
    release: o.release,
    environment: o.environment,
    serverName: o.service,
    sendDefaultPii: false,
    // Errors only; and no sentry-trace or baggage headers on calls to payment, messaging or LLM providers.
    tracesSampleRate: undefined,
    tracePropagationTargets: [],
    skipOpenTelemetrySetup: o.tracing,
    includeLocalVariables: false,
    maxBreadcrumbs: 30,
    initialScope: { tags: { service: o.service } },
    beforeSend: (event) => scrubEvent(event),
    beforeSendTransaction: (event) => scrubEvent(event),
    beforeBreadcrumb: (crumb) => scrubBreadcrumb(crumb),
  });
  sentry = Sentry;
}

export function errorTrackingActive(): boolean {
  return sentry !== null;
}

/** Only short identifiers from an error: its code (`ECONNREFUSED`, `invalid_request`) and HTTP status. */
function errorTags(err: unknown): Record<string, string | number> {
  const tags: Record<string, string | number> = {};
  if (err && typeof err === 'object') {
    const { code, status, statusCode } = err as { code?: unknown; status?: unknown; statusCode?: unknown };
    if (typeof code === 'string' && /^[\w.-]{1,60}$/.test(code)) tags['error.code'] = code;
    const s = status ?? statusCode;
    if (typeof s === 'number') tags['error.status'] = s;
  }
  return tags;
}

export interface CaptureContext {
  transaction?: string;
  tags?: Record<string, string | number>;
  temporal?: Record<string, string | number>;
}

export function captureError(err: unknown, c: CaptureContext = {}): void {
  if (!sentry) return;
  sentry.withScope((scope) => {
    if (c.transaction) scope.setTransactionName(c.transaction);
    scope.setTags({ ...errorTags(err), ...c.tags });
    if (c.temporal) scope.setContext('temporal', c.temporal);
    sentry!.captureException(err);
  });
}

/** Sends what is queued and stops; bounded so a dead Sentry never holds up a shutdown. */
export async function stopErrorTracking(timeoutMs = 2_000): Promise<void> {
  if (!sentry) return;
  const s = sentry;
  sentry = null;
  await s.close(timeoutMs);
}

function isCancellation(err: unknown): boolean {
  return err instanceof Error && (err.name === 'CancelledFailure' || err.name === 'AbortError');
}

/**
 * Reports every failed activity attempt (not cancellations, which are the workflow's choice), tagged with the
 * activity and workflow types and the attempt; the workflow id is left out, since it carries the customer key.
 */
export const errorTrackingActivityInterceptor: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    async execute(input, next) {
      try {
        return await next(input);
      } catch (err) {
        if (!isCancellation(err)) {
          const { activityType, workflowType, attempt, taskQueue } = ctx.info;
          captureError(err, {
            transaction: activityType,
            tags: { 'activity.type': activityType, 'activity.attempt': attempt, 'workflow.type': workflowType ?? '', task_queue: taskQueue },
            temporal: { activityType, workflowType: workflowType ?? '', attempt, taskQueue },
          });
        }
        throw err;
      }
    },
  },
});
