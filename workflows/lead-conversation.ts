/**
 * One lead, one workflow: it listens to the customer, lets the agent answer,
 * opens a checkout on a buying signal, follows up when the lead goes quiet and
 * steps aside for a human whenever it should. Deterministic: all I/O happens
 * in activities.
 */
import {
  ActivityFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  setHandler,
  startChild,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { Mutex } from 'async-mutex';
import type { LeadSettings } from '../activities/settings';
import { canned } from '../domain/canned-messages';
import type { ChatMessage } from '../domain/conversation';
import type { Decision } from '../domain/decision';
import type { TemplatePurpose } from '../activities/channels/channel';
import { nextStage } from '../domain/stage';
import { leadScoreKey, leadStageKey, merchantIdKey, needsHumanKey } from '../temporal/search-attributes';
import { agent, media, outbox, store } from './activities';
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
  stateQuery,
  takeOverSignal,
  takeOverUpdate,
  type AgentMessage,
  type CloseLead,
  type InboundMessage,
  type LeadState,
  type LeadWorkflowInput,
  type PaymentResult,
  type Release,
  type TakeOver,
} from './contract';
import { agentInput, initialState, learnFrom, recordDeliveryFailure, remember, SEEN_IDS_KEPT, WHATSAPP_WINDOW_MS } from './lead-state';

