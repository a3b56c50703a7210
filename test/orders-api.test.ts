import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, after, before, test } from 'node:test';
import pino from 'pino';
import { applyPaymentEvent } from '../api/payment-events';
import { recordPlatformFee, setSubscription } from '../db/queries/billing';
import { createPendingOrder, recordCheckout, setProviderStatus, setShippingAddress, transitionOrder } from '../db/queries/orders';
import type { ShippingAddress } from '../domain/shipping';
import { DEMO_SIGNATURE_HEADER, signDemoWebhook } from '../integrations/payments/demo';
import { createStripeProvider } from '../integrations/payments/stripe';
import { startStack, type Stack } from './support/stack';
import { signStripeWebhook, stripeEvent, stripeMockForSuite } from './support/stripe-mock';

interface OrderBody {
  id: string;
  status: string;
  provider: string;
  customerName: string | null;
  amountMinor: number;
  refundedMinor: number;
  platformFeeMinor: number | null;
  platformFeeRefundedMinor: number;
  netMinor: number;
  createdAt: string;
  dispute: { status: string; openedAt: string; dueBy: string | null } | null;
  timeline: { kind: string; amountMinor: number | null; providerEventId: string | null; details: Record<string, unknown> }[];
  refunds: { amountMinor: number; status: string }[];
  items: { sku: string; name: string; quantity: number; lineAmountMinor: number }[];
  shippingAddress?: ShippingAddress | null;
}

/**
 * The Orders page's API against the real API and Postgres: the list's filters,
 * an order's timeline as the order moves, the platform fee and the net amount,
 * refunds through the demo provider (which refunds for real in its own ledger),
 * and disputes from the one webhook path.
 */
