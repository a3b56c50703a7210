/**
 * The platform's billing of merchants: plans, billing periods, conversation
 * quotas, marketplace fees and invoice numbers. Pure rules; storage lives in
 * db/queries/billing.ts.
 */

export const SubscriptionStatuses = ['active', 'past_due', 'canceled', 'trialing'] as const;
export type SubscriptionStatus = (typeof SubscriptionStatuses)[number];
export const SubscriptionProviders = ['stripe', 'iyzico', 'manual'] as const;
export type SubscriptionProvider = (typeof SubscriptionProviders)[number];
export const InvoiceStatuses = ['draft', 'open', 'paid', 'void', 'uncollectible'] as const;
export type InvoiceStatus = (typeof InvoiceStatuses)[number];

/** Merchants without a subscription are metered and charged as on this plan. */
export const DEFAULT_PLAN_CODE = 'starter';

export interface Plan {
  code: string;
  name: string;
  priceMinor: number;
  currency: string;
  conversationQuota: number;
  gracePercent: number;
  /** Basis points (1/100 of a percent) of each customer payment that the platform keeps. */
  marketplaceFeeBps: number;
  /** Whether the platform gives back its fee on the refunded part of an order (domain/order-money.ts). */
  refundsPlatformFee: boolean;
  active: boolean;
}

/** Half-open: `start` is in the period, `end` is the first instant of the next one. */
export interface Period {
  start: Date;
  end: Date;
}

function daysInMonthUtc(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/** The anchor's day of month and time of day, `months` later; a 31st anchor falls on the last day of shorter months. */
export function addMonthsUtc(anchor: Date, months: number): Date {
  const total = anchor.getUTCFullYear() * 12 + anchor.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const day = Math.min(anchor.getUTCDate(), daysInMonthUtc(year, month));
  return new Date(Date.UTC(year, month, day, anchor.getUTCHours(), anchor.getUTCMinutes(), anchor.getUTCSeconds(), anchor.getUTCMilliseconds()));
}

export function calendarMonth(at: Date): Period {
  return { start: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1)), end: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1)) };
}

/**
 * The billing period that contains `at`: the subscription's current period,
 * or, when `at` lies outside it (a renewal event has not arrived yet), the
 * monthly period on the same anchor; the calendar month (UTC) without one.
 */
export function billingPeriod(at: Date, subscription?: { currentPeriodStart: Date; currentPeriodEnd: Date } | null): Period {
  if (!subscription) return calendarMonth(at);
  const { currentPeriodStart: start, currentPeriodEnd: end } = subscription;
  if (start <= at && at < end) return { start, end };
  const anchor = start;
  let n = (at.getUTCFullYear() - anchor.getUTCFullYear()) * 12 + (at.getUTCMonth() - anchor.getUTCMonth());
  // The month difference can be one too many or too few around the anchor's day; settle it.
  while (addMonthsUtc(anchor, n) > at) n--;
  while (addMonthsUtc(anchor, n + 1) <= at) n++;
  return { start: addMonthsUtc(anchor, n), end: addMonthsUtc(anchor, n + 1) };
}

export type QuotaStateName = 'ok' | 'grace' | 'exceeded';

export interface QuotaState {
  /** What happens to the next new conversation: counted in the plan, in the grace allowance, or not accepted. */
  state: QuotaStateName;
  /** Conversations left in the plan's quota. */
  remaining: number;
  /** Conversations left before new ones are paused, grace allowance included. */
  graceRemaining: number;
  message: string;
}

const conversations = (n: number) => `${n} conversation${n === 1 ? '' : 's'}`;

/**
 * A plan allows `limit` conversations a period plus a grace allowance of
 * `gracePercent` of it (rounded down), so a busy day does not cut customers
 * off mid-sale; past that, new conversations pause until the next period.
 */
