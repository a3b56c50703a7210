export const OrderStatuses = ['pending', 'paid', 'expired', 'failed', 'mismatch', 'partially_refunded', 'refunded', 'disputed'] as const;
export type OrderStatus = (typeof OrderStatuses)[number];

/**
 * Each transition is accepted once, so duplicate and out-of-order provider
 * events end in one state. A payment that completes after the link expired
 * still wins: the customer's money moved, so the sale happened. Refunds and
 * disputes only follow a payment; a partial refund may be followed by more.
 */
const allowed: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['paid', 'expired', 'failed', 'mismatch'],
  expired: ['paid', 'mismatch'],
  failed: ['paid', 'mismatch'],
  paid: ['partially_refunded', 'refunded', 'disputed'],
  partially_refunded: ['partially_refunded', 'refunded', 'disputed'],
  disputed: ['paid', 'refunded'],
  refunded: [],
  mismatch: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return allowed[from].includes(to);
}
