import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inboundSignal, leadWorkflowId, stateQuery, type LeadWorkflowInput } from '../workflows/contract';
import { eventually, getTranscript, postMessage, replies, sessionId } from './support/chat';
import { suiteStack } from './support/stack';

describe('a long conversation continues as new', () => {
  const stack = suiteStack();

  test('state, counters and deduplication survive continue-as-new', async () => {
    const merchant = await stack.createMerchant();
    const s = sessionId();
    const workflowId = leadWorkflowId(merchant, 'webchat', s);
    const input: LeadWorkflowInput = { merchantId: merchant, channel: 'webchat', customerKey: s, maxHistoryEvents: 40 };
    const first = await stack.client.workflow.start('leadConversation', { workflowId, taskQueue: stack.taskQueue, args: [input] });

    const texts = [
      'Hi, I need a tent for a family camping trip',
      'My budget is $300',
      'We go next month',
      'How much is the 2-person tent?',
      'Do you have sleeping bags?',
      'What about headlamps?',
    ];
    for (const [i, text] of texts.entries()) {
      const res = await postMessage(stack.apiUrl, merchant, { sessionId: s, text, clientMessageId: `m-${i}` });
      assert.equal(res.status, 202);
      await eventually(() => getTranscript(stack.apiUrl, merchant, s), (m) => replies(m).length >= i + 1, `reply ${i + 1}`);
    }

    const handle = stack.client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    assert.notEqual(description.runId, first.firstExecutionRunId, 'the workflow continued as new at least once');
    const state = await handle.query(stateQuery);
    assert.equal(state.turns, texts.length, 'turn count carried');
    assert.equal(state.outboundSeq, texts.length, 'outbound sequence carried, so idempotency keys stay unique');
    assert.ok(state.lead.budget, 'qualification carried');
    assert.ok(state.lead.timeline, 'qualification carried');

    // A redelivery of a message from before the continue-as-new is still recognised.
    await handle.signal(inboundSignal, { id: 'm-0', text: texts[0]!, at: new Date().toISOString() });
    await new Promise((r) => setTimeout(r, 800));
    assert.equal((await handle.query(stateQuery)).turns, texts.length);
    assert.equal(replies(await getTranscript(stack.apiUrl, merchant, s)).length, texts.length);
  });
});
