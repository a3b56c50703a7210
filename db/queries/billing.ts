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

type Row = Record<string, unknown>;

const toPlan = (r: Row): Plan => ({
  code: r.code as string,
  name: r.name as string,
  priceMinor: r.price_minor as number,
  currency: r.currency as string,
  conversationQuota: r.conversation_quota as number,
  gracePercent: r.grace_percent as number,
  marketplaceFeeBps: r.marketplace_fee_bps as number,
  active: r.active as boolean,
});

const toSubscription = (r: Row): Subscription => ({
  merchantId: r.merchant_id as string,
  planCode: r.plan_code as string,
  status: r.status as SubscriptionStatus,
  provider: r.provider as SubscriptionProvider,
  providerRef: (r.provider_ref as string | null) ?? null,
  currentPeriodStart: new Date(r.current_period_start as Date),
  currentPeriodEnd: new Date(r.current_period_end as Date),
  cancelAtPeriodEnd: r.cancel_at_period_end as boolean,
  updatedAt: new Date(r.updated_at as Date),
});

const toInvoice = (r: Row): Invoice => ({
  id: r.id as string,
  merchantId: r.merchant_id as string,
  number: r.number as string,
  sequence: r.sequence as number,
  periodStart: new Date(r.period_start as Date),
  periodEnd: new Date(r.period_end as Date),
  currency: r.currency as string,
  subtotalMinor: r.subtotal_minor as number,
  totalMinor: r.total_minor as number,
  status: r.status as InvoiceStatus,
  providerInvoiceId: (r.provider_invoice_id as string | null) ?? null,
  issuedAt: new Date(r.issued_at as Date),
  paidAt: r.paid_at ? new Date(r.paid_at as Date) : null,
});

const toLine = (r: Row): InvoiceLine => ({
  description: r.description as string,
  quantity: r.quantity as number,
  unitMinor: r.unit_minor as number,
  amountMinor: r.amount_minor as number,
});

const invoiceColumns = ['id', 'merchant_id', 'number', 'sequence', 'period_start', 'period_end', 'currency', 'subtotal_minor', 'total_minor', 'status', 'provider_invoice_id', 'issued_at', 'paid_at'];

export async function listPlans(db: Db, opts: { includeInactive?: boolean } = {}): Promise<Plan[]> {
  const q = db('plans').orderBy([{ column: 'currency' }, { column: 'price_minor' }]);
  if (!opts.includeInactive) q.where({ active: true });
  return (await q).map(toPlan);
}

export async function getPlan(db: Db, code: string): Promise<Plan | undefined> {
  const row = await db('plans').where({ code }).first();
  return row ? toPlan(row) : undefined;
}

export async function subscriptionFor(db: Db, merchantId: string): Promise<Subscription | null> {
  const row = await db('subscriptions').where({ merchant_id: merchantId }).first();
  return row ? toSubscription(row) : null;
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
    plan_code: s.planCode,
    status: s.status,
    provider: s.provider,
    provider_ref: s.providerRef,
    current_period_start: s.currentPeriodStart,
    current_period_end: s.currentPeriodEnd,
    cancel_at_period_end: s.cancelAtPeriodEnd,
    updated_at: s.updatedAt,
  };
  const rows = await db('subscriptions')
    .insert({ merchant_id: s.merchantId, ...values })
    .onConflict('merchant_id')
    .merge(Object.keys(values))
    .where('subscriptions.updated_at', '<', db.raw('excluded.updated_at'))
    .returning('merchant_id');
  return rows.length > 0;
}

async function quotaFrom(db: Db, merchantId: string, period: Period, used: number): Promise<Quota> {
  const plan = await planFor(db, merchantId);
  return { planCode: plan.code, limit: plan.conversationQuota, used, period, ...quotaState(plan.conversationQuota, used, plan.gracePercent) };
}

export async function quotaFor(db: Db, merchantId: string, at: Date = new Date()): Promise<Quota> {
  const period = await periodFor(db, merchantId, at);
  const row = await db('usage_counters').where({ merchant_id: merchantId, period_start: period.start }).first('conversations');
  return quotaFrom(db, merchantId, period, (row?.conversations as number | undefined) ?? 0);
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
      .insert({ merchant_id: merchantId, conversation_id: conversationId, period_start: period.start })
      .onConflict(['merchant_id', 'conversation_id', 'period_start'])
      .ignore()
      .returning('conversation_id');
    if (!inserted.length) {
      const row = await trx('usage_counters').where({ merchant_id: merchantId, period_start: period.start }).first('conversations');
      return { counted: false, used: (row?.conversations as number | undefined) ?? 0 };
    }
    const [row] = await trx('usage_counters')
      .insert({ merchant_id: merchantId, period_start: period.start, conversations: 1 })
      .onConflict(['merchant_id', 'period_start'])
      .merge({ conversations: trx.raw('usage_counters.conversations + 1') })
      .returning('conversations');
    return { counted: true, used: row.conversations as number };
  });
  return { counted, ...(await quotaFrom(db, merchantId, period, used)) };
}

/**
 * Fixes the platform's fee on a paid order from the merchant's plan, once: a
 * second call (or a plan change after it) leaves the stored fee as it is.
 * Returns the fee, or null while the order is unpaid. The fee is on the
 * amount captured; later refunds do not change it.
 */
