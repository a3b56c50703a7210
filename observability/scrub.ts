/**
 * What an error report may carry out of the process. Built by allow-list: an
 * event is rebuilt from the fields named here and everything else is dropped,
 * so a field that a future SDK version adds (or a request body, a header, an
 * error message quoting the customer) never leaves by default. Finding every
 * secret by pattern is a race that is lost the first time a provider echoes a
 * customer's words in an error; naming what may go is not.
 *
 * Kept: error types, stack frames (our code's file, function and line),
 * the route pattern (`POST /api/webchat/:merchantId/messages`, never the
 * path), the HTTP method and status, error codes, the Temporal activity and
 * workflow types and attempt, the trace id, release, environment, runtime.
 * Dropped: error messages (except the few types whose text we write ourselves),
 * request URLs, query strings, headers, cookies and bodies, user and IP, extra
 * data, log messages, breadcrumbs other than outgoing HTTP calls (kept as
 * method, status and origin only), local variables, span descriptions.
 */
import type { Breadcrumb, Event, Exception, StackFrame } from '@sentry/node';

/** Error types whose message is written by this code from route patterns and statuses only. */
export const AUTHORED_ERROR_TYPES = new Set(['ServerErrorResponse']);

const TAG_KEYS = new Set([
  'service',
  'route',
  'http.method',
  'http.status_code',
  'error.code',
  'error.status',
  'activity.type',
  'activity.attempt',
  'workflow.type',
  'task_queue',
  'unhandled',
]);
const TEMPORAL_KEYS = ['activityType', 'workflowType', 'attempt', 'taskQueue', 'namespace'] as const;
const TRACE_KEYS = ['trace_id', 'span_id', 'parent_span_id', 'op', 'status', 'origin'] as const;

type Json = string | number | boolean | null | undefined;

function pick<T extends object, K extends string>(source: T | undefined, keys: readonly K[]): Partial<Record<K, unknown>> | undefined {
  if (!source || typeof source !== 'object') return undefined;
  const out: Partial<Record<K, unknown>> = {};
  for (const key of keys) {
    const value = (source as Record<string, unknown>)[key];
    if (value !== undefined && (typeof value !== 'object' || value === null)) out[key] = value;
  }
  return Object.keys(out).length ? out : undefined;
}

/** Tag values are short identifiers; anything else (a sentence, an address) is not a tag we set. */
function safeTag(value: unknown): Json {
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^[\w.:/\- ]{0,120}$/.test(value) && !/@|\d{6,}/.test(value)) return value;
  return undefined;
}

function scrubFrame(frame: StackFrame): StackFrame {
  return pick(frame, ['filename', 'abs_path', 'module', 'function', 'lineno', 'colno', 'in_app', 'platform']) as StackFrame;
}

function scrubException(exception: Exception): Exception {
  const type = typeof exception.type === 'string' && /^[\w.$]{1,100}$/.test(exception.type) ? exception.type : 'Error';
  return {
    type,
    ...(AUTHORED_ERROR_TYPES.has(type) && exception.value ? { value: exception.value } : {}),
    ...(exception.mechanism
      ? { mechanism: pick(exception.mechanism, ['type', 'handled', 'synthetic', 'exception_id', 'parent_id', 'is_exception_group', 'source']) as Exception['mechanism'] }
      : {}),
    ...(exception.stacktrace?.frames ? { stacktrace: { frames: exception.stacktrace.frames.map(scrubFrame) } } : {}),
  };
}

/** Outgoing HTTP calls say which provider answered what; their paths and queries (device tokens, account ids) do not go. */
export function scrubBreadcrumb(crumb: Breadcrumb): Breadcrumb | null {
  if (crumb.category !== 'http' && crumb.category !== 'fetch') return null;
  let origin: string | undefined;
  try {
    origin = typeof crumb.data?.url === 'string' ? new URL(crumb.data.url).origin : undefined;
  } catch {
    origin = undefined;
  }
  return {
    type: crumb.type,
    category: crumb.category,
    level: crumb.level,
    timestamp: crumb.timestamp,
    data: {
      ...(typeof crumb.data?.method === 'string' ? { method: crumb.data.method } : {}),
      ...(typeof crumb.data?.status_code === 'number' ? { status_code: crumb.data.status_code } : {}),
      ...(origin ? { url: origin } : {}),
    },
  };
}

/** The route pattern or activity name we set; a raw path (which may hold ids) is cut to its first segment. */
function scrubTransaction(name: string | undefined): string | undefined {
  if (!name) return undefined;
  if (/^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \/[\w/:.\-*]*$/.test(name) || /^[\w.:-]{1,100}$/.test(name)) return name;
  return undefined;
}

/** Rebuilds an error or transaction event from its allowed fields; used as `beforeSend` and `beforeSendTransaction`. */
export function scrubEvent<E extends Event>(event: E): E {
  const tags: Record<string, Json> = {};
  for (const [key, value] of Object.entries(event.tags ?? {})) {
    const safe = TAG_KEYS.has(key) ? safeTag(value) : undefined;
    if (safe !== undefined) tags[key] = safe;
  }
  const contexts: NonNullable<Event['contexts']> = {};
  const trace = pick(event.contexts?.trace, TRACE_KEYS);
  if (trace) contexts.trace = trace as NonNullable<Event['contexts']>['trace'];
  const runtime = pick(event.contexts?.runtime, ['name', 'version']);
  if (runtime) contexts.runtime = runtime;
  const os = pick(event.contexts?.os, ['name', 'version', 'kernel_version']);
  if (os) contexts.os = os as NonNullable<Event['contexts']>['os'];
  const temporal = pick(event.contexts?.temporal, TEMPORAL_KEYS);
  if (temporal) contexts.temporal = temporal;
  const scrubbed: Event = {
    event_id: event.event_id,
    type: event.type,
    timestamp: event.timestamp,
    start_timestamp: event.start_timestamp,
    platform: event.platform,
    level: event.level,
    release: event.release,
    environment: event.environment,
    dist: event.dist,
    server_name: event.server_name,
    transaction: scrubTransaction(event.transaction),
    fingerprint: event.fingerprint?.filter((f) => safeTag(f) !== undefined),
    sdk: event.sdk ? { name: event.sdk.name, version: event.sdk.version } : undefined,
    tags,
    contexts,
    ...(event.request?.method ? { request: { method: event.request.method } } : {}),
    ...(event.exception?.values ? { exception: { values: event.exception.values.map(scrubException) } } : {}),
    ...(event.breadcrumbs ? { breadcrumbs: event.breadcrumbs.map(scrubBreadcrumb).filter((b): b is Breadcrumb => b !== null) } : {}),
    ...(event.spans
      ? {
          spans: event.spans.map((s) => ({
            span_id: s.span_id,
            trace_id: s.trace_id,
            parent_span_id: s.parent_span_id,
            op: s.op,
            status: s.status,
            origin: s.origin,
            start_timestamp: s.start_timestamp,
            timestamp: s.timestamp,
            data: {},
          })),
        }
      : {}),
  };
  for (const key of Object.keys(scrubbed) as (keyof Event)[]) if (scrubbed[key] === undefined) delete scrubbed[key];
  return scrubbed as E;
}
