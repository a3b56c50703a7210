import { Channels, type Channel } from '../../domain/conversation';
import type { OrderStatus } from '../../domain/order';
import { Stages, type Stage } from '../../domain/stage';
import type { Db } from '../knex';

export interface MerchantAnalyticsQuery {
  merchantId: string;
  from: Date;
  /** Exclusive. */
  to: Date;
  channel?: Channel;
}

export interface CurrencyAmount {
  currency: string;
  amountMinor: number;
}

export interface Percentiles {
  p50: number | null;
  p90: number | null;
}

export interface MerchantAnalytics {
  /** UTC days; `to` is the last day included. */
  period: { from: string; to: string };
  channel: string | null;
  conversations: number;
  won: number;
  conversionRate: number;
  funnel: { stage: Stage; reached: number }[];
  stages: { stage: Stage; count: number }[];
  revenue: {
    total: (CurrencyAmount & { orders: number })[];
    /** Completed refunds made in the period, with how many there were. */
    refunded: (CurrencyAmount & { count: number })[];
    /** The platform's fees on orders paid in the period, less what it gave back on refunds. */
    platformFees: CurrencyAmount[];
    /** Revenue − refunds − platform fees, per currency. */
    net: CurrencyAmount[];
    byDay: (CurrencyAmount & { day: string; orders: number })[];
  };
  latency: { firstResponseMs: Percentiles; replyMs: Percentiles };
  handOff: { count: number; rate: number; reasons: { reason: string; count: number }[] };
  messagesPerConversation: { avg: number; p50: number | null };
  topObjections: { kind: string; count: number }[];
  byChannel: { channel: Channel; conversations: number; won: number; conversionRate: number; revenue: CurrencyAmount[] }[];
}

/** 'lost' is an outcome, not a step: a lost lead counts up to the furthest step it reached. */
const FunnelStages = Stages.filter((s): s is Exclude<Stage, 'lost'> => s !== 'lost');

/** Every status an order can hold once money moved; refunds are reported on their own. */
const PaidStatuses: readonly OrderStatus[] = ['paid', 'partially_refunded', 'refunded', 'disputed'];

/** Refund rows the provider confirmed (see RefundResult in integrations/payments/provider.ts). */
const REFUND_DONE = 'succeeded';

const TOP_OBJECTIONS = 5;

interface Bindings {
  merchantId: string;
  from: Date;
  to: Date;
  channel?: Channel;
  [key: string]: unknown;
}

/**
 * The conversations a report is about: created in the period (and channel).
 * Served by an index on conversations (merchant_id, created_at).
 */
function periodConversations(b: Bindings): string {
  return `period_conversations as (
    select c.id, c.channel, c.stage, c.needs_human, c.hand_off_reason, c.message_count
    from conversations c
    where c.merchant_id = :merchantId and c.created_at >= :from and c.created_at < :to
    ${b.channel ? 'and c.channel = :channel' : ''}
  )`;
}

/** Orders joined to their conversation so revenue can follow the channel filter. */
function channelFilter(b: Bindings): string {
  return b.channel ? 'and c.channel = :channel' : '';
}

const stageRanks = `stage_rank (stage, rank) as (values ${FunnelStages.map((s, i) => `('${s}', ${i})`).join(', ')})`;

const paidStatusList = PaidStatuses.map((s) => `'${s}'`).join(', ');

/** Raw SQL; its snake_case column aliases come back camelCase like every other row (see db/knex.ts). */
async function rows<T>(db: Db, sql: string, b: Bindings): Promise<T[]> {
  const result = await db.raw(sql, b);
  return result.rows as T[];
}

interface ConversationFacts {
  isTotal: boolean;
  channel: Channel | null;
  conversations: number;
  won: number;
  handOffs: number;
  avgMessages: number | null;
  p50Messages: number | null;
  reached: number[];
  stages: number[];
}

/**
 * Per conversation: the furthest funnel step seen in its stage history or its
 * current stage, and whether it was ever handed to a person; then totals per
 * channel and overall (ROLLUP) in one pass.
 */
