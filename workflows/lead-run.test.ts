import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DAY, decision, HOUR, leadInput, leadSettings } from '../test/support/lead-fixtures';
import type { InboundMessage, LeadWorkflowInput } from './contract';
import { LeadRun } from './lead-run';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const at = (ms = 0) => new Date(T0 + ms).toISOString();
const ids = { conversationId: 'lead:shop:webchat:c1', firstRunId: 'run-1' };

function run(input: Partial<LeadWorkflowInput> = {}, settings = leadSettings()): LeadRun {
  const lead = new LeadRun(leadInput(input), ids, new Date(T0));
  lead.useSettings(settings, !!input.carried);
  return lead;
}
const msg = (id: string, ms = 0, extra: Partial<InboundMessage> = {}): InboundMessage => ({ id, text: `text ${id}`, at: at(ms), ...extra });
const noticeKeys = (lead: LeadRun) => lead.notices.map((n) => n.key);

describe('inbound messages', () => {
  test('the same id delivered twice is one message', () => {
    const lead = run();
    lead.receive(msg('m1'));
    lead.receive(msg('m1'));
    lead.receive(msg('m2'));
    assert.deepEqual(
      lead.inbox.map((m) => m.id),
      ['m1', 'm2'],
    );
    assert.equal(lead.state.lastMessages.length, 2);
  });

  test('ids carried across continue-as-new still deduplicate; malformed messages are dropped', () => {
    const lead = run({ seenMessageIds: ['m1'] });
    lead.receive(msg('m1'));
    lead.receive({ id: '', text: 'no id', at: at() });
    lead.receive({ id: 'm3', text: 42 as unknown as string, at: at() });
    lead.receive(undefined);
    assert.equal(lead.inbox.length, 0);
    assert.equal(lead.wake, 0, 'nothing changed');
  });

  test("a person's reply id is taken once, and still known after continue-as-new", () => {
    const lead = run();
    assert.equal(lead.firstReply('c-1'), true);
    assert.equal(lead.firstReply('c-1'), false);
    assert.equal(lead.firstReply(undefined), true, 'a reply without an id is always new');
    const next = run({ seenReplyIds: lead.carry().seenReplyIds });
    assert.equal(next.hasReply('c-1'), true);
    assert.equal(next.firstReply('c-1'), false);
  });

  test('a customer message restarts the cadence, and on WhatsApp opens the window', () => {
    const lead = run({ channel: 'whatsapp' });
    lead.state.followUpsSent = 2;
    lead.receive(msg('m1', HOUR, { media: [{ providerMediaId: 'img-1' }] }));
    assert.equal(lead.state.followUpsSent, 0);
    assert.equal(lead.state.lastCustomerMessageAt, at(HOUR));
    assert.equal(lead.state.windowClosesAt, at(HOUR + DAY));
    assert.deepEqual(lead.attachments, [{ messageId: 'm1', media: [{ providerMediaId: 'img-1' }] }]);
  });

  test('while a person holds the lead the message is not queued for the bot; the merchant is told', () => {
    const lead = run();
    lead.takeOver('ayse');
    lead.receive(msg('m1'));
    assert.equal(lead.inbox.length, 0);
    assert.deepEqual(lead.notices, [{ key: 'inbound:m1', body: { reason: 'customer_wrote_while_human' } }]);
  });
});

