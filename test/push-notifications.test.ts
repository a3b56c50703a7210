/**
 * Push notifications end to end: members register devices through the API,
 * a lead's notification becomes one delivery per device, and the worker
 * sends them to local peers that speak FCM HTTP v1 (with Google's OAuth
 * token endpoint) and APNs (HTTP/2 over TLS). Retries never buzz twice, dead
 * tokens are pruned, and email reaches the members who chose it.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { hashPassword } from '../api/auth/passwords';
import { createApnsSender } from '../integrations/push/apns';
import { createFcmSender } from '../integrations/push/fcm';
import type { PushPlatform, PushSender } from '../integrations/push/sender';
import { DEMO_SIGNATURE_HEADER, signDemoWebhook } from '../integrations/payments/demo';
import { insertUser } from '../db/queries/users';
import { leadWorkflowId, notificationWorkflowId, stateQuery } from '../workflows/contract';
import { startApnsPeer, type ApnsPeer } from './peers/apns-peer';
import { startFcmPeer, type FcmPeer } from './peers/fcm-peer';
import { eventually, postMessage, sessionId } from './support/chat';
import { mailpitInbox } from './support/mailpit-inbox';
import { suiteStack } from './support/stack';

const fcmAccount = { projectId: 'autocloser-push-test', clientEmail: 'push@autocloser-push-test.iam.gserviceaccount.com' };
const apnsTeam = { teamId: 'TEAM123456', keyId: 'KEY1234567', bundleId: 'app.autocloser.merchant' };
const fcmKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const apnsKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const androidToken = () => `fcm:${randomBytes(24).toString('base64url')}`;
const iosToken = () => randomBytes(32).toString('hex');

describe('push notifications to members’ devices', () => {
  let fcm: FcmPeer;
  let apns: ApnsPeer;
  // Filled before the stack starts; the worker keeps this same object.
  const senders: Partial<Record<PushPlatform, PushSender>> = {};
  before(async () => {
    fcm = await startFcmPeer({ ...fcmAccount, publicKey: fcmKeys.publicKey });
    apns = await startApnsPeer({ ...apnsTeam, publicKey: apnsKeys.publicKey });
    senders.android = createFcmSender({
      serviceAccount: {
        project_id: fcmAccount.projectId,
        client_email: fcmAccount.clientEmail,
        private_key: fcmKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        token_uri: fcm.tokenUri,
      },
      baseUrl: fcm.baseUrl,
    });
    senders.ios = createApnsSender({ ...apnsTeam, privateKey: apnsKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), origin: apns.origin, ca: apns.ca });
  });
  const stack = suiteStack({
    mailpit: true,
    push: { senders, config: { webPushPublicKey: null, platforms: { android: true, ios: true, web: false } } },
  });
  after(async () => {
    await Promise.all(Object.values(senders).map((s) => s.close?.()));
    await fcm?.close();
    await apns?.close();
  });

  let merchant: string;
  let other: string;
  let owner: { userId: string; email: string; headers: Record<string, string> };
  let agent: { userId: string; email: string; headers: Record<string, string> };
  let stranger: { userId: string; headers: Record<string, string> };
  const tokens = { ownerAndroid: androidToken(), ownerIos: iosToken(), agentAndroid: androidToken(), strangerAndroid: androidToken() };
  const devices: Record<string, string> = {};

  const api = (path: string, init: { method?: string; headers: Record<string, string>; body?: unknown }) =>
    fetch(`${stack.apiUrl}/api/v1${path}`, {
      method: init.method ?? 'GET',
      headers: { ...init.headers, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  const register = async (headers: Record<string, string>, platform: PushPlatform, token: string, label?: string) => {
    const res = await api('/devices', { method: 'POST', headers, body: { platform, token, ...(label ? { label } : {}) } });
    return { status: res.status, body: (await res.json()) as { id: string; platform: string; label: string | null; createdAt: string } };
  };
  const notificationOf = async (conversationId: string, kind: string, afterId = 0): Promise<number> => {
    const row = await eventually(
      () => stack.db('notifications').where({ conversation_id: conversationId, kind }).where('id', '>', afterId).orderBy('id').first(),
      (r) => Boolean(r),
      `a ${kind} notification`,
    );
    return Number(row.id);
  };
  /** The newest notification of the conversation so far, or 0. */
  const latestNotification = async (conversationId: string): Promise<number> =>
    Number((await stack.db('notifications').where({ conversation_id: conversationId }).max({ id: 'id' }).first())?.id ?? 0);
  const deliveriesOf = (notificationId: number) => stack.db('notification_deliveries').where({ notification_id: notificationId }).orderBy('id');
  const finished = (notificationId: number) =>
    eventually(() => stack.client.workflow.getHandle(notificationWorkflowId(notificationId)).describe(), (d) => d.status.name === 'COMPLETED', 'delivery finished', 30_000);
  const fcmTo = (token: string, conversationId?: string) => fcm.deliveries.filter((d) => d.token === token && (!conversationId || d.data?.conversationId === conversationId));
  const apnsTo = (token: string, conversationId?: string) => apns.deliveries.filter((d) => d.deviceToken === token && (!conversationId || d.payload.conversationId === conversationId));

  before(async () => {
    merchant = await stack.createMerchant();
    other = await stack.createMerchant();
    owner = await stack.member(merchant, 'owner');
    agent = await stack.member(merchant, 'agent');
    stranger = await stack.member(other, 'owner');
  });

  test('members register their devices; a second registration of the same token is the same device', async () => {
    const first = await register(owner.headers, 'android', tokens.ownerAndroid, 'Pixel 8');
    assert.equal(first.status, 201);
    assert.deepEqual(Object.keys(first.body).sort(), ['createdAt', 'id', 'label', 'platform']);
    assert.equal(first.body.label, 'Pixel 8');
    const again = await register(owner.headers, 'android', tokens.ownerAndroid);
    assert.equal(again.status, 200);
    assert.equal(again.body.id, first.body.id);
    devices.ownerAndroid = first.body.id;
    devices.ownerIos = (await register(owner.headers, 'ios', tokens.ownerIos, 'iPhone')).body.id;
    devices.agentAndroid = (await register(agent.headers, 'android', tokens.agentAndroid)).body.id;
    devices.strangerAndroid = (await register(stranger.headers, 'android', tokens.strangerAndroid)).body.id;

    const mine = (await (await api('/devices', { headers: owner.headers })).json()) as { items: { id: string }[] };
    assert.deepEqual(mine.items.map((d) => d.id).sort(), [devices.ownerAndroid, devices.ownerIos].sort());
    const config = await (await api('/push/config', { headers: agent.headers })).json();
    assert.deepEqual(config, { webPushPublicKey: null, platforms: { android: true, ios: true, web: false } });
  });

  test('preferences start at their defaults and are kept per member', async () => {
    const defaults = await (await api('/me/notification-preferences', { headers: agent.headers })).json();
    assert.deepEqual(defaults, {
      push: { needs_human: true, customer_message: true, payment_received: true, payment_failed: true, new_lead: false },
      email: { needs_human: false },
    });
    const quiet = { push: { needs_human: false, customer_message: false, payment_received: false, payment_failed: false, new_lead: false }, email: { needs_human: true } };
    const put = await api('/me/notification-preferences', { method: 'PUT', headers: agent.headers, body: quiet });
    assert.equal(put.status, 200);
    assert.deepEqual(await put.json(), quiet);
    assert.deepEqual(await (await api('/me/notification-preferences', { headers: agent.headers })).json(), quiet);
    // The owner's are untouched.
    assert.deepEqual(await (await api('/me/notification-preferences', { headers: owner.headers })).json(), defaults);
    const partial = await api('/me/notification-preferences', { method: 'PUT', headers: agent.headers, body: { push: quiet.push } });
    assert.equal(partial.status, 400);
  });

  let conversationId: string;
  let session: string;

  test('a lead that asks for a person buzzes the owner’s phones, and only theirs; the agent who chose email gets an email', async () => {
    session = sessionId();
    conversationId = leadWorkflowId(merchant, 'webchat', session);
    await postMessage(stack.apiUrl, merchant, { sessionId: session, text: 'Hi, my name is Ayşe. I want to talk to a real person please' });
    const id = await notificationOf(conversationId, 'needs_human');
    await finished(id);

    const [android] = fcmTo(tokens.ownerAndroid, conversationId);
    assert.ok(android, 'the owner’s Android phone got it');
    assert.equal(fcmTo(tokens.ownerAndroid, conversationId).length, 1);
    assert.ok(fcm.tokenExchanges() >= 1, 'the sender traded its service-account assertion for an access token');
    assert.deepEqual(fcm.rejections, []);
    assert.deepEqual(android.data, { conversationId, kind: 'needs_human' });
    assert.match(android.notification?.title ?? '', /needs a person/);
    assert.equal(android.android?.priority, 'high');
    assert.equal(android.android?.collapse_key, `notification-${id}`);

    const [ios] = apnsTo(tokens.ownerIos, conversationId);
    assert.ok(ios, 'the owner’s iPhone got it over HTTP/2');
    assert.equal(ios.payload.conversationId, conversationId);
    assert.equal(ios.payload.kind, 'needs_human');
    assert.match(ios.payload.aps.alert?.title ?? '', /needs a person/);
    assert.ok(ios.payload.aps.alert?.body, 'the reason in words');
    assert.equal(ios.headers['apns-topic'], apnsTeam.bundleId);
    assert.equal(ios.headers['apns-collapse-id'], `notification-${id}`);
    assert.equal(android.notification?.body, ios.payload.aps.alert?.body);

    // The agent turned needs_human off, the other merchant is another merchant.
    assert.equal(fcmTo(tokens.agentAndroid).length, 0);
    assert.equal(fcmTo(tokens.strangerAndroid).length, 0);
    const rows = await deliveriesOf(id);
    assert.deepEqual(rows.map((r) => [r.channel, r.deviceId ?? r.userId, r.status]).sort(), [
      ['email', agent.userId, 'sent'],
      ['push', devices.ownerAndroid, 'sent'],
      ['push', devices.ownerIos, 'sent'],
    ].sort());

    const mail = await mailpitInbox(stack.mailpit!.apiUrl).only(agent.email, 10_000);
    assert.match(mail.Subject, /needs a person/);
    assert.match(mail.Text, /asked for a person/);
    assert.ok(mail.Text.includes(`/app/inbox/${encodeURIComponent(conversationId)}`), 'links to the conversation');
    assert.equal(mail.headers['X-Entity-Ref-Id']?.[0] ?? mail.headers['X-Entity-Ref-ID']?.[0], `notification-${id}-${agent.userId}`);
  });

  test('a delivery retried after a provider error sends only what is still pending: no second buzz', async () => {
    apns.failNext(503);
    const previous = await latestNotification(conversationId);
    // The lead is with a person now: the customer writing again is its own notification.
    await postMessage(stack.apiUrl, merchant, { sessionId: session, text: 'Hello? Is anyone there?' });
    const id = await notificationOf(conversationId, 'needs_human', previous);
    await finished(id);

    assert.ok(apns.answers.includes('503 ServiceUnavailable'), 'the first attempt to the iPhone failed');
    const androidCopies = fcm.deliveries.filter((d) => d.token === tokens.ownerAndroid && d.android?.collapse_key === `notification-${id}`);
    const iosCopies = apns.deliveries.filter((d) => d.deviceToken === tokens.ownerIos && d.headers['apns-collapse-id'] === `notification-${id}`);
    assert.equal(androidCopies.length, 1, 'the Android phone buzzed once although the activity ran twice');
    assert.equal(iosCopies.length, 1, 'the iPhone got it on the retry');
    assert.equal(androidCopies[0]!.data?.kind, 'customer_message');
    const rows = await deliveriesOf(id);
    const byDevice = Object.fromEntries(rows.filter((r) => r.channel === 'push').map((r) => [r.deviceId, r]));
    assert.equal(byDevice[devices.ownerAndroid!].attempts, 1);
    assert.equal(byDevice[devices.ownerIos!].attempts, 2);
    assert.ok(rows.every((r) => r.status === 'sent'));
    // Email is for hand-offs only, not for every message.
    assert.equal(rows.filter((r) => r.channel === 'email').length, 0);
  });

  test('tokens the providers call dead are removed with their devices', async () => {
    fcm.unregister(tokens.ownerAndroid);
    apns.unregister(tokens.ownerIos);
    const previous = await latestNotification(conversationId);
    await postMessage(stack.apiUrl, merchant, { sessionId: session, text: 'I am still waiting' });
    const id = await notificationOf(conversationId, 'needs_human', previous);
    await finished(id);
    const rows = await deliveriesOf(id);
    assert.deepEqual(rows.map((r) => r.status), ['dead', 'dead']);
    assert.match(rows.map((r) => r.lastError).join(' '), /UNREGISTERED/);
    assert.match(rows.map((r) => r.lastError).join(' '), /Unregistered/);
    assert.equal((await stack.db('devices').whereIn('id', [devices.ownerAndroid!, devices.ownerIos!])).length, 0);
    assert.ok(await stack.db('devices').where({ id: devices.agentAndroid }).first(), 'other devices stay');
  });

  test('a payment received buzzes, once, and the list shows it once', async () => {
    const phone = androidToken();
    await register(owner.headers, 'android', phone);
    const s = sessionId();
    const lead = leadWorkflowId(merchant, 'webchat', s);
    await postMessage(stack.apiUrl, merchant, { sessionId: s, text: "I'd like the 2-person tent, I'll take it" });
    const handle = stack.client.workflow.getHandle(lead);
    const st = await eventually(() => handle.query(stateQuery), (x) => x.pendingPayment !== null, 'a pending payment');
    const orderId = st.pendingPayment!.orderId;
    await stack.db('orders').where({ id: orderId }).update({ provider_status: 'paid' });
    const event = { id: `evt_${randomUUID()}`, type: 'payment.completed', orderId, created: Math.floor(Date.now() / 1000) };
    const body = JSON.stringify(event);
    const res = await fetch(`${stack.apiUrl}/webhooks/demo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [DEMO_SIGNATURE_HEADER]: signDemoWebhook(stack.demoSecret, body, Math.floor(Date.now() / 1000)) },
      body,
    });
    assert.equal(res.status, 200);
    await eventually(() => handle.query(stateQuery), (x) => x.stage === 'won', 'won');
    const id = await notificationOf(lead, 'won');
    await finished(id);
    const copies = fcmTo(phone, lead);
    assert.equal(copies.length, 1);
    assert.equal(copies[0]!.data?.kind, 'payment_received');
    assert.equal(copies[0]!.notification?.title, 'Payment received');
    assert.equal(copies[0]!.notification?.body, `A customer paid $${(st.pendingPayment!.amountMinor / 100).toFixed(2)}.`);
    assert.equal((await stack.db('notifications').where({ conversation_id: lead, kind: 'won' })).length, 1);
  });

  test('signing out removes the devices registered in that sign-in only', async () => {
    const email = `push-${randomUUID().slice(0, 8)}@${merchant}.test`;
    const password = 'correct horse battery staple';
    await insertUser(stack.db, { merchantId: merchant, email, name: 'Signed in twice', role: 'agent', locale: 'tr', passwordHash: await hashPassword(password) });
    const signIn = async () => {
      const res = await fetch(`${stack.apiUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
      assert.equal(res.status, 200);
      const s = (await res.json()) as { accessToken: string; refreshToken: string };
      return { headers: { authorization: `Bearer ${s.accessToken}` }, refreshToken: s.refreshToken };
    };
    const phone = await signIn();
    const laptop = await signIn();
    const onPhone = (await register(phone.headers, 'android', androidToken())).body.id;
    const onLaptop = (await register(laptop.headers, 'ios', iosToken())).body.id;
    const out = await fetch(`${stack.apiUrl}/api/v1/auth/logout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: phone.refreshToken }) });
    assert.equal(out.status, 204);
    assert.equal(await stack.db('devices').where({ id: onPhone }).first(), undefined);
    assert.ok(await stack.db('devices').where({ id: onLaptop }).first());
  });

  test('bad input is refused, and nobody removes another member’s device', async () => {
    const post = (body: unknown) => api('/devices', { method: 'POST', headers: owner.headers, body });
    for (const [what, body] of [
      ['unknown platform', { platform: 'blackberry', token: androidToken() }],
      ['empty token', { platform: 'android', token: '' }],
      ['oversized token', { platform: 'android', token: 'a'.repeat(4097) }],
      ['no token', { platform: 'ios' }],
      ['an iOS token that is not hex', { platform: 'ios', token: 'not a device token' }],
      ['a web token that is not a subscription', { platform: 'web', token: '{"endpoint":"http://push.example/x"}' }],
      ['a label that is too long', { platform: 'android', token: androidToken(), label: 'x'.repeat(101) }],
      ['an unknown field', { platform: 'android', token: androidToken(), owner: 'me' }],
    ] as const) {
      const res = await post(body);
      assert.equal(res.status, 400, what);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'invalid_request', what);
    }
    const gone = await api(`/devices/${devices.strangerAndroid}`, { method: 'DELETE', headers: owner.headers });
    assert.equal(gone.status, 404);
    const colleague = await api(`/devices/${devices.agentAndroid}`, { method: 'DELETE', headers: owner.headers });
    assert.equal(colleague.status, 404);
    assert.equal((await api('/devices/not-a-uuid', { method: 'DELETE', headers: owner.headers })).status, 404);
    assert.ok(await stack.db('devices').where({ id: devices.strangerAndroid }).first());
    assert.ok(await stack.db('devices').where({ id: devices.agentAndroid }).first());
    const own = await api(`/devices/${devices.agentAndroid}`, { method: 'DELETE', headers: agent.headers });
    assert.equal(own.status, 204);
    assert.equal(await stack.db('devices').where({ id: devices.agentAndroid }).first(), undefined);
  });
});
