import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, mock, test } from 'node:test';
import { startFcmPeer, type FcmPeer } from '../../test/peers/fcm-peer';
import { conversationNotification, senderPerTest } from '../../test/peers/push-service';
import { createFcmSender, type ServiceAccountKey } from './fcm';
import { PushError, type PushSender } from './sender';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const device = (token: string) => ({ platform: 'android' as const, token });
const tokenA = 'fMqq1vQ8Rk2:APA91bH-device-a-0123456789abcdef';
const tokenB = 'cZ7x9u2TQjK:APA91bH-device-b-fedcba9876543210';
const notification = conversationNotification('c_42', 'needs_human', { title: 'Ayşe needs a person', body: 'The customer asked for a person.' });

describe('FCM HTTP v1 sender against a local FCM peer', () => {
  let peer: FcmPeer;
  let account: ServiceAccountKey;
  let fcm: PushSender;

  senderPerTest({
    async start() {
      peer = await startFcmPeer({ projectId: 'autocloser-test', clientEmail: 'push@autocloser-test.iam.gserviceaccount.com', publicKey });
      account = {
        project_id: 'autocloser-test',
        client_email: 'push@autocloser-test.iam.gserviceaccount.com',
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        private_key_id: 'k1',
        token_uri: peer.tokenUri,
      };
      return peer;
    },
    sender: () => (fcm = createFcmSender({ serviceAccount: account, baseUrl: peer.baseUrl })),
  });

  test('delivers the notification, string data and high priority to the device it was meant for', async () => {
    const result = await fcm.send(device(tokenA), notification);
    assert.ok('ok' in result && result.ok);
    assert.equal(peer.deliveries.length, 1);
    const [delivery] = peer.deliveries;
    assert.equal(result.id, delivery!.name);
    assert.equal(delivery!.token, tokenA);
    assert.deepEqual(delivery!.notification, { title: 'Ayşe needs a person', body: 'The customer asked for a person.' });
    assert.deepEqual(delivery!.data, { conversationId: 'c_42', kind: 'needs_human' });
    assert.deepEqual(delivery!.android, { priority: 'high', collapse_key: 'conv-c_42' });
    assert.deepEqual(peer.rejections, []);
  });

  test('one OAuth exchange serves concurrent and later sends', async () => {
    const before = peer.tokenExchanges();
    await Promise.all([fcm.send(device(tokenA), notification), fcm.send(device(tokenB), notification)]);
    await fcm.send(device(tokenA), { ...notification, collapseKey: undefined });
    assert.equal(peer.tokenExchanges() - before, 1);
    assert.deepEqual(peer.deliveries.map((d) => d.token).sort(), [tokenA, tokenA, tokenB].sort());
    assert.equal(peer.deliveries.at(-1)!.android?.collapse_key, undefined);
  });

  test('an unregistered token and a malformed token are dead', async () => {
    const gone = 'dGone00000:APA91bH-uninstalled-app-000000';
    peer.unregister(gone);
    assert.deepEqual(await fcm.send(device(gone), notification), { dead: true, reason: 'UNREGISTERED' });
    assert.deepEqual(await fcm.send(device('not a token'), notification), { dead: true, reason: 'INVALID_ARGUMENT' });
    assert.equal(peer.deliveries.length, 0);
  });

  test('503 is retryable with the Retry-After the service gave; the next attempt delivers', async () => {
    peer.failNext(503);
    const err = await fcm.send(device(tokenA), notification).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof PushError, String(err));
    assert.equal(err.retryable, true);
    assert.equal(err.status, 503);
    assert.equal(err.retryAfterMs, 7000);
    assert.ok('ok' in (await fcm.send(device(tokenA), notification)));
    assert.equal(peer.deliveries.length, 1);
  });

  test('the access token is exchanged again five minutes before its hour is up', async () => {
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    try {
      const before = peer.tokenExchanges();
      await fcm.send(device(tokenA), notification);
      mock.timers.tick(54 * 60_000);
      await fcm.send(device(tokenA), notification);
      assert.equal(peer.tokenExchanges() - before, 1);
      mock.timers.tick(2 * 60_000);
      await fcm.send(device(tokenA), notification);
      assert.equal(peer.tokenExchanges() - before, 2);
      assert.equal(peer.deliveries.length, 3);
    } finally {
      mock.timers.reset();
    }
  });

  test('a revoked access token is replaced once and the send goes through', async () => {
    await fcm.send(device(tokenA), notification);
    const before = peer.tokenExchanges();
    peer.revokeAccessTokens();
    assert.ok('ok' in (await fcm.send(device(tokenB), notification)));
    assert.equal(peer.tokenExchanges() - before, 1);
    assert.deepEqual(peer.deliveries.map((d) => d.token), [tokenA, tokenB]);
  });

  test('an assertion signed with another key is refused and not retried', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const wrong = createFcmSender({ serviceAccount: { ...account, private_key: other }, baseUrl: peer.baseUrl });
    const err = await wrong.send(device(tokenA), notification).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof PushError, String(err));
    assert.equal(err.retryable, false);
    assert.match(err.message, /invalid_grant/);
    assert.match(peer.rejections.join('\n'), /signature verification failed/);
    assert.equal(peer.deliveries.length, 0);
  });
});
