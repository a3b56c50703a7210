import type { Product } from '../../../domain/catalog';
import type { PendingPayment } from '../../../domain/conversation';
import type { Action, ObjectionKind } from '../../../domain/decision';
import { ObjectionKindSchema } from '../../../domain/decision';
import type { LeadProfile } from '../../../domain/lead';

/** Under 500 characters, ellipsis included. */
const MAX = 499;

/** Objection kinds an earlier summary recorded, so they survive the recent window. */
export function summarisedObjections(summary: string): ObjectionKind[] {
  const listed = /objections: ([a-z, ]+)/.exec(summary)?.[1] ?? '';
  return ObjectionKindSchema.options.filter((kind) => listed.split(/,\s*/).includes(kind));
}

export interface SummaryInput {
  previous: string;
  lead: LeadProfile;
  /** Catalog products for the lead's interests, most recent last. */
  interested: Product[];
  objection: ObjectionKind | null;
  actions: Action[];
  pendingPayment: PendingPayment | null;
}

/**
 * Built from structured state rather than appended prose, so it stays the
 * same size however long the conversation runs and reads the same for the
 * same facts.
 */
export function buildSummary(input: SummaryInput): string {
  const { lead } = input;
  const parts: string[] = [];
  if (lead.name) parts.push(`Name ${lead.name}`);
  if (input.interested.length) parts.push(`Interested in ${input.interested.map((p) => `${p.name} (${p.sku})`).join(', ')}`);
  if (lead.need) parts.push(`need: ${lead.need}`);
  if (lead.budget) parts.push(`budget ${lead.budget}`);
  if (lead.timeline) parts.push(`timeline ${lead.timeline}`);
  if (lead.decisionMaker) parts.push(`decision maker: ${lead.decisionMaker}`);

  const objections = summarisedObjections(input.previous);
  if (input.objection && !objections.includes(input.objection)) objections.push(input.objection);
  if (objections.length) parts.push(`objections: ${ObjectionKindSchema.options.filter((k) => objections.includes(k)).join(', ')}`);

  for (const action of input.actions) {
    if (action.type === 'offer_payment') parts.push(`payment offered: ${action.sku} x${action.quantity}`);
    if (action.type === 'hand_off') parts.push(`hand-off: ${action.reason}`);
  }
  if (input.pendingPayment && !input.actions.some((a) => a.type === 'offer_payment')) {
    parts.push(`payment pending: ${input.pendingPayment.sku} x${input.pendingPayment.quantity}`);
  }

  const summary = parts.join('; ');
  return summary.length <= MAX ? summary : `${summary.slice(0, MAX - 1)}…`;
}
