import {
  billingPeriod,
  DEFAULT_PLAN_CODE,
  formatInvoiceNumber,
  invoiceTotals,
  marketplaceFee,
  quotaState,
  type InvoiceLine,
  type InvoiceStatus,
  type Period,
  type Plan,
  type QuotaState,
  type SubscriptionProvider,
  type SubscriptionStatus,
} from '../../domain/billing';
import type { Db } from '../knex';
import type { OrderRow } from './orders';

const orders = (db: Db) => db<OrderRow>('orders');

export interface Subscription {
  merchantId: string;
  planCode: string;
  status: SubscriptionStatus;
  provider: SubscriptionProvider;
  providerRef: string | null;
  currentPeriodStart: Date;
  currentPeriodEnd: Date;
  cancelAtPeriodEnd: boolean;
  /** When the provider produced the state (event time), not when we stored it. */
  updatedAt: Date;
}

export interface Invoice {
  id: string;
  merchantId: string;
  number: string;
  sequence: number;
  periodStart: Date;
  periodEnd: Date;
  currency: string;
  subtotalMinor: number;
  totalMinor: number;
  status: InvoiceStatus;
  providerInvoiceId: string | null;
  issuedAt: Date;
  paidAt: Date | null;
}

export interface Quota extends QuotaState {
  planCode: string;
  limit: number;
  used: number;
  period: Period;
}

/** A row of `subscriptions`: the merchant's plan as its billing provider last reported it. */
type SubscriptionRow = Subscription;

/** A row of `invoices` (without the rendered PDF, which is read on its own). */
type InvoiceRow = Invoice & { pdf: Buffer | null; createdAt: Date };

/** A row of `invoice_lines`. */
interface InvoiceLineRow extends InvoiceLine {
  id: number;
  invoiceId: string;
  position: number;
}

interface UsageCounterRow {
  merchantId: string;
  periodStart: Date;
  conversations: number;
}

