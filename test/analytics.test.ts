import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { demoCatalog, demoPlaybook } from '../db/demo-data';
import { createDb, type Db } from '../db/knex';
import { merchantAnalytics } from '../db/queries/analytics';
import { upsertProducts } from '../db/queries/catalog';
import { upsertMerchant } from '../db/queries/merchants';
import type { Channel } from '../domain/conversation';
import type { OrderStatus } from '../domain/order';
import type { Stage } from '../domain/stage';

const at = (iso: string) => new Date(iso);

/** Read here rather than through support/stack, which loads the whole API for a suite that only needs Postgres. */
function databaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the suites through "npm test"');
  return url;
}
const sku = demoCatalog[0]!.sku;

interface ConversationSpec {
  key: string;
  channel: Channel;
  stage: Stage;
  createdAt: string;
  needsHuman?: boolean;
  handOffReason?: string;
  /** [kind, from, to] in order. */
  events?: [string, string | null, string | null][];
  /** [direction, sender, at, objection]. */
  messages?: ['in' | 'out', 'customer' | 'bot' | 'human', string, string?][];
  orders?: { amountMinor: number; currency: string; status: OrderStatus; paidAt?: string; platformFeeMinor?: number; platformFeeRefundedMinor?: number; refunds?: { amountMinor: number; status: string; at: string }[] }[];
}

async function newMerchant(db: Db): Promise<string> {
  const id = `an-${randomUUID().slice(0, 8)}`;
  await upsertMerchant(db, { id, name: `Analytics ${id}` }, demoPlaybook);
  await upsertProducts(db, id, demoCatalog);
  return id;
}

async function seed(db: Db, merchantId: string, specs: ConversationSpec[]): Promise<void> {
  for (const s of specs) {
    const id = `${merchantId}:${s.channel}:${s.key}`;
    await db('conversations').insert({
      id,
      merchant_id: merchantId,
      channel: s.channel,
      customer_key: s.key,
      stage: s.stage,
      needs_human: s.needsHuman ?? false,
      hand_off_reason: s.handOffReason ?? null,
      message_count: s.messages?.length ?? 0,
      created_at: at(s.createdAt),
    });
    for (const [i, [kind, from, to]] of (s.events ?? []).entries()) {
      await db('conversation_events').insert({
        conversation_id: id,
        merchant_id: merchantId,
        kind,
        from_value: from,
        to_value: to,
        at: new Date(at(s.createdAt).getTime() + (i + 1) * 60_000),
      });
    }
    for (const [direction, sender, when, objection] of s.messages ?? []) {
      await db('messages').insert({
        conversation_id: id,
        merchant_id: merchantId,
        direction,
        sender,
        text: direction === 'in' ? 'hello' : 'reply',
        status: direction === 'in' ? 'received' : 'sent',
        objection: objection ?? null,
        created_at: at(when),
      });
    }
    for (const o of s.orders ?? []) {
      const orderId = randomUUID();
      await db('orders').insert({
        id: orderId,
        merchant_id: merchantId,
        conversation_id: id,
        sku,
        quantity: 1,
        amount_minor: o.amountMinor,
        currency: o.currency,
        status: o.status,
        provider: 'demo',
        paid_at: o.paidAt ? at(o.paidAt) : null,
        platform_fee_minor: o.platformFeeMinor ?? null,
        platform_fee_refunded_minor: o.platformFeeRefundedMinor ?? 0,
        created_at: at(s.createdAt),
      });
      for (const r of o.refunds ?? []) {
        await db('refunds').insert({
          order_id: orderId,
          merchant_id: merchantId,
          amount_minor: r.amountMinor,
          currency: o.currency,
          status: r.status,
          idempotency_key: randomUUID(),
          created_at: at(r.at),
          updated_at: at(r.at),
        });
      }
    }
  }
}

/**
 * The week of 1–7 March 2025 (UTC), with conversations just outside it on both
 * sides. Latencies are chosen so the percentiles are easy to work out:
 * first responses 1000, 10000, 2000 ms; replies 1000, 3000, 10000, 8000, 5000, 2000 ms.
 */
