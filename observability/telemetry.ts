/**
 * Tracing and error tracking for one process, both off unless configured
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, `SENTRY_DSN`). Started by the first import of
 * api/main.ts and worker/main.ts (observability/start-api.ts, start-worker.ts), before anything
 * loads `http` or `pg`, so their instrumentation can wrap them.
 */
import { createRequire } from 'node:module';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import { captureError, errorTrackingActive, errorTrackingActivityInterceptor, errorTrackingOptions, startErrorTracking, stopErrorTracking } from './sentry';
import { activeTracing, startTracing, tracingClientInterceptors, workerTracing } from './tracing';

const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

export function startObservability(service: 'api' | 'worker', env: NodeJS.ProcessEnv = process.env): void {
  const tracing = startTracing(`autocloser-${service}`, version, env);
  const errors = errorTrackingOptions(service, version, tracing !== null, env);
  if (errors) startErrorTracking(errors);
}

/** What the start log says about it. */
export function observabilitySummary(): string {
  return `tracing ${activeTracing() ? 'on (OTLP)' : 'off (OTEL_EXPORTER_OTLP_ENDPOINT)'}; error tracking ${errorTrackingActive() ? 'on (Sentry)' : 'off (SENTRY_DSN)'}`;
}

/** Flushes spans and error reports; call before the process exits. */
export async function stopObservability(): Promise<void> {
  await Promise.allSettled([activeTracing()?.shutdown(), stopErrorTracking()]);
}

/** A start-up failure about to end the process: reported and flushed first (immediately done when both are off). */
export async function reportFatal(err: unknown): Promise<void> {
  captureError(err, { tags: { unhandled: 'startup' } });
  await stopObservability();
}

/** Interceptors for the API's Temporal client; none when tracing is off. */
export function clientInterceptors(): { workflow: WorkflowClientInterceptor[] } | undefined {
  const workflow = tracingClientInterceptors();
  return workflow.length ? { workflow } : undefined;
}

export interface WorkerObservability {
  interceptors: { activity: ActivityInterceptorsFactory[]; client?: { workflow: WorkflowClientInterceptor[] }; workflowModules: string[] };
  sinks: InjectedSinks<Record<string, never>>;
}

/** Interceptors and sinks a worker adds; null when both are off, so the worker is created exactly as without them. */
export function workerObservability(): WorkerObservability | null {
  const tracing = workerTracing();
  const errors = errorTrackingActive();
  if (!tracing && !errors) return null;
  return {
    interceptors: {
      // Tracing first, so an error report is made inside the activity's span and carries its trace id.
      activity: [...(tracing?.activity ?? []), ...(errors ? [errorTrackingActivityInterceptor] : [])],
      ...(tracing ? { client: { workflow: tracing.client } } : {}),
      workflowModules: tracing?.workflowModules ?? [],
    },
    sinks: tracing?.sinks ?? {},
  };
}
