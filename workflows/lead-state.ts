import type { AgentInput, ChatMessage } from '../domain/conversation';
import type { Decision } from '../domain/decision';
import type { Language } from '../domain/language';
import { applyQualification, emptyLeadProfile, QualificationSlots, scoreLead } from '../domain/lead-profile';
import { nextStage } from '../domain/stage';
import type { LeadState, LeadWorkflowInput } from './contract';

export const RECENT_WINDOW = 12;
const LAST_MESSAGES_KEPT = 30;
export const SEEN_IDS_KEPT = 500;
const FAILURES_KEPT = 20;

export function initialState(input: LeadWorkflowInput, now: Date, language: LeadState['language']): LeadState {
  return {
    merchantId: input.merchantId,
    channel: input.channel,
    customerKey: input.customerKey,
    stage: 'new',
    mode: 'bot',
    humanAgent: null,
    handOffReason: null,
    lead: emptyLeadProfile(),
    score: 0,
    language,
    summary: '',
    pendingPayment: null,
    nextFollowUpAt: null,
    followUpsSent: 0,
    objectionCount: 0,
    agreedDiscountPercent: null,
    buyingSignals: 0,
    negativeTurns: 0,
    lastMessages: [],
    windowClosesAt: null,
    deliveryFailures: [],
    queued: 0,
    closed: null,
    turns: 0,
    outboundSeq: 0,
    startedAt: now.toISOString(),
    lastCustomerMessageAt: null,
  };
}

export function remember(state: LeadState, message: ChatMessage): void {
  state.lastMessages.push(message);
  if (state.lastMessages.length > LAST_MESSAGES_KEPT) state.lastMessages.splice(0, state.lastMessages.length - LAST_MESSAGES_KEPT);
}

export function rescore(state: LeadState): void {
  state.score = scoreLead(state.lead, {
    buyingSignals: state.buyingSignals,
    objections: state.objectionCount,
    negativeTurns: state.negativeTurns,
  });
}

/** The messages before `current`, bounded, for the agent's recent window. */
export function recentBefore(state: LeadState, currentId: string): ChatMessage[] {
  const idx = state.lastMessages.findIndex((m) => m.id === currentId && m.from === 'customer');
  const before = idx === -1 ? state.lastMessages : state.lastMessages.slice(0, idx);
  return before.slice(-RECENT_WINDOW);
}

/** What the agent sees for one turn: the compact state, never the whole transcript. */
export function agentInput(state: LeadState, conversationId: string, message: ChatMessage): AgentInput {
  return {
    merchantId: state.merchantId,
    conversationId,
    channel: state.channel,
    language: state.language,
    stage: state.stage,
    lead: state.lead,
    score: state.score,
    summary: state.summary,
    recent: recentBefore(state, message.id),
    message,
    objectionCount: state.objectionCount,
    pendingPayment: state.pendingPayment,
  };
}

/** Folds an agent decision into the lead: language, qualification, signals, score and funnel stage. */
export function learnFrom(state: LeadState, decision: Decision, languages: readonly Language[]): void {
  if (languages.includes(decision.language)) state.language = decision.language;
  state.lead = applyQualification(state.lead, decision.qualification, decision.productsMentioned);
  if (decision.objection) state.objectionCount++;
  // The reply guard already held it to the playbook's maximum; the checkout holds it there again.
  if (typeof decision.discountPercent === 'number') state.agreedDiscountPercent = decision.discountPercent;
  if (decision.intent === 'buying_signal') state.buyingSignals++;
  if (decision.sentiment === 'negative' || decision.sentiment === 'angry') state.negativeTurns++;
  if (decision.summary) state.summary = decision.summary;
  rescore(state);
  const qualified = QualificationSlots.filter((slot) => state.lead[slot] !== null).length >= 2;
  state.stage = nextStage(state.stage, { type: 'customer_turn', intent: decision.intent, qualified });
}

export function recordDeliveryFailure(state: LeadState, failure: LeadState['deliveryFailures'][number]): void {
  state.deliveryFailures.push(failure);
  if (state.deliveryFailures.length > FAILURES_KEPT) state.deliveryFailures.splice(0, state.deliveryFailures.length - FAILURES_KEPT);
}
