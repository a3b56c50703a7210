import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Stripe from 'stripe';
import { assertFormFields, signStripeWebhook, stripeEvent, stripeMockForSuite } from '../../test/support/stripe-mock';
import { WebhookPayloadError, WebhookSignatureError } from '../payments/provider';
import { STRIPE_API_VERSION } from '../payments/stripe';
import { createStripeBilling, priceLookupKey, type BillingEvent, type StripeBilling } from './stripe-billing';

const webhookSecret = 'whsec_test_billing_suite';

const now = () => Math.floor(Date.now() / 1000);
const at = (seconds: number) => new Date(seconds * 1000);

const signed = (payload: string, opts: { secret?: string; timestamp?: number } = {}) => signStripeWebhook(payload, opts.secret ?? webhookSecret, opts.timestamp);

const CREATED = 1_767_225_600; // 2026-01-01T00:00:00Z
const event = (type: string, object: Record<string, unknown>, id?: string, created = CREATED) => stripeEvent(type, object, id, created);
/** What every mapped event takes from the envelope it came in. */
const envelope = (eventId: string) => ({ eventId, occurredAt: at(CREATED) });

const PERIOD_START = 1_767_225_600; // 2026-01-01
const PERIOD_END = 1_769_904_000; // 2026-02-01

/** A subscription as Stripe sends it since API version 2025-03-31: the billing period sits on each item. */
const subscription = (extra: Record<string, unknown> = {}) => ({
  id: 'sub_1',
  object: 'subscription',
  customer: 'cus_1',
  status: 'active',
  cancel_at_period_end: false,
  cancel_at: null,
  created: PERIOD_START,
  metadata: { merchantId: 'm_1', planCode: 'pro' },
  items: {
    object: 'list',
    data: [
      {
        id: 'si_1',
        object: 'subscription_item',
        current_period_start: PERIOD_START,
        current_period_end: PERIOD_END,
        price: { id: 'price_1', object: 'price', currency: 'usd', unit_amount: 4_900, recurring: { interval: 'month', interval_count: 1 }, metadata: {} },
        quantity: 1,
        subscription: 'sub_1',
      },
    ],
    has_more: false,
    url: '/v1/subscription_items?subscription=sub_1',
  },
  ...extra,
});

/** An invoice as Stripe sends it since API version 2025-03-31: the subscription under parent, the service period on the line. */
const invoice = (extra: Record<string, unknown> = {}) => ({
  id: 'in_1',
  object: 'invoice',
  customer: 'cus_1',
  status: 'paid',
  amount_due: 4_900,
  amount_paid: 4_900,
  amount_remaining: 0,
  currency: 'usd',
  number: 'ABCD1234-0001',
  hosted_invoice_url: 'https://invoice.stripe.com/i/acct_1/test_in_1',
  attempt_count: 1,
  next_payment_attempt: null,
  billing_reason: 'subscription_cycle',
  // Looks back one cycle on a subscription invoice.
  period_start: PERIOD_START - 2_678_400,
  period_end: PERIOD_START,
  metadata: {},
  parent: {
    type: 'subscription_details',
    quote_details: null,
    subscription_details: { subscription: 'sub_1', metadata: { merchantId: 'm_1', planCode: 'pro' } },
  },
  lines: {
    object: 'list',
    data: [
      {
        id: 'il_1',
        object: 'line_item',
        amount: 4_900,
        currency: 'usd',
        period: { start: PERIOD_START, end: PERIOD_END },
        parent: {
          type: 'subscription_item_details',
          invoice_item_details: null,
          subscription_item_details: { subscription: 'sub_1', subscription_item: 'si_1', proration: false, invoice_item: null },
        },
      },
    ],
    has_more: false,
    url: '/v1/invoices/in_1/lines',
  },
  ...extra,
});