export async function leadConversation(input: LeadWorkflowInput): Promise<LeadState> {
  const info = workflowInfo();
  const conversationId = info.workflowId;
  // Defaults first, so state carried from an older version gains fields added since.
  const state: LeadState = { ...initialState(input, new Date(), 'en'), ...input.carried };
  const seen = new Set(input.seenMessageIds ?? []);
  const inbox: InboundMessage[] = [...(input.inbox ?? [])];
  // One thing at a time talks to the customer: agent turns, human replies, follow-ups.
  const speaking = new Mutex();
  let projectionSeq = 0;
  // Starters that index the lead (the API) set MerchantId; only those leads keep their attributes current.
  // A server without our attributes (the time-skipping test server) would reject the upsert.
  const indexed = info.typedSearchAttributes.get(merchantIdKey) !== undefined;
  let dirty = true;
  let wake = 0;
  let openingCheckout = false;
  let settings: LeadSettings | undefined;
  const notices: { key: string; body: Record<string, unknown> }[] = [];
  const resends: ChatMessage[] = [];
  const attachments: { messageId: string; media: NonNullable<InboundMessage['media']> }[] = [];

  const changed = () => {
    dirty = true;
    wake++;
    // Queries between a change and the next loop pass already show the right schedule.
    if (settings) planFollowUp(settings);
  };

  // ---- what the customer, the API and support staff can do -----------------

  setHandler(stateQuery, () => ({ ...state, queued: inbox.length }));

  setHandler(inboundSignal, (msg) => {
    if (!msg?.id || typeof msg.text !== 'string' || seen.has(msg.id)) return; // webhooks retry
    seen.add(msg.id);
    remember(state, { id: msg.id, from: 'customer', text: msg.text, at: msg.at });
    if (msg.media?.length) attachments.push({ messageId: msg.id, media: msg.media });
    state.lastCustomerMessageAt = msg.at;
    if (state.channel === 'whatsapp') state.windowClosesAt = new Date(Date.parse(msg.at) + WHATSAPP_WINDOW_MS).toISOString();
    state.followUpsSent = 0;
    if (state.mode === 'bot') inbox.push(msg);
    else notices.push({ key: `inbound:${msg.id}`, body: { reason: 'customer_wrote_while_human' } });
    changed();
  });

  const takeOver = ({ by }: TakeOver) => {
    state.mode = 'human';
    state.humanAgent = by;
    state.handOffReason = state.handOffReason ?? 'taken_over';
    // The person now holding the lead reads what is waiting in the transcript.
    inbox.length = 0;
    changed();
  };
  const release = (_: Release) => {
    state.mode = 'bot';
    state.humanAgent = null;
    state.handOffReason = null;
    // A customer left waiting while the human held the lead gets an answer now.
    const last = state.lastMessages.at(-1);
    if (last?.from === 'customer' && !inbox.some((m) => m.id === last.id)) inbox.push({ id: last.id, text: last.text, at: last.at });
    changed();
  };
  const sendAsHuman = ({ text, by }: AgentMessage) => {
    // Writing to the customer is taking the lead, decided when the person writes,
    // not when the send gets its turn: a later release must stand.
    if (state.mode === 'bot') takeOver({ by });
    return speaking.runExclusive(() => say(text, 'human', { author: by }));
  };
  const close = ({ reason }: CloseLead) => {
    if (state.closed) return;
    state.closed = { reason, at: new Date().toISOString() };
    state.stage = nextStage(state.stage, { type: 'closed' });
    changed();
  };

  const requireBy = (arg: { by?: unknown }) => {
    if (typeof arg?.by !== 'string' || !arg.by.trim()) throw new Error('"by" must name who is acting');
  };
  const requireOpen = () => {
    if (state.closed) throw new Error(`lead is closed (${state.closed.reason})`);
  };
  const requireOpenBy = (arg: { by?: unknown }) => {
    requireBy(arg);
    requireOpen();
  };

  setHandler(takeOverSignal, (a) => takeOver({ by: String(a?.by ?? 'support') }));
  setHandler(releaseSignal, (a) => release({ by: String(a?.by ?? 'support') }));
  setHandler(agentMessageSignal, async (a) => {
    if (typeof a?.text === 'string' && a.text.trim()) await sendAsHuman({ text: a.text.trim(), by: String(a.by ?? 'support') });
  });
  setHandler(closeLeadSignal, (a) => close({ reason: String(a?.reason ?? 'closed_by_support') }));
  setHandler(deliveryFailedSignal, (failure) => {
    const lost = state.lastMessages.find((m) => m.id === failure.messageId && m.from !== 'customer');
    if (failure.templateRequired && lost) {
      // The window closed before the provider delivered it: say it again through a template.
      state.windowClosesAt = null;
      resends.push(lost);
    } else {
      recordDeliveryFailure(state, failure);
      notices.push({ key: `undelivered:${failure.messageId}`, body: { reason: 'message_undelivered', detail: failure.reason } });
    }
    changed();
  });

  setHandler(
    takeOverUpdate,
    (a) => {
      takeOver(a);
      return snapshot();
    },
    { validator: requireOpenBy },
  );
  setHandler(
    releaseUpdate,
    (a) => {
      release(a);
      return snapshot();
    },
    { validator: requireOpenBy },
  );
  setHandler(
    agentMessageUpdate,
    async (a) => {
      await sendAsHuman({ text: a.text.trim(), by: a.by });
      return snapshot();
    },
    {
      validator: (a) => {
        requireBy(a);
        requireOpen();
        if (typeof a?.text !== 'string' || !a.text.trim()) throw new Error('"text" must not be empty');
        if (a.text.length > 4000) throw new Error('"text" must be at most 4000 characters');
      },
    },
  );
  setHandler(
    closeLeadUpdate,
    (a) => {
      close(a);
      return snapshot();
    },
    {
      validator: (a) => {
        requireOpen();
        if (typeof a?.reason !== 'string' || !a.reason.trim()) throw new Error('"reason" must not be empty');
      },
    },
  );

  setHandler(checkoutOpenedSignal, (payment) => {
    openingCheckout = false;
    state.pendingPayment = payment;
    state.stage = nextStage(state.stage, { type: 'checkout_opened' });
    changed();
  });
  setHandler(paymentResultSignal, (result: PaymentResult) => {
    openingCheckout = false;
    if (state.pendingPayment?.orderId === result.orderId) state.pendingPayment = null;
    if (result.status === 'paid') state.stage = nextStage(state.stage, { type: 'paid' });
    else if (result.status === 'mismatch') handOff('payment_mismatch');
    else if (result.status === 'disputed') handOff('payment_disputed');
    else if (result.status === 'refunded') state.stage = nextStage(state.stage, { type: 'refunded' });
    else state.stage = nextStage(state.stage, { type: 'checkout_failed' });
    changed();
  });

  // ---- the conversation ------------------------------------------------------

  settings = await store.loadSettings(state.merchantId);
  if (!input.carried) state.language = settings.defaultLanguage;
  // Leads started before metering existed replay without it; every new lead counts against the plan once.
  if (!input.carried && patched('meter-conversations')) {
    const quota = await store.meterConversation({ merchantId: state.merchantId, conversationId });
    if (quota.state === 'exceeded') {
      // The customer's message is kept and a person is asked to answer it; the bot does not.
      notices.push({ key: 'quota', body: { reason: 'quota_exceeded', detail: quota.message } });
      handOff('quota_exceeded');
      // The person reads them in the transcript, as after any hand-off.
      inbox.length = 0;
      await speaking.runExclusive(() => say(canned.handOff(state.language), 'bot'));
    }
  }

  while (!state.closed) {
    const resend = resends.shift();
    if (resend) {
      await speaking.runExclusive(() => say(resend.text, resend.from === 'human' ? 'human' : 'bot', { purpose: resend.from === 'human' ? 'human_reply' : 'reply' }));
      continue;
    }
    // Answer first: the customer waits on the reply, the projection can follow it.
    if (state.mode === 'bot' && inbox.length > 0) {
      const msg = inbox.shift()!;
      await speaking.runExclusive(() => answer(msg));
      continue;
    }
    // Attachments after replies: a slow download never delays an answer.
    const attachment = attachments.shift();
    if (attachment) {
      await fetchAttachment(attachment);
      continue;
    }
    await sync();
    if (timeToContinueAsNew()) break;

    const deadline = planFollowUp(settings);
    await sync();
    const seenWake = wake;
    const woken = () =>
      wake !== seenWake || (state.mode === 'bot' && inbox.length > 0) || resends.length > 0 || attachments.length > 0 || timeToContinueAsNew();
    const timedOut = deadline ? !(await condition(woken, Math.max(1, deadline.at - Date.now()))) : (await condition(woken), false);
    if (timedOut && deadline) {
      if (deadline.kind === 'follow_up') await speaking.runExclusive(() => followUp(settings!));
      else if (deadline.kind === 'window') {
        state.windowClosesAt = null;
        dirty = true;
      } else close({ reason: 'inactive' });
    }
  }

  await condition(allHandlersFinished);
  await sync();
  if (!state.closed) {
    await continueAsNew<typeof leadConversation>({
      ...input,
      carried: { ...state, queued: 0 },
      inbox,
      seenMessageIds: [...seen].slice(-SEEN_IDS_KEPT),
    });
  }
  return snapshot();

  // ---- one turn --------------------------------------------------------------

  async function answer(msg: InboundMessage): Promise<void> {
    if (state.mode !== 'bot' || state.closed) return;
    state.turns++;
    const turnInput = agentInput(state, conversationId, { id: msg.id, from: 'customer', text: msg.text, at: msg.at });
    let decision: Decision;
    try {
      decision = await agent.decide(turnInput);
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      // Every provider failed: a person answers rather than nobody.
      log.warn('agent unavailable, handing off', { error: err.cause?.message });
      if (state.mode === 'bot') {
        await say(canned.handOff(state.language), 'bot');
        handOff('agent_unavailable');
      }
      return;
    }
    // A human may have taken the lead while the agent was thinking.
    if (state.mode !== 'bot' || state.closed) return;

    learnFrom(state, decision, settings!.languages);
    dirty = true;
    const requested = decision.actions.find((a) => a.type === 'hand_off');
    let handOffReason = requested?.reason ?? handOffRule(decision, settings!);
    const offer = decision.actions.find((a) => a.type === 'offer_payment');
    let quote: Awaited<ReturnType<typeof store.quoteOrder>> = null;
    if (!handOffReason && offer && !state.pendingPayment && !openingCheckout) {
      quote = await store.quoteOrder({ merchantId: state.merchantId, sku: offer.sku, quantity: offer.quantity });
      if (quote?.available && settings!.highValueMinor !== null && quote.amountMinor >= settings!.highValueMinor) {
        handOffReason = 'high_value';
      }
    }

    if (handOffReason) {
      // The agent's own words only when it chose to hand off; otherwise its reply is not trusted.
      await say(requested && decision.reply ? decision.reply : canned.handOff(state.language), 'bot', decision);
      handOff(handOffReason);
      return;
    }
    if (decision.reply) await say(decision.reply, 'bot', decision);
    if (offer && quote) {
      if (!quote.available) await say(canned.outOfStock(state.language), 'bot');
      else await openCheckout(offer.sku, offer.quantity);
    }
  }

  async function openCheckout(sku: string, quantity: number): Promise<void> {
    const orderId = uuid4();
    openingCheckout = true;
    // The checkout outlives this run (continue-as-new) and reports back by signal.
    await startChild(checkout, {
      workflowId: checkoutWorkflowId(orderId),
      parentClosePolicy: ParentClosePolicy.ABANDON,
      args: [
        {
          orderId,
          merchantId: state.merchantId,
          conversationId,
          channel: state.channel,
          customerKey: state.customerKey,
          language: state.language,
          sku,
          quantity,
          remindBeforeMs: settings!.checkoutRemindBeforeMs,
        },
      ],
    });
  }

  async function followUp(s: LeadSettings): Promise<void> {
    if (state.mode !== 'bot' || state.closed) return;
    state.followUpsSent++;
    await say(s.followUp[state.language], 'bot', { intent: 'follow_up', purpose: 'follow_up' });
  }

  // ---- rules -------------------------------------------------------------------

  function handOffRule(decision: Decision, s: LeadSettings): string | null {
    if (decision.sentiment === 'angry') return 'angry_customer';
    if (decision.confidence < s.minConfidence) return 'low_confidence';
    if (state.objectionCount >= s.maxObjections) return 'repeated_objections';
    return null;
  }

  function handOff(reason: string): void {
    if (state.mode === 'human') return;
    state.mode = 'human';
    state.handOffReason = reason;
    changed();
    notices.push({ key: `handoff:${state.turns}:${reason}`, body: { reason } });
  }

  /** Stored for the merchant whoever holds the lead; a failure to fetch is logged, never fatal. */
  async function fetchAttachment(a: (typeof attachments)[number]): Promise<void> {
    try {
      await media.storeInboundMedia({ conversationId, merchantId: state.merchantId, messageId: a.messageId, media: a.media });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('attachment not stored', { messageId: a.messageId, error: err.cause?.message });
    }
  }

  function planFollowUp(s: LeadSettings): ReturnType<typeof nextDeadline> {
    const deadline = nextDeadline(s);
    const followUpAt = deadline?.kind === 'follow_up' ? new Date(deadline.at).toISOString() : null;
    if (state.nextFollowUpAt !== followUpAt) {
      state.nextFollowUpAt = followUpAt;
      dirty = true;
    }
    return deadline;
  }

  /** Silence after our last word earns a follow-up; a finished or idle lead is closed eventually. */
  function nextDeadline(s: LeadSettings): { kind: 'follow_up' | 'idle' | 'window'; at: number } | null {
    // The window closing changes what may be sent; wake up to show it, whoever holds the lead.
    const windowAt = state.windowClosesAt ? Date.parse(state.windowClosesAt) : null;
    const other = conversationDeadline(s);
    if (windowAt !== null && (!other || windowAt < other.at)) return { kind: 'window', at: windowAt };
    return other;
  }

  function conversationDeadline(s: LeadSettings): { kind: 'follow_up' | 'idle'; at: number } | null {
    if (state.mode !== 'bot') return null;
    const last = state.lastMessages.at(-1);
    if (!last) return null;
    const lastAt = Date.parse(last.at);
    const open = state.stage !== 'won' && state.stage !== 'lost' && !state.pendingPayment;
    const delay = s.followUpDelaysMs[state.followUpsSent];
    if (open && last.from !== 'customer' && delay !== undefined) return { kind: 'follow_up', at: lastAt + delay };
    return { kind: 'idle', at: lastAt + s.idleCloseMs };
  }

  function timeToContinueAsNew(): boolean {
    const i = workflowInfo();
    return i.continueAsNewSuggested || (input.maxHistoryEvents !== undefined && i.historyLength >= input.maxHistoryEvents);
  }

  // ---- effects -------------------------------------------------------------------

  async function say(
    text: string,
    sender: 'bot' | 'human',
    meta: { author?: string; intent?: string; objection?: string | null; confidence?: number; usage?: Decision['usage']; purpose?: TemplatePurpose; variables?: string[] } = {},
  ): Promise<void> {
    // The key is fixed before the activity runs, so every retry of this send is the same send.
    const idempotencyKey = `${conversationId}:${info.firstExecutionRunId}:out:${++state.outboundSeq}`;
    // Remembered before it goes out, so a release meanwhile knows the customer is not waiting.
    remember(state, { id: idempotencyKey, from: sender, text, at: new Date().toISOString() });
    dirty = true;
    if (settings) planFollowUp(settings);
    const whatsapp = state.channel === 'whatsapp';
    try {
      await outbox.sendMessage({
        conversationId,
        merchantId: state.merchantId,
        channel: state.channel,
        customerKey: state.customerKey,
        text,
        sender,
        author: meta.author ?? null,
        idempotencyKey,
        intent: meta.intent ?? null,
        objection: meta.objection ?? null,
        confidence: meta.confidence ?? null,
        usage: meta.usage ?? null,
        ...(whatsapp
          ? {
              windowOpen: state.windowClosesAt !== null && Date.now() < Date.parse(state.windowClosesAt),
              templateFallback: {
                purpose: meta.purpose ?? (sender === 'human' ? 'human_reply' : 'reply'),
                variables: meta.variables ?? [sender === 'human' ? text : (state.lead.name ?? '')],
                language: state.language,
              },
            }
          : {}),
      });
    } catch (err) {
      // Undeliverable is a fact to show the merchant, never a reason to stop the conversation.
      if (!(err instanceof ActivityFailure)) throw err;
      recordDeliveryFailure(state, { messageId: idempotencyKey, reason: err.cause?.message ?? err.message, at: new Date().toISOString() });
      notices.push({ key: `undelivered:${idempotencyKey}`, body: { reason: 'message_undelivered', detail: err.cause?.message ?? err.message } });
      changed();
    }
  }

  /** Projection and search attributes follow the state; the version keeps late retries from going back in time. */
  async function sync(): Promise<void> {
    // Handlers only queue notices; sending them here keeps every activity inside the main loop.
    for (let n = notices.shift(); n; n = notices.shift()) {
      await store.notifyMerchant({
        merchantId: state.merchantId,
        conversationId,
        kind: 'needs_human',
        dedupeKey: `${conversationId}:${info.firstExecutionRunId}:${n.key}`,
        body: n.body,
      });
    }
    if (!dirty) return;
    dirty = false;
    if (indexed) {
      upsertSearchAttributes([
        { key: leadStageKey, value: state.stage },
        { key: leadScoreKey, value: state.score },
        { key: needsHumanKey, value: state.mode === 'human' },
      ]);
    }
    await store.projectConversation({
      conversationId,
      merchantId: state.merchantId,
      channel: state.channel,
      customerKey: state.customerKey,
      version: Date.now() * 1000 + (projectionSeq++ % 1000),
      stage: state.stage,
      mode: state.mode,
      needsHuman: state.mode === 'human',
      handOffReason: state.handOffReason,
      score: state.score,
      language: state.language,
      lead: state.lead,
      summary: state.summary,
      pendingPayment: state.pendingPayment,
      nextFollowUpAt: state.nextFollowUpAt,
      closedReason: state.closed?.reason ?? null,
    });
  }

  function snapshot(): LeadState {
    return { ...state, queued: inbox.length };
  }
}
