import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import { WebSocket } from 'ws';
import type { ChatMessage } from '../domain/conversation';
import { leadWorkflowId, stateQuery } from '../workflows/contract';
import { eventually, getTranscript, postMessage, replies, sessionId } from './support/chat';
import { startStack, type Stack } from './support/stack';

describe('web chat conversations on the real stack', () => {
  let stack: Stack;
  let merchant: string;
  before(async () => {
    stack = await startStack();
    merchant = await stack.createMerchant();
  });
  after(() => stack.stop());

  const say = async (session: string, text: string, clientMessageId?: string) => {
    const res = await postMessage(stack.apiUrl, merchant, { sessionId: session, text, clientMessageId });
    assert.equal(res.status, 202, await res.clone().text());
    return res.json() as Promise<{ messageId: string; conversationId: string; duplicate: boolean }>;
  };
  const waitForReplies = (session: string, count: number) =>
    eventually(() => getTranscript(stack.apiUrl, merchant, session), (m) => replies(m).length >= count, `${count} replies`);

  test('a whole sale: question, price, buying signal, payment link, payment, receipt', async () => {
    const s = sessionId();
    await say(s, 'Hi! What tents do you have?');
    await waitForReplies(s, 1);
    await say(s, 'How much is the 2-person tent?');
    const afterPrice = await waitForReplies(s, 2);
    assert.match(replies(afterPrice)[1]!.text, /\$\d/, 'the price answer quotes a catalog price');

    await say(s, "Great, I'll take it. How do I pay?");
    const withLink = await eventually(
      () => getTranscript(stack.apiUrl, merchant, s),
      (m) => m.some((x) => /\/pay\/demo\/[0-9a-f-]{36}/.test(x.text)),
      'a payment link',
    );
    const url = /(http:\/\/\S+\/pay\/demo\/[0-9a-f-]{36})/.exec(withLink.map((m) => m.text).join('\n'))![1]!;
    const handle = stack.client.workflow.getHandle(leadWorkflowId(merchant, 'webchat', s));
    const checkoutState = await eventually(() => handle.query(stateQuery), (st) => st.pendingPayment !== null, 'pending payment in state');
    assert.equal(checkoutState.stage, 'checkout');
    assert.ok(url.endsWith(checkoutState.pendingPayment!.orderId));

    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Pay \$/);
    const paid = await fetch(`${url}/pay`, { method: 'POST', redirect: 'manual' });
    assert.equal(paid.status, 303);

    const won = await eventually(() => handle.query(stateQuery), (st) => st.stage === 'won', 'stage won');
    assert.equal(won.pendingPayment, null);
    const final = await waitForReplies(s, 5);
    assert.ok(final.some((m) => m.from === 'bot' && /Payment received/.test(m.text)), 'receipt sent');
    const order = await stack.db('orders').where({ id: checkoutState.pendingPayment!.orderId }).first();
    assert.equal(order.status, 'paid');
    assert.equal(order.amountMinor, checkoutState.pendingPayment!.amountMinor);
  });

  test('the same message id delivered twice is one turn', async () => {
    const s = sessionId();
    const first = await say(s, 'Hello there', 'client-msg-1');
    const second = await say(s, 'Hello there', 'client-msg-1');
    assert.equal(first.duplicate, false);
    assert.equal(second.duplicate, true);
    await waitForReplies(s, 1);
    await say(s, 'Do you have sleeping bags?', 'client-msg-2');
    const messages = await waitForReplies(s, 2);
    assert.equal(messages.filter((m) => m.from === 'customer').length, 2);
    const state = await stack.client.workflow.getHandle(leadWorkflowId(merchant, 'webchat', s)).query(stateQuery);
    assert.equal(state.turns, 2, 'one agent turn per distinct message');
    assert.equal(replies(messages).length, 2);
  });

  test('two quick messages are both answered, in order', async () => {
    const s = sessionId();
    await say(s, 'Hello!', 'a-1');
    await say(s, 'How much is the 2-person tent?', 'a-2');
    const messages = await waitForReplies(s, 2);
    const [greeting, price] = replies(messages);
    assert.doesNotMatch(greeting!.text, /\$\d/, 'first reply answers the greeting');
    assert.match(price!.text, /\$\d/, 'second reply answers the price question');
    assert.ok(Date.parse(greeting!.at) <= Date.parse(price!.at));
  });

  test('replies are pushed live over the session WebSocket', async () => {
    const s = sessionId();
    const ws = new WebSocket(`${stack.apiUrl.replace('http', 'ws')}/api/webchat/${merchant}/sessions/${s}/ws`);
    const frames: ChatMessage[] = [];
    ws.on('message', (data) => frames.push((JSON.parse(String(data)) as { message: ChatMessage }).message));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    await say(s, 'Hello, do you have sleeping bags?', 'ws-1');
    await eventually(async () => frames, (f) => f.some((m) => m.from === 'bot'), 'a pushed reply');
    assert.equal(frames[0]!.id, 'ws-1', 'the customer message is pushed under the client id, so widgets can dedupe');
    ws.close();

    const other = new WebSocket(`${stack.apiUrl.replace('http', 'ws')}/api/webchat/no-such-merchant/sessions/${s}/ws`);
    const refused = await new Promise<string>((resolve) => other.once('unexpected-response', (_req, res) => resolve(String(res.statusCode))).once('error', () => resolve('error')));
    assert.equal(refused, '404');
  });

  test('the conversation is listed and searchable by merchant', async () => {
    const s = sessionId();
    await say(s, 'Hi, I need a tent for a weekend trip');
    await waitForReplies(s, 1);
    const id = leadWorkflowId(merchant, 'webchat', s);
    const { headers: auth } = await stack.member(merchant, 'viewer');
    const list = await fetch(`${stack.apiUrl}/api/v1/conversations`, { headers: auth });
    assert.equal(list.status, 200);
    const body = (await list.json()) as { items: { id: string }[] };
    assert.ok(body.items.some((c) => c.id === id));
    const detail = await fetch(`${stack.apiUrl}/api/v1/conversations/${encodeURIComponent(id)}`, { headers: auth });
    const d = (await detail.json()) as { state: { mode: string; merchantId: string }; messages: unknown[] };
    assert.equal(d.state.mode, 'bot');
    assert.equal(d.state.merchantId, merchant);
    assert.ok(d.messages.length >= 2);

    const found = await eventually(
      async () => {
        const ids: string[] = [];
        for await (const wf of stack.client.workflow.list({ query: `MerchantId='${merchant}' AND Channel='webchat'` })) ids.push(wf.workflowId);
        return ids;
      },
      (ids) => ids.includes(id),
      'visibility to index the workflow',
    );
    assert.ok(found.includes(id));
    const unauthorized = await fetch(`${stack.apiUrl}/api/v1/conversations`);
    assert.equal(unauthorized.status, 401);
  });

  test('bad input gets a clear error and reaches nothing', async () => {
    const s = sessionId();
    const post = (body: string, m = merchant) =>
      fetch(`${stack.apiUrl}/api/webchat/${m}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

    const malformed = await post('{"sessionId": ');
    assert.equal(malformed.status, 400);
    assert.match(((await malformed.json()) as { error: { message: string } }).error.message, /not valid JSON/);

    const missing = await post(JSON.stringify({ sessionId: s }));
    assert.equal(missing.status, 400);
    assert.match(((await missing.json()) as { error: { message: string } }).error.message, /text/);

    const empty = await post(JSON.stringify({ sessionId: s, text: '   ' }));
    assert.equal(empty.status, 400);

    const badSession = await post(JSON.stringify({ sessionId: 'x', text: 'hi' }));
    assert.equal(badSession.status, 400);
    assert.match(((await badSession.json()) as { error: { message: string } }).error.message, /sessionId/);

    const tooLong = await post(JSON.stringify({ sessionId: s, text: 'a'.repeat(2001) }));
    assert.equal(tooLong.status, 400);

    const oversized = await post(JSON.stringify({ sessionId: s, text: 'a'.repeat(20_000) }));
    assert.equal(oversized.status, 413);
    assert.match(((await oversized.json()) as { error: { message: string } }).error.message, /limit/);

    const unknown = await post(JSON.stringify({ sessionId: s, text: 'hi' }), 'no-such-merchant');
    assert.equal(unknown.status, 404);

    await assert.rejects(
      stack.client.workflow.getHandle(leadWorkflowId(merchant, 'webchat', s)).describe(),
      (err) => err instanceof WorkflowNotFoundError,
      'rejected input must not start a workflow',
    );
    const stored = await stack.db('messages').where({ conversation_id: leadWorkflowId(merchant, 'webchat', s) });
    assert.equal(stored.length, 0);
  });
});