const checkoutSession = (extra: Record<string, unknown> = {}) => ({
  id: 'cs_test_sub_1',
  object: 'checkout.session',
  mode: 'subscription',
  status: 'complete',
  payment_status: 'paid',
  client_reference_id: 'm_1',
  customer: 'cus_1',
  subscription: 'sub_1',
  metadata: { merchantId: 'm_1', planCode: 'pro' },
  ...extra,
});

const plan = { code: 'pro', name: 'AutoCloser Pro', priceMinor: 4_900, currency: 'USD', interval: 'month' } as const;

describe('Stripe Billing against stripe-mock', () => {
  let billing: StripeBilling;
  const stripe = stripeMockForSuite((apiBaseUrl) => (billing = createStripeBilling({ secretKey: 'sk_test_123', webhookSecret, apiBaseUrl })));
  const { last } = stripe;

  test('ensureCustomer creates a customer with the idempotency key when search finds none for the merchant', async () => {
    const id = await billing.ensureCustomer({ merchantId: 'm_1', email: 'owner@shop.example', name: 'Shop One' });

    const search = last('GET', '/v1/customers/search');
    assert.ok(search, 'searched first');
    assert.equal(search.url.searchParams.get('query'), "metadata['merchantId']:'m_1'");
    // stripe-mock answers any search with a fixture customer of another merchant; that one must not be taken.
    assert.equal(search.status, 200);
    assert.equal(JSON.parse(search.responseBody).data.length > 0, true);

    const create = last('POST', '/v1/customers');
    assert.ok(create, 'created one');
    assert.equal(create.status, 200);
    assert.equal(create.headers['idempotency-key'], 'customer:m_1');
    assert.equal(create.headers['stripe-version'], STRIPE_API_VERSION);
    assert.equal(create.body.get('metadata[merchantId]'), 'm_1');
    assert.equal(create.body.get('email'), 'owner@shop.example');
    assert.equal(create.body.get('name'), 'Shop One');
    assert.equal(id, JSON.parse(create.responseBody).id);
    assert.match(id, /^cus_/);
  });

  test('ensureCustomer reuses the customer whose metadata names the merchant', async () => {
    const before = stripe.proxy.exchanges.length;
    stripe.proxy.stub = (method, url) =>
      method === 'GET' && url.pathname === '/v1/customers/search'
        ? {
            object: 'search_result',
            url: '/v1/customers/search',
            has_more: false,
            next_page: null,
            data: [
              { id: 'cus_other', object: 'customer', metadata: { merchantId: 'm_10' } },
              { id: 'cus_mine', object: 'customer', metadata: { merchantId: "m_'2" } },
            ],
          }
        : undefined;
    try {
      assert.equal(await billing.ensureCustomer({ merchantId: "m_'2" }), 'cus_mine');
    } finally {
      stripe.proxy.stub = null;
    }
    const sent = stripe.proxy.exchanges.slice(before);
    assert.deepEqual(
      sent.map((e) => `${e.method} ${e.url.pathname}`),
      ['GET /v1/customers/search'],
    );
    assert.equal(sent[0]!.url.searchParams.get('query'), "metadata['merchantId']:'m_\\'2'", 'a quote in the id is escaped');
  });

  test('startSubscriptionCheckout sends a subscription-mode session with a recurring inline price', async () => {
    const result = await billing.startSubscriptionCheckout({
      customerId: 'cus_1',
      merchantId: 'm_1',
      plan,
      successUrl: 'https://app.example/billing?done=1',
      cancelUrl: 'https://app.example/billing',
      idempotencyKey: 'sub-checkout:m_1:pro:1',
    });
    assert.match(result.url, /^https:\/\/checkout\.stripe\.com\//);
    assert.match(result.sessionId, /^cs_/);

    const sent = last('POST', '/v1/checkout/sessions');
    assert.ok(sent);
    assert.equal(sent.status, 200);
    assert.equal(sent.headers['idempotency-key'], 'sub-checkout:m_1:pro:1');
    const b = sent.body;
    assertFormFields(b, {
      mode: 'subscription',
      customer: 'cus_1',
      client_reference_id: 'm_1',
      success_url: 'https://app.example/billing?done=1',
      cancel_url: 'https://app.example/billing',
      'line_items[0][quantity]': '1',
      'line_items[0][price_data][currency]': 'usd',
      'line_items[0][price_data][unit_amount]': '4900',
      'line_items[0][price_data][recurring][interval]': 'month',
      'line_items[0][price_data][product_data][name]': 'AutoCloser Pro',
      'metadata[merchantId]': 'm_1',
      'metadata[planCode]': 'pro',
      'subscription_data[metadata][merchantId]': 'm_1',
      'subscription_data[metadata][planCode]': 'pro',
    });
    assert.equal(b.has('line_items[0][price]'), false);
  });

  test('startSubscriptionCheckout with a configured Price sends the price id instead of price_data', async () => {
    await billing.startSubscriptionCheckout({
      customerId: 'cus_1',
      merchantId: 'm_1',
      priceId: 'price_pro_monthly',
      plan,
      successUrl: 'https://app.example/billing?done=1',
      cancelUrl: 'https://app.example/billing',
      idempotencyKey: 'sub-checkout:m_1:pro:2',
    });
    const b = last('POST', '/v1/checkout/sessions')!.body;
    assert.equal(b.get('line_items[0][price]'), 'price_pro_monthly');
    assert.equal(b.get('line_items[0][quantity]'), '1');
    assert.equal([...b.keys()].some((k) => k.includes('price_data')), false);
    assert.equal(b.get('subscription_data[metadata][planCode]'), 'pro');
  });

  test('cancelAtPeriodEnd sends cancel_at_period_end=true and returns the neutral view', async () => {
    const view = await billing.cancelAtPeriodEnd('sub_123');
    const sent = last('POST', '/v1/subscriptions/sub_123');
    assert.ok(sent);
    assert.equal(sent.status, 200);
    assert.equal(sent.body.get('cancel_at_period_end'), 'true');
    assert.equal([...sent.body.keys()].length, 1);
    assert.match(view.id, /^sub_/);
    assert.equal(view.cancelAtPeriodEnd, JSON.parse(sent.responseBody).cancel_at_period_end);
  });

  test('resume takes the cancel back with cancel_at_period_end=false', async () => {
    const view = await billing.resume('sub_123');
    const sent = last('POST', '/v1/subscriptions/sub_123');
    assert.ok(sent);
    assert.equal(sent.status, 200);
    assertFormFields(sent.body, { cancel_at_period_end: 'false' });
    assert.equal([...sent.body.keys()].length, 1);
    assert.match(view.id, /^sub_/);
  });

  test('ensurePrice creates a recurring Price with a lookup key and the plan code, once per key', async () => {
    const before = stripe.proxy.exchanges.length;
    const id = await billing.ensurePrice(plan);
    const list = last('GET', '/v1/prices');
    assert.ok(list);
    assert.equal(list.url.searchParams.get('lookup_keys[0]'), priceLookupKey(plan));
    const create = last('POST', '/v1/prices');
    assert.ok(create, 'stripe-mock lists a fixture price without our key, so one is created');
    assert.equal(create.status, 200, create.responseBody);
    assertFormFields(create.body, {
      currency: 'usd',
      unit_amount: '4900',
      'recurring[interval]': 'month',
      'product_data[name]': 'AutoCloser Pro',
      lookup_key: 'autocloser_plan:pro:usd:4900:month',
      'metadata[planCode]': 'pro',
    });
    assert.equal(create.headers['idempotency-key'], 'price:autocloser_plan:pro:usd:4900:month');
    assert.equal(id, JSON.parse(create.responseBody).id);
    assert.deepEqual(stripe.proxy.exchanges.slice(before).map((e) => `${e.method} ${e.url.pathname}`), ['GET /v1/prices', 'POST /v1/prices']);

    // A price that carries the key is reused.
    stripe.proxy.stub = (method, url) =>
      method === 'GET' && url.pathname === '/v1/prices'
        ? { object: 'list', url: '/v1/prices', has_more: false, data: [{ id: 'price_mine', object: 'price', lookup_key: priceLookupKey(plan), metadata: { planCode: 'pro' } }] }
        : undefined;
    try {
      assert.equal(await billing.ensurePrice(plan), 'price_mine');
    } finally {
      stripe.proxy.stub = null;
    }
    assert.notEqual(priceLookupKey({ ...plan, priceMinor: 5_900 }), priceLookupKey(plan), 'a new amount is a new price');
  });

  test('changePlan moves the first item to the plan price: an upgrade is invoiced now and pending until paid', async () => {
    const view = await billing.changePlan({ subscriptionId: 'sub_123', plan, direction: 'upgrade', idempotencyKey: 'plan-change:sub_123:1' });
    const read = last('GET', '/v1/subscriptions/sub_123');
    assert.ok(read, 'the item to change is read from the subscription');
    const itemId = (JSON.parse(read.responseBody) as { items: { data: { id: string }[] } }).items.data[0]!.id;
    const price = JSON.parse(last('POST', '/v1/prices')!.responseBody).id as string;
    const sent = last('POST', '/v1/subscriptions/sub_123');
    assert.ok(sent);
    assert.equal(sent.status, 200, sent.responseBody);
    assert.equal(sent.headers['idempotency-key'], 'plan-change:sub_123:1');
    assertFormFields(sent.body, {
      'items[0][id]': itemId,
      'items[0][price]': price,
      proration_behavior: 'always_invoice',
      payment_behavior: 'pending_if_incomplete',
    });
    // Metadata cannot ride along with a pending update; the price's own metadata names the plan instead.
    assert.equal([...sent.body.keys()].some((k) => k.startsWith('metadata')), false);
    assert.match(view.id, /^sub_/);
    assert.equal(view.pendingUpdate, JSON.parse(sent.responseBody).pending_update != null);

    await billing.changePlan({ subscriptionId: 'sub_123', plan, direction: 'downgrade', idempotencyKey: 'plan-change:sub_123:2' });
    assertFormFields(last('POST', '/v1/subscriptions/sub_123')!.body, { proration_behavior: 'create_prorations', payment_behavior: 'allow_incomplete' });
  });

  test('createPortalSession opens a customer portal session that returns to the billing page', async () => {
    const session = await billing.createPortalSession({ customerId: 'cus_1', returnUrl: 'https://app.example/app/billing' });
    const sent = last('POST', '/v1/billing_portal/sessions');
    assert.ok(sent);
    assert.equal(sent.status, 200, sent.responseBody);
    assertFormFields(sent.body, { customer: 'cus_1', return_url: 'https://app.example/app/billing' });
    assert.equal(session.url, JSON.parse(sent.responseBody).url);
    assert.match(session.url, /^https:\/\//);
  });

  test('retrieveSubscription reads the billing period from the first item', async () => {
    const before = Date.now();
    const view = await billing.retrieveSubscription('sub_123');
    const sent = last('GET', '/v1/subscriptions/sub_123');
    assert.ok(sent);
    const wire = JSON.parse(sent.responseBody) as { status: string; current_period_start?: number; items: { data: { current_period_start: number; current_period_end: number }[] } };
    assert.equal(wire.current_period_start, undefined, 'this API version has no period on the subscription itself');
    const item = wire.items.data[0]!;
    assert.deepEqual(view.currentPeriodStart, at(item.current_period_start));
    assert.deepEqual(view.currentPeriodEnd, at(item.current_period_end));
    assert.equal(view.status, wire.status);
    assert.ok(view.updatedAt.getTime() >= before && view.updatedAt.getTime() <= Date.now());
  });

  test('a Stripe error reaches the caller', async () => {
    // stripe-mock validates against the OpenAPI spec: an unknown parameter is a 400.
    await assert.rejects(
      billing.startSubscriptionCheckout({
        customerId: 'cus_1',
        merchantId: 'm_1',
        plan: { ...plan, interval: 'fortnight' as 'month' },
        successUrl: 'https://app.example/ok',
        cancelUrl: 'https://app.example/no',
        idempotencyKey: 'sub-checkout:m_1:bad',
      }),
      (err: Error) => err instanceof Stripe.errors.StripeError,
    );
  });
});

describe('Stripe Billing webhooks', () => {
  const billing = createStripeBilling({ secretKey: 'sk_test_123', webhookSecret });
  const parse = (payload: string, opts?: { secret?: string; timestamp?: number }): BillingEvent[] => {
    const { raw, header } = signed(payload, opts);
    return billing.parseBillingWebhook(raw, header);
  };

  test('invoice.paid carries the subscription, merchant, amount and the service period of the subscription line', () => {
    assert.deepEqual(parse(event('invoice.paid', invoice(), 'evt_paid')), [
      {
        ...envelope('evt_paid'),
        type: 'invoice_paid',
        providerInvoiceId: 'in_1',
        subscriptionId: 'sub_1',
        customerId: 'cus_1',
        merchantId: 'm_1',
        amountPaidMinor: 4_900,
        currency: 'USD',
        periodStart: at(PERIOD_START),
        periodEnd: at(PERIOD_END),
        number: 'ABCD1234-0001',
        hostedInvoiceUrl: 'https://invoice.stripe.com/i/acct_1/test_in_1',
      },
    ]);
  });

  test('invoice.paid in the shape of older API versions reads subscription and subscription_details', () => {
    const legacy = invoice({
      parent: undefined,
      lines: undefined,
      subscription: 'sub_old',
      subscription_details: { metadata: { merchantId: 'm_old' } },
      period_start: PERIOD_START,
      period_end: PERIOD_END,
    });
    const [mapped] = parse(event('invoice.paid', legacy));
    assert.equal(mapped?.type, 'invoice_paid');
    if (mapped?.type !== 'invoice_paid') return;
    assert.equal(mapped.subscriptionId, 'sub_old');
    assert.equal(mapped.merchantId, 'm_old');
    assert.deepEqual([mapped.periodStart, mapped.periodEnd], [at(PERIOD_START), at(PERIOD_END)], 'without lines the invoice period is used');
  });

  test('an invoice names its merchant through an expanded customer, or not at all', () => {
    const viaCustomer = invoice({
      parent: { type: 'subscription_details', quote_details: null, subscription_details: { subscription: 'sub_1', metadata: {} } },
      customer: { id: 'cus_1', object: 'customer', metadata: { merchantId: 'm_cust' } },
    });
    const [a] = parse(event('invoice.paid', viaCustomer));
    assert.equal(a?.type === 'invoice_paid' && a.merchantId, 'm_cust');
    assert.equal(a?.type === 'invoice_paid' && a.customerId, 'cus_1');

    const oneOff = invoice({ parent: null, lines: { object: 'list', data: [], has_more: false }, hosted_invoice_url: null, number: null });
    const [b] = parse(event('invoice.paid', oneOff));
    assert.ok(b?.type === 'invoice_paid');
    assert.equal(b.merchantId, null);
    assert.equal(b.subscriptionId, null);
    assert.equal(b.number, null);
    assert.equal(b.hostedInvoiceUrl, null);
  });

  test('invoice.payment_failed is invoice_failed with the attempt count and the next attempt', () => {
    const next = PERIOD_START + 3 * 86_400;
    const failed = invoice({ status: 'open', amount_paid: 0, amount_remaining: 4_900, attempt_count: 2, next_payment_attempt: next });
    const [mapped, ...rest] = parse(event('invoice.payment_failed', failed, 'evt_failed'));
    assert.equal(rest.length, 0);
    assert.ok(mapped?.type === 'invoice_failed');
    assert.equal(mapped.eventId, 'evt_failed');
    assert.equal(mapped.providerInvoiceId, 'in_1');
    assert.equal(mapped.subscriptionId, 'sub_1');
    assert.equal(mapped.merchantId, 'm_1');
    assert.equal(mapped.amountDueMinor, 4_900);
    assert.equal(mapped.attemptCount, 2);
    assert.deepEqual(mapped.nextAttemptAt, at(next));

    const [last] = parse(event('invoice.payment_failed', invoice({ amount_paid: 0, attempt_count: 4, next_payment_attempt: null })));
    assert.ok(last?.type === 'invoice_failed');
    assert.equal(last.nextAttemptAt, null, 'no retry left');
  });

  test('customer.subscription.created and updated are subscription_updated with the neutral view', () => {
    for (const type of ['customer.subscription.created', 'customer.subscription.updated']) {
      assert.deepEqual(parse(event(type, subscription({ cancel_at_period_end: type.endsWith('updated') }), 'evt_sub', CREATED + 60)), [
        {
          type: 'subscription_updated',
          eventId: 'evt_sub',
          occurredAt: at(CREATED + 60),
          subscription: {
            id: 'sub_1',
            status: 'active',
            planCode: 'pro',
            merchantId: 'm_1',
            customerId: 'cus_1',
            currentPeriodStart: at(PERIOD_START),
            currentPeriodEnd: at(PERIOD_END),
            cancelAtPeriodEnd: type.endsWith('updated'),
            updatedAt: at(CREATED + 60),
          },
        },
      ]);
    }
  });

  test('the period comes from the first item, and from the subscription itself only when items carry none', () => {
    const both = subscription({ current_period_start: 1, current_period_end: 2 });
    const [a] = parse(event('customer.subscription.updated', both));
    assert.ok(a?.type === 'subscription_updated');
    assert.deepEqual([a.subscription.currentPeriodStart, a.subscription.currentPeriodEnd], [at(PERIOD_START), at(PERIOD_END)]);

    const legacy = subscription({
      current_period_start: PERIOD_START + 5,
      current_period_end: PERIOD_END + 5,
      items: { object: 'list', data: [{ id: 'si_1', object: 'subscription_item', price: { id: 'price_1', metadata: {} } }], has_more: false },
    });
    const [b] = parse(event('customer.subscription.updated', legacy));
    assert.ok(b?.type === 'subscription_updated');
    assert.deepEqual([b.subscription.currentPeriodStart, b.subscription.currentPeriodEnd], [at(PERIOD_START + 5), at(PERIOD_END + 5)]);

    const none = subscription({ status: 'incomplete_expired', items: { object: 'list', data: [], has_more: false } });
    const [c] = parse(event('customer.subscription.updated', none));
    assert.ok(c?.type === 'subscription_updated');
    assert.equal(c.subscription.currentPeriodStart, null);
    assert.equal(c.subscription.status, 'incomplete_expired');
  });

  test('a configured Price that names its plan wins over the metadata written at checkout', () => {
    const sub = subscription();
    const item = { ...sub.items.data[0]!, price: { ...sub.items.data[0]!.price, metadata: { planCode: 'business' } } };
    const [mapped] = parse(event('customer.subscription.updated', { ...sub, items: { ...sub.items, data: [item] } }));
    assert.ok(mapped?.type === 'subscription_updated');
    assert.equal(mapped.subscription.planCode, 'business');
    assert.equal(mapped.subscription.merchantId, 'm_1');
  });

  test('customer.subscription.deleted is subscription_canceled', () => {
    const [mapped, ...rest] = parse(event('customer.subscription.deleted', subscription({ status: 'canceled', ended_at: PERIOD_END }), 'evt_del'));
    assert.equal(rest.length, 0);
    assert.ok(mapped?.type === 'subscription_canceled');
    assert.equal(mapped.eventId, 'evt_del');
    assert.equal(mapped.subscription.status, 'canceled');
    assert.equal(mapped.subscription.merchantId, 'm_1');
  });

  test('checkout.session.completed in subscription mode is subscription_checkout_completed', () => {
    assert.deepEqual(parse(event('checkout.session.completed', checkoutSession(), 'evt_cs')), [
      {
        ...envelope('evt_cs'),
        type: 'subscription_checkout_completed',
        sessionId: 'cs_test_sub_1',
        merchantId: 'm_1',
        planCode: 'pro',
        subscriptionId: 'sub_1',
        customerId: 'cus_1',
      },
    ]);
    const [expanded] = parse(event('checkout.session.completed', checkoutSession({ subscription: subscription(), customer: { id: 'cus_9', object: 'customer' } })));
    assert.ok(expanded?.type === 'subscription_checkout_completed');
    assert.equal(expanded.subscriptionId, 'sub_1');
    assert.equal(expanded.customerId, 'cus_9');
  });

  test("a payment-mode session is a merchant's order, not billing", () => {
    assert.deepEqual(parse(event('checkout.session.completed', checkoutSession({ mode: 'payment', subscription: null }))), []);
  });

  test('other event types are acknowledged and ignored', () => {
    assert.deepEqual(parse(event('invoice.created', invoice())), []);
    assert.deepEqual(parse(event('customer.created', { id: 'cus_1', object: 'customer' })), []);
  });

  test('forged, tampered, missing and stale signatures throw WebhookSignatureError', () => {
    const payload = event('invoice.paid', invoice());
    assert.throws(() => parse(payload, { secret: 'whsec_someone_else' }), WebhookSignatureError);
    const { raw, header } = signed(payload);
    assert.throws(() => billing.parseBillingWebhook(Buffer.from(payload.replace('4900', '1')), header), WebhookSignatureError);
    assert.throws(() => billing.parseBillingWebhook(raw, undefined), WebhookSignatureError);
    assert.throws(() => billing.parseBillingWebhook(raw, ''), WebhookSignatureError);
    assert.throws(() => billing.parseBillingWebhook(raw, 'garbage'), WebhookSignatureError);
    assert.throws(() => parse(payload, { timestamp: now() - 600 }), (err: Error) => err instanceof WebhookSignatureError && /tolerance/i.test(err.message));
    assert.equal(parse(payload).length, 1, 'the untouched payload still verifies');
  });

  test('a validly signed body that is not an understood Stripe event throws WebhookPayloadError', () => {
    assert.throws(() => parse('{"id": "evt_1", "type": '), WebhookPayloadError);
    assert.throws(() => parse('{"hello": "world"}'), WebhookPayloadError);
    assert.throws(() => parse(JSON.stringify({ id: 'evt_1', type: 'invoice.paid', data: { object: invoice() } })), WebhookPayloadError, 'no created time');
    assert.throws(() => parse(event('invoice.paid', { id: 'in_1', object: 'invoice', currency: 'usd' })), WebhookPayloadError);
    assert.throws(() => parse(event('customer.subscription.updated', { id: 'sub_1', object: 'subscription' })), WebhookPayloadError);
    assert.throws(() => parse(event('checkout.session.completed', checkoutSession({ subscription: null }))), WebhookPayloadError);
  });
});

describe('createStripeBilling', () => {
  test('refuses empty secrets and a non-HTTP API origin', () => {
    assert.throws(() => createStripeBilling({ secretKey: '', webhookSecret }), /secret key/);
    assert.throws(() => createStripeBilling({ secretKey: 'sk_test_1', webhookSecret: '' }), /webhook secret/);
    assert.throws(() => createStripeBilling({ secretKey: 'sk_test_1', webhookSecret, apiBaseUrl: 'ftp://x' }), /http or https/);
  });
});
