import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Event } from '@sentry/node';
import { scrubBreadcrumb, scrubEvent } from './scrub';
import { tracingConfigured, withoutQuery } from './tracing';

const secrets = ['+905551234567', 'ayse@example.test', 'Bearer sk_live_abc', 'I want the red tent', 'tok_123456', 'session=abc'];

test('an event keeps types, frames, route, ids and trace, and loses every message, request detail and extra', () => {
  const event: Event = {
    event_id: 'e1',
    level: 'error',
    release: 'autocloser@1.0.0',
    environment: 'production',
    transaction: 'POST /api/webchat/:merchant/messages',
    message: 'I want the red tent',
    user: { email: 'ayse@example.test', ip_address: '10.0.0.1' },
    request: {
      method: 'POST',
      url: 'https://x.test/api/webchat/m1/messages?email=ayse@example.test',
      query_string: 'token=tok_123456',
      headers: { authorization: 'Bearer sk_live_abc', cookie: 'session=abc' },
      cookies: { session: 'abc' },
      data: { text: 'I want the red tent', phone: '+905551234567' },
    },
    tags: { route: '/api/webchat/:merchant/messages', 'http.status_code': 500, phone: '+905551234567', 'error.code': 'ayse@example.test' },
    extra: { body: 'I want the red tent' },
    contexts: {
      trace: { trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16), data: { 'http.url': 'https://x.test/?token=tok_123456' } },
      temporal: { activityType: 'decide', attempt: 2, input: 'I want the red tent' },
      customer: { phone: '+905551234567' },
    },
    exception: {
      values: [
        {
          type: 'Error',
          value: 'provider refused: I want the red tent +905551234567',
          stacktrace: { frames: [{ filename: 'activities/agent.ts', function: 'decide', lineno: 51, colno: 9, in_app: true, vars: { text: 'I want the red tent' } }] },
          mechanism: { type: 'generic', handled: true, data: { text: 'I want the red tent' } },
        },
        { type: 'ServerErrorResponse', value: 'POST /api/webchat/:merchant/messages answered 502' },
      ],
    },
    breadcrumbs: [
      { category: 'console', message: 'I want the red tent' },
      { category: 'http', type: 'http', data: { method: 'POST', status_code: 503, url: 'https://api.push.apple.com/3/device/tok_123456?x=1' } },
    ],
  };
  const scrubbed = scrubEvent(event);
  const sent = JSON.stringify(scrubbed);
  for (const secret of secrets) assert.ok(!sent.includes(secret), `${secret} left: ${sent}`);
  assert.equal(scrubbed.transaction, 'POST /api/webchat/:merchant/messages');
  assert.deepEqual(scrubbed.tags, { route: '/api/webchat/:merchant/messages', 'http.status_code': 500 });
  assert.deepEqual(scrubbed.request, { method: 'POST' });
  assert.deepEqual(scrubbed.contexts, { trace: { trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16) }, temporal: { activityType: 'decide', attempt: 2 } });
  assert.equal(scrubbed.exception!.values![0]!.type, 'Error');
  assert.equal(scrubbed.exception!.values![0]!.value, undefined);
  assert.deepEqual(scrubbed.exception!.values![0]!.stacktrace!.frames![0], { filename: 'activities/agent.ts', function: 'decide', lineno: 51, colno: 9, in_app: true });
  assert.equal(scrubbed.exception!.values![1]!.value, 'POST /api/webchat/:merchant/messages answered 502', 'our own status message stays');
  assert.deepEqual(scrubbed.breadcrumbs, [{ category: 'http', type: 'http', level: undefined, timestamp: undefined, data: { method: 'POST', status_code: 503, url: 'https://api.push.apple.com' } }]);
  assert.equal(scrubbed.user, undefined);
  assert.equal(scrubbed.extra, undefined);
  assert.equal(scrubbed.message, undefined);
});

test('a raw path is never a transaction name', () => {
  assert.equal(scrubEvent({ transaction: 'GET /api/v1/leads?email=a@b.c' }).transaction, undefined);
  assert.equal(scrubEvent({ transaction: 'decide' }).transaction, 'decide');
});

test('breadcrumbs other than outgoing HTTP calls are dropped', () => {
  assert.equal(scrubBreadcrumb({ category: 'console', message: 'x' }), null);
  assert.equal(scrubBreadcrumb({ category: 'query', message: 'select' }), null);
});

test('tracing is on only with an OTLP endpoint, and can be switched off the standard ways', () => {
  assert.equal(tracingConfigured({}), false);
  assert.equal(tracingConfigured({ OTEL_SERVICE_NAME: 'x' }), false);
  assert.equal(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), true);
  assert.equal(tracingConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }), true);
  assert.equal(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }), false);
  assert.equal(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }), false);
});

test('span URLs lose their query strings', () => {
  assert.equal(withoutQuery('/webhooks/meta?hub.verify_token=secret'), '/webhooks/meta');
  assert.equal(withoutQuery('https://graph.example/v21/123/messages#x'), 'https://graph.example/v21/123/messages');
  assert.equal(withoutQuery('/plain'), '/plain');
});
