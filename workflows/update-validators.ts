/**
 * Validators of the lead's updates: a rejected update never reaches history,
 * so the API learns what was wrong and the workflow is untouched. Signals take
 * the same arguments leniently instead (see the handlers).
 */
import type { AgentMessage, CloseLead, LeadState, TakeOver } from './contract';

/** The longest message a person may send through the lead. */
export const AGENT_MESSAGE_MAX = 4000;

type Lead = Pick<LeadState, 'closed'>;

function requireBy(arg: { by?: unknown } | undefined): void {
  if (typeof arg?.by !== 'string' || !arg.by.trim()) throw new Error('"by" must name who is acting');
}

function requireOpen(state: Lead): void {
  if (state.closed) throw new Error(`lead is closed (${state.closed.reason})`);
}

/** Taking over and releasing. */
export function validateHolder(state: Lead, arg: TakeOver | undefined): void {
  requireBy(arg);
  requireOpen(state);
}

export function validateAgentMessage(state: Lead, arg: AgentMessage | undefined): void {
  requireBy(arg);
  requireOpen(state);
  if (typeof arg?.text !== 'string' || !arg.text.trim()) throw new Error('"text" must not be empty');
  if (arg.text.length > AGENT_MESSAGE_MAX) throw new Error(`"text" must be at most ${AGENT_MESSAGE_MAX} characters`);
}

export function validateClose(state: Lead, arg: CloseLead | undefined): void {
  requireOpen(state);
  if (typeof arg?.reason !== 'string' || !arg.reason.trim()) throw new Error('"reason" must not be empty');
}