export async function recordPlatformFee(db: Db, orderId: string): Promise<number | null> {
  const order = await db('orders').where({ id: orderId }).first('merchant_id', 'amount_minor', 'paid_at', 'platform_fee_minor');
  if (!order) throw new Error(`order ${orderId} not found`);
  if (order.platform_fee_minor !== null) return order.platform_fee_minor as number;
  if (!order.paid_at) return null;
  const plan = await planFor(db, order.merchant_id as string);
  const fee = marketplaceFee(order.amount_minor as number, plan.marketplaceFeeBps);
  const [row] = await db('orders').where({ id: orderId }).whereNull('platform_fee_minor').update({ platform_fee_minor: fee }).returning('platform_fee_minor');
  if (row) return row.platform_fee_minor as number;
  // Another call stored it first; theirs stands.
  return (await db('orders').where({ id: orderId }).first('platform_fee_minor')).platform_fee_minor as number;
}

/** Marketplace fees on payments made in the period, by currency; records any fee not recorded yet. */
export async function platformFeesFor(db: Db, merchantId: string, period: Period): Promise<{ currency: string; feeMinor: number; payments: number }[]> {
  const inPeriod = () => db('orders').where({ merchant_id: merchantId }).where('paid_at', '>=', period.start).where('paid_at', '<', period.end);
  for (const { id } of await inPeriod().whereNull('platform_fee_minor').select('id')) await recordPlatformFee(db, id as string);
  const rows = await inPeriod()
    .whereNotNull('platform_fee_minor')
    .groupBy('currency')
    .orderBy('currency')
    .select('currency', db.raw('sum(platform_fee_minor)::bigint as fee_minor'), db.raw('count(*)::int as payments'));
  return rows.map((r: Row) => ({ currency: r.currency as string, feeMinor: r.fee_minor as number, payments: r.payments as number }));
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
    await trx('invoice_sequences').insert({ merchant_id: merchantId, last: 0 }).onConflict('merchant_id').ignore();
    const { last } = await trx('invoice_sequences').where({ merchant_id: merchantId }).forUpdate().first('last');
    // Read after taking the lock, so a concurrent issue for the same period is seen.
    const existing = await trx('invoices')
      .where({ merchant_id: merchantId, period_start: period.start, period_end: period.end })
      .whereNot({ status: 'void' })
      .first(invoiceColumns);
    if (existing) {
      const stored = await trx('invoice_lines').where({ invoice_id: existing.id }).orderBy('position');
      return { invoice: toInvoice(existing), lines: stored.map(toLine), created: false };
    }
    const sequence = (last as number) + 1;
    const issuedAt = opts.issuedAt ?? new Date();
    const { subtotalMinor, totalMinor } = invoiceTotals(lines);
    await trx('invoice_sequences').where({ merchant_id: merchantId }).update({ last: sequence });
    const [row] = await trx('invoices')
      .insert({
        merchant_id: merchantId,
        number: formatInvoiceNumber(issuedAt, sequence),
        sequence,
        period_start: period.start,
        period_end: period.end,
        currency: opts.currency,
        subtotal_minor: subtotalMinor,
        total_minor: totalMinor,
        status: opts.status ?? 'open',
        provider_invoice_id: opts.providerInvoiceId ?? null,
        issued_at: issuedAt,
      })
      .returning(invoiceColumns);
    if (lines.length) {
      await trx('invoice_lines').insert(
        lines.map((l, position) => ({ invoice_id: row.id, position, description: l.description, quantity: l.quantity, unit_minor: l.unitMinor, amount_minor: l.amountMinor })),
      );
    }
    return { invoice: toInvoice(row), lines: [...lines], created: true };
  });
}

/** Marks an open (or uncollectible) invoice paid; true only for the call that did it. */
export async function markInvoicePaid(db: Db, ref: { invoiceId: string } | { providerInvoiceId: string }, at: Date = new Date()): Promise<boolean> {
  const rows = await db('invoices')
    .where('invoiceId' in ref ? { id: ref.invoiceId } : { provider_invoice_id: ref.providerInvoiceId })
    .whereIn('status', ['open', 'uncollectible'])
    .update({ status: 'paid', paid_at: at })
    .returning('id');
  return rows.length > 0;
}

export async function listInvoices(db: Db, merchantId: string): Promise<Invoice[]> {
  return (await db('invoices').where({ merchant_id: merchantId }).orderBy('sequence', 'desc').select(invoiceColumns)).map(toInvoice);
}

/** The merchant's own invoice with its lines; undefined for another merchant's. */
export async function invoiceFor(db: Db, merchantId: string, invoiceId: string): Promise<{ invoice: Invoice; lines: InvoiceLine[] } | undefined> {
  const row = await db('invoices').where({ id: invoiceId, merchant_id: merchantId }).first(invoiceColumns);
  if (!row) return undefined;
  const lines = await db('invoice_lines').where({ invoice_id: invoiceId }).orderBy('position');
  return { invoice: toInvoice(row), lines: lines.map(toLine) };
}

export async function invoicePdf(db: Db, invoiceId: string): Promise<Buffer | null> {
  const row = await db('invoices').where({ id: invoiceId }).first('pdf');
  return (row?.pdf as Buffer | null | undefined) ?? null;
}

/** Keeps the first rendering: an issued invoice's document does not change. */
export async function storeInvoicePdf(db: Db, invoiceId: string, pdf: Buffer): Promise<void> {
  await db('invoices').where({ id: invoiceId }).whereNull('pdf').update({ pdf });
}