describe('orders in the merchant API', () => {
  let stack: Stack;
  let merchant: string;
  let owner: Record<string, string>;

  before(async () => {
    stack = await startStack({ noWorker: true });
    merchant = await stack.createMerchant();
    owner = (await stack.member(merchant)).headers;
  });
  after(() => stack?.stop());

  /** An order as a checkout makes it: created, its link, and (unless `pending`) paid with the plan's fee fixed. */
  async function order(
    merchantId: string,
    o: { customer: string; key?: string; provider?: string; amountMinor?: number; createdAt?: string; pending?: boolean },
  ): Promise<{ id: string; conversationId: string }> {
    const key = o.key ?? `c-${randomUUID().slice(0, 8)}`;
    const conversationId = `${merchantId}:webchat:${key}`;
    await stack.db('conversations').insert({ id: conversationId, merchant_id: merchantId, channel: 'webchat', customer_key: key, lead: JSON.stringify({ name: o.customer }) }).onConflict('id').ignore();
    const id = randomUUID();
    const provider = o.provider ?? 'demo';
    const amountMinor = o.amountMinor ?? 10_000;
    await createPendingOrder(stack.db, { id, merchantId, conversationId, sku: 'TENT-2P', quantity: 1, amountMinor, discountPercent: 0, currency: 'USD', provider });
    await recordCheckout(stack.db, id, { provider, providerRef: id, checkoutUrl: `http://pay.example/${id}`, expiresAt: new Date(Date.now() + 3_600_000), attempts: [] });
    if (!o.pending) {
      await setProviderStatus(stack.db, id, 'paid');
      assert.equal(await transitionOrder(stack.db, id, 'paid'), true);
      await recordPlatformFee(stack.db, id);
    }
    if (o.createdAt) await stack.db('orders').where({ id }).update({ created_at: new Date(o.createdAt) });
    return { id, conversationId };
  }

  const get = async (path: string, headers = owner) => {
    const res = await fetch(`${stack.apiUrl}/api/v1${path}`, { headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const list = async (query: string) => {
    const res = await get(`/orders?${query}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.items as OrderBody[];
  };
  const detail = async (id: string, headers = owner) => {
    const res = await get(`/orders/${id}`, headers);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as unknown as OrderBody;
  };
  const refund = (id: string, body: object, key: string, headers = owner) =>
    fetch(`${stack.apiUrl}/api/v1/orders/${id}/refunds`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body) });

  test('the list filters by status, provider, creation day and customer, and pages back', async () => {
    const shop = await stack.createMerchant();
    const headers = (await stack.member(shop, 'viewer')).headers;
    const ayse = await order(shop, { customer: 'Ayşe Kaya', createdAt: '2026-01-10T09:00:00Z' });
    const bora = await order(shop, { customer: 'Bora Demir', provider: 'stripe', pending: true, createdAt: '2026-01-11T23:59:59Z' });
    const cem = await order(shop, { customer: 'Cem Yıldız', key: 'cem-widget-7', createdAt: '2026-01-12T00:00:00Z' });
    // Another shop's customer with the same name never shows.
    await order(await stack.createMerchant(), { customer: 'Ayşe Kaya', createdAt: '2026-01-10T10:00:00Z' });

    const items = async (query: string) => {
      const res = await fetch(`${stack.apiUrl}/api/v1/orders?${query}`, { headers });
      assert.equal(res.status, 200, await res.clone().text());
      return ((await res.json()) as { items: OrderBody[] }).items;
    };
    const ids = async (query: string) => (await items(query)).map((o) => o.id);
    assert.deepEqual(await ids(''), [cem.id, bora.id, ayse.id], 'newest first');
    assert.deepEqual(await ids('status=paid'), [cem.id, ayse.id]);
    assert.deepEqual(await ids('status=pending'), [bora.id]);
    assert.deepEqual(await ids('provider=stripe'), [bora.id]);
    assert.deepEqual(await ids('from=2026-01-11&to=2026-01-11'), [bora.id], 'a UTC day includes its last second and not the next midnight');
    assert.deepEqual(await ids('from=2026-01-11'), [cem.id, bora.id]);
    assert.deepEqual(await ids('to=2026-01-10'), [ayse.id]);
    assert.deepEqual(await ids('customer=AYŞE'), [ayse.id], 'the name in any case');
    assert.deepEqual(await ids('customer=widget-7'), [cem.id], 'part of the conversation id');
    assert.deepEqual(await ids('customer=100%25'), [], 'LIKE wildcards are taken literally');
    assert.deepEqual(await ids('status=paid&customer=cem&from=2026-01-12&to=2026-01-12&provider=demo'), [cem.id]);

    const first = await items('limit=2');
    assert.deepEqual(first.map((o) => o.id), [cem.id, bora.id]);
    assert.deepEqual(first.map((o) => o.customerName), ['Cem Yıldız', 'Bora Demir']);
    const last = first.at(-1)!;
    assert.deepEqual(await ids(`limit=2&before=${encodeURIComponent(last.createdAt)}`), [ayse.id]);

    for (const bad of ['status=teleported', 'provider=Str!pe', 'from=2026-13-01', 'from=2026-01-12&to=2026-01-11', 'to=1999-12-31', 'customer=', `customer=${'x'.repeat(201)}`, 'limit=0', 'before=yesterday', 'colour=red']) {
      const res = await fetch(`${stack.apiUrl}/api/v1/orders?${bad}`, { headers });
      assert.equal(res.status, 400, `${bad}: ${await res.clone().text()}`);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'invalid_request', bad);
    }
  });

  test("an order's detail: customer, timeline, platform fee and net; another merchant's order is a 404", async () => {
    const o = await order(merchant, { customer: 'Deniz Ak', amountMinor: 18_900 });
    await stack.db('order_items').insert([
      { order_id: o.id, sku: 'TENT-2P', name: '2-person tent', quantity: 1, unit_price_minor: 15_900, line_amount_minor: 15_900, reservation: 'committed' },
      { order_id: o.id, sku: 'STOVE', name: 'Camping stove', quantity: 2, unit_price_minor: 1_500, line_amount_minor: 3_000, reservation: 'committed' },
    ]);
    const d = await detail(o.id);
    assert.equal(d.customerName, 'Deniz Ak');
    assert.deepEqual(d.items.map((i) => [i.sku, i.name, i.quantity, i.lineAmountMinor]), [['STOVE', 'Camping stove', 2, 3_000], ['TENT-2P', '2-person tent', 1, 15_900]]);
    assert.deepEqual(
      d.timeline.map((e) => e.kind),
      ['created', 'link_sent', 'paid'],
    );
    assert.equal(d.timeline[1]!.details.provider, 'demo');
    // The default plan keeps 2% of each payment.
    assert.equal(d.platformFeeMinor, 378);
    assert.equal(d.netMinor, 18_900 - 378);
    assert.equal(d.dispute, null);

    const other = await stack.createMerchant();
    const stranger = (await stack.member(other, 'owner')).headers;
    assert.equal((await get(`/orders/${o.id}`, stranger)).status, 404);
    assert.equal((await refund(o.id, { reason: 'not yours' }, `k-${randomUUID()}`, stranger)).status, 404);
    assert.equal((await get('/orders/not-a-uuid')).status, 404);
    assert.equal((await stack.db('orders').where({ id: o.id }).first()).refundedMinor, 0, 'nothing changed');
  });

  test('a viewer cannot refund; the same Idempotency-Key twice refunds once; the timeline and the net show each refund', async () => {
    const o = await order(merchant, { customer: 'Ece Su', amountMinor: 10_000 });
    const viewer = (await stack.member(merchant, 'viewer')).headers;
    const agent = (await stack.member(merchant, 'agent')).headers;
    assert.equal((await refund(o.id, { amountMinor: 1_000, reason: 'please' }, 'k-viewer', viewer)).status, 403);
    assert.equal((await refund(o.id, { amountMinor: 1_000, reason: 'please' }, 'k-agent', agent)).status, 403);
    assert.equal((await refund(o.id, { amountMinor: 1_000, reason: '  ' }, 'k-empty')).status, 400, 'a reason is required');

    const admin = (await stack.member(merchant, 'admin')).headers;
    const key = `dialog-${randomUUID()}`;
    // A double click: two requests at once with the dialog's one key, then a retry.
    const answers = await Promise.all([refund(o.id, { amountMinor: 4_000, reason: 'scratched' }, key, admin), refund(o.id, { amountMinor: 4_000, reason: 'scratched' }, key, admin)]);
    answers.push(await refund(o.id, { amountMinor: 4_000, reason: 'scratched' }, key, admin));
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200]);
    const bodies = (await Promise.all(answers.map((a) => a.json()))) as { duplicate: boolean; refund: { id: string } }[];
    assert.equal(bodies.filter((b) => !b.duplicate).length, 1, 'one of them refunded');
    assert.equal(new Set(bodies.map((b) => b.refund.id)).size, 1, 'all name the same refund');

    let d = await detail(o.id);
    assert.equal(d.status, 'partially_refunded');
    assert.equal(d.refundedMinor, 4_000);
    assert.deepEqual(d.refunds.map((r) => [r.amountMinor, r.status]), [[4_000, 'succeeded']]);
    assert.deepEqual(
      d.timeline.map((e) => [e.kind, e.amountMinor]),
      [['created', 10_000], ['link_sent', null], ['paid', 10_000], ['refund_requested', 4_000], ['partially_refunded', 4_000]],
    );
    assert.equal(d.timeline[3]!.details.reason, 'scratched');
    // On the default plan the platform keeps its fee on refunds.
    assert.deepEqual([d.platformFeeMinor, d.platformFeeRefundedMinor, d.netMinor], [200, 0, 10_000 - 4_000 - 200]);

    assert.equal((await refund(o.id, { amountMinor: 6_001, reason: 'too much' }, `k-${randomUUID()}`, admin)).status, 400);
    assert.equal((await refund(o.id, { reason: 'returned' }, `k-${randomUUID()}`)).status, 200, 'the owner refunds the rest');
    d = await detail(o.id);
    assert.equal(d.status, 'refunded');
    assert.deepEqual(d.timeline.slice(-2).map((e) => [e.kind, e.amountMinor]), [['refund_requested', 6_000], ['refunded', 6_000]]);
    assert.equal(d.netMinor, -200, 'a refunded order still paid the platform its fee');
    assert.equal((await refund(o.id, { reason: 'again' }, `k-${randomUUID()}`)).status, 409, 'nothing left to refund');
  });

  test('on a plan that gives back its fee, a refund gives back the fee on the refunded part', async () => {
    const shop = await stack.createMerchant();
    await stack.db('plans').insert({ code: 'fee_back_test', name: 'Fee back', price_minor: 0, currency: 'USD', conversation_quota: 100, marketplace_fee_bps: 300, refunds_platform_fee: true }).onConflict('code').ignore();
    const start = new Date(Date.now() - 86_400_000);
    await setSubscription(stack.db, { merchantId: shop, planCode: 'fee_back_test', status: 'active', provider: 'manual', providerRef: null, currentPeriodStart: start, currentPeriodEnd: new Date(start.getTime() + 30 * 86_400_000), cancelAtPeriodEnd: false, updatedAt: start });
    const headers = (await stack.member(shop, 'owner')).headers;
    const o = await order(shop, { customer: 'Fırat', amountMinor: 10_000 });
    assert.equal((await refund(o.id, { amountMinor: 2_500, reason: 'late delivery' }, `k-${randomUUID()}`, headers)).status, 200);
    const d = await detail(o.id, headers);
    // 3% of 10_000 = 300; a quarter refunded gives back 75.
    assert.deepEqual([d.platformFeeMinor, d.platformFeeRefundedMinor, d.netMinor], [300, 75, 10_000 - 2_500 - (300 - 75)]);
  });

  test("disputes and refunds from the provider's webhooks: the deadline on the order, one timeline line per event", async () => {
    const o = await order(merchant, { customer: 'Gül', amountMinor: 10_000 });
    const deps = { db: stack.db, temporal: stack.client, taskQueue: stack.taskQueue, log: pino({ level: 'silent' }) };

    // A refund made at the provider, through the signed demo webhook, delivered twice.
    const event = { id: `evt_${randomUUID()}`, type: 'payment.refunded', orderId: o.id, created: Math.floor(Date.now() / 1000), amountMinor: 3_000 };
    const body = JSON.stringify(event);
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${stack.apiUrl}/webhooks/demo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [DEMO_SIGNATURE_HEADER]: signDemoWebhook(stack.demoSecret, body, Math.floor(Date.now() / 1000)) },
        body,
      });
      assert.equal(res.status, 200, await res.text());
    }

    const dueBy = new Date('2026-12-10T23:59:59Z');
    const dispute = { provider: 'demo', eventId: `dp_${randomUUID()}`, type: 'disputed' as const, providerRef: o.id, orderId: o.id, amountMinor: 7_000, currency: 'USD', disputeDueBy: dueBy };
    assert.equal(await applyPaymentEvent(deps, dispute, {}), 'applied');
    assert.equal(await applyPaymentEvent(deps, dispute, {}), 'duplicate');

    const d = await detail(o.id);
    assert.equal(d.status, 'disputed');
    assert.equal(d.refundedMinor, 3_000);
    assert.equal(d.dispute?.status, 'open');
    assert.equal(d.dispute?.dueBy, dueBy.toISOString());
    const fromProvider = d.timeline.filter((e) => e.providerEventId);
    assert.deepEqual(
      fromProvider.map((e) => [e.kind, e.amountMinor, e.providerEventId]),
      [
        ['partially_refunded', 3_000, event.id],
        ['disputed', 7_000, dispute.eventId],
      ],
    );
    const disputed = (await list(`status=disputed&customer=${encodeURIComponent('Gül')}`)).map((x) => x.id);
    assert.deepEqual(disputed, [o.id]);

    // The dispute is lost: the provider takes the disputed amount back, which counts as refunded.
    assert.equal(await applyPaymentEvent(deps, { ...dispute, eventId: `dc_${randomUUID()}`, type: 'dispute_closed', disputeOutcome: 'lost', disputeDueBy: null }, {}), 'applied');
    const closed = await detail(o.id);
    assert.equal(closed.status, 'refunded');
    assert.equal(closed.refundedMinor, 10_000);
    assert.equal(closed.dispute?.status, 'closed');
    assert.deepEqual(closed.timeline.slice(-2).map((e) => [e.kind, e.amountMinor, e.details.outcome ?? null]), [['dispute_closed', null, 'lost'], ['refunded', 7_000, 'lost']]);
    assert.deepEqual(closed.refunds.map((r) => r.amountMinor), [3_000, 7_000]);
  });

  test('a won dispute leaves the order paid as it was', async () => {
    const o = await order(merchant, { customer: 'Hakan', amountMinor: 10_000 });
    const paidAt = (await stack.db('orders').where({ id: o.id }).first()).paidAt as Date;
    const deps = { db: stack.db, temporal: stack.client, taskQueue: stack.taskQueue, log: pino({ level: 'silent' }) };
    const base = { provider: 'demo', providerRef: o.id, orderId: o.id, amountMinor: 10_000, currency: 'USD' };
    assert.equal(await applyPaymentEvent(deps, { ...base, eventId: `dp_${randomUUID()}`, type: 'disputed' }, {}), 'applied');
    assert.equal((await detail(o.id)).dispute?.dueBy, null, 'a provider that gives no deadline');
    assert.equal(await applyPaymentEvent(deps, { ...base, eventId: `dc_${randomUUID()}`, type: 'dispute_closed', disputeOutcome: 'won' }, {}), 'applied');
    const d = await detail(o.id);
    assert.equal(d.status, 'paid');
    assert.equal(d.refundedMinor, 0);
    assert.equal(d.dispute?.status, 'closed');
    assert.deepEqual(d.timeline.slice(-3).map((e) => [e.kind, e.details.outcome ?? null]), [['disputed', null], ['dispute_closed', 'won'], ['paid', 'won']]);
    assert.equal(((await stack.db('orders').where({ id: o.id }).first()).paidAt as Date).getTime(), paidAt.getTime(), 'paid when the customer paid, not when the dispute closed');
    const notice = await stack.db('notifications').where({ conversation_id: o.conversationId }).orderBy('id');
    assert.deepEqual(notice.map((n) => (n.body as { reason: string }).reason), ['disputed', 'dispute_won']);
  });

  test('the shipping address the checkout collected: opened for agents and up, absent for a viewer, null when none', async () => {
    const shipped = await order(merchant, { customer: 'Gül Işık' });
    const address: ShippingAddress = { name: 'Gül Işık', line1: 'İstiklal Cd. 12', line2: 'Daire 4', city: 'İstanbul', postalCode: '34430', state: null, country: 'TR' };
    await setShippingAddress(stack.db, shipped.id, stack.box.sealJson(address));
    for (const role of ['owner', 'admin', 'agent'] as const) {
      const headers = (await stack.member(merchant, role)).headers;
      assert.deepEqual((await detail(shipped.id, headers)).shippingAddress, address, role);
    }
    const viewer = (await stack.member(merchant, 'viewer')).headers;
    const seen = await get(`/orders/${shipped.id}`, viewer);
    assert.equal(seen.status, 200);
    assert.ok(!('shippingAddress' in seen.body), 'a viewer never gets customer data');
    assert.ok(!JSON.stringify(seen.body).includes('İstiklal'));

    assert.equal((await detail((await order(merchant, { customer: 'Hakan' })).id)).shippingAddress, null, 'nothing collected');

    // Sealed under a key the installation no longer has: the order still reads, without the address.
    const lost = await order(merchant, { customer: 'İpek' });
    await setShippingAddress(stack.db, lost.id, 'v2.retired.aaaa.bbbb.cccc');
    const d = await detail(lost.id);
    assert.equal(d.shippingAddress, null);
    assert.equal(d.id, lost.id);
  });
});

describe('Stripe disputes carry the evidence deadline and their outcome', () => {
  const stripe = stripeMockForSuite();
  const SECRET = 'whsec_orders_suite';

  test('charge.dispute.created: evidence_details.due_by becomes the event\'s disputeDueBy', async () => {
    const provider = createStripeProvider({ secretKey: 'sk_test_123', webhookSecret: SECRET, apiBaseUrl: stripe.proxy.url });
    const dueBy = 1_796_947_199; // 2026-12-10T23:59:59Z
    const payload = stripeEvent('charge.dispute.created', { id: 'dp_1', object: 'dispute', payment_intent: 'pi_disputed', amount: 5_000, currency: 'usd', evidence_details: { due_by: dueBy } }, 'evt_dispute_due');
    const { raw, header } = signStripeWebhook(payload, SECRET);
    const events = await provider.parseWebhook!(raw, { 'stripe-signature': header }, '/webhooks/stripe');
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type, 'disputed');
    assert.equal(events[0]!.disputeDueBy?.toISOString(), '2026-12-10T23:59:59.000Z');

    const closed = stripeEvent('charge.dispute.closed', { id: 'dp_1', object: 'dispute', payment_intent: 'pi_disputed', amount: 5_000, currency: 'usd', status: 'lost' }, 'evt_dispute_lost');
    const lost = signStripeWebhook(closed, SECRET);
    const [closedEvent] = await provider.parseWebhook!(lost.raw, { 'stripe-signature': lost.header }, '/webhooks/stripe');
    assert.deepEqual([closedEvent?.type, closedEvent?.disputeOutcome], ['dispute_closed', 'lost']);
    const won = signStripeWebhook(stripeEvent('charge.dispute.closed', { id: 'dp_3', object: 'dispute', payment_intent: 'pi_disputed', amount: 5_000, currency: 'usd', status: 'won' }, 'evt_dispute_won'), SECRET);
    assert.equal((await provider.parseWebhook!(won.raw, { 'stripe-signature': won.header }, '/webhooks/stripe'))[0]?.disputeOutcome, 'won');

    const noDeadline = stripeEvent('charge.dispute.created', { id: 'dp_2', object: 'dispute', payment_intent: 'pi_disputed', amount: 5_000, currency: 'usd' }, 'evt_dispute_nodue');
    const signed = signStripeWebhook(noDeadline, SECRET);
    const [e] = await provider.parseWebhook!(signed.raw, { 'stripe-signature': signed.header }, '/webhooks/stripe');
    assert.equal(e?.disputeDueBy ?? null, null);
  });

});
