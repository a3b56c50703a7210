/**
 * What the workflow does with the agent's decision: the agent proposes, these
 * rules dispose. Pure: a turn becomes a list of steps that the workflow
 * performs in order.
 */
import type { Activities } from '../activities';
import { canned } from '../domain/canned-messages';
import type { Action, Decision } from '../domain/decision';
import { offeredLines, type LineRequest } from '../domain/order-lines';
import type { Language } from '../domain/language';
import type { LeadSettings } from '../domain/lead-settings';
import type { LeadState } from './contract';
import { replyMeta, type SayMeta } from './outbound-message';

export type Offer = Extract<Action, { type: 'offer_payment' }>;
export type Quote = Awaited<ReturnType<Activities['quoteOrder']>>;

export type TurnStep =
  | { kind: 'say'; text: string; meta: SayMeta }
  | { kind: 'hand_off'; reason: string }
  | { kind: 'checkout'; sku: string; quantity: number; items?: LineRequest[] };

/** The playbook's limits on the bot: an angry customer, a guess, objections that keep coming. */
export function handOffRule(decision: Decision, s: LeadSettings, objectionCount: number): string | null {
  if (decision.sentiment === 'angry') return 'angry_customer';
  if (decision.confidence < s.minConfidence) return 'low_confidence';
  if (objectionCount >= s.maxObjections) return 'repeated_objections';
  return null;
}

/** An order this large is for a person to close. */
export function isHighValue(quote: Quote, s: LeadSettings): boolean {
  return !!quote?.available && s.highValueMinor !== null && quote.amountMinor >= s.highValueMinor;
}

export interface TurnAssessment {
  /** Set when the turn ends with a hand-off before anything is priced. */
  handOffReason: string | null;
  /** The agent itself chose to hand off, so its own words may go out. */
  agentAsked: boolean;
  offer: Offer | null;
  /** Every line of the offered order (one per offered product); `offer` is the first. */
  lines: LineRequest[];
  /** The offer to price before the reply goes out; null when there is nothing to price. */
  toQuote: Offer | null;
}

/**
 * The first look at a decision, after it has been folded into the lead (the
 * objection count includes this turn). An offer is priced only when the bot
 * keeps the lead and no payment is open or being opened.
 */
export function assessDecision(
  decision: Decision,
  s: LeadSettings,
  lead: Pick<LeadState, 'objectionCount' | 'pendingPayment'> & { openingCheckout: boolean },
): TurnAssessment {
  const requested = decision.actions.find((a) => a.type === 'hand_off');
  const handOffReason = requested?.reason ?? handOffRule(decision, s, lead.objectionCount);
  const offer = decision.actions.find((a): a is Offer => a.type === 'offer_payment') ?? null;
  const toQuote = !handOffReason && offer && !lead.pendingPayment && !lead.openingCheckout ? offer : null;
  return { handOffReason, agentAsked: !!requested, offer, lines: offeredLines(decision.actions), toQuote };
}

/** The rest of the turn, once the offer (if any) is priced. */
export function turnSteps(decision: Decision, a: TurnAssessment, quote: Quote, s: LeadSettings, language: Language): TurnStep[] {
  const meta = replyMeta(decision);
  const handOffReason = a.handOffReason ?? (isHighValue(quote, s) ? 'high_value' : unpayable(a, quote) ? 'no_payment_provider' : null);
  if (handOffReason) {
    // The agent's own words only when it chose to hand off; otherwise its reply is not trusted.
    const text = a.agentAsked && decision.reply ? decision.reply : canned.handOff(language);
    return [
      { kind: 'say', text, meta },
      { kind: 'hand_off', reason: handOffReason },
    ];
  }
  const steps: TurnStep[] = decision.reply ? [{ kind: 'say', text: decision.reply, meta }] : [];
  if (a.offer && quote) {
    const items = a.lines.length > 1 ? { items: a.lines } : {};
    steps.push(quote.available ? { kind: 'checkout', sku: a.offer.sku, quantity: a.offer.quantity, ...items } : { kind: 'say', text: canned.outOfStock(language), meta: {} });
  }
  return steps;
}

/** A product that is there to sell but no provider can take the money for: no link, a person arranges it. */
function unpayable(a: TurnAssessment, quote: Quote): boolean {
  return Boolean(a.offer && quote && quote.available && quote.payable === false);
}

/** Every agent provider failed: a person answers rather than nobody, unless one already holds the lead. */
export function agentUnavailableSteps(state: Pick<LeadState, 'mode' | 'language'>): TurnStep[] {
  if (state.mode !== 'bot') return [];
  return [
    { kind: 'say', text: canned.handOff(state.language), meta: {} },
    { kind: 'hand_off', reason: 'agent_unavailable' },
  ];
}
