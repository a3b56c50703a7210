import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Stripe from 'stripe';
import { createIyzicoProvider } from '../integrations/payments/iyzico';
import { createPayUProvider } from '../integrations/payments/payu';
import type { PaymentProvider } from '../integrations/payments/provider';
import { createStripeProvider, STRIPE_API_VERSION } from '../integrations/payments/stripe';
import { leadWorkflowId, stateQuery } from '../workflows/contract';
import { eventually, getTranscript, postMessage, sessionId } from './support/chat';
import { startStripeMock, startStripeProxy, type StripeMock } from './support/stripe-mock';
import { startIyzicoPeer, type IyzicoPeer } from './peers/iyzico-peer';
import { startPayUPeer, type PayUPeer } from './peers/payu-peer';
import { startStack, type Stack } from './support/stack';

const STRIPE_WEBHOOK_SECRET = 'whsec_test_secret_for_the_suite';
const IYZICO = { apiKey: 'sandbox-test-api-key', secretKey: 'sandbox-test-secret-key' };
const PAYU = { posId: '300746', clientId: '300746', clientSecret: '2ee86a66e5d97e3fadc400c9f19b065d', secondKey: 'b6ca15b0d1020e8094d9b5f8d163db54' };

/**
 * stripe-mock answers from fixtures and keeps no state, so a paid session can
 * never be read back from it. The proxy in front of it plays Stripe's ledger:
 * it remembers sessions created through it and, once the test "pays" one,
 * answers retrieves with the paid state in Stripe's own format.
 */
async function startStripeLedger(target: string) {
  const sessions = new Map<string, { amount: number; currency: string; paid: boolean; orderId: string | null; paymentIntent?: string }>();
  const proxy = await startStripeProxy(target);
  proxy.rewrite = ({ method, url, body: form, status, responseBody }) => {
    if (status !== 200) return responseBody;
    if (method === 'POST' && url.pathname === '/v1/checkout/sessions') {
      const amount = Number(form.get('line_items[0][price_data][unit_amount]')) * Number(form.get('line_items[0][quantity]') ?? '1');
      sessions.set((JSON.parse(responseBody) as { id: string }).id, { amount, currency: form.get('line_items[0][price_data][currency]') ?? 'usd', paid: false, orderId: form.get('client_reference_id') });
      return responseBody;
    }
    // Looking a session up by its PaymentIntent (refunds and disputes name only the charge).
    if (method === 'GET' && url.pathname === '/v1/checkout/sessions' && url.searchParams.has('payment_intent')) {
      const found = [...sessions].find(([, v]) => v.paymentIntent === url.searchParams.get('payment_intent'));
      const list = JSON.parse(responseBody) as { data: Record<string, unknown>[] };
      return JSON.stringify({ ...list, data: found ? [{ ...list.data[0], id: found[0], client_reference_id: found[1].orderId, payment_intent: found[1].paymentIntent }] : [] });
    }
    const known = method === 'GET' ? sessions.get(decodeURIComponent(/^\/v1\/checkout\/sessions\/([^/]+)$/.exec(url.pathname)?.[1] ?? '')) : undefined;
    if (!known) return responseBody;
    const json = JSON.parse(responseBody) as Record<string, unknown>;
    return JSON.stringify({ ...json, amount_total: known.amount, currency: known.currency, ...(known.paid ? { payment_status: 'paid', status: 'complete' } : {}) });
  };
  const pay = (id: string, paymentIntent = `pi_${id.slice(-12)}`) => void Object.assign(sessions.get(id)!, { paid: true, paymentIntent });
  return { url: proxy.url, pay, close: proxy.close };
}

