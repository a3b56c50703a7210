import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LlmProvider } from '../integrations/llm/provider';
import { leadWorkflowId, stateQuery } from '../workflows/contract';
import { eventually, getTranscript, postMessage, sessionId } from './support/chat';
import { startStack, type Stack } from './support/stack';

describe('when every agent provider is down', () => {
  let stack: Stack;
  let calls = 0;
  const down: LlmProvider = {
    name: 'down',
    async decide() {
      calls++;
      throw new Error('503 from every provider');
    },
  };
  before(async () => {
    stack = await startStack({ llm: down });
  });
  after(() => stack.stop());

  test('the customer is told a person will answer, and the lead goes to a human after bounded retries', async () => {
    const merchant = await stack.createMerchant();
    const s = sessionId();
    await postMessage(stack.apiUrl, merchant, { sessionId: s, text: 'Hi, how much is the 2-person tent?' });
    const handle = stack.client.workflow.getHandle(leadWorkflowId(merchant, 'webchat', s));
    const st = await eventually(() => handle.query(stateQuery), (x) => x.mode === 'human', 'hand-off', 30_000);
    assert.equal(st.handOffReason, 'agent_unavailable');
    assert.equal(calls, 3, 'the agent activity is retried a bounded number of times');
    const t = await getTranscript(stack.apiUrl, merchant, s);
    assert.equal(t.at(-1)!.from, 'bot');
    assert.match(t.at(-1)!.text, /member of our team/);
    assert.equal((await stack.db('notifications').where({ conversation_id: handle.workflowId, kind: 'needs_human' })).length, 1);
  });
});