const shop: ConversationSpec[] = [
  {
    key: 'won',
    channel: 'webchat',
    stage: 'won',
    createdAt: '2025-03-01T10:00:00Z',
    events: [
      ['stage', 'new', 'engaged'],
      ['stage', 'engaged', 'qualified'],
      ['stage', 'qualified', 'checkout'],
      ['stage', 'checkout', 'won'],
    ],
    messages: [
      ['in', 'customer', '2025-03-01T10:00:00Z'],
      ['out', 'bot', '2025-03-01T10:00:01Z'],
      ['in', 'customer', '2025-03-01T10:05:00Z'],
      ['out', 'bot', '2025-03-01T10:05:03Z', 'price'],
      // Follow-ups after every question was answered: objections, no waits.
      ['out', 'bot', '2025-03-01T10:30:00Z', 'price'],
      ['out', 'bot', '2025-03-01T11:00:00Z', 'trust'],
      ['out', 'bot', '2025-03-01T12:00:00Z', 'timing'],
      ['out', 'bot', '2025-03-01T13:00:00Z', 'competitor'],
    ],
    orders: [
      { amountMinor: 150_000, currency: 'TRY', status: 'paid', paidAt: '2025-03-01T10:20:00Z', refunds: [{ amountMinor: 5_000, status: 'succeeded', at: '2025-03-08T00:00:00Z' }] },
      { amountMinor: 9_999, currency: 'TRY', status: 'pending' },
    ],
  },
  {
    key: 'lost',
    channel: 'webchat',
    stage: 'lost',
    createdAt: '2025-03-02T09:00:00Z',
    events: [
      ['stage', 'new', 'engaged'],
      ['stage', 'engaged', 'negotiating'],
      ['hand_off', null, 'price_dispute'],
      ['mode', 'bot', 'human'],
      ['stage', 'negotiating', 'lost'],
      ['closed', null, 'lost'],
    ],
    messages: [
      ['in', 'customer', '2025-03-02T09:00:00Z'],
      ['in', 'customer', '2025-03-02T09:00:02Z'],
      ['out', 'human', '2025-03-02T09:00:10Z'],
      ['in', 'customer', '2025-03-02T09:01:00Z'],
      ['out', 'bot', '2025-03-02T09:01:05Z', 'trust'],
      ['in', 'customer', '2025-03-02T09:01:40Z'],
    ],
    orders: [
      // The last instant of the period still counts.
      { amountMinor: 30_000, currency: 'TRY', status: 'disputed', paidAt: '2025-03-07T23:59:59.999Z' },
      { amountMinor: 40_000, currency: 'TRY', status: 'expired' },
    ],
  },
  {
    key: '905550000001',
    channel: 'whatsapp',
    stage: 'qualified',
    createdAt: '2025-03-03T08:00:00Z',
    needsHuman: true,
    handOffReason: 'customer_request',
    events: [
      ['stage', 'new', 'engaged'],
      ['stage', 'engaged', 'qualified'],
      ['hand_off', null, 'customer_request'],
      ['needs_human', 'false', 'true'],
      ['hand_off', 'customer_request', 'customer_request'],
    ],
    messages: [
      // A template sent before the customer wrote is not a response.
      ['out', 'bot', '2025-03-03T08:00:00Z'],
      ['in', 'customer', '2025-03-03T08:01:00Z'],
      ['out', 'bot', '2025-03-03T08:01:02Z', 'price'],
      ['out', 'bot', '2025-03-03T09:00:00Z', 'other'],
      ['out', 'bot', '2025-03-03T10:00:00Z', 'warranty'],
    ],
    orders: [
      {
        amountMinor: 50_000,
        currency: 'TRY',
        status: 'partially_refunded',
        paidAt: '2025-03-03T08:30:00Z',
        // On a plan that gives back its fee in proportion: 20_000 / 50_000 of 1_000.
        platformFeeMinor: 1_000,
        platformFeeRefundedMinor: 400,
        refunds: [
          { amountMinor: 20_000, status: 'succeeded', at: '2025-03-04T12:00:00Z' },
          { amountMinor: 7_000, status: 'failed', at: '2025-03-04T11:00:00Z' },
        ],
      },
    ],
  },
  {
    // Handed off before the projection wrote events: only the row says so.
    key: '905550000002',
    channel: 'whatsapp',
    stage: 'engaged',
    createdAt: '2025-03-07T23:59:59.999Z',
    handOffReason: 'customer_request',
    messages: [['in', 'customer', '2025-03-07T23:59:59.999Z']],
  },
  { key: 'silent', channel: 'webchat', stage: 'new', createdAt: '2025-03-05T00:00:00Z' },
  {
    // Started just before the period; its payment inside the period is revenue, the lead is not.
    key: 'early',
    channel: 'webchat',
    stage: 'won',
    createdAt: '2025-02-28T23:59:59.999Z',
    events: [['stage', 'checkout', 'won']],
    messages: [
      ['in', 'customer', '2025-02-28T23:59:59.999Z'],
      ['out', 'bot', '2025-03-01T00:10:00Z', 'price'],
    ],
    orders: [
      { amountMinor: 2_500, currency: 'USD', status: 'refunded', paidAt: '2025-03-02T15:00:00Z', platformFeeMinor: 50, refunds: [{ amountMinor: 2_500, status: 'succeeded', at: '2025-03-05T09:00:00Z' }] },
      // Paid before the period, refunded inside it: the refund counts, the sale does not.
      { amountMinor: 10_000, currency: 'TRY', status: 'partially_refunded', paidAt: '2025-02-28T23:59:59Z', refunds: [{ amountMinor: 1_000, status: 'succeeded', at: '2025-03-02T00:00:00Z' }] },
    ],
  },
  {
    key: 'late',
    channel: 'webchat',
    stage: 'won',
    createdAt: '2025-03-08T00:00:00Z',
    events: [['stage', 'new', 'won'], ['hand_off', null, 'late_reason']],
    messages: [
      ['in', 'customer', '2025-03-08T00:00:00Z'],
      ['out', 'bot', '2025-03-08T00:01:00Z', 'price'],
    ],
    orders: [{ amountMinor: 70_000, currency: 'TRY', status: 'paid', paidAt: '2025-03-08T00:00:00Z' }],
  },
];