describe('payments through Stripe, iyzico and PayU', () => {
  let stack: Stack;
  let stripeMock: StripeMock;
  let ledger: Awaited<ReturnType<typeof startStripeLedger>>;
  let iyzico: IyzicoPeer;
  let payu: PayUPeer;
  const signer = new Stripe('sk_test_signer', { apiVersion: STRIPE_API_VERSION });

  before(async () => {
    stripeMock = await startStripeMock();
    ledger = await startStripeLedger(stripeMock.url);
    iyzico = await startIyzicoPeer(IYZICO);
    payu = await startPayUPeer(PAYU);
    const broken: PaymentProvider = {
      name: 'broken',
      async createCheckout() {
        throw new Error('503 Service Unavailable');
      },
      async fetchStatus() {
        throw new Error('503 Service Unavailable');
      },
    };
    stack = await startStack({
      paymentProviders: [
        createStripeProvider({ secretKey: 'sk_test_123', webhookSecret: STRIPE_WEBHOOK_SECRET, apiBaseUrl: ledger.url }),
        createIyzicoProvider({ ...IYZICO, baseUrl: iyzico.baseUrl, callbackUrl: 'http://127.0.0.1/payments/iyzico/callback' }),
        createPayUProvider({ ...PAYU, baseUrl: payu.baseUrl, notifyUrl: 'http://127.0.0.1/webhooks/payu' }),
        broken,
      ],
      paymentRoutes: 'USD:stripe;TRY:iyzico;PLN:payu;EUR:broken,payu',
    });
  });
  after(async () => {
    await stack.stop();
    await ledger.close();
    await stripeMock.stop();
    await iyzico.close();
    await payu.close();
  });

  /** A merchant selling the demo catalog in one currency, and a lead who wants to buy the 2-person tent. */
  async function buyer(currency: string) {
    const merchant = await stack.createMerchant();
    await stack.db('products').where({ merchant_id: merchant }).update({ currency });
    const s = sessionId();
    await postMessage(stack.apiUrl, merchant, { sessionId: s, text: "I'd like the 2-person tent, I'll take it" });
    const handle = stack.client.workflow.getHandle(leadWorkflowId(merchant, 'webchat', s));
    const st = await eventually(() => handle.query(stateQuery), (x) => x.pendingPayment !== null, 'a checkout', 30_000);
    const order = await stack.db('orders').where({ id: st.pendingPayment!.orderId }).first();
    return { merchant, s, handle, order };
  }
  const webhook = (provider: string, body: string, headers: Record<string, string>) =>
    fetch(`${stack.apiUrl}/webhooks/${provider}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const won = async (b: Awaited<ReturnType<typeof buyer>>) => {
    await eventually(() => b.handle.query(stateQuery), (x) => x.stage === 'won', 'won');
    const t = await getTranscript(stack.apiUrl, b.merchant, b.s);
    assert.equal(t.filter((m) => /Payment received/.test(m.text)).length, 1, 'one receipt');
    assert.equal((await stack.db('orders').where({ id: b.order.id }).first()).status, 'paid');
  };

  test('Stripe: Checkout Session, signed webhook, server-side re-check, receipt', async () => {
    const b = await buyer('USD');
    assert.equal(b.order.provider, 'stripe');
    assert.match(b.order.checkoutUrl, /^https:\/\/checkout\.stripe\.com\//);
    ledger.pay(b.order.providerRef);
    const payload = JSON.stringify({
      id: 'evt_stripe_sale_1',
      object: 'event',
      api_version: STRIPE_API_VERSION,
      created: Math.floor(Date.now() / 1000),
      type: 'checkout.session.completed',
      data: { object: { id: b.order.providerRef, object: 'checkout.session', client_reference_id: b.order.id, metadata: { orderId: b.order.id }, amount_total: b.order.amountMinor, currency: 'usd', payment_status: 'paid', status: 'complete', payment_intent: 'pi_123' } },
    });
    const forged = await webhook('stripe', payload, { 'stripe-signature': signer.webhooks.generateTestHeaderString({ payload, secret: 'whsec_not_ours' }) });
    assert.equal(forged.status, 403);
    const header = signer.webhooks.generateTestHeaderString({ payload, secret: STRIPE_WEBHOOK_SECRET });
    for (let i = 0; i < 3; i++) assert.equal((await webhook('stripe', payload, { 'stripe-signature': header })).status, 200);
    await won(b);
  });

  test("Stripe: refunds made in Stripe's own dashboard reach the order and the refunds ledger once each", async () => {
    const b = await buyer('USD');
    const paymentIntent = 'pi_refunded_in_dashboard';
    ledger.pay(b.order.providerRef, paymentIntent);
    const event = (id: string, type: string, object: Record<string, unknown>) => {
      const payload = JSON.stringify({ id, object: 'event', api_version: STRIPE_API_VERSION, created: Math.floor(Date.now() / 1000), type, data: { object } });
      return webhook('stripe', payload, { 'stripe-signature': signer.webhooks.generateTestHeaderString({ payload, secret: STRIPE_WEBHOOK_SECRET }) });
    };
    const session = { id: b.order.providerRef, object: 'checkout.session', client_reference_id: b.order.id, metadata: { orderId: b.order.id }, amount_total: b.order.amountMinor, currency: 'usd', payment_status: 'paid', status: 'complete', payment_intent: paymentIntent };
    assert.equal((await event('evt_dash_paid', 'checkout.session.completed', session)).status, 200);
    await won(b);

    // Stripe reports the refunded total so far: 5000, then everything.
    const charge = (refunded: number) => ({ id: 'ch_dash', object: 'charge', payment_intent: paymentIntent, amount: b.order.amountMinor, amount_refunded: refunded, currency: 'usd', refunded: refunded === b.order.amountMinor });
    for (let i = 0; i < 2; i++) assert.equal((await event('evt_dash_refund_1', 'charge.refunded', charge(5_000))).status, 200);
    let refunds = await stack.db('refunds').where({ order_id: b.order.id }).orderBy('created_at');
    assert.deepEqual(refunds.map((r) => [r.amountMinor, r.status]), [[5_000, 'succeeded']], 'a redelivery is not a second refund');
    assert.equal((await stack.db('orders').where({ id: b.order.id }).first()).status, 'partially_refunded');

    assert.equal((await event('evt_dash_refund_2', 'charge.refunded', charge(b.order.amountMinor))).status, 200);
    refunds = await stack.db('refunds').where({ order_id: b.order.id }).orderBy('created_at');
    assert.deepEqual(refunds.map((r) => r.amountMinor), [5_000, b.order.amountMinor - 5_000]);
    const order = await stack.db('orders').where({ id: b.order.id }).first();
    assert.deepEqual([order.status, order.refundedMinor], ['refunded', b.order.amountMinor]);
  });

  test('iyzico: Checkout Form, the callback is checked with iyzico, then the signed notification is a no-op duplicate', async () => {
    const b = await buyer('TRY');
    assert.equal(b.order.provider, 'iyzico');
    const token = b.order.providerRef as string;
    // The customer comes back before paying: the callback alone changes nothing.
    const early = await fetch(`${stack.apiUrl}/payments/iyzico/callback`, { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' });
    assert.equal(early.status, 303);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await stack.db('orders').where({ id: b.order.id }).first()).status, 'pending');

    iyzico.setState(token, 'success');
    const note = iyzico.notification(token);
    assert.equal((await webhook('iyzico', note.body, { ...note.headers, 'x-iyz-signature-v3': 'deadbeef' })).status, 403);
    assert.equal((await webhook('iyzico', note.body, note.headers)).status, 200);
    await won(b);
  });

  test('PayU: order, signed notification, receipt; then a partial and a full refund from the API', async () => {
    const b = await buyer('PLN');
    assert.equal(b.order.provider, 'payu');
    payu.setOrderStatus(b.order.providerRef, 'COMPLETED');
    const note = payu.orderNotification(b.order.providerRef);
    assert.equal((await webhook('payu', note.body, { 'openpayu-signature': 'sender=checkout;signature=00;algorithm=MD5;content=DOCUMENT' })).status, 403);
    assert.equal((await webhook('payu', note.body, note.headers)).status, 200);
    await won(b);
    // Out of order: a CANCELED notification arriving after the payment changes nothing.
    payu.setOrderStatus(b.order.providerRef, 'CANCELED');
    const late = payu.orderNotification(b.order.providerRef);
    assert.equal((await webhook('payu', late.body, late.headers)).status, 200);
    payu.setOrderStatus(b.order.providerRef, 'COMPLETED');
    assert.equal((await stack.db('orders').where({ id: b.order.id }).first()).status, 'paid');
    assert.equal((await b.handle.query(stateQuery)).stage, 'won');

    const { headers: auth } = await stack.member(b.order.merchantId, 'admin');
    const refund = (body: unknown, key: string) =>
      fetch(`${stack.apiUrl}/api/v1/orders/${b.order.id}/refunds`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth, 'idempotency-key': key },
        body: JSON.stringify(body),
      });
    assert.equal((await refund({ amountMinor: 10_000_000, reason: 'too much'}, 'r0')).status, 400);
    const partial = await refund({ amountMinor: 4_900, reason: 'discount after the fact'}, 'r1');
    assert.equal(partial.status, 200, await partial.clone().text());
    assert.equal(((await (await refund({ amountMinor: 4_900, reason: 'discount after the fact'}, 'r1')).json()) as { duplicate: boolean }).duplicate, true);
    let order = await stack.db('orders').where({ id: b.order.id }).first();
    assert.equal(order.status, 'partially_refunded');
    assert.equal(order.refundedMinor, 4_900);
    assert.equal(payu.refundRequests().length, 1, 'the retried request refunded once');

    assert.equal((await refund({ reason: 'returned'}, 'r2')).status, 200);
    order = await stack.db('orders').where({ id: b.order.id }).first();
    assert.equal(order.status, 'refunded');
    assert.equal(order.refundedMinor, order.amountMinor);
    await eventually(() => b.handle.query(stateQuery), (x) => x.stage === 'lost', 'the lead shows the refund');
  });

  test('a refund the provider refuses answers 502, is recorded as failed and refunds nothing', async () => {
    const b = await buyer('PLN');
    payu.setOrderStatus(b.order.providerRef, 'COMPLETED');
    const note = payu.orderNotification(b.order.providerRef);
    assert.equal((await webhook('payu', note.body, note.headers)).status, 200);
    await won(b);
    // PayU refuses to refund an order it no longer holds as completed.
    payu.setOrderStatus(b.order.providerRef, 'CANCELED');
    const { headers: auth } = await stack.member(b.order.merchantId, 'admin');
    const res = await fetch(`${stack.apiUrl}/api/v1/orders/${b.order.id}/refunds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth, 'idempotency-key': 'refused-1' },
      body: JSON.stringify({ reason: 'returned' }),
    });
    const text = await res.text();
    assert.equal(res.status, 502, text);
    assert.equal((JSON.parse(text) as { error: { code: string } }).error.code, 'refund_refused');
    const order = await stack.db('orders').where({ id: b.order.id }).first();
    assert.equal(order.status, 'paid');
    assert.equal(Number(order.refundedMinor), 0);
    const refunds = await stack.db('refunds').where({ order_id: b.order.id });
    assert.deepEqual(refunds.map((r) => r.status), ['failed']);
  });

  test('a provider that cannot create a checkout hands over to the next one', async () => {
    const b = await buyer('EUR');
    assert.equal(b.order.provider, 'payu');
    assert.deepEqual(b.order.providerAttempts, [{ provider: 'broken', error: '503 Service Unavailable' }]);
  });

  test('an amount that does not match the order is flagged and goes to a person, not won', async () => {
    const b = await buyer('TRY');
    iyzico.setState(b.order.providerRef, 'success', { paidPriceMinor: 100 });
    const note = iyzico.notification(b.order.providerRef);
    assert.equal((await webhook('iyzico', note.body, note.headers)).status, 200);
    const st = await eventually(() => b.handle.query(stateQuery), (x) => x.mode === 'human', 'hand-off');
    assert.equal(st.handOffReason, 'payment_mismatch');
    assert.notEqual(st.stage, 'won');
    const order = await stack.db('orders').where({ id: b.order.id }).first();
    assert.equal(order.status, 'mismatch');
    assert.match(order.flagReason, /order is/);
  });

  test('a merchant can choose its own providers per currency', async () => {
    const merchant = await stack.createMerchant();
    const { headers: auth } = await stack.member(merchant, 'admin');
    const put = (routes: string | null) =>
      fetch(`${stack.apiUrl}/api/v1/settings/payments`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ routes }),
      });
    const bad = await put('USD:nosuchpay');
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /nosuchpay/);
    assert.equal((await put('USD:payu,stripe')).status, 200);
    const s = sessionId();
    await postMessage(stack.apiUrl, merchant, { sessionId: s, text: "I'd like the 2-person tent, I'll take it" });
    const handle = stack.client.workflow.getHandle(leadWorkflowId(merchant, 'webchat', s));
    const st = await eventually(() => handle.query(stateQuery), (x) => x.pendingPayment !== null, 'a checkout', 30_000);
    assert.equal((await stack.db('orders').where({ id: st.pendingPayment!.orderId }).first()).provider, 'payu', 'USD went to the merchant\'s choice, not the installation\'s Stripe');
  });
});
