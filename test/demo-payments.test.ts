import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { DEMO_SIGNATURE_HEADER, signDemoWebhook } from '../integrations/payments/demo';
import { leadWorkflowId, stateQuery } from '../workflows/contract';
import { eventually, getTranscript, postMessage, sessionId } from './support/chat';
import { startStack, type Stack } from './support/stack';

describe('checkout through the demo provider', () => {
  let stack: Stack;
  let merchant: string;
  before(async () => {
    // Short links so expiry and its reminder happen within the test.
    stack = await startStack({ checkoutTtlMs: 4_000 });
    merchant = await stack.createMerchant();
  });
  after(() => stack.stop());

  const openCheckout = async () => {
    const s = sessionId();
    await postMessage(stack.apiUrl, merchant, { sessionId: s, text: "I'd like the 2-person tent, I'll take it" });
    const handle = stack.client.workflow.getHandle(leadWorkflowId(merchant, 'webchat', s));
    const st = await eventually(() => handle.query(stateQuery), (x) => x.pendingPayment !== null, 'a pending payment');
    return { s, handle, orderId: st.pendingPayment!.orderId };
  };
  const deliver = (payload: object, signature?: string) => {
    const body = JSON.stringify(payload);
    return fetch(`${stack.apiUrl}/webhooks/demo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature !== undefined ? { [DEMO_SIGNATURE_HEADER]: signature } : {}) },
      body,
    });
  };
  const signed = (payload: object, secret = stack.demoSecret) => {
    const t = Math.floor(Date.now() / 1000);
    return signDemoWebhook(secret, JSON.stringify(payload), t);
  };

  test('forged or unsigned webhooks are refused and change nothing; the same event three times is one payment', async () => {
    const { s, handle, orderId } = await openCheckout();
    // The provider's own ledger says paid; only a verified webhook may make us look.
    await stack.db('orders').where({ id: orderId }).update({ provider_status: 'paid' });
    const event = { id: `evt_${randomUUID()}`, type: 'payment.completed', orderId, created: Math.floor(Date.now() / 1000) };

    assert.equal((await deliver(event)).status, 403);
    assert.equal((await deliver(event, signed(event, 'not-the-demo-secret-at-all'))).status, 403);
    const staleT = Math.floor(Date.now() / 1000) - 3600;
    assert.equal((await deliver(event, signDemoWebhook(stack.demoSecret, JSON.stringify(event), staleT))).status, 403);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await stack.db('orders').where({ id: orderId }).first()).status, 'pending');
    assert.equal((await stack.db('webhook_events').where({ event_id: event.id })).length, 0, 'nothing stored for refused webhooks');

    const results = [];
    for (let i = 0; i < 3; i++) results.push((await (await deliver(event, signed(event))).json()) as { duplicate: boolean });
    assert.deepEqual(results.map((r) => r.duplicate), [false, true, true]);

    const won = await eventually(() => handle.query(stateQuery), (x) => x.stage === 'won', 'won');
    assert.equal(won.pendingPayment, null);
    const receipts = (await getTranscript(stack.apiUrl, merchant, s)).filter((m) => /Payment received/.test(m.text));
    assert.equal(receipts.length, 1);
    assert.equal((await stack.db('notifications').where({ conversation_id: handle.workflowId, kind: 'won' })).length, 1);
    // The checkout's own steps wrote the order's timeline, once each despite the three deliveries.
    const timeline = await stack.db('order_events').where({ order_id: orderId }).orderBy('id');
    assert.deepEqual(timeline.map((e) => e.kind), ['created', 'link_sent', 'paid']);
  });

  test('a malformed webhook body is a 400 that says what is wrong', async () => {
    const payload = { id: 'evt_x', type: 'payment.teleported', orderId: 'nope', created: 1 };
    const res = await deliver(payload, signed(payload));
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /type|orderId/);
  });

  test('an unpaid link gets a reminder, then expires, and the lead can buy again', async () => {
    const { s, handle, orderId } = await openCheckout();
    const messages = await eventually(
      () => getTranscript(stack.apiUrl, merchant, s),
      (m) => m.some((x) => /expired/.test(x.text)),
      'expiry message',
      15_000,
    );
    const reminder = messages.findIndex((m) => /expires soon/.test(m.text));
    const expired = messages.findIndex((m) => /expired/.test(m.text));
    assert.ok(reminder !== -1 && reminder < expired, 'the reminder comes before the expiry');
    assert.equal((await stack.db('orders').where({ id: orderId }).first()).status, 'expired');
    const st = await eventually(() => handle.query(stateQuery), (x) => x.pendingPayment === null, 'pending payment cleared');
    assert.equal(st.stage, 'negotiating');
  });

  test('a payment that completes after the link expired still wins, once', async () => {
    const { s, handle, orderId } = await openCheckout();
    await eventually(() => stack.db('orders').where({ id: orderId }).first(), (o) => o.status === 'expired', 'expiry', 15_000);
    const withLink = (m: { text: string }[]) => m.filter((x) => x.text.includes(`/pay/demo/${orderId}`)).length;
    const linksBefore = withLink(await getTranscript(stack.apiUrl, merchant, s));
    await stack.db('orders').where({ id: orderId }).update({ provider_status: 'paid' });
    const event = { id: `evt_${randomUUID()}`, type: 'payment.completed', orderId, created: Math.floor(Date.now() / 1000) };
    for (let i = 0; i < 2; i++) assert.equal((await deliver(event, signed(event))).status, 200);
    await eventually(() => handle.query(stateQuery), (x) => x.stage === 'won', 'won after expiry', 15_000);
    assert.equal((await stack.db('orders').where({ id: orderId }).first()).status, 'paid');
    const t = await getTranscript(stack.apiUrl, merchant, s);
    assert.equal(t.filter((m) => /Payment received/.test(m.text)).length, 1);
    assert.equal(withLink(t), linksBefore, 'the link and its reminder are not sent again');
  });
});
