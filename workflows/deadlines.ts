/**
 * When a quiet lead next needs the workflow: a follow-up after the bot's last
 * word, closing a lead that has nothing left to do, or the WhatsApp window
 * closing. Pure: the workflow turns the answer into one timer.
 */
import type { LeadSettings } from '../domain/lead-settings';
import type { LeadState } from './contract';

/** WhatsApp's customer-service window: free-form messages only within 24 hours of the customer's last one. */
export const WHATSAPP_WINDOW_MS = 24 * 3600 * 1000;

export interface Deadline {
  kind: 'follow_up' | 'idle' | 'window';
  /** Epoch milliseconds. */
  at: number;
}

/** Silence after our last word earns a follow-up; a finished or idle lead is closed eventually. */
export function conversationDeadline(state: LeadState, s: LeadSettings): Deadline | null {
  // A person holding the lead decides when to write; the bot neither follows up nor closes.
  if (state.mode !== 'bot') return null;
  const last = state.lastMessages.at(-1);
  if (!last) return null;
  const lastAt = Date.parse(last.at);
  // Nothing to chase once the sale is decided, or while a payment link speaks for us.
  const open = state.stage !== 'won' && state.stage !== 'lost' && !state.pendingPayment;
  const delay = s.followUpDelaysMs[state.followUpsSent];
  if (open && last.from !== 'customer' && delay !== undefined) return { kind: 'follow_up', at: lastAt + delay };
  return { kind: 'idle', at: lastAt + s.idleCloseMs };
}

/** The earliest thing to wake up for; the window closing changes what may be sent, whoever holds the lead. */
export function nextDeadline(state: LeadState, s: LeadSettings): Deadline | null {
  const windowAt = state.windowClosesAt ? Date.parse(state.windowClosesAt) : null;
  const other = conversationDeadline(state, s);
  if (windowAt !== null && (!other || windowAt < other.at)) return { kind: 'window', at: windowAt };
  return other;
}

/** What the state shows as the next follow-up: only a follow-up deadline is one. */
export function followUpAt(deadline: Deadline | null): string | null {
  return deadline?.kind === 'follow_up' ? new Date(deadline.at).toISOString() : null;
}

/** The window a customer's message at `at` opens. */
export function windowClosesAfter(at: string): string {
  return new Date(Date.parse(at) + WHATSAPP_WINDOW_MS).toISOString();
}

/** Free-form content may be sent; outside the window the channel needs a template. */
export function windowOpen(state: Pick<LeadState, 'windowClosesAt'>, now: number): boolean {
  return state.windowClosesAt !== null && now < Date.parse(state.windowClosesAt);
}
