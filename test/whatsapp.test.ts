import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import twilio from 'twilio';
import { upsertChannel } from '../db/queries/channels';
import { upsertTemplate } from '../db/queries/templates';
import { leadWorkflowId, stateQuery } from '../workflows/contract';
import { eventually } from './support/chat';
import { startGraphPeer, graphErrors, type GraphPeer } from './peers/graph-peer';
import { startTwilioPeer, type TwilioPeer } from './peers/twilio-peer';
import { META_APP_SECRET, META_VERIFY_TOKEN, startStack, type Stack } from './support/stack';

const TWILIO_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TWILIO_TOKEN = 'twilio-test-auth-token-0001';
const TWILIO_NUMBER = '+14155238886';
const META_TOKEN = 'meta-test-access-token-0001';
const META_PHONE_ID = '106540352242922';

/** Meta's webhook envelope, as the Cloud API documents it, around one change value. */
function metaEnvelope(value: Record<string, unknown>, phoneNumberId = META_PHONE_ID) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId }, ...value },
          },
        ],
      },
    ],
  };
}

function metaWebhook(from: string, messages: { id: string; text: string; timestamp?: number }[], phoneNumberId = META_PHONE_ID) {
  return metaEnvelope(
    {
      contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: from.replace('+', '') }],
      messages: messages.map((m) => ({
        from: from.replace('+', ''),
        id: m.id,
        timestamp: String(m.timestamp ?? Math.floor(Date.now() / 1000)),
        type: 'text',
        text: { body: m.text },
      })),
    },
    phoneNumberId,
  );
}

function metaStatusWebhook(wamid: string, status: 'delivered' | 'read' | 'failed', to: string) {
  return metaEnvelope({
    statuses: [
      {
        id: wamid,
        status,
        timestamp: String(Math.floor(Date.now() / 1000)),
        recipient_id: to.replace('+', ''),
        ...(status === 'failed' ? { errors: [{ code: 131026, title: 'Message undeliverable', message: 'Message undeliverable' }] } : {}),
      },
    ],
  });
}