describe('take over, release, close', () => {
  test('taking over silences the bot and clears what was waiting for it', () => {
    const lead = run();
    lead.receive(msg('m1'));
    lead.takeOver('ayse');
    assert.equal(lead.state.mode, 'human');
    assert.equal(lead.state.humanAgent, 'ayse');
    assert.equal(lead.state.handOffReason, 'taken_over');
    assert.equal(lead.inbox.length, 0);
    assert.equal(lead.botHolds(), false);
    assert.equal(lead.nextWork(), null);
  });

  test('taking over keeps the reason the lead was handed off for', () => {
    const lead = run();
    lead.handOff('angry_customer');
    lead.takeOver('ayse');
    assert.equal(lead.state.handOffReason, 'angry_customer');
  });

  test('release answers a customer left waiting, once', () => {
    const lead = run();
    lead.takeOver('ayse');
    lead.receive(msg('m1'));
    lead.release();
    assert.equal(lead.state.mode, 'bot');
    assert.equal(lead.state.humanAgent, null);
    assert.equal(lead.state.handOffReason, null);
    assert.deepEqual(lead.nextWork(), { kind: 'answer', message: { id: 'm1', text: 'text m1', at: at() } });
    lead.takeOver('ayse');
    lead.release();
    lead.release();
    assert.equal(lead.inbox.length, 1, 'the same message is not queued twice');
  });

  test('release after the person answered leaves nothing to answer', () => {
    const lead = run();
    lead.humanWrites('ayse');
    lead.receive(msg('m1'));
    lead.recordOutbound('Hello, Ayse here', 'human', new Date(T0 + 1));
    lead.release();
    assert.equal(lead.inbox.length, 0);
  });

  test('a person writing takes the lead; a later release stands', () => {
    const lead = run();
    lead.humanWrites('ayse');
    assert.equal(lead.state.humanAgent, 'ayse');
    lead.release();
    lead.humanWrites('ayse');
    assert.equal(lead.state.mode, 'human');
    lead.humanWrites('mehmet');
    assert.equal(lead.state.humanAgent, 'ayse', 'writing while a person holds the lead does not move it');
  });

  test('closing is final: the first reason and time stand, the stage is lost unless won', () => {
    const lead = run();
    lead.close('spam', new Date(T0));
    lead.close('inactive', new Date(T0 + DAY));
    assert.deepEqual(lead.state.closed, { reason: 'spam', at: at() });
    assert.equal(lead.state.stage, 'lost');
    const won = run();
    won.paymentResult({ orderId: 'o1', status: 'paid' });
    won.close('inactive', new Date(T0));
    assert.equal(won.state.stage, 'won');
  });
});

describe('hand-offs and payments', () => {
  test('a hand-off notifies the merchant once per turn and reason; a second one is ignored', () => {
    const lead = run();
    lead.state.turns = 4;
    lead.handOff('low_confidence');
    lead.handOff('angry_customer');
    assert.equal(lead.state.handOffReason, 'low_confidence');
    assert.deepEqual(noticeKeys(lead), ['handoff:4:low_confidence']);
    assert.deepEqual(lead.nextNotice(), { dedupeKey: `${ids.conversationId}:run-1:handoff:4:low_confidence`, body: { reason: 'low_confidence' } });
  });

  test('past the quota a person answers: the waiting message is theirs', () => {
    const lead = run();
    lead.receive(msg('m1'));
    lead.quotaExceeded('100 of 100 conversations used');
    assert.equal(lead.state.mode, 'human');
    assert.equal(lead.inbox.length, 0);
    assert.deepEqual(noticeKeys(lead), ['quota', 'handoff:0:quota_exceeded']);
  });

  test('payment results move the funnel; a mismatch or dispute goes to a person', () => {
    const payment = { orderId: 'o1', sku: 'TENT', name: 'Tent', quantity: 1, amountMinor: 5000, currency: 'EUR', url: 'u', expiresAt: at(HOUR) };
    const lead = run();
    lead.openingCheckout = true;
    lead.checkoutOpened(payment);
    assert.equal(lead.openingCheckout, false);
    assert.equal(lead.state.stage, 'checkout');
    lead.paymentResult({ orderId: 'other', status: 'expired' });
    assert.deepEqual(lead.state.pendingPayment, payment, 'another order does not clear this one');
    assert.equal(lead.state.stage, 'negotiating');
    lead.paymentResult({ orderId: 'o1', status: 'mismatch' });
    assert.equal(lead.state.pendingPayment, null);
    assert.equal(lead.state.handOffReason, 'payment_mismatch');
    const refunded = run();
    refunded.paymentResult({ orderId: 'o1', status: 'paid' });
    refunded.paymentResult({ orderId: 'o1', status: 'refunded' });
    assert.equal(refunded.state.stage, 'lost');
    const disputed = run();
    disputed.paymentResult({ orderId: 'o1', status: 'disputed' });
    assert.equal(disputed.state.handOffReason, 'payment_disputed');
    // Someone else bought the last items: nothing was opened, the lead may be offered something else.
    const soldOut = run();
    const before = soldOut.state.stage;
    soldOut.startCheckout('o2', 'TENT', 1);
    soldOut.paymentResult({ orderId: 'o2', status: 'out_of_stock' });
    assert.equal(soldOut.openingCheckout, false);
    assert.equal(soldOut.state.stage, before);
    assert.equal(soldOut.state.handOffReason, null);
  });
});

