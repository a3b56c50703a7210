import type { Action } from './decision';

/*
 * Kept apart from `decision.ts`, which carries the zod schema: workflows use
 * these, and the workflow bundle must not pull in a schema library.
 */

/** A product and how many of it, as the customer ordered. */
export interface LineRequest {
  sku: string;
  quantity: number;
}

/**
 * The order a decision proposes: every `offer_payment` action is one line of
 * one order, so "a tent and two sleeping bags" is two actions and one payment
 * link, and the single-action form keeps meaning what it always did. A sku
 * offered twice is one line with the larger quantity: a model repeating itself
 * must not double what the customer pays for.
 */
export function offeredLines(actions: readonly Action[]): LineRequest[] {
  const lines = new Map<string, number>();
  for (const a of actions) if (a.type === 'offer_payment') lines.set(a.sku, Math.max(lines.get(a.sku) ?? 0, a.quantity));
  return [...lines].map(([sku, quantity]) => ({ sku, quantity }));
}
