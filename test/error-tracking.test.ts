/**
 * Error tracking reaches a local peer speaking Sentry's envelope protocol:
 * an activity that throws and a route that answers 5xx each arrive as an event
 * with release, environment, the activity or route, and nothing else. The
 * customer's words, phone number, email, a card token and the bearer token the
 * request carried are planted everywhere an SDK might pick them up (message
 * text, request body, query, headers, cookies, the error's own message) and
 * must appear nowhere in what left the process.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { createAccessTokens } from '../api/auth/tokens';
import { createApp } from '../api/app';
import { createLogger } from '../config/logger';
import { newMasterKey, SecretBox } from '../config/secrets';
import type { LlmProvider } from '../integrations/llm/provider';
import { createPaymentRegistry } from '../integrations/payments/registry';
import { errorTrackingOptions, startErrorTracking, stopErrorTracking } from '../observability/sentry';
import { startSentryPeer, type RunningSentryPeer } from './peers/sentry-peer';
import { eventually, postMessage, sessionId } from './support/chat';
import { requireEnv, suiteStack } from './support/stack';

const PLANTED = {
  words: 'Plantedwords zebra quartz',
  phone: '+905551234567',
  email: 'ayse.planted@example.test',
  cardToken: 'tok_planted_9f8e7d6c5b',
  bearer: 'planted-bearer-0123456789abcdef',
  cookie: 'planted-cookie-value',
};
const customerText = `${PLANTED.words}, call me on ${PLANTED.phone} or ${PLANTED.email}, card ${PLANTED.cardToken}`;

/** A provider that echoes what it was given in its error, as real ones do. */
const echoingProvider: LlmProvider = {
  name: 'echoing',
  async decide() {
    throw Object.assign(new Error(`upstream refused the prompt: ${customerText}`), { code: 'provider_refused', status: 400 });
  },
};

const startPeer = await startSentryPeer();
const options = errorTrackingOptions('test', '0.0.0-test', false, { SENTRY_DSN: startPeer.dsn, SENTRY_ENVIRONMENT: 'ci', SENTRY_RELEASE: 'autocloser@test' });
assert.ok(options);
// Before the stack, as in api/main.ts and worker/main.ts: the worker then gets the activity interceptor.
startErrorTracking(options);

describe('error tracking: activity failures and 5xx answers reach Sentry, scrubbed', () => {
  const peer: RunningSentryPeer = startPeer;
  const stack = suiteStack({ llm: echoingProvider });
  let brokenApi: Server;
  let brokenUrl: string;
  let closedConnection: Connection;

  before(async () => {
    // An API whose Temporal connection is gone: accepting a message fails on our side, a 500.
    closedConnection = await Connection.connect({ address: requireEnv('TEST_TEMPORAL_ADDRESS') });
    await closedConnection.close();
    const app = createApp({
      db: stack.db,
      temporal: new Client({ connection: closedConnection }),
      taskQueue: stack.taskQueue,
      adminToken: stack.adminToken,
      tokens: createAccessTokens(`jwt-${'x'.repeat(40)}`),
      demoPaymentSecret: stack.demoSecret,
      trustProxy: false,
      log: createLogger('test', 'silent'),
      box: SecretBox.fromBase64(newMasterKey()),
      meta: {},
      payments: createPaymentRegistry([], '*:demo'),
      webchatRateLimitPerMinute: 10_000,
      rateLimitNamespace: `${stack.taskQueue}-broken`,
    });
    brokenApi = createServer(app);
    await new Promise<void>((resolve) => brokenApi.listen(0, '127.0.0.1', resolve));
    brokenUrl = `http://127.0.0.1:${(brokenApi.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise<void>((resolve) => brokenApi?.close(() => resolve()));
    await stopErrorTracking();
    await peer.close();
  });

  test('an activity that throws is reported with its activity, workflow, attempt, release and environment', async () => {
    const merchant = await stack.createMerchant();
    const res = await postMessage(stack.apiUrl, merchant, { sessionId: sessionId(), text: customerText });
    assert.equal(res.status, 202, await res.text());
    const events = await eventually(
      async () => peer.events().filter((e) => (e.tags as Record<string, unknown> | undefined)?.['activity.type'] === 'decide'),
      (found) => found.length > 0,
      'the decide failure in Sentry',
    );
    const event = events[0]! as { release?: string; environment?: string; tags: Record<string, unknown>; contexts: Record<string, Record<string, unknown>>; exception: { values: { type: string; value?: string; stacktrace?: { frames: unknown[] } }[] } };
    assert.equal(event.release, 'autocloser@test');
    assert.equal(event.environment, 'ci');
    assert.equal(event.tags['workflow.type'], 'leadConversation');
    assert.equal(event.tags['error.code'], 'provider_refused');
    assert.equal(event.tags['error.status'], 400);
    assert.equal(event.contexts.temporal?.activityType, 'decide');
    assert.equal(event.exception.values.at(-1)!.type, 'Error');
    assert.equal(event.exception.values.at(-1)!.value, undefined, 'the message, which quotes the customer, stays home');
    assert.ok((event.exception.values.at(-1)!.stacktrace?.frames.length ?? 0) > 0, 'the stack frames go');
  });

  test('a 5xx answer is reported under its route pattern with its status', async () => {
    const merchant = await stack.createMerchant();
    const res = await fetch(`${brokenUrl}/api/webchat/${merchant}/messages?email=${encodeURIComponent(PLANTED.email)}&token=${PLANTED.cardToken}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${PLANTED.bearer}`, cookie: `session=${PLANTED.cookie}` },
      body: JSON.stringify({ sessionId: sessionId(), text: customerText }),
    });
    assert.equal(res.status, 500, await res.text());
    const events = await eventually(
      async () => peer.events().filter((e) => e.transaction === 'POST /api/webchat/:merchant/messages'),
      (found) => found.length > 0,
      'the 500 in Sentry',
    );
    const event = events[0]! as { tags: Record<string, unknown>; request?: Record<string, unknown> };
    assert.equal(event.tags['http.status_code'], 500);
    assert.equal(event.tags.route, '/api/webchat/:merchant/messages');
    // Request data is cut to the method (observability/scrub.test.ts feeds it a full request).
    assert.deepEqual(Object.keys(event.request ?? {}).filter((k) => k !== 'method'), []);
  });

  test('nothing planted appears anywhere in what was sent, and every envelope was accepted', async () => {
    await stopErrorTracking();
    assert.ok(peer.envelopes.length >= 2);
    assert.equal(peer.refused, 0);
    const everything = peer.envelopes.map((e) => e.raw).join('\n');
    for (const [what, value] of Object.entries(PLANTED)) {
      for (const fragment of [value, ...value.split(/[\s,]+/).filter((w) => w.length >= 5)]) {
        assert.ok(!everything.includes(fragment), `${what} (${fragment}) left the process`);
      }
    }
    assert.ok(!everything.includes('5551234567') && !everything.includes('555 123'), 'no phone digits');
  });
});