describe('outbound messages and delivery failures', () => {
  test('keys are unique per send and carried across runs; the message is remembered before it goes out', () => {
    const lead = run({ carried: { ...run().snapshot(), outboundSeq: 7 } });
    assert.equal(lead.recordOutbound('one', 'bot', new Date(T0)), `${ids.conversationId}:run-1:out:8`);
    assert.equal(lead.recordOutbound('two', 'bot', new Date(T0)), `${ids.conversationId}:run-1:out:9`);
    assert.deepEqual(lead.state.lastMessages.at(-1), { id: `${ids.conversationId}:run-1:out:9`, from: 'bot', text: 'two', at: at() });
    assert.equal(lead.state.nextFollowUpAt, at(DAY), 'the follow-up is planned from our last word');
  });

  test('a send the channel refuses is recorded and the merchant told', () => {
    const lead = run();
    const key = lead.recordOutbound('hi', 'bot', new Date(T0));
    lead.sendFailed(key, 'number unreachable', new Date(T0 + 5));
    assert.deepEqual(lead.state.deliveryFailures, [{ messageId: key, reason: 'number unreachable', at: at(5) }]);
    assert.deepEqual(lead.notices, [{ key: `undelivered:${key}`, body: { reason: 'message_undelivered', detail: 'number unreachable' } }]);
  });

  test('the window closing before delivery resends our message as a template, human words as the human reply', () => {
    const lead = run({ channel: 'whatsapp' });
    lead.receive(msg('m1'));
    lead.inbox.length = 0;
    const bot = lead.recordOutbound('bot words', 'bot', new Date(T0));
    const human = lead.recordOutbound('human words', 'human', new Date(T0));
    lead.deliveryFailed({ messageId: bot, reason: '63016', at: at(), templateRequired: true });
    lead.deliveryFailed({ messageId: human, reason: '63016', at: at(), templateRequired: true });
    lead.deliveryFailed({ messageId: 'm1', reason: 'not ours', at: at(), templateRequired: true });
    assert.equal(lead.state.windowClosesAt, null);
    assert.deepEqual(lead.nextWork(), { kind: 'resend', text: 'bot words', sender: 'bot', meta: { purpose: 'reply' } });
    assert.deepEqual(lead.nextWork(), { kind: 'resend', text: 'human words', sender: 'human', meta: { purpose: 'human_reply' } });
    assert.equal(lead.nextWork(), null);
    assert.deepEqual(lead.state.deliveryFailures.map((f) => f.messageId), ['m1'], "a customer's own message is never resent");
  });
});

