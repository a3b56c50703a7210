import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import webpush from 'web-push';
import { startFcmPeer, type FcmPeer } from '../../test/peers/fcm-peer';
import { pushSendersFromEnv, type PushEnv } from './from-env';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const p8 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const vapid = webpush.generateVAPIDKeys();
const apnsEnv: PushEnv = { APNS_KEY_ID: 'KEY987654A', APNS_TEAM_ID: 'TEAM123456', APNS_BUNDLE_ID: 'com.autocloser.merchant', APNS_PRIVATE_KEY: p8.replaceAll('\n', '\\n') };
const vapidEnv: PushEnv = { VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey, VAPID_SUBJECT: 'mailto:ops@autocloser.test' };

describe('push senders from the environment', () => {
  let peer: FcmPeer;
  let dir: string;
  let keyFile: string;

  before(async () => {
    peer = await startFcmPeer({ projectId: 'p1', clientEmail: 'push@p1.iam.gserviceaccount.com', publicKey: rsa.publicKey });
    dir = await mkdtemp(path.join(os.tmpdir(), 'push-env-'));
    keyFile = path.join(dir, 'service-account.json');
    await writeFile(
      keyFile,
      JSON.stringify({
        type: 'service_account',
        project_id: 'p1',
        private_key_id: 'abc',
        private_key: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        client_email: 'push@p1.iam.gserviceaccount.com',
        token_uri: peer.tokenUri,
      }),
    );
  });
  after(async () => {
    await peer.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('nothing set: every platform off, and the summary says so', () => {
    const push = pushSendersFromEnv({});
    assert.deepEqual(push.enabled, []);
    assert.equal(push.summary, 'push: android (FCM) off, ios (APNs) off, web (VAPID) off');
  });

  test('every group set: all three platforms on, and the FCM key file reaches a working sender', async () => {
    const push = pushSendersFromEnv({ FCM_SERVICE_ACCOUNT_FILE: keyFile, FCM_BASE_URL: peer.baseUrl, ...apnsEnv, APNS_ENV: 'sandbox', ...vapidEnv });
    try {
      assert.deepEqual(push.enabled, ['android', 'ios', 'web']);
      assert.equal(push.summary, 'push: android (FCM) on, ios (APNs) on, web (VAPID) on');
      const token = 'fMqq1vQ8Rk2:APA91bH-from-env-0123456789';
      const result = await push.senders.android!.send({ platform: 'android', token }, { title: 't', body: 'b', data: { conversationId: 'c1', kind: 'new_lead' } });
      assert.ok('ok' in result);
      assert.equal(peer.deliveries.at(-1)?.token, token);
    } finally {
      await push.close();
    }
  });

  test('one platform alone', () => {
    assert.deepEqual(pushSendersFromEnv(vapidEnv).enabled, ['web']);
    assert.deepEqual(pushSendersFromEnv(apnsEnv).enabled, ['ios']);
  });

  test('a partly set group is an error naming what is missing', () => {
    assert.throws(() => pushSendersFromEnv({ ...apnsEnv, APNS_TEAM_ID: '' }), /APNs is partly configured: APNS_TEAM_ID missing/);
    assert.throws(() => pushSendersFromEnv({ VAPID_PUBLIC_KEY: vapid.publicKey }), /Web Push is partly configured: VAPID_PRIVATE_KEY, VAPID_SUBJECT missing/);
    assert.throws(() => pushSendersFromEnv({ ...apnsEnv, APNS_ENV: 'staging' }), /APNS_ENV must be production or sandbox/);
    assert.throws(() => pushSendersFromEnv({ FCM_SERVICE_ACCOUNT_JSON: '{"project_id":"p1"}' }), /lacks client_email, private_key, token_uri/);
    assert.throws(() => pushSendersFromEnv({ FCM_SERVICE_ACCOUNT_JSON: '{}', FCM_SERVICE_ACCOUNT_FILE: keyFile }), /not both/);
    assert.throws(() => pushSendersFromEnv({ ...apnsEnv, APNS_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\nnot a key\\n-----END PRIVATE KEY-----' }));
    const rsaPem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    assert.throws(() => pushSendersFromEnv({ ...apnsEnv, APNS_PRIVATE_KEY: rsaPem }), /P-256/);
  });
});
