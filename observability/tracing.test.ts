/**
 * The tracing SDK as a process starts it (OTEL_* variables only), against a local OTLP peer: a log line written
 * inside a span names that span's trace, and outside any span nothing is added; an error reported to Sentry
 * names the same trace.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { trace } from '@opentelemetry/api';
import { traceFields } from '../config/logger';
import { startOtlpPeer } from '../test/peers/otlp-peer';
import { startSentryPeer } from '../test/peers/sentry-peer';
import { captureError, errorTrackingOptions, startErrorTracking, stopErrorTracking } from './sentry';
import { activeTracing, startTracing } from './tracing';

const peer = await startOtlpPeer();
process.env.OTEL_EXPORTER_OTLP_ENDPOINT = peer.endpoint;
process.env.OTEL_SERVICE_NAME = 'tracing-unit';
const tracing = startTracing('autocloser-test', '0.0.0');
after(async () => {
  await activeTracing()?.shutdown();
  await peer.close();
});

test('log fields carry the active span, and exported spans carry the service name', async () => {
  assert.ok(tracing);
  assert.deepEqual(traceFields(), {}, 'outside a span: nothing');
  const inside = trace.getTracer('test').startActiveSpan('turn', (span) => {
    const fields = traceFields();
    span.end();
    return { fields, ids: span.spanContext() };
  });
  assert.deepEqual(inside.fields, { trace_id: inside.ids.traceId, span_id: inside.ids.spanId });
  await tracing.spanProcessor.forceFlush();
  const exported = peer.spans.find((s) => s.spanId === inside.ids.spanId);
  assert.equal(exported?.traceId, inside.ids.traceId);
  assert.equal(exported?.service, 'tracing-unit', 'OTEL_SERVICE_NAME overrides the default name');
});

test('with tracing on, an error report carries the trace id of the span it happened in', async () => {
  const sentry = await startSentryPeer();
  try {
    startErrorTracking(errorTrackingOptions('test', '0.0.0', true, { SENTRY_DSN: sentry.dsn })!);
    const ids = trace.getTracer('test').startActiveSpan('failing turn', (span) => {
      captureError(new TypeError('boom'), { transaction: 'decide' });
      span.end();
      return span.spanContext();
    });
    await stopErrorTracking();
    const [event] = sentry.events() as { contexts?: { trace?: { trace_id?: string } }; exception?: { values?: { type?: string }[] } }[];
    assert.equal(event?.exception?.values?.[0]?.type, 'TypeError');
    assert.equal(event?.contexts?.trace?.trace_id, ids.traceId);
  } finally {
    await sentry.close();
  }
});
