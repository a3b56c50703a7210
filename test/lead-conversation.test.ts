/**
 * The lead workflow's shell on the time-skipping test server, with fake
 * activities typed against the real ones: no database, no agent, only the
 * commands the workflow gives and the state it reports. Days pass in
 * milliseconds, so the cadence under test is the production one.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../activities';
import { canned } from '../domain/canned-messages';
import type { AgentInput } from '../domain/conversation';
import type { Decision } from '../domain/decision';
import {
  inboundSignal,
  leadWorkflowId,
  releaseUpdate,
  stateQuery,
  takeOverUpdate,
  agentMessageUpdate,
  type LeadState,
  type LeadWorkflowInput,
} from '../workflows/contract';
import { eventually } from './support/chat';
import { DAY, decision, leadSettings } from './support/lead-fixtures';
import { timeSkippingWorker } from './support/workflow-bundle';

/** Exactly the activities the lead workflow schedules: a renamed or retyped activity fails to compile here. */
type LeadActivities = Pick<
  Activities,
  'loadSettings' | 'meterConversation' | 'decide' | 'quoteOrder' | 'sendMessage' | 'replyOnWebchat' | 'notifyMerchant' | 'projectConversation' | 'storeInboundMedia'
>;
type Sent = Parameters<Activities['sendMessage']>[0];
type Notified = Parameters<Activities['notifyMerchant']>[0];

/** What one lead asked of the outside world, in order. */
interface Calls {
  decided: AgentInput[];
  sent: Sent[];
  notified: Notified[];
}