/** A row of `billing_checkouts`: a started plan checkout; the provider's token is the thread back to the merchant. */
export interface BillingCheckout {
  token: string;
  merchantId: string;
  planCode: string;
  provider: string;
  subscriptionRef: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

const toLine = (r: InvoiceLine): InvoiceLine => ({ description: r.description, quantity: r.quantity, unitMinor: r.unitMinor, amountMinor: r.amountMinor });

const invoiceColumns = ['id', 'merchantId', 'number', 'sequence', 'periodStart', 'periodEnd', 'currency', 'subtotalMinor', 'totalMinor', 'status', 'providerInvoiceId', 'issuedAt', 'paidAt'] as const;

const plans = (db: Db) => db<Plan>('plans');
const subscriptions = (db: Db) => db<SubscriptionRow>('subscriptions');
const invoices = (db: Db) => db<InvoiceRow>('invoices');
const invoiceLines = (db: Db) => db<InvoiceLineRow>('invoice_lines');
const usageCounters = (db: Db) => db<UsageCounterRow>('usage_counters');

export async function listPlans(db: Db, opts: { includeInactive?: boolean } = {}): Promise<Plan[]> {
  const q = plans(db).orderBy([{ column: 'currency' }, { column: 'priceMinor' }]);
  if (!opts.includeInactive) q.where({ active: true });
  return q;
}

export async function getPlan(db: Db, code: string): Promise<Plan | undefined> {
  return plans(db).where({ code }).first();
}

export async function subscriptionFor(db: Db, merchantId: string): Promise<Subscription | null> {
  return (await subscriptions(db).where({ merchantId }).first()) ?? null;
}

/** A canceled subscription has ended (providers keep one active until its period ends), so it bills like none. */
const live = (s: Subscription | null): Subscription | null => (s && s.status !== 'canceled' ? s : null);

/** The plan a merchant is metered and charged on: its subscription's, or the default plan without a live one. */
export async function planFor(db: Db, merchantId: string): Promise<Plan> {
  const code = live(await subscriptionFor(db, merchantId))?.planCode ?? DEFAULT_PLAN_CODE;
  const plan = await getPlan(db, code);
  if (!plan) throw new Error(`plan "${code}" does not exist`);
  return plan;
}

export async function periodFor(db: Db, merchantId: string, at: Date = new Date()): Promise<Period> {
  return billingPeriod(at, live(await subscriptionFor(db, merchantId)));
}

/**
 * Stores a subscription as a provider (or a person) reports it. Providers
 * deliver events late and out of order, so an event no newer than the stored
 * one is ignored; returns whether it was applied.
 */
export async function setSubscription(db: Db, s: Subscription): Promise<boolean> {
  if (!(await getPlan(db, s.planCode))) throw new Error(`plan "${s.planCode}" does not exist`);
  const values = {
    planCode: s.planCode,
    status: s.status,
    provider: s.provider,
    providerRef: s.providerRef,
    currentPeriodStart: s.currentPeriodStart,
    currentPeriodEnd: s.currentPeriodEnd,
    cancelAtPeriodEnd: s.cancelAtPeriodEnd,
    updatedAt: s.updatedAt,
  };
  const rows = await subscriptions(db)
    .insert({ merchantId: s.merchantId, ...values })
    .onConflict('merchantId')
    .merge(Object.keys(values) as (keyof SubscriptionRow)[])
    .where('subscriptions.updatedAt', '<', db.raw('excluded.updated_at'))
    .returning('merchantId');
  return rows.length > 0;
}

async function quotaFrom(db: Db, merchantId: string, period: Period, used: number): Promise<Quota> {
  const plan = await planFor(db, merchantId);
  return { planCode: plan.code, limit: plan.conversationQuota, used, period, ...quotaState(plan.conversationQuota, used, plan.gracePercent) };
}

export async function quotaFor(db: Db, merchantId: string, at: Date = new Date()): Promise<Quota> {
  const period = await periodFor(db, merchantId, at);
  const row = await usageCounters(db).where({ merchantId, periodStart: period.start }).first('conversations');
  return quotaFrom(db, merchantId, period, row?.conversations ?? 0);
}

/**
 * Counts a new conversation against the period containing `at`, once per
 * conversation and period however often it is retried. Pass a stable `at`
 * (when the conversation started) so a retry across a period boundary still
 * lands in the same period.
 */
export async function countNewConversation(db: Db, merchantId: string, conversationId: string, at: Date = new Date()): Promise<Quota & { counted: boolean }> {
  const period = await periodFor(db, merchantId, at);
  const { counted, used } = await db.transaction(async (trx) => {
    const inserted = await trx('usage_events')
      .insert({ merchantId, conversationId, periodStart: period.start })
      .onConflict(['merchantId', 'conversationId', 'periodStart'])
      .ignore()
      .returning('conversationId');
    if (!inserted.length) {
      const row = await usageCounters(trx).where({ merchantId, periodStart: period.start }).first('conversations');
      return { counted: false, used: row?.conversations ?? 0 };
    }
    const [row] = (await trx('usage_counters')
      .insert({ merchantId, periodStart: period.start, conversations: 1 })
      .onConflict(['merchantId', 'periodStart'])
      .merge({ conversations: trx.raw('usage_counters.conversations + 1') })
      .returning('conversations')) as Pick<UsageCounterRow, 'conversations'>[];
    return { counted: true, used: row!.conversations };
  });
  return { counted, ...(await quotaFrom(db, merchantId, period, used)) };
}

/** The platform's fee on an amount under the merchant's current plan. */
export async function platformFeeFor(db: Db, merchantId: string, amountMinor: number): Promise<number> {
  return marketplaceFee(amountMinor, (await planFor(db, merchantId)).marketplaceFeeBps);
}

/**
 * Fixes the platform's fee on a paid order from the merchant's plan, once: a
 * second call (or a plan change after it) leaves the stored fee as it is.
 * Returns the fee, or null while the order is unpaid. The fee is on the
 * amount captured; later refunds do not change it.
 */
export async function recordPlatformFee(db: Db, orderId: string): Promise<number | null> {
  const order = await orders(db).where({ id: orderId }).first('merchantId', 'amountMinor', 'paidAt', 'platformFeeMinor');
  if (!order) throw new Error(`order ${orderId} not found`);
  if (order.platformFeeMinor !== null) return order.platformFeeMinor;
  if (!order.paidAt) return null;
  const plan = await planFor(db, order.merchantId);
  const fee = marketplaceFee(order.amountMinor, plan.marketplaceFeeBps);
  const [row] = (await orders(db).where({ id: orderId }).whereNull('platformFeeMinor').update({ platformFeeMinor: fee }).returning('platformFeeMinor')) as Pick<OrderRow, 'platformFeeMinor'>[];
  if (row) return row.platformFeeMinor;
  // Another call stored it first; theirs stands.
  return (await orders(db).where({ id: orderId }).first('platformFeeMinor'))?.platformFeeMinor ?? null;
}

/** Marketplace fees on payments made in the period, by currency; records any fee not recorded yet. */
export async function platformFeesFor(db: Db, merchantId: string, period: Period): Promise<{ currency: string; feeMinor: number; payments: number }[]> {
  const inPeriod = () => orders(db).where({ merchantId }).where('paidAt', '>=', period.start).where('paidAt', '<', period.end);
  for (const { id } of await inPeriod().whereNull('platformFeeMinor').select('id')) await recordPlatformFee(db, id);
  const rows = (await inPeriod()
    .whereNotNull('platformFeeMinor')
    .groupBy('currency')
    .orderBy('currency')
    .select('currency', db.raw('sum(platform_fee_minor)::bigint as fee_minor'), db.raw('count(*)::int as payments'))) as unknown as { currency: string; feeMinor: number; payments: number }[];
  return rows.map((r) => ({ currency: r.currency, feeMinor: r.feeMinor, payments: r.payments }));
}

export interface IssueInvoiceOptions {
  currency: string;
  issuedAt?: Date;
  /** Default `open`; `draft` for an invoice still being prepared. */
  status?: Extract<InvoiceStatus, 'draft' | 'open'>;
  providerInvoiceId?: string | null;
}

/**
 * Issues the merchant's invoice for a period with the next number in its
 * sequence. The sequence row is locked for the whole transaction, so
 * concurrent issues take turns and a failed one rolls its number back:
 * numbers are sequential without gaps. A period that already has a live
 * (not void) invoice gets that invoice back with `created: false`.
 */
export async function issueInvoice(
  db: Db,
  merchantId: string,
  period: Period,
  lines: readonly InvoiceLine[],
  opts: IssueInvoiceOptions,
): Promise<{ invoice: Invoice; lines: InvoiceLine[]; created: boolean }> {
  if (!(period.start < period.end)) throw new RangeError('the period must end after it starts');
  return db.transaction(async (trx) => {
    await trx('invoice_sequences').insert({ merchantId, last: 0 }).onConflict('merchantId').ignore();
    const { last } = (await trx<{ merchantId: string; last: number }>('invoice_sequences').where({ merchantId }).forUpdate().first('last'))!;
    // Read after taking the lock, so a concurrent issue for the same period is seen.
    const existing = await invoices(trx)
      .where({ merchantId, periodStart: period.start, periodEnd: period.end })
      .whereNot({ status: 'void' })
      .first(...invoiceColumns);
    if (existing) {
      const stored = await invoiceLines(trx).where({ invoiceId: existing.id }).orderBy('position');
      return { invoice: existing, lines: stored.map(toLine), created: false };
    }
    const sequence = last + 1;
    const issuedAt = opts.issuedAt ?? new Date();
    const { subtotalMinor, totalMinor } = invoiceTotals(lines);
    await trx('invoice_sequences').where({ merchantId }).update({ last: sequence });
    const [row] = (await trx('invoices')
      .insert({
        merchantId,
        number: formatInvoiceNumber(issuedAt, sequence),
        sequence,
        periodStart: period.start,
        periodEnd: period.end,
        currency: opts.currency,
        subtotalMinor,
        totalMinor,
        status: opts.status ?? 'open',
        providerInvoiceId: opts.providerInvoiceId ?? null,
        issuedAt,
      })
      .returning([...invoiceColumns])) as Invoice[];
    const invoice = row!;
    if (lines.length) {
      await invoiceLines(trx).insert(
        lines.map((l, position) => ({ invoiceId: invoice.id, position, description: l.description, quantity: l.quantity, unitMinor: l.unitMinor, amountMinor: l.amountMinor })),
      );
    }
    return { invoice, lines: [...lines], created: true };
  });
}

/** Marks an open (or uncollectible) invoice paid; true only for the call that did it. */
export async function markInvoicePaid(db: Db, ref: { invoiceId: string } | { providerInvoiceId: string }, at: Date = new Date()): Promise<boolean> {
  const rows = await invoices(db)
    .where('invoiceId' in ref ? { id: ref.invoiceId } : { providerInvoiceId: ref.providerInvoiceId })
    .whereIn('status', ['open', 'uncollectible'])
    .update({ status: 'paid', paidAt: at })
    .returning('id');
  return rows.length > 0;
}

export async function listInvoices(db: Db, merchantId: string): Promise<Invoice[]> {
  return invoices(db).where({ merchantId }).orderBy('sequence', 'desc').select(...invoiceColumns);
}

/** The merchant's own invoice with its lines; undefined for another merchant's. */
export async function invoiceFor(db: Db, merchantId: string, invoiceId: string): Promise<{ invoice: Invoice; lines: InvoiceLine[] } | undefined> {
  const invoice = await invoices(db).where({ id: invoiceId, merchantId }).first(...invoiceColumns);
  if (!invoice) return undefined;
  const lines = await invoiceLines(db).where({ invoiceId }).orderBy('position');
  return { invoice, lines: lines.map(toLine) };
}

export async function invoicePdf(db: Db, invoiceId: string): Promise<Buffer | null> {
  const row = await invoices(db).where({ id: invoiceId }).first('pdf');
  return row?.pdf ?? null;
}

/** Keeps the first rendering: an issued invoice's document does not change. */
export async function storeInvoicePdf(db: Db, invoiceId: string, pdf: Buffer): Promise<void> {
  await invoices(db).where({ id: invoiceId }).whereNull('pdf').update({ pdf });
}

export async function startBillingCheckout(db: Db, c: { token: string; merchantId: string; planCode: string; provider: string }): Promise<void> {
  await db('billing_checkouts').insert(c);
}

export async function billingCheckout(db: Db, provider: string, token: string): Promise<BillingCheckout | null> {
  return (await db<BillingCheckout>('billing_checkouts').where({ token, provider }).first()) ?? null;
}

export async function completeBillingCheckout(db: Db, token: string, subscriptionRef: string): Promise<void> {
  await db<BillingCheckout>('billing_checkouts').where({ token }).update({ subscriptionRef, completedAt: db.fn.now() });
}

/** The merchant holding a provider's subscription; providers whose webhooks name only the subscription need it. */
export async function subscriptionOwner(db: Db, provider: SubscriptionProvider, providerRef: string): Promise<string | null> {
  return (await subscriptions(db).where({ provider, providerRef }).first('merchantId'))?.merchantId ?? null;
}

/**
 * The merchant whose checkout created a provider's subscription. iyzico continues an upgraded subscription under
 * a new reference code, so a late event for an earlier code is traced through the chain's first one.
 */
export async function checkoutOwner(db: Db, provider: SubscriptionProvider, subscriptionRef: string): Promise<string | null> {
  return (await db<BillingCheckout>('billing_checkouts').where({ provider, subscriptionRef }).whereNotNull('completedAt').first('merchantId'))?.merchantId ?? null;
}
