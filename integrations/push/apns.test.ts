import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterEach, describe, mock, test } from 'node:test';
import { startApnsPeer, type ApnsPeer } from '../../test/peers/apns-peer';
import { conversationNotification, senderPerTest } from '../../test/peers/push-service';
import { createApnsSender, type ApnsConfig } from './apns';
import { PushError, type PushSender } from './sender';

const team = { teamId: 'TEAM123456', keyId: 'KEY987654A', bundleId: 'com.autocloser.merchant' };
const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const p8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const iphone = () => ({ platform: 'ios' as const, token: randomBytes(32).toString('hex') });
const notification = conversationNotification('c_9', 'customer_message', { title: 'Mehmet wrote', body: 'Is the grinder in stock?' });

describe('APNs sender against a local HTTP/2 APNs peer', () => {
  let peer: ApnsPeer;
  let config: ApnsConfig;
  let apns: PushSender;

  senderPerTest({
    async start() {
      peer = await startApnsPeer({ ...team, publicKey });
      config = { ...team, privateKey: p8, origin: peer.origin, ca: peer.ca };
      return peer;
    },
    sender: () => (apns = createApnsSender(config)),
  });
  afterEach(() => mock.timers.reset());

  test('delivers the alert with the conversation to the device it was meant for', async () => {
    const phone = iphone();
    const other = iphone();
    const result = await apns.send(phone, notification);
    await apns.send(other, { ...notification, collapseKey: undefined });

    assert.ok('ok' in result);
    assert.equal(peer.deliveries.length, 2);
    const [first, second] = peer.deliveries;
    assert.equal(result.id, first!.apnsId);
    assert.equal(first!.deviceToken, phone.token);
    assert.deepEqual(first!.payload, {
      aps: { alert: { title: 'Mehmet wrote', body: 'Is the grinder in stock?' }, sound: 'default', 'thread-id': 'c_9' },
      conversationId: 'c_9',
      kind: 'customer_message',
    });
    assert.equal(first!.headers['apns-topic'], 'com.autocloser.merchant');
    assert.equal(first!.headers['apns-push-type'], 'alert');
    assert.equal(first!.headers['apns-priority'], '10');
    assert.equal(first!.headers['apns-collapse-id'], 'conv-c_9');
    assert.equal(second!.deviceToken, other.token);
    assert.equal(second!.headers['apns-collapse-id'], undefined);
  });

  test('a long message and collapse key are shortened to what APNs accepts, not refused', async () => {
    const result = await apns.send(iphone(), { ...notification, body: 'ş'.repeat(5000), collapseKey: `conversation-${'x'.repeat(80)}` });
    assert.ok('ok' in result, JSON.stringify(peer.answers));
    const delivered = peer.deliveries[0]!;
    assert.equal(delivered.payload.aps.alert?.body, `${'ş'.repeat(999)}…`);
    assert.match(String(delivered.headers['apns-collapse-id']), /^[\w-]{43}$/);
  });

  test('reuses one provider token for 50 minutes, then signs a new one', async () => {
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    await apns.send(iphone(), notification);
    mock.timers.tick(49 * 60_000);
    await apns.send(iphone(), notification);
    assert.equal(peer.providerTokens().length, 1);
    mock.timers.tick(2 * 60_000);
    await apns.send(iphone(), notification);
    assert.equal(peer.providerTokens().length, 2);
    assert.deepEqual(peer.answers, ['200', '200', '200']);
  });

  test('ExpiredProviderToken: signs a fresh token once and the retry is delivered', async () => {
    await apns.send(iphone(), notification);
    peer.expireProviderTokens();
    const phone = iphone();
    const result = await apns.send(phone, notification);
    assert.ok('ok' in result);
    assert.deepEqual(peer.answers, ['200', '403 ExpiredProviderToken', '200']);
    assert.equal(peer.providerTokens().length, 2);
    assert.equal(peer.deliveries.at(-1)!.deviceToken, phone.token);
  });

  test('410 Unregistered and 400 BadDeviceToken are dead devices', async () => {
    const gone = iphone();
    peer.unregister(gone.token);
    assert.deepEqual(await apns.send(gone, notification), { dead: true, reason: 'Unregistered' });
    // Hex, but not the 32 bytes of a device token: only APNs can tell.
    assert.deepEqual(await apns.send({ platform: 'ios', token: 'abcdef0123456789abcdef' }, notification), { dead: true, reason: 'BadDeviceToken' });
    assert.deepEqual(peer.answers, ['410 Unregistered', '400 BadDeviceToken']);
    // Not hex at all: refused before it could reach the request path.
    assert.deepEqual(await apns.send({ platform: 'ios', token: '../../3/device/x' }, notification), { dead: true, reason: 'BadDeviceToken' });
    assert.equal(peer.answers.length, 2);
    assert.equal(peer.deliveries.length, 0);
  });

  test('503 and 429 are retryable; the next attempt delivers on the same connection', async () => {
    peer.failNext(503, 429);
    for (const status of [503, 429]) {
      const err = await apns.send(iphone(), notification).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof PushError, String(err));
      assert.equal(err.status, status);
      assert.equal(err.retryable, true);
    }
    assert.ok('ok' in (await apns.send(iphone(), notification)));
    assert.deepEqual(peer.answers, ['503 ServiceUnavailable', '429 TooManyRequests', '200']);
    assert.equal(peer.connections(), 1);
  });

  test('a token signed with the wrong key is refused for good', async () => {
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const wrong = createApnsSender({ ...config, privateKey: stranger });
    try {
      const err = await wrong.send(iphone(), notification).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof PushError, String(err));
      assert.equal(err.status, 403);
      assert.equal(err.retryable, false);
      assert.match(err.message, /InvalidProviderToken/);
    } finally {
      await wrong.close?.();
    }
  });

  test('an origin without the test CA fails as a retryable TLS error, not a delivery', async () => {
    const untrusting = createApnsSender({ ...config, ca: undefined });
    try {
      const err = await untrusting.send(iphone(), notification).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof PushError, String(err));
      assert.equal(err.retryable, true);
      assert.equal(peer.deliveries.length, 0);
    } finally {
      await untrusting.close?.();
    }
  });
});