/** Another merchant's busy week: none of it may show up in the shop's numbers. */
const neighbour: ConversationSpec[] = [
  {
    key: 'won',
    channel: 'webchat',
    stage: 'won',
    createdAt: '2025-03-02T10:00:00Z',
    events: [['stage', 'new', 'won'], ['hand_off', null, 'vip']],
    messages: [
      ['in', 'customer', '2025-03-02T10:00:00Z'],
      ['out', 'bot', '2025-03-02T10:00:00.500Z', 'delivery'],
    ],
    orders: [{ amountMinor: 999_999, currency: 'TRY', status: 'paid', paidAt: '2025-03-02T10:10:00Z', refunds: [{ amountMinor: 1, status: 'succeeded', at: '2025-03-03T00:00:00Z' }] }],
  },
  { key: '905550000001', channel: 'whatsapp', stage: 'lost', createdAt: '2025-03-04T10:00:00Z', events: [['stage', 'new', 'checkout']] },
];

const march = { from: at('2025-03-01T00:00:00Z'), to: at('2025-03-08T00:00:00Z') };
const days = ['01', '02', '03', '04', '05', '06', '07'].map((d) => `2025-03-${d}`);

/** `{ new: 5, engaged: 4 }` as the ordered rows the analytics return: `[{ stage: 'new', reached: 5 }, { stage: 'engaged', reached: 4 }]`. */
const rows = <K extends string, V extends string>(key: K, value: V, counts: Record<string, number>) =>
  Object.entries(counts).map(([name, n]) => ({ [key]: name, [value]: n }) as Record<K, string> & Record<V, number>);

