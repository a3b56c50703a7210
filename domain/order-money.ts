/**
 * What an order leaves the merchant. The rule, kept simple on purpose:
 *
 *   net = amount − refunded − (platform fee − platform fee given back)
 *
 * The platform's fee is fixed once when the order is paid. By default the
 * platform keeps it when the order is refunded (as Stripe keeps an
 * application fee unless asked to refund it); a plan with
 * `refundsPlatformFee` gives back the fee on the refunded part, in proportion
 * (refunded / amount), rounded half up like the fee itself.
 */

/** The part of the platform's fee given back for `refundedMinor` of an `amountMinor` order. */
export function platformFeeGivenBack(o: { amountMinor: number; refundedMinor: number; platformFeeMinor: number | null }, refundsPlatformFee: boolean): number {
  const fee = o.platformFeeMinor ?? 0;
  if (!refundsPlatformFee || fee <= 0 || o.amountMinor <= 0 || o.refundedMinor <= 0) return 0;
  const refunded = BigInt(Math.min(o.refundedMinor, o.amountMinor));
  // BigInt: fee × refunded can pass 2^53 for large amounts.
  return Number((BigInt(fee) * refunded * 2n + BigInt(o.amountMinor)) / (2n * BigInt(o.amountMinor)));
}

/** What the merchant keeps of the order (see the rule above): below zero when a refunded order leaves the platform its fee. */
export function netAmount(o: { amountMinor: number; refundedMinor: number; platformFeeMinor: number | null; platformFeeRefundedMinor: number }): number {
  return o.amountMinor - o.refundedMinor - ((o.platformFeeMinor ?? 0) - o.platformFeeRefundedMinor);
}