export function quotaState(limit: number, used: number, gracePercent: number): QuotaState {
  for (const [name, v] of [['limit', limit], ['used', used], ['gracePercent', gracePercent]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative integer, got ${v}`);
  }
  const graceLimit = limit + Math.floor((limit * gracePercent) / 100);
  const remaining = Math.max(0, limit - used);
  const graceRemaining = Math.max(0, graceLimit - used);
  const head = `You have used ${used} of ${conversations(limit)} this period`;
  if (used < limit) {
    return { state: 'ok', remaining, graceRemaining, message: `${head}; ${remaining} remaining.` };
  }
  if (used < graceLimit) {
    return {
      state: 'grace',
      remaining,
      graceRemaining,
      message: `${head}. Your plan's quota is used up: ${conversations(graceRemaining)} more can start within the grace allowance, then new conversations pause until the next period. Upgrade your plan to keep them coming.`,
    };
  }
  return {
    state: 'exceeded',
    remaining,
    graceRemaining,
    message: `${head}, including the grace allowance. New conversations are paused until the next period starts; existing ones continue. Upgrade your plan to accept new conversations now.`,
  };
}

/** The platform's share of a customer payment: `bps` basis points, rounded half up (half away from zero for negatives). */
export function marketplaceFee(amountMinor: number, bps: number): number {
  if (!Number.isSafeInteger(amountMinor)) throw new RangeError(`amountMinor must be an integer, got ${amountMinor}`);
  if (!Number.isInteger(bps) || bps < 0 || bps > 10_000) throw new RangeError(`bps must be an integer between 0 and 10000, got ${bps}`);
  // BigInt: amount × bps can pass 2^53 for large amounts.
  const magnitude = (BigInt(Math.abs(amountMinor)) * BigInt(bps) + 5_000n) / 10_000n;
  return Number(amountMinor < 0 ? -magnitude : magnitude);
}

/** `INV-<year issued, UTC>-<per-merchant sequence, at least 6 digits>`. */
export function formatInvoiceNumber(issuedAt: Date, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1) throw new RangeError(`sequence must be a positive integer, got ${sequence}`);
  return `INV-${issuedAt.getUTCFullYear()}-${String(sequence).padStart(6, '0')}`;
}

export interface InvoiceLine {
  description: string;
  quantity: number;
  unitMinor: number;
  amountMinor: number;
}

export function invoiceLine(description: string, quantity: number, unitMinor: number): InvoiceLine {
  if (!Number.isInteger(quantity) || quantity < 0) throw new RangeError(`quantity must be a non-negative integer, got ${quantity}`);
  if (!Number.isSafeInteger(unitMinor)) throw new RangeError(`unitMinor must be an integer, got ${unitMinor}`);
  return { description, quantity, unitMinor, amountMinor: quantity * unitMinor };
}

export function invoiceTotals(lines: readonly InvoiceLine[]): { subtotalMinor: number; totalMinor: number } {
  const subtotalMinor = lines.reduce((sum, l) => sum + l.amountMinor, 0);
  // No tax lines yet: the total is the subtotal.
  return { subtotalMinor, totalMinor: subtotalMinor };
}

const dayFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' });

/** "Jan 1, 2025 – Jan 31, 2025": the period's last day, since `end` is exclusive. */
export function formatPeriod(period: Period): string {
  return `${dayFormat.format(period.start)} – ${dayFormat.format(new Date(period.end.getTime() - 1))}`;
}

export function formatDay(at: Date): string {
  return dayFormat.format(at);
}

/**
 * A period's invoice: the plan's fee and the marketplace fees collected on
 * payments in the plan's currency. Fees in other currencies cannot be added
 * to it and come back as `unbilled` for a person to settle.
 */
export function periodInvoiceLines(
  plan: Pick<Plan, 'name' | 'priceMinor' | 'currency' | 'marketplaceFeeBps'>,
  period: Period,
  fees: readonly { currency: string; feeMinor: number; payments: number }[],
): { currency: string; lines: InvoiceLine[]; unbilled: { currency: string; feeMinor: number; payments: number }[] } {
  const lines = [invoiceLine(`${plan.name} plan, ${formatPeriod(period)}`, 1, plan.priceMinor)];
  const unbilled = [];
  for (const fee of fees) {
    if (fee.currency !== plan.currency) {
      unbilled.push(fee);
      continue;
    }
    if (fee.payments === 0) continue;
    lines.push(invoiceLine(`Marketplace fees (${plan.marketplaceFeeBps / 100}%) on ${fee.payments} customer payment${fee.payments === 1 ? '' : 's'}`, 1, fee.feeMinor));
  }
  return { currency: plan.currency, lines, unbilled };
}
