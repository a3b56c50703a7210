/**
 * OpenTelemetry tracing for the API and the worker, configured by the standard
 * `OTEL_*` variables and off unless an OTLP endpoint is set.
 *
 * Versions: `@temporalio/interceptors-opentelemetry` 1.24 is built on the
 * OpenTelemetry JS SDK 1.x (`sdk-trace-base` ^1.25), and a span exported from
 * the workflow sandbox must have the same shape as the spans of the Node SDK
 * beside it (ReadableSpan changed between SDK 1.x and 2.x). So the whole set is
 * the last 1.x line: SDK 1.30, `sdk-node` and the OTLP exporters 0.57, and the
 * instrumentations of that line (http 0.57, pg 0.51, undici 0.10), which are
 * also the ones `@sentry/node` 9 is built on, so one copy of each is loaded.
 * The Express instrumentation of that line supports Express 4 only; the server
 * span is named after the Express route by `observability/http.ts` instead.
 *
 * Nothing here is loaded when tracing is off: the SDK is required lazily, so a
 * process without `OTEL_EXPORTER_OTLP_ENDPOINT` starts exactly as before.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage } from 'node:http';
import type { Span } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type * as SdkNode from '@opentelemetry/sdk-node';
import type * as TraceBase from '@opentelemetry/sdk-trace-base';
import type * as Resources from '@opentelemetry/resources';
import type * as HttpInstrumentationModule from '@opentelemetry/instrumentation-http';
import type * as PgInstrumentationModule from '@opentelemetry/instrumentation-pg';
import type * as UndiciInstrumentationModule from '@opentelemetry/instrumentation-undici';
import type * as OtlpProto from '@opentelemetry/exporter-trace-otlp-proto';
import type * as OtlpJson from '@opentelemetry/exporter-trace-otlp-http';
import type * as OtlpGrpc from '@opentelemetry/exporter-trace-otlp-grpc';
import type * as TemporalOtel from '@temporalio/interceptors-opentelemetry';

const load = createRequire(import.meta.url);

export interface Tracing {
  readonly resource: Resource;
  /** Shared by the Node SDK and the workflow sandbox's span sink, so both go out through one batch. */
  readonly spanProcessor: SpanProcessor;
  shutdown(): Promise<void>;
}

let active: Tracing | null = null;

/** On when an OTLP endpoint is configured, unless switched off the standard way. */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (env.OTEL_TRACES_EXPORTER?.split(',').some((e) => e.trim() === 'none')) return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

export function activeTracing(): Tracing | null {
  return active;
}

/** Only what locates the resource stays in a span's URL: query strings carry tokens (webhook verification, signed links). */
export function withoutQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}

