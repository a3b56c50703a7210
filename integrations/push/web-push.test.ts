import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import webpush from 'web-push';
import { conversationNotification, senderPerTest } from '../../test/peers/push-service';
import { startWebPushPeer, type WebPushPeer } from '../../test/peers/web-push-peer';
import { PushError, type PushSender } from './sender';
import { createWebPushSender, type WebPushConfig } from './web-push';

const vapid = webpush.generateVAPIDKeys();
const notification = conversationNotification('c_5', 'payment_received', { title: 'Payment received', body: 'Zeynep paid ₺1.250,00' });

describe('Web Push sender against a local push service', () => {
  let peer: WebPushPeer;
  let config: WebPushConfig;
  let sender: PushSender;

  senderPerTest({
    async start() {
      peer = await startWebPushPeer();
      config = { publicKey: vapid.publicKey, privateKey: vapid.privateKey, subject: 'mailto:ops@autocloser.test', ca: peer.ca };
      return peer;
    },
    sender: () => (sender = createWebPushSender(config)),
  });

  test('the subscribed browser decrypts exactly the notification it was sent', async () => {
    const browser = peer.subscribe(vapid.publicKey);
    const other = peer.subscribe(vapid.publicKey);
    const result = await sender.send({ platform: 'web', token: browser.json }, notification);

    assert.ok('ok' in result, JSON.stringify(result));
    assert.match(result.id ?? '', new RegExp(`^${peer.origin}/message/`));
    assert.equal(peer.deliveries.length, 1);
    const [delivery] = peer.deliveries;
    assert.equal(delivery!.subscriptionId, browser.id);
    assert.notEqual(delivery!.subscriptionId, other.id);
    assert.deepEqual(JSON.parse(delivery!.payload), {
      title: 'Payment received',
      body: 'Zeynep paid ₺1.250,00',
      tag: 'conv-c_5',
      data: { conversationId: 'c_5', kind: 'payment_received' },
    });
    assert.equal(delivery!.claims.aud, peer.origin);
    assert.equal(delivery!.claims.sub, 'mailto:ops@autocloser.test');
    assert.equal(delivery!.headers.ttl, '86400');
    assert.equal(delivery!.headers.urgency, 'high');
    assert.match(String(delivery!.headers.topic), /^[\w-]{32}$/);
  });

  test('a push signed with another application server key is refused, not delivered', async () => {
    const browser = peer.subscribe(webpush.generateVAPIDKeys().publicKey);
    const err = await sender.send({ platform: 'web', token: browser.json }, notification).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof PushError, String(err));
    assert.equal(err.status, 403);
    assert.equal(err.retryable, false);
    assert.deepEqual(peer.deliveries, []);
  });

  test('an expired subscription (410) and an unknown one (404) are dead; a malformed one never leaves', async () => {
    const browser = peer.subscribe(vapid.publicKey);
    peer.expire(browser.id);
    assert.deepEqual(await sender.send({ platform: 'web', token: browser.json }, notification), { dead: true, reason: 'HTTP 410' });
    const unknown = JSON.stringify({ ...JSON.parse(browser.json), endpoint: `${peer.origin}/push/0000-gone` });
    assert.deepEqual(await sender.send({ platform: 'web', token: unknown }, notification), { dead: true, reason: 'HTTP 404' });
    assert.deepEqual(await sender.send({ platform: 'web', token: '{"endpoint":"http://insecure.test/x"}' }, notification), { dead: true, reason: 'InvalidSubscription' });
    assert.deepEqual(peer.answers, ['410 subscription expired', '404 no such subscription']);
  });

  test('429 and 503 are retryable with the Retry-After the service gave', async () => {
    const browser = peer.subscribe(vapid.publicKey);
    peer.failNext(429, 503);
    for (const status of [429, 503]) {
      const err = await sender.send({ platform: 'web', token: browser.json }, notification).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof PushError, String(err));
      assert.equal(err.status, status);
      assert.equal(err.retryable, true);
      assert.equal(err.retryAfterMs, 11_000);
    }
    assert.ok('ok' in (await sender.send({ platform: 'web', token: browser.json }, notification)));
  });

  test('bad VAPID keys are refused when the sender is made', () => {
    assert.throws(() => createWebPushSender({ ...config, privateKey: 'short' }));
    assert.throws(() => createWebPushSender({ ...config, subject: 'ops@autocloser.test' }), /subject/);
  });
});