describe('the main loop', () => {
  test('resends first, then answers, then attachments', () => {
    const lead = run({ channel: 'whatsapp' });
    lead.receive(msg('m1', 0, { media: [{ url: 'https://x/1.jpg' }] }));
    const key = lead.recordOutbound('hi', 'bot', new Date(T0));
    lead.deliveryFailed({ messageId: key, reason: '63016', at: at(), templateRequired: true });
    assert.equal(lead.hasWork(), true);
    assert.deepEqual(
      [lead.nextWork()?.kind, lead.nextWork()?.kind, lead.nextWork()?.kind, lead.nextWork()],
      ['resend', 'answer', 'attachment', null],
    );
    assert.equal(lead.hasWork(), false);
  });

  test('a turn starts only while the bot holds an open lead, and counts', () => {
    const lead = run();
    lead.receive(msg('m1'));
    const input = lead.startTurn(lead.inbox[0]!);
    assert.equal(input?.message.id, 'm1');
    assert.equal(input?.conversationId, ids.conversationId);
    assert.equal(lead.state.turns, 1);
    lead.takeOver('ayse');
    assert.equal(lead.startTurn(msg('m2')), null);
    assert.equal(lead.state.turns, 1);
  });

  test('the decision is folded in before the rules read the objection count', () => {
    const lead = run({}, leadSettings({ maxObjections: 1 }));
    const a = lead.learn(decision({ objection: 'price', intent: 'objection' }));
    assert.equal(lead.state.objectionCount, 1);
    assert.equal(a.handOffReason, 'repeated_objections');
  });

  test('follow-ups count, use the lead language and stop when a person holds the lead', () => {
    const lead = run();
    lead.state.language = 'tr';
    assert.equal(lead.startFollowUp(), leadSettings().followUp.tr);
    assert.equal(lead.state.followUpsSent, 1);
    lead.takeOver('ayse');
    assert.equal(lead.startFollowUp(), null);
    assert.equal(lead.state.followUpsSent, 1);
  });

  test('every change re-plans the follow-up shown to queries and marks the projection stale', () => {
    const lead = run();
    assert.equal(lead.takeDirty(), true, 'a new run projects once');
    assert.equal(lead.takeDirty(), false);
    lead.recordOutbound('hi', 'bot', new Date(T0));
    assert.equal(lead.state.nextFollowUpAt, at(DAY));
    lead.takeDirty();
    lead.takeOver('ayse');
    assert.equal(lead.state.nextFollowUpAt, null, 'no follow-ups while a person holds the lead');
    assert.equal(lead.takeDirty(), true);
  });

  test('a new lead speaks the playbook language; a carried one keeps its own', () => {
    assert.equal(run({}, leadSettings({ defaultLanguage: 'tr' })).state.language, 'tr');
    const carried = { ...run().snapshot(), language: 'en' as const };
    assert.equal(run({ carried }, leadSettings({ defaultLanguage: 'tr' })).state.language, 'en');
  });

  test('continue-as-new carries the state, the unanswered inbox and the last 500 ids', () => {
    const lead = run();
    for (let i = 0; i < 501; i++) lead.receive(msg(`m${i}`));
    const next = lead.carry();
    assert.equal(next.carried?.queued, 0);
    assert.equal(next.inbox?.length, 501);
    assert.equal(next.seenMessageIds?.length, 500);
    assert.equal(next.seenMessageIds?.[0], 'm1', 'the oldest id is dropped');
    assert.equal(lead.snapshot().queued, 501);
  });
});

describe('settings changed by the merchant', () => {
  test('a change wakes the loop once; reloaded settings keep the language unless it is no longer served', () => {
    const lead = run({ carried: { language: 'tr' } as LeadWorkflowInput['carried'] }, leadSettings({ languages: ['en', 'tr'] }));
    assert.equal(lead.state.language, 'tr');
    const wake = lead.wake;
    lead.settingsChanged();
    assert.ok(lead.wake > wake, 'the waiting loop wakes');
    assert.equal(lead.takeSettingsChange(), true);
    assert.equal(lead.takeSettingsChange(), false, 'reloaded once per change');
    lead.useSettings(leadSettings({ languages: ['en', 'tr'], defaultLanguage: 'en' }), true);
    assert.equal(lead.state.language, 'tr');
    lead.useSettings(leadSettings({ languages: ['en'], defaultLanguage: 'en' }), true);
    assert.equal(lead.state.language, 'en');
  });
});
