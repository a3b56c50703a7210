export const OrderStatuses = ['pending', 'paid', 'expired', 'failed', 'mismatch'] as const;
export type OrderStatus = (typeof OrderStatuses)[number];

/**
 * Each transition is accepted once. A payment that completes after the link
 * expired still wins: the customer's money moved, so the sale happened.
 */
const allowed: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['paid', 'expired', 'failed', 'mismatch'],
  expired: ['paid', 'mismatch'],
  failed: ['paid', 'mismatch'],
  paid: [],
  mismatch: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return allowed[from].includes(to);
}