function conversationFacts(db: Db, b: Bindings): Promise<ConversationFacts[]> {
  return rows(
    db,
    `with ${periodConversations(b)},
    ${stageRanks},
    history as (
      select e.conversation_id,
        max(sr.rank) as reached,
        bool_or(e.kind = 'hand_off') as handed_off
      from conversation_events e
      join period_conversations pc on pc.id = e.conversation_id
      left join stage_rank sr on e.kind = 'stage' and sr.stage in (e.from_value, e.to_value)
      where e.merchant_id = :merchantId and e.kind in ('stage', 'hand_off')
      group by e.conversation_id
    ),
    facts as (
      select pc.channel, pc.stage, pc.message_count,
        greatest(coalesce(h.reached, 0), coalesce(cur.rank, 0)) as reached,
        coalesce(h.handed_off, false) or pc.needs_human or pc.hand_off_reason is not null as handed_off
      from period_conversations pc
      left join history h on h.conversation_id = pc.id
      left join stage_rank cur on cur.stage = pc.stage
    )
    select grouping(channel) = 1 as is_total, channel,
      count(*)::int as conversations,
      count(*) filter (where stage = 'won')::int as won,
      count(*) filter (where handed_off)::int as hand_offs,
      round(avg(message_count), 1)::float8 as avg_messages,
      percentile_cont(0.5) within group (order by message_count) as p50_messages,
      array[${FunnelStages.map((_, i) => `count(*) filter (where reached >= ${i})`).join(', ')}]::int[] as reached,
      array[${Stages.map((s) => `count(*) filter (where stage = '${s}')`).join(', ')}]::int[] as stages
    from facts
    group by rollup (channel)`,
    b,
  );
}

/** One reason per conversation per distinct hand-off reason; the projection's reason stands in when no event was recorded. */
function handOffReasons(db: Db, b: Bindings): Promise<{ reason: string; count: number }[]> {
  return rows(
    db,
    `with ${periodConversations(b)},
    event_reasons as (
      select distinct e.conversation_id, e.to_value as reason
      from conversation_events e
      join period_conversations pc on pc.id = e.conversation_id
      where e.merchant_id = :merchantId and e.kind = 'hand_off' and e.to_value is not null
    ),
    reasons as (
      select conversation_id, reason from event_reasons
      union all
      select pc.id, pc.hand_off_reason from period_conversations pc
      where pc.hand_off_reason is not null
        and not exists (select 1 from event_reasons er where er.conversation_id = pc.id)
    )
    select reason, count(*)::int as count from reasons group by reason order by count desc, reason`,
    b,
  );
}

interface RevenueRow {
  isTotal: boolean;
  channel: Channel | null;
  currency: string;
  amountMinor: number;
  orders: number;
}

/** Paid orders by paid_at, per currency overall and per channel and currency. */
function revenue(db: Db, b: Bindings): Promise<RevenueRow[]> {
  return rows(
    db,
    `select grouping(c.channel) = 1 as is_total, c.channel, o.currency,
      sum(o.amount_minor)::bigint as amount_minor, count(*)::int as orders
    from orders o
    join conversations c on c.id = o.conversation_id and c.merchant_id = :merchantId
    where o.merchant_id = :merchantId and o.paid_at >= :from and o.paid_at < :to
      and o.status in (${paidStatusList}) ${channelFilter(b)}
    group by grouping sets ((o.currency), (c.channel, o.currency))
    order by o.currency, c.channel`,
    b,
  );
}