describe('the lead workflow with fake activities on skipped time', () => {
  const settings = leadSettings({ followUpDelaysMs: [DAY, 3 * DAY], idleCloseMs: 30 * DAY });
  const calls = new Map<string, Calls>();
  const agents = new Map<string, (input: AgentInput) => Decision>();
  const of = (conversationId: string): Calls => {
    if (!calls.has(conversationId)) calls.set(conversationId, { decided: [], sent: [], notified: [] });
    return calls.get(conversationId)!;
  };
  const activities: LeadActivities = {
    async loadSettings() {
      return settings;
    },
    async meterConversation() {
      return { state: 'ok', message: 'within plan' };
    },
    async decide(input) {
      of(input.conversationId).decided.push(input);
      return (agents.get(input.conversationId) ?? (() => decision()))(input);
    },
    async quoteOrder() {
      return null;
    },
    async sendMessage(msg) {
      of(msg.conversationId).sent.push(msg);
      return { messageId: msg.idempotencyKey, providerMessageId: msg.idempotencyKey, duplicate: false };
    },
    async replyOnWebchat({ message }) {
      of(message.conversationId).sent.push(message);
      return { messageId: message.idempotencyKey, providerMessageId: message.idempotencyKey, duplicate: false };
    },
    async notifyMerchant(n) {
      of(n.conversationId!).notified.push(n);
    },
    async projectConversation() {},
    async storeInboundMedia() {
      return 0;
    },
  };

  const temporal = timeSkippingWorker(() => activities);

  type Lead = Awaited<ReturnType<typeof startLead>>;

  /** A new lead whose first message has been signalled; its agent answers with `agent`. */
  async function startLead(agent?: (input: AgentInput) => Decision, text = 'Hi, do you have tents?') {
    const customerKey = randomUUID().slice(0, 8);
    const workflowId = leadWorkflowId('shop', 'webchat', customerKey);
    if (agent) agents.set(workflowId, agent);
    const input: LeadWorkflowInput = { merchantId: 'shop', channel: 'webchat', customerKey };
    const handle = await temporal.env.client.workflow.signalWithStart('leadConversation', {
      workflowId,
      taskQueue: temporal.taskQueue,
      args: [input],
      signal: inboundSignal,
      signalArgs: [{ id: 'm1', text, at: new Date().toISOString() }],
    });
    const calls = of(workflowId);
    return {
      handle,
      calls,
      state: () => handle.query(stateQuery),
      say: (id: string, text: string) => handle.signal(inboundSignal, { id, text, at: new Date().toISOString() }),
      /** Activities run outside the workflow: wait for the calls, not for the state that precedes them. */
      until: (what: string, done: (c: Calls) => boolean) => eventually(async () => calls, done, what),
    };
  }

  /** A person holds the lead for `reason`, and all the customer got is the canned hand-off. */
  async function assertHandedOff(lead: Lead, reason: string) {
    const s = await lead.state();
    assert.equal(s.mode, 'human');
    assert.equal(s.handOffReason, reason);
    assert.deepEqual(
      lead.calls.sent.map((m) => m.text),
      [canned.handOff('en')],
    );
  }

  test('a turn: the agent sees the message, the reply goes out under a key fixed by the workflow', async () => {
    const lead = await startLead(() => decision({ reply: 'Three tents in stock.', intent: 'product_question' }));
    await lead.until('the first reply', (c) => c.sent.length === 1);
    const s = await lead.state();
    assert.equal(lead.calls.decided[0]!.message.text, 'Hi, do you have tents?');
    assert.deepEqual(lead.calls.decided[0]!.recent, [], 'nothing came before the first message');
    assert.equal(lead.calls.sent.length, 1);
    const reply = lead.calls.sent[0]!;
    assert.equal(reply.sender, 'bot');
    assert.equal(reply.intent, 'product_question');
    assert.equal(reply.idempotencyKey, `${lead.handle.workflowId}:${lead.handle.signaledRunId}:out:1`);
    assert.equal(s.stage, 'engaged');
    assert.equal(Date.parse(s.nextFollowUpAt!) - Date.parse(s.lastMessages.at(-1)!.at), DAY, 'a follow-up a day after our reply');

    await lead.say('m1', 'Hi, do you have tents?');
    await lead.say('m2', 'How much is the small one?');
    await lead.until('the second reply', (c) => c.sent.length === 2);
    const two = await lead.state();
    assert.deepEqual(
      lead.calls.decided.map((d) => d.message.id),
      ['m1', 'm2'],
      'a redelivered message is not answered twice',
    );
    assert.deepEqual(
      lead.calls.decided[1]!.recent.map((m) => m.from),
      ['customer', 'bot'],
    );
    assert.equal(two.lastMessages.length, 4);
  });

  test('low confidence hands off: canned words instead of the guess, the merchant told, the bot silent after', async () => {
    const lead = await startLead(() => decision({ reply: 'Maybe we have it?', confidence: 0.1 }));
    await lead.until('the hand-off and its notice', (c) => c.sent.length === 1 && c.notified.length === 1);
    await assertHandedOff(lead, 'low_confidence');
    assert.equal(lead.calls.notified[0]!.dedupeKey, `${lead.handle.workflowId}:${lead.handle.signaledRunId}:handoff:1:low_confidence`);

    await lead.say('m2', 'Hello?');
    await lead.until('the merchant told the customer wrote', (c) => c.notified.length === 2);
    assert.deepEqual(lead.calls.notified[1]!.body, { reason: 'customer_wrote_while_human' });
    await temporal.env.sleep('40 days');
    const after = await lead.state();
    assert.equal(lead.calls.decided.length, 1, 'no turn while a person holds the lead');
    assert.equal(lead.calls.sent.length, 1, 'no follow-ups, no closing for inactivity');
    assert.equal(after.closed, null);
  });

  test('every agent provider failing hands the lead to a person rather than leaving the customer unanswered', async () => {
    const lead = await startLead(() => {
      throw ApplicationFailure.nonRetryable('all providers down', 'AgentUnavailable');
    });
    await lead.until('the hand-off', (c) => c.sent.length === 1);
    await assertHandedOff(lead, 'agent_unavailable');
  });

  test('follow-ups after a day and three days of silence, then closed as inactive after a month', async () => {
    const lead = await startLead();
    await lead.until('the reply', (c) => c.sent.length === 1);
    await temporal.env.sleep('25 hours');
    await lead.until('the first follow-up', (c) => c.sent.length === 2);
    const first = await lead.state();
    const [reply, followUp] = first.lastMessages.slice(-2);
    assert.equal(followUp!.text, settings.followUp.en);
    assert.ok(Date.parse(followUp!.at) - Date.parse(reply!.at) >= DAY, 'not before the delay');
    assert.equal(lead.calls.sent.at(-1)!.intent, 'follow_up');

    await temporal.env.sleep('3 days');
    await lead.until('the second follow-up', (c) => c.sent.length === 3);
    const second = await lead.state();
    assert.equal(second.followUpsSent, 2);
    assert.equal(second.nextFollowUpAt, null, 'the cadence has two steps');

    const final = (await lead.handle.result()) as LeadState;
    assert.equal(final.closed?.reason, 'inactive');
    assert.equal(final.stage, 'lost');
    assert.ok(Date.parse(final.closed!.at) - Date.parse(second.lastMessages.at(-1)!.at) >= 30 * DAY);
    assert.equal(lead.calls.sent.length, 3, 'one reply and two follow-ups');
  });

  test('taking over silences the bot; release answers the message that waited', async () => {
    const lead = await startLead();
    await lead.until('the first reply', (c) => c.sent.length === 1);
    const taken = await lead.handle.executeUpdate(takeOverUpdate, { args: [{ by: 'ayse' }] });
    assert.equal(taken.mode, 'human');
    assert.equal(taken.nextFollowUpAt, null);

    await lead.say('m2', 'Can I pay by card?');
    await lead.until('the merchant told the customer wrote', (c) => c.notified.length === 1);
    await temporal.env.sleep('2 days');
    assert.equal(lead.calls.decided.length, 1, 'the bot does not answer while a person holds the lead');
    assert.equal(lead.calls.sent.length, 1, 'and does not follow up');

    const released = await lead.handle.executeUpdate(releaseUpdate, { args: [{ by: 'ayse' }] });
    assert.equal(released.mode, 'bot');
    await lead.until('the waiting message answered', (c) => c.sent.length === 2);
    assert.equal(lead.calls.decided[1]!.message.id, 'm2');
    assert.equal(lead.calls.sent.length, 2);
  });

  test("a person's message takes the lead and goes out under their name", async () => {
    const lead = await startLead();
    await lead.until('the first reply', (c) => c.sent.length === 1);
    const s = await lead.handle.executeUpdate(agentMessageUpdate, { args: [{ by: 'ayse', text: '  Ayse here, happy to help.  ' }] });
    assert.equal(s.mode, 'human');
    assert.equal(s.humanAgent, 'ayse');
    const sent = lead.calls.sent.at(-1)!;
    assert.deepEqual([sent.sender, sent.author, sent.text], ['human', 'ayse', 'Ayse here, happy to help.']);
    await assert.rejects(lead.handle.executeUpdate(agentMessageUpdate, { args: [{ by: 'ayse', text: ' ' }] }), (err: Error) => /"text" must not be empty/.test(String(err.cause)));
    assert.equal(lead.calls.sent.length, 2, 'a rejected update sends nothing');
  });
});