describe('merchant analytics', () => {
  let db: Db;
  before(() => {
    db = createDb(databaseUrl());
  });
  after(async () => {
    await db.destroy();
  });

  async function seeded(): Promise<{ shopId: string; neighbourId: string }> {
    const [shopId, neighbourId] = await Promise.all([newMerchant(db), newMerchant(db)]);
    await seed(db, shopId, shop);
    await seed(db, neighbourId, neighbour);
    return { shopId, neighbourId };
  }

  test('a week across both channels', async () => {
    const { shopId } = await seeded();
    const a = await merchantAnalytics(db, { merchantId: shopId, ...march });

    assert.deepEqual(a.period, { from: '2025-03-01', to: '2025-03-07' });
    assert.equal(a.channel, null);
    assert.equal(a.conversations, 5);
    assert.equal(a.won, 1);
    assert.equal(a.conversionRate, 0.2);
    // won reached won; lost reached negotiating (skipping qualified still passes it); qualified; engaged (row only); new.
    assert.deepEqual(a.funnel, rows('stage', 'reached', { new: 5, engaged: 4, qualified: 3, negotiating: 2, checkout: 1, won: 1 }));
    assert.deepEqual(a.stages, rows('stage', 'count', { new: 1, engaged: 1, qualified: 1, negotiating: 0, checkout: 0, won: 1, lost: 1 }));

    assert.deepEqual(a.revenue.total, [
      { currency: 'TRY', amountMinor: 150_000 + 50_000 + 30_000, orders: 3 },
      { currency: 'USD', amountMinor: 2_500, orders: 1 },
    ]);
    assert.deepEqual(a.revenue.refunded, [
      { currency: 'TRY', amountMinor: 20_000 + 1_000, count: 2 },
      { currency: 'USD', amountMinor: 2_500, count: 1 },
    ]);
    assert.deepEqual(a.revenue.platformFees, [
      { currency: 'TRY', amountMinor: 1_000 - 400 },
      { currency: 'USD', amountMinor: 50 },
    ]);
    // A refunded order whose fee the platform kept costs the merchant that fee.
    assert.deepEqual(a.revenue.net, [
      { currency: 'TRY', amountMinor: 230_000 - 21_000 - 600 },
      { currency: 'USD', amountMinor: 2_500 - 2_500 - 50 },
    ]);
    const tryByDay: Record<string, number> = { '2025-03-01': 150_000, '2025-03-03': 50_000, '2025-03-07': 30_000 };
    const usdByDay: Record<string, number> = { '2025-03-02': 2_500 };
    assert.deepEqual(
      a.revenue.byDay,
      days.flatMap((day) => [
        { day, currency: 'TRY', amountMinor: tryByDay[day] ?? 0, orders: tryByDay[day] ? 1 : 0 },
        { day, currency: 'USD', amountMinor: usdByDay[day] ?? 0, orders: usdByDay[day] ? 1 : 0 },
      ]),
    );

    // First responses [1000, 2000, 10000]: p90 = 2000 + 0.8 * 8000.
    // Replies [1000, 2000, 3000, 5000, 8000, 10000]: p50 = (3000 + 5000) / 2, p90 = 8000 + 0.5 * 2000.
    assert.deepEqual(a.latency, { firstResponseMs: { p50: 2000, p90: 8400 }, replyMs: { p50: 4000, p90: 9000 } });

    assert.deepEqual(a.handOff, { count: 3, rate: 0.6, reasons: rows('reason', 'count', { customer_request: 2, price_dispute: 1 }) });
    // message counts [8, 6, 5, 1, 0]
    assert.deepEqual(a.messagesPerConversation, { avg: 4, p50: 5 });
    // price 3, trust 2, then the ties by name; warranty is sixth.
    assert.deepEqual(a.topObjections, rows('kind', 'count', { price: 3, trust: 2, competitor: 1, other: 1, timing: 1 }));
    assert.deepEqual(a.byChannel, [
      {
        channel: 'webchat',
        conversations: 3,
        won: 1,
        conversionRate: 1 / 3,
        revenue: [
          { currency: 'TRY', amountMinor: 180_000 },
          { currency: 'USD', amountMinor: 2_500 },
        ],
      },
      { channel: 'whatsapp', conversations: 2, won: 0, conversionRate: 0, revenue: [{ currency: 'TRY', amountMinor: 50_000 }] },
    ]);
  });

  test('the channel filter narrows every number', async () => {
    const { shopId } = await seeded();
    const a = await merchantAnalytics(db, { merchantId: shopId, ...march, channel: 'whatsapp' });

    assert.equal(a.channel, 'whatsapp');
    assert.equal(a.conversations, 2);
    assert.equal(a.won, 0);
    assert.equal(a.conversionRate, 0);
    assert.deepEqual(
      a.funnel.map((f) => f.reached),
      [2, 2, 1, 0, 0, 0],
    );
    assert.deepEqual(
      a.stages.map((s) => s.count),
      [0, 1, 1, 0, 0, 0, 0],
    );
    assert.deepEqual(a.revenue.total, [{ currency: 'TRY', amountMinor: 50_000, orders: 1 }]);
    assert.deepEqual(a.revenue.refunded, [{ currency: 'TRY', amountMinor: 20_000, count: 1 }]);
    assert.deepEqual(a.revenue.net, [{ currency: 'TRY', amountMinor: 50_000 - 20_000 - 600 }]);
    assert.deepEqual(
      a.revenue.byDay,
      days.map((day) => ({ day, currency: 'TRY', amountMinor: day === '2025-03-03' ? 50_000 : 0, orders: day === '2025-03-03' ? 1 : 0 })),
    );
    assert.deepEqual(a.latency, { firstResponseMs: { p50: 2000, p90: 2000 }, replyMs: { p50: 2000, p90: 2000 } });
    assert.deepEqual(a.handOff, { count: 2, rate: 1, reasons: [{ reason: 'customer_request', count: 2 }] });
    // message counts [5, 1]
    assert.deepEqual(a.messagesPerConversation, { avg: 3, p50: 3 });
    assert.deepEqual(a.topObjections, rows('kind', 'count', { other: 1, price: 1, warranty: 1 }));
    assert.deepEqual(a.byChannel, [{ channel: 'whatsapp', conversations: 2, won: 0, conversionRate: 0, revenue: [{ currency: 'TRY', amountMinor: 50_000 }] }]);
  });

  test('the period is [from, to): what starts at `to` belongs to the next one', async () => {
    const { shopId } = await seeded();
    const next = await merchantAnalytics(db, { merchantId: shopId, from: at('2025-03-08T00:00:00Z'), to: at('2025-03-09T00:00:00Z') });
    assert.deepEqual(next.period, { from: '2025-03-08', to: '2025-03-08' });
    assert.equal(next.conversations, 1);
    assert.equal(next.won, 1);
    assert.deepEqual(next.funnel.map((f) => f.reached), [1, 1, 1, 1, 1, 1]);
    assert.deepEqual(next.revenue.total, [{ currency: 'TRY', amountMinor: 70_000, orders: 1 }]);
    assert.deepEqual(next.revenue.refunded, [{ currency: 'TRY', amountMinor: 5_000, count: 1 }]);
    assert.deepEqual(next.revenue.byDay, [{ day: '2025-03-08', currency: 'TRY', amountMinor: 70_000, orders: 1 }]);
    assert.deepEqual(next.latency, { firstResponseMs: { p50: 60_000, p90: 60_000 }, replyMs: { p50: 60_000, p90: 60_000 } });
    assert.deepEqual(next.handOff, { count: 1, rate: 1, reasons: [{ reason: 'late_reason', count: 1 }] });
    assert.deepEqual(next.topObjections, [{ kind: 'price', count: 1 }]);

    const before = await merchantAnalytics(db, { merchantId: shopId, from: at('2025-02-28T00:00:00Z'), to: at('2025-03-01T00:00:00Z') });
    assert.equal(before.conversations, 1);
    assert.deepEqual(before.revenue.total, [{ currency: 'TRY', amountMinor: 10_000, orders: 1 }]);
    assert.deepEqual(before.revenue.refunded, []);
    // Its reply came after midnight, but it belongs to the conversation, which started in this period.
    assert.deepEqual(before.latency.firstResponseMs, { p50: 600_001, p90: 600_001 });
  });

  test('an empty period has zeros and nulls, not gaps', async () => {
    const { shopId } = await seeded();
    const a = await merchantAnalytics(db, { merchantId: shopId, from: at('2024-01-01T00:00:00Z'), to: at('2024-01-03T00:00:00Z') });
    assert.deepEqual(a, {
      period: { from: '2024-01-01', to: '2024-01-02' },
      channel: null,
      conversations: 0,
      won: 0,
      conversionRate: 0,
      funnel: ['new', 'engaged', 'qualified', 'negotiating', 'checkout', 'won'].map((stage) => ({ stage, reached: 0 })),
      stages: ['new', 'engaged', 'qualified', 'negotiating', 'checkout', 'won', 'lost'].map((stage) => ({ stage, count: 0 })),
      revenue: { total: [], refunded: [], platformFees: [], net: [], byDay: [] },
      latency: { firstResponseMs: { p50: null, p90: null }, replyMs: { p50: null, p90: null } },
      handOff: { count: 0, rate: 0, reasons: [] },
      messagesPerConversation: { avg: 0, p50: null },
      topObjections: [],
      byChannel: [
        { channel: 'webchat', conversations: 0, won: 0, conversionRate: 0, revenue: [] },
        { channel: 'whatsapp', conversations: 0, won: 0, conversionRate: 0, revenue: [] },
      ],
    });
    await assert.rejects(merchantAnalytics(db, { merchantId: shopId, from: march.to, to: march.from }), RangeError);
  });

  test("a merchant sees only its own numbers", async () => {
    const { neighbourId } = await seeded();
    const a = await merchantAnalytics(db, { merchantId: neighbourId, ...march });
    assert.equal(a.conversations, 2);
    assert.equal(a.won, 1);
    assert.deepEqual(a.funnel.map((f) => f.reached), [2, 2, 2, 2, 2, 1]);
    assert.deepEqual(a.revenue.total, [{ currency: 'TRY', amountMinor: 999_999, orders: 1 }]);
    assert.deepEqual(a.revenue.refunded, [{ currency: 'TRY', amountMinor: 1, count: 1 }]);
    assert.deepEqual(a.latency, { firstResponseMs: { p50: 500, p90: 500 }, replyMs: { p50: 500, p90: 500 } });
    assert.deepEqual(a.handOff, { count: 1, rate: 0.5, reasons: [{ reason: 'vip', count: 1 }] });
    assert.deepEqual(a.topObjections, [{ kind: 'delivery', count: 1 }]);

    const stranger = await merchantAnalytics(db, { merchantId: `an-${randomUUID().slice(0, 8)}`, ...march });
    assert.equal(stranger.conversations, 0);
    assert.deepEqual(stranger.revenue.total, []);
    assert.deepEqual(stranger.topObjections, []);
  });
});