/** Every UTC day of the period for each currency that earned anything in it, zero-filled. */
function revenueByDay(db: Db, b: Bindings): Promise<{ day: string; currency: string; amountMinor: number; orders: number }[]> {
  return rows(
    db,
    `with days as (
      select d::date as day
      from generate_series(
        (cast(:from as timestamptz) at time zone 'UTC')::date,
        ((cast(:to as timestamptz) - interval '1 microsecond') at time zone 'UTC')::date,
        interval '1 day') d
    ),
    paid as (
      select (o.paid_at at time zone 'UTC')::date as day, o.currency, o.amount_minor
      from orders o
      join conversations c on c.id = o.conversation_id and c.merchant_id = :merchantId
      where o.merchant_id = :merchantId and o.paid_at >= :from and o.paid_at < :to
        and o.status in (${paidStatusList}) ${channelFilter(b)}
    ),
    currencies as (select distinct currency from paid)
    select to_char(days.day, 'YYYY-MM-DD') as day, cur.currency,
      coalesce(sum(p.amount_minor), 0)::bigint as amount_minor, count(p.day)::int as orders
    from days
    cross join currencies cur
    left join paid p on p.day = days.day and p.currency = cur.currency
    group by days.day, cur.currency
    order by days.day, cur.currency`,
    b,
  );
}

/** Completed refunds by when they were made, whatever period the order was paid in. */
function refunded(db: Db, b: Bindings): Promise<(CurrencyAmount & { count: number })[]> {
  return rows(
    db,
    `select r.currency, sum(r.amount_minor)::bigint as amount_minor, count(*)::int as count
    from refunds r
    join orders o on o.id = r.order_id and o.merchant_id = :merchantId
    join conversations c on c.id = o.conversation_id and c.merchant_id = :merchantId
    where r.merchant_id = :merchantId and r.status = '${REFUND_DONE}'
      and r.created_at >= :from and r.created_at < :to ${channelFilter(b)}
    group by r.currency
    order by r.currency`,
    b,
  );
}

/** The platform's fees on the orders paid in the period (as revenue counts them), less the part given back. */
function platformFees(db: Db, b: Bindings): Promise<CurrencyAmount[]> {
  return rows(
    db,
    `select o.currency, sum(coalesce(o.platform_fee_minor, 0) - o.platform_fee_refunded_minor)::bigint as amount_minor
    from orders o
    join conversations c on c.id = o.conversation_id and c.merchant_id = :merchantId
    where o.merchant_id = :merchantId and o.paid_at >= :from and o.paid_at < :to
      and o.status in (${paidStatusList}) ${channelFilter(b)}
    group by o.currency
    order by o.currency`,
    b,
  );
}

/** Revenue less refunds less platform fees, for every currency any of them has. */
function netRevenue(revenue: readonly CurrencyAmount[], refunds: readonly CurrencyAmount[], fees: readonly CurrencyAmount[]): CurrencyAmount[] {
  const net = new Map<string, number>();
  const add = (list: readonly CurrencyAmount[], sign: 1 | -1) => {
    for (const r of list) net.set(r.currency, (net.get(r.currency) ?? 0) + sign * r.amountMinor);
  };
  add(revenue, 1);
  add(refunds, -1);
  add(fees, -1);
  return [...net].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amountMinor]) => ({ currency, amountMinor }));
}

interface LatencyRow {
  firstP50: number | null;
  firstP90: number | null;
  replyP50: number | null;
  replyP90: number | null;
}

/**
 * Each inbound message's wait for the next outbound one in its conversation;
 * the conversation's first inbound gives the first response time. At equal
 * timestamps an inbound sorts before an outbound ('in' < 'out'), so an
 * instant reply counts as 0 ms rather than being missed.
 */
function latency(db: Db, b: Bindings): Promise<LatencyRow[]> {
  const pct = (p: number, filter: string) =>
    `round((percentile_cont(${p}) within group (order by ms)${filter ? ` filter (where ${filter})` : ''})::numeric)::bigint`;
  return rows(
    db,
    `with ${periodConversations(b)},
    timed as (
      select m.direction, m.created_at,
        min(m.created_at) filter (where m.direction = 'out') over (
          partition by m.conversation_id order by m.created_at, m.direction, m.id
          rows between 1 following and unbounded following) as next_out,
        row_number() over (partition by m.conversation_id, m.direction order by m.created_at, m.id) as nth
      from messages m
      join period_conversations pc on pc.id = m.conversation_id
      where m.merchant_id = :merchantId
    ),
    waits as (
      select (extract(epoch from next_out - created_at) * 1000)::float8 as ms, nth = 1 as first
      from timed
      where direction = 'in' and next_out is not null
    )
    select ${pct(0.5, 'first')} as first_p50, ${pct(0.9, 'first')} as first_p90,
      ${pct(0.5, '')} as reply_p50, ${pct(0.9, '')} as reply_p90
    from waits`,
    b,
  );
}