function otlpExporter(env: NodeJS.ProcessEnv): SpanExporter {
  // The exporters read endpoint, headers, timeout and compression from OTEL_EXPORTER_OTLP_* themselves.
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf').trim();
  switch (protocol) {
    case 'http/protobuf': {
      const { OTLPTraceExporter } = load('@opentelemetry/exporter-trace-otlp-proto') as typeof OtlpProto;
      return new OTLPTraceExporter();
    }
    case 'http/json': {
      const { OTLPTraceExporter } = load('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpJson;
      return new OTLPTraceExporter();
    }
    case 'grpc': {
      const { OTLPTraceExporter } = load('@opentelemetry/exporter-trace-otlp-grpc') as typeof OtlpGrpc;
      return new OTLPTraceExporter();
    }
    default:
      throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL: "${protocol}" is not one of http/protobuf, http/json, grpc`);
  }
}

/**
 * Starts the SDK for this process (`service` names it unless `OTEL_SERVICE_NAME` does). Synchronous, so that it
 * runs before the modules it instruments are first required: see observability/start-api.ts.
 */
export function startTracing(service: string, version: string, env: NodeJS.ProcessEnv = process.env): Tracing | null {
  if (active || !tracingConfigured(env)) return active;
  const { NodeSDK } = load('@opentelemetry/sdk-node') as typeof SdkNode;
  const { BatchSpanProcessor } = load('@opentelemetry/sdk-trace-base') as typeof TraceBase;
  const { Resource: ResourceClass, envDetectorSync } = load('@opentelemetry/resources') as typeof Resources;
  const { HttpInstrumentation } = load('@opentelemetry/instrumentation-http') as typeof HttpInstrumentationModule;
  const { PgInstrumentation } = load('@opentelemetry/instrumentation-pg') as typeof PgInstrumentationModule;
  const { UndiciInstrumentation } = load('@opentelemetry/instrumentation-undici') as typeof UndiciInstrumentationModule;

  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the defaults.
  const resource = new ResourceClass({ 'service.name': service, 'service.version': version }).merge(envDetectorSync.detect());
  const spanProcessor = new BatchSpanProcessor(otlpExporter(env));
  const quiet = new Set(['/healthz', '/readyz', '/livez', '/metrics']);
  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    spanProcessors: [spanProcessor],
    // Traces only: metrics and logs have their own paths (Prometheus, stdout).
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => quiet.has(withoutQuery(req.url ?? '')),
        requestHook: (span: Span, req) => {
          if ('headers' in req && (req as IncomingMessage).url !== undefined) {
            const target = withoutQuery((req as IncomingMessage).url ?? '');
            span.setAttribute('http.target', target);
            const host = (req as IncomingMessage).headers.host;
            if (host) span.setAttribute('http.url', `http://${host}${target}`);
          } else {
            const out = req as { protocol?: string; host?: string; path?: string };
            if (out.path) span.setAttribute('http.target', withoutQuery(out.path));
            if (out.host && out.path) span.setAttribute('http.url', `${out.protocol ?? 'http:'}//${out.host}${withoutQuery(out.path)}`);
          }
        },
      }),
      // SQL text only (knex sends values as bind parameters, which are not recorded); no root spans for pool chatter.
      new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
      // fetch (the OpenAI and Anthropic SDKs, push senders).
      new UndiciInstrumentation({
        requestHook: (span: Span, req) => {
          span.setAttribute('url.full', withoutQuery(`${req.origin}${req.path}`));
          span.setAttribute('url.query', '');
        },
      }),
    ],
  });
  sdk.start();
  active = {
    resource,
    spanProcessor,
    async shutdown() {
      active = null;
      await sdk.shutdown();
    },
  };
  return active;
}

/** Temporal client interceptors: `signalWithStart`, signals, queries and updates become spans whose context travels in the headers. */
export function tracingClientInterceptors(): WorkflowClientInterceptor[] {
  if (!active) return [];
  const { OpenTelemetryWorkflowClientInterceptor } = load('@temporalio/interceptors-opentelemetry') as typeof TemporalOtel;
  return [new OpenTelemetryWorkflowClientInterceptor()];
}

/** The workflow interceptors module: must be in the workflow bundle for workflow runs, signals and activity calls to be traced. */
export function workflowTracingModule(): string {
  return fileURLToPath(new URL('./workflow-interceptors.ts', import.meta.url));
}

export interface WorkerTracing {
  activity: ActivityInterceptorsFactory[];
  client: WorkflowClientInterceptor[];
  workflowModules: string[];
  sinks: InjectedSinks<Record<string, never>>;
}

/** What a worker adds to trace its activities and (through the sink) the spans its workflows make in the sandbox. */
export function workerTracing(): WorkerTracing | null {
  if (!active) return null;
  const otel = load('@temporalio/interceptors-opentelemetry') as typeof TemporalOtel;
  return {
    activity: [(ctx) => ({ inbound: new otel.OpenTelemetryActivityInboundInterceptor(ctx), outbound: new otel.OpenTelemetryActivityOutboundInterceptor(ctx) })],
    client: [new otel.OpenTelemetryWorkflowClientInterceptor()],
    workflowModules: [workflowTracingModule()],
    sinks: { exporter: otel.makeWorkflowExporter(active.spanProcessor, active.resource) } as unknown as InjectedSinks<Record<string, never>>,
  };
}
