import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { leadWorkflowId, stateQuery, type LeadState } from '../workflows/contract';
import { eventually, getTranscript, postMessage, replies, sessionId } from './support/chat';
import { startStack, type Stack } from './support/stack';

describe('steering a lead like support staff and merchants do', () => {
  let stack: Stack;
  let merchant: string;
  before(async () => {
    // No workflow cache: every task replays from history, so determinism is exercised on each step.
    stack = await startStack({ workerOverrides: { maxCachedWorkflows: 0 } });
    merchant = await stack.createMerchant();
  });
  after(() => stack.stop());

  const say = async (s: string, text: string) => {
    const res = await postMessage(stack.apiUrl, merchant, { sessionId: s, text });
    assert.equal(res.status, 202);
  };
  const transcript = (s: string) => getTranscript(stack.apiUrl, merchant, s);
  let auth: Record<string, string> = {};
  const admin = (path: string, body: unknown) =>
    fetch(`${stack.apiUrl}/api/v1/conversations/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify(body),
    });

  test('plain signals as the Temporal UI sends them: takeOver silences the bot, agentMessage reaches the customer, release resumes', async () => {
    const s = sessionId();
    await say(s, 'Hi, do you sell tents?');
    await eventually(() => transcript(s), (m) => replies(m).length === 1, 'first reply');

    // The Temporal UI sends a signal by name with a JSON argument; no client-side types involved.
    const handle = stack.client.workflow.getHandle(leadWorkflowId(merchant, 'webchat', s));
    await handle.signal('takeOver', { by: 'support@shop' });
    await eventually(() => handle.query<LeadState>('state'), (st) => st.mode === 'human', 'human mode');

    await say(s, 'Hello? How much is the 2-person tent?');
    await say(s, 'Anyone there?');
    await eventually(() => transcript(s), (m) => m.filter((x) => x.from === 'customer').length === 3, 'customer messages stored');
    // Give a misbehaving bot every chance to answer before checking it did not.
    await sleep(1500);
    const silent = await transcript(s);
    assert.equal(replies(silent).length, 1, 'the bot must not answer while a human holds the lead');
    const held = await handle.query(stateQuery);
    assert.equal(held.humanAgent, 'support@shop');
    assert.equal(held.turns, 1);

    await handle.signal('agentMessage', { text: 'Hi, Ayşe here. The 2-person tent is $189.', by: 'support@shop' });
    const withHuman = await eventually(() => transcript(s), (m) => m.some((x) => x.from === 'human'), 'human reply delivered');
    assert.equal(withHuman.at(-1)!.from, 'human');
    assert.match(withHuman.at(-1)!.text, /Ayşe/);

    await handle.signal('release', { by: 'support@shop' });
    await eventually(() => handle.query(stateQuery), (st) => st.mode === 'bot', 'bot mode again');
    await say(s, 'Thanks! Do you also have sleeping bags?');
    const resumed = await eventually(() => transcript(s), (m) => m.at(-1)!.from === 'bot', 'bot answers after release');
    assert.equal(resumed.filter((m) => m.from === 'bot').length, 2);

    const notices = await stack.db('notifications').where({ conversation_id: handle.workflowId, kind: 'needs_human' });
    assert.ok(notices.length >= 2, 'merchant is told about messages that arrive while a human holds the lead');
  });

  test('API updates validate, answer with the new state, and close the lead', async () => {
    const s = sessionId();
    await say(s, 'Hello');
    await eventually(() => transcript(s), (m) => replies(m).length === 1, 'first reply');
    const id = encodeURIComponent(leadWorkflowId(merchant, 'webchat', s));

    ({ headers: auth } = await stack.member(merchant, 'agent'));
    const bad = await admin(`${id}/messages`, { text: '' });
    assert.equal(bad.status, 400);
    const unknown = await admin(`${encodeURIComponent('lead:nobody:webchat:none')}/takeover`, {});
    assert.equal(unknown.status, 404);

    const took = await admin(`${id}/takeover`, {});
    assert.equal(took.status, 200);
    assert.equal(((await took.json()) as { state: LeadState }).state.mode, 'human');

    const reply = await admin(`${id}/messages`, { text: 'Personal hello from the owner' });
    assert.equal(reply.status, 200);
    const t = await eventually(() => transcript(s), (m) => m.some((x) => x.from === 'human'), 'human reply');
    assert.equal(t.filter((m) => m.from === 'human').length, 1);

    const released = await admin(`${id}/release`, {});
    assert.equal(((await released.json()) as { state: LeadState }).state.mode, 'bot');

    const closed = await admin(`${id}/close`, { reason: 'not interested' });
    assert.equal(closed.status, 200);
    const state = ((await closed.json()) as { state: LeadState }).state;
    assert.equal(state.stage, 'lost');
    assert.equal(state.closed?.reason, 'not interested');

    const again = await admin(`${id}/takeover`, {});
    assert.ok(again.status === 409, `a closed lead rejects steering (got ${again.status})`);
  });

  test("a reply sent again with its client id is one message; a reply to a lead a colleague holds or that closed says why it was not sent", async () => {
    const s = sessionId();
    await say(s, 'Hello');
    await eventually(() => transcript(s), (m) => replies(m).length === 1, 'first reply');
    const id = encodeURIComponent(leadWorkflowId(merchant, 'webchat', s));
    const [first, colleague] = [await stack.member(merchant, 'agent'), await stack.member(merchant, 'agent')];
    const as = (m: { headers: Record<string, string> }, path: string, body: unknown) =>
      fetch(`${stack.apiUrl}/api/v1/conversations/${id}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...m.headers }, body: JSON.stringify(body) });
    const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

    // An app that never heard back sends the same reply again, twice at once and once later.
    const reply = { text: 'Hello from the shop, on my phone', clientId: 'phone-0001-abcdef' };
    const sends = await Promise.all([as(first, 'messages', reply), as(first, 'messages', reply)]);
    assert.deepEqual(sends.map((r) => r.status), [200, 200]);
    assert.equal((await as(first, 'messages', reply)).status, 200);
    await eventually(() => transcript(s), (m) => m.some((x) => x.from === 'human'), 'human reply');
    await sleep(500);
    assert.equal((await transcript(s)).filter((m) => m.from === 'human').length, 1, 'one message however often it was sent');

    // The first member holds the lead now; a colleague's queued reply is refused with the reason.
    const refused = await as(colleague, 'messages', { text: 'Me too!', clientId: 'phone-0002-abcdef' });
    assert.equal(refused.status, 409);
    assert.equal(await code(refused), 'held_by_colleague');

    assert.equal((await as(first, 'close', { reason: 'sold in store' })).status, 200);
    const late = await as(first, 'messages', { text: 'One more thing', clientId: 'phone-0003-abcdef' });
    assert.equal(late.status, 409);
    assert.equal(await code(late), 'lead_closed');
    // The reply that did go out is still reported as sent when its retry arrives after the close.
    assert.equal((await as(first, 'messages', reply)).status, 200);
    assert.equal((await transcript(s)).filter((m) => m.from === 'human').length, 1);

    const badId = await as(first, 'messages', { text: 'hi', clientId: 'short' });
    assert.equal(badId.status, 400);
  });

  test('an angry customer is handed to a human and the bot stops', async () => {
    const s = sessionId();
    await say(s, 'This is TERRIBLE service, you are useless!!!');
    const handle = stack.client.workflow.getHandle(leadWorkflowId(merchant, 'webchat', s));
    const conv = await eventually(
      () => stack.db('conversations').where({ id: handle.workflowId }).first(),
      (row) => row?.needsHuman === true,
      'projection shows needs-human',
    );
    assert.equal(conv.mode, 'human');
    // A query waits for a worker's poll; on a busy machine one can time out, so a failed one is asked again.
    const st = await eventually(() => handle.query(stateQuery).catch(() => null), (x) => x?.mode === 'human', 'hand-off', 60_000);
    assert.equal(st!.handOffReason, 'angry_customer');
  });
});