function topObjections(db: Db, b: Bindings): Promise<{ kind: string; count: number }[]> {
  return rows(
    db,
    `with ${periodConversations(b)}
    select m.objection as kind, count(*)::int as count
    from messages m
    join period_conversations pc on pc.id = m.conversation_id
    where m.merchant_id = :merchantId and m.objection is not null
    group by m.objection
    order by count desc, kind
    limit ${TOP_OBJECTIONS}`,
    b,
  );
}

function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

const money = (r: CurrencyAmount): CurrencyAmount => ({ currency: r.currency, amountMinor: r.amountMinor });

/**
 * A merchant's sales numbers for a period: conversations by when they started,
 * revenue by when it was paid, refunds by when they were made. Every query is
 * scoped to the merchant; the queries run side by side.
 */
export async function merchantAnalytics(db: Db, q: MerchantAnalyticsQuery): Promise<MerchantAnalytics> {
  if (!(q.from.getTime() < q.to.getTime())) throw new RangeError('analytics period must end after it starts');
  const b: Bindings = { merchantId: q.merchantId, from: q.from, to: q.to, ...(q.channel ? { channel: q.channel } : {}) };

  const [facts, reasons, revenueRows, days, refundRows, [lat], objections, feeRows] = await Promise.all([
    conversationFacts(db, b),
    handOffReasons(db, b),
    revenue(db, b),
    revenueByDay(db, b),
    refunded(db, b),
    latency(db, b),
    topObjections(db, b),
    platformFees(db, b),
  ]);
  const totals = revenueRows.filter((r) => r.isTotal).map(money);
  const fees = feeRows.map(money);

  const total = facts.find((f) => f.isTotal);
  const conversations = total?.conversations ?? 0;
  const won = total?.won ?? 0;
  const handOffs = total?.handOffs ?? 0;
  const channels = q.channel ? [q.channel] : [...Channels];

  return {
    period: { from: utcDay(q.from), to: utcDay(new Date(q.to.getTime() - 1)) },
    channel: q.channel ?? null,
    conversations,
    won,
    conversionRate: ratio(won, conversations),
    funnel: FunnelStages.map((stage, i) => ({ stage, reached: total?.reached[i] ?? 0 })),
    stages: Stages.map((stage, i) => ({ stage, count: total?.stages[i] ?? 0 })),
    revenue: {
      total: revenueRows.filter((r) => r.isTotal).map((r) => ({ ...money(r), orders: r.orders })),
      refunded: refundRows.map((r) => ({ ...money(r), count: r.count })),
      platformFees: fees,
      net: netRevenue(totals, refundRows.map(money), fees),
      byDay: days.map((r) => ({ day: r.day, ...money(r), orders: r.orders })),
    },
    latency: {
      firstResponseMs: { p50: lat?.firstP50 ?? null, p90: lat?.firstP90 ?? null },
      replyMs: { p50: lat?.replyP50 ?? null, p90: lat?.replyP90 ?? null },
    },
    handOff: { count: handOffs, rate: ratio(handOffs, conversations), reasons },
    messagesPerConversation: { avg: total?.avgMessages ?? 0, p50: total?.p50Messages ?? null },
    topObjections: objections,
    byChannel: channels.map((channel) => {
      const f = facts.find((x) => !x.isTotal && x.channel === channel);
      return {
        channel,
        conversations: f?.conversations ?? 0,
        won: f?.won ?? 0,
        conversionRate: ratio(f?.won ?? 0, f?.conversations ?? 0),
        revenue: revenueRows.filter((r) => !r.isTotal && r.channel === channel).map(money),
      };
    }),
  };
}
