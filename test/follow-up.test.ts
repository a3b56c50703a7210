import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { leadWorkflowId, stateQuery } from '../workflows/contract';
import { eventually, getTranscript, postMessage, replies, sessionId } from './support/chat';
import { suiteStack } from './support/stack';

describe('follow-ups when a lead goes quiet', () => {
  const stack = suiteStack();

  test('follow-ups fire on the playbook cadence, stop when exhausted, and reset when the customer writes', async () => {
    const merchant = await stack.createMerchant({
      followUpDelaysSeconds: [1, 2],
      followUp: { en: 'Just checking in: any questions I can help with?', tr: 'Merhaba, yardımcı olabileceğim bir şey var mı?' },
    });
    const s = sessionId();
    const res = await postMessage(stack.apiUrl, merchant, { sessionId: s, text: 'Hi, looking for a tent' });
    assert.equal(res.status, 202);
    const handle = stack.client.workflow.getHandle(leadWorkflowId(merchant, 'webchat', s));

    const scheduled = await eventually(() => handle.query(stateQuery), (st) => st.nextFollowUpAt !== null, 'a scheduled follow-up');
    const repliedAt = Date.parse(scheduled.lastMessages.at(-1)!.at);
    assert.ok(Math.abs(Date.parse(scheduled.nextFollowUpAt!) - (repliedAt + 1000)) < 1000, 'first follow-up one delay after the reply');

    const twoFollowUps = await eventually(
      () => getTranscript(stack.apiUrl, merchant, s),
      (m) => m.filter((x) => /Just checking in/.test(x.text)).length === 2,
      'two follow-ups',
      15_000,
    );
    assert.equal(replies(twoFollowUps).length, 3);
    // The reply row can be visible a moment before the workflow has recorded the activity's completion.
    const exhausted = await eventually(() => handle.query(stateQuery), (st) => st.followUpsSent === 2, 'state after two follow-ups');
    assert.equal(exhausted.nextFollowUpAt, null, 'no third follow-up is scheduled');

    await postMessage(stack.apiUrl, merchant, { sessionId: s, text: 'Sorry, I was away. How much is the 2-person tent?' });
    const reset = await eventually(() => handle.query(stateQuery), (st) => st.turns === 2 && st.nextFollowUpAt !== null, 'follow-ups rescheduled');
    assert.equal(reset.followUpsSent, 0);
  });

  test('no follow-up while a human holds the lead', async () => {
    const merchant = await stack.createMerchant({ followUpDelaysSeconds: [1] });
    const s = sessionId();
    await postMessage(stack.apiUrl, merchant, { sessionId: s, text: 'Hello' });
    const handle = stack.client.workflow.getHandle(leadWorkflowId(merchant, 'webchat', s));
    await eventually(() => handle.query(stateQuery), (st) => st.turns === 1, 'first turn');
    await handle.signal('takeOver', { by: 'agent@shop' });
    const held = await eventually(() => handle.query(stateQuery), (st) => st.mode === 'human', 'human mode');
    assert.equal(held.nextFollowUpAt, null);
    await new Promise((r) => setTimeout(r, 2500));
    const t = await getTranscript(stack.apiUrl, merchant, s);
    assert.equal(replies(t).length, 1, 'no follow-up was sent');
  });
});