describe('WhatsApp over Twilio and Meta', () => {
  let stack: Stack;
  let twilioPeer: TwilioPeer;
  let graph: GraphPeer;
  let merchant: string;

  before(async () => {
    twilioPeer = await startTwilioPeer({ accountSid: TWILIO_SID, authToken: TWILIO_TOKEN });
    graph = await startGraphPeer({ accessToken: META_TOKEN, phoneNumberId: META_PHONE_ID });
    stack = await startStack({ graphBaseUrl: graph.graphBaseUrl, twilioApiBaseUrl: twilioPeer.apiBaseUrl });
    merchant = await stack.createMerchant();
    await upsertChannel(stack.db, stack.box, { merchantId: merchant, provider: 'twilio', address: TWILIO_NUMBER, credentials: { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN } });
    await upsertChannel(stack.db, stack.box, { merchantId: merchant, provider: 'meta', address: META_PHONE_ID, credentials: { accessToken: META_TOKEN } });
  });
  after(async () => {
    await stack.stop();
    await twilioPeer.close();
    await graph.close();
  });

  const twilioPost = (path: string, params: Record<string, string>, sign: { token?: string; url?: string } | null = {}) => {
    const url = `${stack.apiUrl}${path}`;
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (sign) headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(sign.token ?? TWILIO_TOKEN, sign.url ?? url, params);
    return fetch(url, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
  };
  const twilioInbound = (from: string, body: string, sid = `SM${randomUUID().replace(/-/g, '')}`) => ({
    MessageSid: sid,
    SmsMessageSid: sid,
    AccountSid: TWILIO_SID,
    From: `whatsapp:${from}`,
    To: `whatsapp:${TWILIO_NUMBER}`,
    Body: body,
    NumMedia: '0',
    ProfileName: 'Ayşe',
    WaId: from.replace('+', ''),
  });
  const metaPost = (payload: unknown, secret: string | null = META_APP_SECRET) => {
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secret) headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    return fetch(`${stack.apiUrl}/webhooks/meta/whatsapp`, { method: 'POST', headers, body });
  };
  const conversationOf = (phone: string) => leadWorkflowId(merchant, 'whatsapp', stack.box.customerKey(phone));
  const sentTo = {
    twilio: (phone: string) => twilioPeer.messages().filter((r) => r.form.get('To') === `whatsapp:${phone}` && r.form.get('Body') !== null),
    meta: (phone: string) => graph.messages().filter((r) => r.body?.to === phone.replace('+', '')),
  };
  const bodies = {
    twilio: (phone: string) => sentTo.twilio(phone).map((r) => r.form.get('Body') ?? ''),
    meta: (phone: string) => sentTo.meta(phone).map((r) => (r.body && 'text' in r.body ? (r.body.text as { body: string }).body : JSON.stringify(r.body))),
  };
  const phone = () => `+90555${Math.floor(1_000_000 + Math.random() * 8_999_999)}`;
  /** The merchant's approved template for reopening a conversation after the 24-hour window. */
  const approveReopenTemplate = (provider: 'meta' | 'twilio', body: string, providerId: string | null) =>
    upsertTemplate(stack.db, merchant, {
      provider,
      name: 'reopen_conversation',
      language: 'en',
      category: 'utility',
      purpose: 'reply',
      body,
      components: [],
      variableCount: 1,
      providerId,
      status: 'approved',
    });

  test('a whole sale over Twilio: question, price, buying signal, link, payment, receipt', async () => {
    const customer = phone();
    const hello = await twilioPost('/webhooks/twilio/whatsapp', twilioInbound(customer, 'Hi! How much is the 2-person tent?'));
    assert.equal(hello.status, 200);
    assert.match(await hello.text(), /<Response><\/Response>/);
    await eventually(async () => bodies.twilio(customer), (b) => b.length === 1, 'a reply through Twilio');
    assert.match(bodies.twilio(customer)[0]!, /\$249/);
    const sent = sentTo.twilio(customer)[0]!.form;
    assert.equal(sent.get('From'), `whatsapp:${TWILIO_NUMBER}`);
    assert.match(sent.get('StatusCallback') ?? '', /\/webhooks\/twilio\/status$/);

    await twilioPost('/webhooks/twilio/whatsapp', twilioInbound(customer, "Great, I'll take it"));
    const withLink = await eventually(async () => bodies.twilio(customer), (b) => b.some((x) => /\/pay\/demo\//.test(x)), 'a payment link');
    const orderId = /\/pay\/demo\/([0-9a-f-]{36})/.exec(withLink.join('\n'))![1]!;
    await fetch(`${stack.apiUrl}/pay/demo/${orderId}/pay`, { method: 'POST', redirect: 'manual' });
    await eventually(async () => bodies.twilio(customer), (b) => b.some((x) => /Payment received/.test(x)), 'a receipt');
    // The checkout sends the receipt, then tells the lead.
    const state = await eventually(() => stack.client.workflow.getHandle(conversationOf(customer)).query(stateQuery), (s) => s.stage === 'won', 'the lead won');
    assert.equal(state.channel, 'whatsapp');
    assert.ok(!JSON.stringify(await stack.client.workflow.getHandle(conversationOf(customer)).describe()).includes(customer.slice(1)), 'no raw number in the workflow id or search attributes');
  });

  test('a whole sale over Meta, and delivery statuses are tracked', async () => {
    const customer = phone();
    assert.equal((await metaPost(metaWebhook(customer, [{ id: `wamid.${randomUUID()}`, text: "Hi, I'd like the 2-person tent, I'll take it" }]))).status, 200);
    const withLink = await eventually(async () => bodies.meta(customer), (b) => b.some((x) => /\/pay\/demo\//.test(x)), 'a payment link');
    const orderId = /\/pay\/demo\/([0-9a-f-]{36})/.exec(withLink.join('\n'))![1]!;
    await fetch(`${stack.apiUrl}/pay/demo/${orderId}/pay`, { method: 'POST', redirect: 'manual' });
    await eventually(async () => bodies.meta(customer), (b) => b.some((x) => /Payment received/.test(x)), 'a receipt');

    const out = await stack.db('messages').where({ conversation_id: conversationOf(customer), direction: 'out' }).orderBy('seq');
    const wamid = out[0].providerMessageId as string;
    assert.match(wamid, /^wamid\./);
    await metaPost(metaStatusWebhook(wamid, 'read', customer));
    await metaPost(metaStatusWebhook(wamid, 'delivered', customer)); // late and out of order: must not go back
    assert.equal((await stack.db('messages').where({ provider_message_id: wamid }).first()).status, 'read');
  });

  test('forged, missing and mis-addressed signatures are refused and nothing reaches the workflow', async () => {
    const customer = phone();
    const params = twilioInbound(customer, 'forged hello');
    assert.equal((await twilioPost('/webhooks/twilio/whatsapp', params, null)).status, 403);
    assert.equal((await twilioPost('/webhooks/twilio/whatsapp', params, { token: 'some-other-auth-token-000' })).status, 403);
    assert.equal((await twilioPost('/webhooks/twilio/whatsapp', params, { url: 'https://elsewhere.example/webhooks/twilio/whatsapp' })).status, 403);

    const other = phone();
    const payload = metaWebhook(other, [{ id: `wamid.${randomUUID()}`, text: 'forged hello' }]);
    assert.equal((await metaPost(payload, null)).status, 403);
    assert.equal((await metaPost(payload, 'not-the-app-secret')).status, 403);

    for (const p of [customer, other]) {
      assert.equal((await stack.db('messages').where({ conversation_id: conversationOf(p) })).length, 0);
      await assert.rejects(stack.client.workflow.getHandle(conversationOf(p)).describe());
    }
  });

  test('Meta verification answers the challenge only for the right verify token', async () => {
    const url = (token: string) => `${stack.apiUrl}/webhooks/meta/whatsapp?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`;
    const ok = await fetch(url(META_VERIFY_TOKEN));
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), '1158201444');
    assert.equal((await fetch(url('wrong-token'))).status, 403);
  });

  test('malformed bodies are 400 with a message; unknown numbers are 404', async () => {
    const customer = phone();
    const noSid = twilioInbound(customer, 'hi') as Record<string, string>;
    delete noSid.MessageSid;
    const bad = await twilioPost('/webhooks/twilio/whatsapp', noSid);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /MessageSid/);

    const malformed = await metaPost({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', messages: [{}] } }] }] });
    assert.equal(malformed.status, 400);
    assert.match(((await malformed.json()) as { error: { message: string } }).error.message, /entry|metadata|messages/);

    const unknownTwilio = await twilioPost('/webhooks/twilio/whatsapp', { ...twilioInbound(customer, 'hi'), To: 'whatsapp:+15005550006' });
    assert.equal(unknownTwilio.status, 404);
    const unknownMeta = await metaPost(metaWebhook(customer, [{ id: `wamid.${randomUUID()}`, text: 'hi' }], '999999999999'));
    assert.equal(unknownMeta.status, 404);
  });

  test('the same webhook delivered three times is one turn', async () => {
    const customer = phone();
    const params = twilioInbound(customer, 'Hello there');
    for (let i = 0; i < 3; i++) assert.equal((await twilioPost('/webhooks/twilio/whatsapp', params)).status, 200);
    const payload = metaWebhook(customer, [{ id: `wamid.${randomUUID()}`, text: 'Do you have sleeping bags?' }]);
    for (let i = 0; i < 3; i++) assert.equal((await metaPost(payload)).status, 200);
    const handle = stack.client.workflow.getHandle(conversationOf(customer));
    await eventually(() => handle.query(stateQuery), (s) => s.turns === 2, 'two turns');
    await sleep(1000);
    assert.equal((await handle.query(stateQuery)).turns, 2);
    assert.equal((await stack.db('messages').where({ conversation_id: handle.workflowId, direction: 'in' })).length, 2);
  });

  test('a burst of five messages in one webhook is answered five times, in order', async () => {
    const customer = phone();
    const texts = ['Hello', 'Do you have tents?', 'How much is the 2-person tent?', 'Do you have sleeping bags?', 'Thanks!'];
    const t0 = Math.floor(Date.now() / 1000);
    assert.equal((await metaPost(metaWebhook(customer, texts.map((text, i) => ({ id: `wamid.burst.${randomUUID()}.${i}`, text, timestamp: t0 }))))).status, 200);
    const handle = stack.client.workflow.getHandle(conversationOf(customer));
    const st = await eventually(() => handle.query(stateQuery), (s) => s.turns === 5 && s.queued === 0, 'five turns', 30_000);
    const customerTurns = st.lastMessages.filter((m) => m.from === 'customer').map((m) => m.text);
    assert.deepEqual(customerTurns, texts, 'received in the order sent');
    // Replies go out in the order of the messages they answer: the third answers the price question.
    const sent = await eventually(async () => bodies.meta(customer), (b) => b.length === 5, 'five replies sent');
    assert.equal(sent.filter((b) => /\$249/.test(b)).length >= 1, true);
    assert.doesNotMatch(sent[0]!, /\$\d/);
    assert.match(sent[2]!, /\$249/);
  });

  test('outside the 24-hour window the merchant template is used', async () => {
    await approveReopenTemplate('meta', 'Hi {{1}}, thanks for your message! Reply to this message to continue.', null);
    const customer = phone();
    const dayAndAHourAgo = Math.floor(Date.now() / 1000) - 25 * 3600;
    await metaPost(metaWebhook(customer, [{ id: `wamid.${randomUUID()}`, text: 'Hello, anyone?', timestamp: dayAndAHourAgo }]));
    const sent = await eventually(async () => sentTo.meta(customer), (r) => r.length === 1, 'a template');
    assert.equal(sent[0]!.body!.type, 'template');
    const row = await stack.db('messages').where({ conversation_id: conversationOf(customer), direction: 'out' }).first();
    assert.match(row.text, /Reply to this message to continue/);
    assert.equal(row.status, 'sent');
  });

  test('a provider 500 then success sends exactly one message', async () => {
    const customer = phone();
    graph.enqueue(graphErrors.serverError());
    await metaPost(metaWebhook(customer, [{ id: `wamid.${randomUUID()}`, text: 'Hello!' }]));
    await eventually(async () => (await stack.db('messages').where({ conversation_id: conversationOf(customer), direction: 'out' })).length, (n) => n === 1, 'the reply after a retry', 30_000);
    const attempts = sentTo.meta(customer);
    assert.equal(attempts.length, 2, 'one failed attempt, one accepted');
    await sleep(1000);
    assert.equal((await stack.db('messages').where({ conversation_id: conversationOf(customer), direction: 'out' })).length, 1);
  });

  test('an undeliverable message is recorded as failed and shown on the lead', async () => {
    const customer = phone();
    graph.enqueue(graphErrors.undeliverable());
    await metaPost(metaWebhook(customer, [{ id: `wamid.${randomUUID()}`, text: 'Hello!' }]));
    const handle = stack.client.workflow.getHandle(conversationOf(customer));
    const st = await eventually(() => handle.query(stateQuery), (s) => s.deliveryFailures.length === 1, 'a delivery failure on the lead');
    assert.match(st.deliveryFailures[0]!.reason, /undeliverable/i);
    const row = await stack.db('messages').where({ conversation_id: handle.workflowId, direction: 'out' }).first();
    assert.equal(row.status, 'failed');
    assert.match(row.failureReason, /undeliverable/i);
    // The notice goes out after the state records the failure.
    await eventually(() => stack.db('notifications').where({ conversation_id: handle.workflowId }), (n) => n.length >= 1, 'the merchant told');

    // A failure reported later by a status webhook lands on the lead too.
    const later = phone();
    await metaPost(metaWebhook(later, [{ id: `wamid.${randomUUID()}`, text: 'Hi' }]));
    const laterHandle = stack.client.workflow.getHandle(conversationOf(later));
    await eventually(() => laterHandle.query(stateQuery), (s) => s.turns === 1, 'a reply');
    const sentRow = await eventually(
      () => stack.db('messages').where({ conversation_id: laterHandle.workflowId, direction: 'out' }).first(),
      (r) => Boolean(r?.providerMessageId),
      'the sent row',
    );
    await metaPost(metaStatusWebhook(sentRow.providerMessageId, 'failed', later));
    await eventually(() => laterHandle.query(stateQuery), (s) => s.deliveryFailures.length === 1, 'failure from the status webhook');
    assert.equal((await stack.db('messages').where({ id: sentRow.id }).first()).status, 'failed');
  });

  test('a message Twilio accepts but then refuses for the closed window (63016) is resent as the template', async () => {
    await approveReopenTemplate('twilio', 'Hi {{1}}, we have an answer for you. Reply to see it.', `HX${'ab'.repeat(16)}`);
    const customer = phone();
    await twilioPost('/webhooks/twilio/whatsapp', twilioInbound(customer, 'Hello!'));
    const [first] = await eventually(async () => sentTo.twilio(customer), (r) => r.length === 1, 'the free-form reply');
    const row = await eventually(
      () => stack.db('messages').where({ conversation_id: conversationOf(customer), direction: 'out' }).first(),
      (r) => Boolean(r?.providerMessageId),
      'the recorded reply',
    );
    assert.ok(first);
    const status = await twilioPost('/webhooks/twilio/status', {
      MessageSid: row.providerMessageId,
      MessageStatus: 'undelivered',
      ErrorCode: '63016',
      From: `whatsapp:${TWILIO_NUMBER}`,
      To: `whatsapp:${customer}`,
      AccountSid: TWILIO_SID,
    });
    assert.equal(status.status, 204);
    const templated = await eventually(
      async () => twilioPeer.messages().filter((r) => r.form.get('To') === `whatsapp:${customer}` && r.form.get('ContentSid')),
      (r) => r.length === 1,
      'the template resend',
    );
    assert.equal(templated[0]!.form.get('ContentSid'), `HX${'ab'.repeat(16)}`);
    const st = await stack.client.workflow.getHandle(conversationOf(customer)).query(stateQuery);
    assert.equal(st.windowClosesAt, null, 'the lead now knows the window is closed');
    assert.equal(st.deliveryFailures.length, 0, 'recovered, so not shown as a failure');
  });

  test('connecting a number and managing templates through the API; credentials are write-only and sealed', async () => {
    const { headers: auth } = await stack.member(merchant, 'admin');
    const admin = (method: string, path: string, body?: unknown) =>
      fetch(`${stack.apiUrl}/api/v1${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...auth },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const secretToken = 'a-very-secret-twilio-auth-token';
    const connected = await admin('POST', '/channels', {
      provider: 'twilio',
      address: '+14155550100',
      credentials: { accountSid: TWILIO_SID, authToken: secretToken },
    });
    assert.equal(connected.status, 201);
    const listed = await (await admin('GET', '/channels')).text();
    assert.ok(!listed.includes(secretToken), 'credentials never come back');
    const stored = await stack.db('merchant_channels').where({ address: '+14155550100' }).first();
    assert.ok(!stored.credentialsEncrypted.includes(secretToken), 'sealed at rest');
    const invalid = await admin('POST', '/channels', { provider: 'twilio', address: '555', credentials: { accountSid: 'x', authToken: 'y' } });
    assert.equal(invalid.status, 400);
    assert.match(((await invalid.json()) as { error: { message: string } }).error.message, /address|E\.164/);
    assert.equal((await fetch(`${stack.apiUrl}/api/v1/channels`)).status, 401);

    const gap = await admin('PUT', '/templates', { provider: 'meta', name: 'bad_one', language: 'en', category: 'utility', body: 'Hi {{2}}' });
    assert.equal(gap.status, 400);
    assert.match(((await gap.json()) as { error: { message: string } }).error.message, /\{\{1\}\} is missing/);
    const saved = await admin('PUT', '/templates', {
      provider: 'meta',
      name: 'order_update',
      language: 'tr',
      category: 'utility',
      purpose: 'payment_reminder',
      body: 'Merhaba {{1}}, ödeme bağlantınız: {{2}}',
    });
    assert.equal(saved.status, 200);
    const templates = (await (await admin('GET', '/templates')).json()) as { items: { name: string; variableCount: number }[] };
    assert.equal(templates.items.find((t) => t.name === 'order_update')?.variableCount, 2);
  });

  test('inbound media is fetched with the merchant credentials and stored; disallowed files are refused with a reason', async () => {
    const customer = phone();
    const photo = Buffer.from('\xff\xd8\xff\xe0 a tiny jpeg stand-in', 'latin1');
    graph.addMedia('1013859600285441', { bytes: photo, mimeType: 'image/jpeg' });
    graph.addMedia('2013859600285442', { bytes: Buffer.from('MZ not a document'), mimeType: 'application/x-msdownload' });
    const payload = metaWebhook(customer, []);
    const value = payload.entry[0]!.changes[0]!.value as unknown as { messages: unknown[] };
    const ts = String(Math.floor(Date.now() / 1000));
    value.messages = [
      { from: customer.slice(1), id: 'wamid.photo.1', timestamp: ts, type: 'image', image: { caption: 'Is this tent in stock?', mime_type: 'image/jpeg', sha256: 'x', id: '1013859600285441' } },
      { from: customer.slice(1), id: 'wamid.file.2', timestamp: ts, type: 'document', document: { filename: 'setup.exe', mime_type: 'application/x-msdownload', sha256: 'y', id: '2013859600285442' } },
    ];
    assert.equal((await metaPost(payload)).status, 200);
    const rows = await eventually(
      () => stack.db('messages').where({ conversation_id: conversationOf(customer), direction: 'in' }).orderBy('seq'),
      (r) => r.length === 2 && r.every((x: { media: unknown[] | null }) => Array.isArray(x.media) && x.media.some((m) => 'storage' in (m as object) || 'rejected' in (m as object))),
      'both attachments processed',
      30_000,
    );
    const [photoRow, fileRow] = rows as { text: string; media: { key?: string; sha256?: string; rejected?: string }[] }[];
    assert.equal(photoRow!.text, 'Is this tent in stock?');
    const stored = photoRow!.media[0]!;
    assert.ok(stored.key?.startsWith(`${merchant}/`));
    const { readFile } = await import('node:fs/promises');
    assert.deepEqual(await readFile(`${stack.mediaDir}/${stored.key}`), photo);
    assert.match(fileRow!.media[0]!.rejected ?? '', /type|allowed/i);
    assert.equal(graph.downloads.length >= 1, true);
  });
});
