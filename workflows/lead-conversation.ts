/**
 * One lead, one workflow: it listens to the customer, lets the agent answer,
 * opens a checkout on a buying signal, follows up when the lead goes quiet and
 * steps aside for a human whenever it should.
 *
 * This file is the shell: message handlers, the main loop and every command
 * (activities, timers, the checkout child). What the state becomes lives in
 * `lead-run.ts`, the hand-off and turn rules in `turn-rules.ts`, timing in
 * `deadlines.ts`; all of them are pure.
 */
import {
  ActivityFailure,
  CancellationScope,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { Mutex } from 'async-mutex';
import { canned } from '../domain/canned-messages';
import type { Decision } from '../domain/decision';
import type { LineRequest } from '../domain/order-lines';
import { agent, local, localAgent, media, outbox, store } from './activities';
import { checkout } from './checkout';
import {
  agentMessageSignal,
  agentMessageUpdate,
  checkoutOpenedSignal,
  checkoutWorkflowId,
  closeLeadSignal,
  closeLeadUpdate,
  deliveryFailedSignal,
  inboundSignal,
  paymentResultSignal,
  releaseSignal,
  releaseUpdate,
  settingsChangedSignal,
  stateQuery,
  takeOverSignal,
  takeOverUpdate,
  type InboundMessage,
  type LeadState,
  type LeadWorkflowInput,
} from './contract';
import { LeadRun, type Attachment } from './lead-run';
import { outboundMessage, type SayMeta, type Speaker } from './outbound-message';
import { isIndexed, projection, projectionVersion, searchAttributeUpdates } from './projection';
import { agentUnavailableSteps, turnSteps, type TurnStep } from './turn-rules';
import { validateAgentMessage, validateClose, validateHolder } from './update-validators';

export async function leadConversation(input: LeadWorkflowInput): Promise<LeadState> {
  const info = workflowInfo();
  const conversationId = info.workflowId;
  const lead = new LeadRun(input, { conversationId, firstRunId: info.firstExecutionRunId }, new Date());
  const { state } = lead;
  // One thing at a time talks to the customer: agent turns, human replies, follow-ups.
  const speaking = new Mutex();
  let projectionSeq = 0;
  const indexed = isIndexed(info.typedSearchAttributes);
  // Short steps as local activities, one transaction per web-chat reply, a follow-up timer that is not re-armed on every turn.
  // Runs started before keep the round trips they were recorded with.
  const fast = patched('local-turns');
  const quick = fast ? local : store;
  type FollowUpTimer = { at: number; fired: boolean; scope: CancellationScope };
  let followUpTimer: FollowUpTimer | null = null;
  let lastAttributes: string | null = null;

  // ---- what the customer, the API and support staff can do -----------------
  // Signals take plain JSON from the Temporal UI leniently; updates validate first and answer with the new state.

  const sendAsHuman = (text: string, by: string) => {
    lead.humanWrites(by);
    return speaking.runExclusive(() => say(text, 'human', { author: by }));
  };
  setHandler(stateQuery, () => lead.snapshot());
  setHandler(inboundSignal, (msg) => lead.receive(msg));
  setHandler(takeOverSignal, (a) => lead.takeOver(String(a?.by ?? 'support')));
  setHandler(releaseSignal, () => lead.release());
  setHandler(agentMessageSignal, async (a) => {
    const clientId = typeof a?.clientId === 'string' ? a.clientId : undefined;
    if (typeof a?.text === 'string' && a.text.trim() && lead.firstReply(clientId)) await sendAsHuman(a.text.trim(), String(a.by ?? 'support'));
  });
  setHandler(closeLeadSignal, (a) => lead.close(String(a?.reason ?? 'closed_by_support'), new Date()));
  setHandler(settingsChangedSignal, () => lead.settingsChanged());
  setHandler(deliveryFailedSignal, (failure) => lead.deliveryFailed(failure));
  setHandler(checkoutOpenedSignal, (payment) => lead.checkoutOpened(payment));
  setHandler(paymentResultSignal, (result) => lead.paymentResult(result));

  const answered =
    <A>(change: (a: A) => void) =>
    (a: A): LeadState => {
      change(a);
      return lead.snapshot();
    };
  setHandler(takeOverUpdate, answered((a) => lead.takeOver(a.by)), { validator: (a) => validateHolder(state, a) });
  setHandler(releaseUpdate, answered(() => lead.release()), { validator: (a) => validateHolder(state, a) });
  setHandler(closeLeadUpdate, answered((a) => lead.close(a.reason, new Date())), { validator: (a) => validateClose(state, a) });
  setHandler(
    agentMessageUpdate,
    async (a) => {
      if (lead.firstReply(a.clientId)) await sendAsHuman(a.text.trim(), a.by);
      return lead.snapshot();
    },
    { validator: (a) => validateAgentMessage(state, a, (id) => lead.hasReply(id)) },
  );

  // ---- the conversation ------------------------------------------------------

  lead.useSettings(await quick.loadSettings(state.merchantId), !!input.carried);
  // Leads started before metering existed replay without it; every new lead counts against the plan once.
  if (!input.carried && patched('meter-conversations')) {
    const quota = await quick.meterConversation({ merchantId: state.merchantId, conversationId });
    if (quota.state === 'exceeded') {
      // The customer's message is kept and a person is asked to answer it; the bot does not.
      lead.quotaExceeded(quota.message);
      await speaking.runExclusive(() => say(canned.handOff(state.language), 'bot'));
    }
  }

  while (!state.closed) {
    // Only histories that received the signal schedule this, so older ones replay unchanged.
    if (lead.takeSettingsChange()) {
      lead.useSettings(await quick.loadSettings(state.merchantId), true);
      lead.changed();
    }
    // Answer first: the customer waits on the reply, the projection can follow it.
    const work = lead.nextWork();
    if (work?.kind === 'resend') await speaking.runExclusive(() => say(work.text, work.sender, work.meta));
    else if (work?.kind === 'answer') await speaking.runExclusive(() => answer(work.message));
    else if (work?.kind === 'attachment') await fetchAttachment(work.attachment);
    if (work) continue;

    await sync();
    if (timeToContinueAsNew()) break;
    const deadline = lead.planFollowUp();
    await sync();
    const seenWake = lead.wake;
    const woken = () => lead.wake !== seenWake || lead.hasWork() || timeToContinueAsNew();
    let timedOut: boolean;
    if (fast) {
      if (deadline) armFollowUpTimer(deadline.at);
      // Set by armFollowUpTimer; the cast undoes the narrowing to the initial null.
      const timer = followUpTimer as FollowUpTimer | null;
      await condition(() => woken() || !!timer?.fired);
      const fired = !!timer?.fired;
      if (fired) followUpTimer = null;
      // A timer armed for an earlier deadline fires early: the next pass re-plans and arms another.
      timedOut = fired && !woken() && !!deadline && Date.now() >= deadline.at;
    } else {
      timedOut = deadline ? !(await condition(woken, Math.max(1, deadline.at - Date.now()))) : (await condition(woken), false);
    }
    if (!timedOut || !deadline) continue;
    if (deadline.kind === 'follow_up') await speaking.runExclusive(followUp);
    else if (deadline.kind === 'window') lead.windowClosed();
    else lead.close('inactive', new Date());
  }

  await condition(allHandlersFinished);
  await sync();
  if (!state.closed) await continueAsNew<typeof leadConversation>({ ...input, ...lead.carry() });
  return lead.snapshot();

  // ---- effects -------------------------------------------------------------------

  async function answer(msg: InboundMessage): Promise<void> {
    const turnInput = lead.startTurn(msg);
    if (!turnInput) return;
    let decision: Decision;
    try {
      decision = await (fast && lead.settings!.localAgent ? localAgent : agent).decide(turnInput);
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('agent unavailable, handing off', { error: err.cause?.message });
      return perform(agentUnavailableSteps(state));
    }
    // A human may have taken the lead while the agent was thinking.
    if (!lead.botHolds()) return;
    const assessment = lead.learn(decision);
    const offer = assessment.toQuote;
    const lines = assessment.lines.length > 1 ? { items: assessment.lines } : {};
    const quote = offer ? await quick.quoteOrder({ merchantId: state.merchantId, sku: offer.sku, quantity: offer.quantity, discountPercent: state.agreedDiscountPercent ?? 0, ...lines }) : null;
    const steps = turnSteps(decision, assessment, quote, lead.settings!, state.language);
    const reply = steps.find((s) => s.kind === 'say');
    if (reply) reply.meta = { ...reply.meta, answersAt: msg.at };
    await perform(steps);
  }

  async function perform(steps: TurnStep[]): Promise<void> {
    for (const step of steps) {
      if (step.kind === 'say') await say(step.text, 'bot', step.meta);
      else if (step.kind === 'hand_off') lead.handOff(step.reason);
      else await openCheckout(step.sku, step.quantity, step.items);
    }
  }

  /** The checkout outlives this run (continue-as-new) and reports back by signal. */
  async function openCheckout(sku: string, quantity: number, items?: LineRequest[]): Promise<void> {
    const orderId = uuid4();
    const args = [lead.startCheckout(orderId, sku, quantity, items)] as const;
    await startChild(checkout, { workflowId: checkoutWorkflowId(orderId), parentClosePolicy: ParentClosePolicy.ABANDON, args });
  }

  async function followUp(): Promise<void> {
    const text = lead.startFollowUp();
    if (text !== null) await say(text, 'bot', { intent: 'follow_up', purpose: 'follow_up' });
  }

  /** Stored for the merchant whoever holds the lead; a failure to fetch is logged, never fatal. */
  async function fetchAttachment(a: Attachment): Promise<void> {
    try {
      await media.storeInboundMedia({ conversationId, merchantId: state.merchantId, messageId: a.messageId, media: a.media });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('attachment not stored', { messageId: a.messageId, error: err.cause?.message });
    }
  }

  async function say(text: string, sender: Speaker, meta: SayMeta = {}): Promise<void> {
    const now = new Date();
    const idempotencyKey = lead.recordOutbound(text, sender, now);
    const message = outboundMessage(state, { conversationId, idempotencyKey, text, sender, meta, now: now.getTime() });
    try {
      if (fast && state.channel === 'webchat') {
        // The reply and the state it leaves the lead in commit together; the loop then finds nothing left to project.
        lead.planFollowUp();
        const projected = takeProjection();
        try {
          await local.replyOnWebchat({ message, projection: projected });
        } catch (err) {
          if (projected) lead.dirty = true;
          throw err;
        }
      } else await outbox.sendMessage(message);
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      lead.sendFailed(idempotencyKey, err.cause?.message ?? err.message, new Date());
    }
  }

  /**
   * A timer that fires no later than the deadline. A turn usually moves the
   * deadline later, so the armed timer is kept and re-armed when it fires
   * early, rather than cancelled and started again on every message.
   */
  function armFollowUpTimer(at: number): void {
    if (followUpTimer && followUpTimer.at <= at) return;
    followUpTimer?.scope.cancel();
    const scope = new CancellationScope();
    const timer = { at, fired: false, scope };
    followUpTimer = timer;
    scope
      .run(() => sleep(Math.max(1, at - Date.now())))
      .then(
        () => (timer.fired = true),
        () => {},
      );
  }

  /** The state as the merchant's views read it, when it changed; search attributes follow along. */
  function takeProjection() {
    if (!lead.takeDirty()) return null;
    if (indexed) {
      const updates = searchAttributeUpdates(state);
      const values = JSON.stringify(updates.map((u) => u.value));
      // Each upsert is a history event: only changed values are written (runs before local turns upserted every time).
      if (!fast || values !== lastAttributes) upsertSearchAttributes(updates);
      lastAttributes = values;
    }
    return projection(state, conversationId, projectionVersion(Date.now(), projectionSeq++));
  }

  /** Projection and search attributes follow the state; the version keeps late retries from going back in time. */
  async function sync(): Promise<void> {
    // Handlers only queue notices; sending them here keeps every activity inside the main loop.
    for (let n = lead.nextNotice(); n; n = lead.nextNotice()) {
      await store.notifyMerchant({ merchantId: state.merchantId, conversationId, kind: 'needs_human', ...n });
    }
    const projected = takeProjection();
    if (projected) await quick.projectConversation(projected);
  }

  function timeToContinueAsNew(): boolean {
    const i = workflowInfo();
    return i.continueAsNewSuggested || (input.maxHistoryEvents !== undefined && i.historyLength >= input.maxHistoryEvents);
  }
}
