/**
 * Validators of the lead's updates: a rejected update never reaches history,
 * so the API learns what was wrong and the workflow is untouched. Signals take
 * the same arguments leniently instead (see the handlers).
 */
import { ApplicationFailure } from '@temporalio/common';
import { Refusals, type AgentMessage, type CloseLead, type LeadState, type TakeOver } from './contract';

/** The longest message a person may send through the lead. */
export const AGENT_MESSAGE_MAX = 4000;

type Lead = Pick<LeadState, 'closed' | 'mode' | 'humanAgent'>;

function requireBy(arg: { by?: unknown } | undefined): void {
  if (typeof arg?.by !== 'string' || !arg.by.trim()) throw new Error('"by" must name who is acting');
}

function requireOpen(state: Lead): void {
  if (state.closed) throw ApplicationFailure.nonRetryable(`lead is closed (${state.closed.reason})`, Refusals.closed);
}

/** Taking over and releasing. */
export function validateHolder(state: Lead, arg: TakeOver | undefined): void {
  requireBy(arg);
  requireOpen(state);
}

/**
 * A reply already taken (the same client id) is accepted whatever happened
 * since, so a retried send learns it went out; a new one needs an open lead
 * that no colleague holds.
 */
export function validateAgentMessage(state: Lead, arg: AgentMessage | undefined, alreadySent: (clientId: string | undefined) => boolean): void {
  requireBy(arg);
  if (typeof arg?.text !== 'string' || !arg.text.trim()) throw new Error('"text" must not be empty');
  if (arg.text.length > AGENT_MESSAGE_MAX) throw new Error(`"text" must be at most ${AGENT_MESSAGE_MAX} characters`);
  if (arg.clientId !== undefined && typeof arg.clientId !== 'string') throw new Error('"clientId" must be a string');
  if (alreadySent(arg.clientId)) return;
  requireOpen(state);
  if (state.mode === 'human' && state.humanAgent && state.humanAgent !== arg.by) {
    throw ApplicationFailure.nonRetryable(`${state.humanAgent} holds this lead now`, Refusals.heldByColleague);
  }
}

export function validateClose(state: Lead, arg: CloseLead | undefined): void {
  requireOpen(state);
  if (typeof arg?.reason !== 'string' || !arg.reason.trim()) throw new Error('"reason" must not be empty');
}
