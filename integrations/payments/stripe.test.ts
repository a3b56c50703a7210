import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertFormFields, signStripeWebhook, stripeEvent as event, stripeMockForSuite } from '../../test/support/stripe-mock';
import { WebhookPayloadError, WebhookSignatureError, type PaymentProvider } from './provider';
import { clampExpiry, createStripeProvider, lineItems, STRIPE_API_VERSION, toPaymentStatus, type SessionStatusView } from './stripe';

const webhookSecret = 'whsec_test_secret_for_the_suite';

function signed(payload: string, opts: { secret?: string; timestamp?: number } = {}) {
  const { raw, header } = signStripeWebhook(payload, opts.secret ?? webhookSecret, opts.timestamp);
  return { raw, headers: { 'stripe-signature': header } };
}

const session = (extra: Record<string, unknown> = {}) => ({
  id: 'cs_test_order_1',
  object: 'checkout.session',
  client_reference_id: 'ord_1',
  metadata: { orderId: 'ord_1' },
  amount_total: 4_500,
  currency: 'usd',
  payment_status: 'paid',
  status: 'complete',
  payment_intent: 'pi_order_1',
  ...extra,
});

describe('Stripe provider against stripe-mock', () => {
  let provider: PaymentProvider;
  const { last } = stripeMockForSuite((apiBaseUrl) => (provider = createStripeProvider({ secretKey: 'sk_test_123', webhookSecret, apiBaseUrl })));

  test('createCheckout creates a payment-mode session with itemised lines and the idempotency key', async () => {
    const requested = new Date(Date.now() + 2 * 60 * 60_000);
    const result = await provider.createCheckout({
      orderId: 'ord_1',
      merchantId: 'm_1',
      amountMinor: 4_500,
      currency: 'USD',
      description: 'Order ord_1',
      items: [
        { sku: 'tee', name: 'T-shirt', quantity: 2, unitAmountMinor: 1_500 },
        { sku: 'cap', name: 'Cap', quantity: 1, unitAmountMinor: 1_500 },
      ],
      successUrl: 'https://shop.example/thanks',
      cancelUrl: 'https://shop.example/cart',
      expiresAt: requested,
      idempotencyKey: 'checkout-ord_1',
    });

    assert.match(result.providerRef, /^cs_/);
    assert.match(result.url, /^https:\/\/checkout\.stripe\.com\//);
    const sent = last('POST', '/v1/checkout/sessions');
    assert.ok(sent, 'the SDK reached stripe-mock');
    assert.equal(sent.status, 200);
    assert.equal(sent.headers['idempotency-key'], 'checkout-ord_1');
    assert.equal(sent.responseHeaders['idempotency-key'], 'checkout-ord_1', 'stripe-mock echoes the key it was sent');
    assert.equal(sent.headers['stripe-version'], STRIPE_API_VERSION);

    const b = sent.body;
    assertFormFields(b, {
      mode: 'payment',
      client_reference_id: 'ord_1',
      'metadata[orderId]': 'ord_1',
      success_url: 'https://shop.example/thanks',
      cancel_url: 'https://shop.example/cart',
      'line_items[0][price_data][currency]': 'usd',
      'line_items[0][price_data][unit_amount]': '1500',
      'line_items[0][price_data][product_data][name]': 'T-shirt',
      'line_items[0][quantity]': '2',
      'line_items[1][price_data][product_data][name]': 'Cap',
    });
    assert.equal(Number(b.get('expires_at')), Math.floor(requested.getTime() / 1000), 'a 2 h expiry is inside the window');
    assert.equal(result.expiresAt.getTime(), Number(b.get('expires_at')) * 1000);
  });

  test('createCheckout without items sends one line for the whole amount and clamps a short expiry to 30 min', async () => {
    const before = Date.now();
    const result = await provider.createCheckout({
      orderId: 'ord_2',
      merchantId: 'm_1',
      amountMinor: 9_900,
      currency: 'EUR',
      description: 'Annual plan',
      expiresAt: new Date(before + 5 * 60_000),
    });
    const b = last('POST', '/v1/checkout/sessions')!.body;
    assertFormFields(b, {
      'line_items[0][price_data][unit_amount]': '9900',
      'line_items[0][price_data][currency]': 'eur',
      'line_items[0][price_data][product_data][name]': 'Annual plan',
      'line_items[0][quantity]': '1',
    });
    assert.equal(b.has('line_items[1][quantity]'), false);
    const ahead = result.expiresAt.getTime() - before;
    assert.ok(ahead >= 30 * 60_000 && ahead <= 32 * 60_000, `expiry ${ahead} ms ahead`);
  });

  test('fetchStatus retrieves the session with its charge expanded and maps the fixture', async () => {
    const status = await provider.fetchStatus('cs_test_fixture');
    const sent = last('GET', '/v1/checkout/sessions/cs_test_fixture');
    assert.ok(sent);
    assert.equal(sent.url.searchParams.get('expand[0]'), 'payment_intent.latest_charge');
    // stripe-mock's fixture is an open, unpaid session with no amount or currency.
    assert.equal(status.status, 'pending');
    assert.match(status.paymentRef ?? '', /^pi_/);
    assert.equal(status.amountMinor, 0);
    assert.equal(status.currency, '');
  });

  test('refund refunds the PaymentIntent with the idempotency key', async () => {
    const result = await provider.refund!({
      providerRef: 'cs_test_order_1',
      paymentRef: 'pi_order_1',
      amountMinor: 1_500,
      currency: 'USD',
      reason: 'customer changed their mind',
      idempotencyKey: 'refund-ord_1-1',
    });
    assert.match(result.refundRef, /^re_/);
    assert.equal(result.status, 'succeeded');
    const sent = last('POST', '/v1/refunds')!;
    assert.equal(sent.headers['idempotency-key'], 'refund-ord_1-1');
    assert.equal(sent.body.get('payment_intent'), 'pi_order_1');
    assert.equal(sent.body.get('amount'), '1500');
    assert.equal(sent.body.get('metadata[reason]'), 'customer changed their mind');
  });

  test('refund without a paymentRef looks the PaymentIntent up on the session', async () => {
    await provider.refund!({ providerRef: 'cs_test_order_2', amountMinor: 100, currency: 'USD', idempotencyKey: 'refund-ord_2-1' });
    assert.ok(last('GET', '/v1/checkout/sessions/cs_test_order_2'));
    assert.match(last('POST', '/v1/refunds')!.body.get('payment_intent') ?? '', /^pi_/);
  });

  describe('webhooks', () => {
    const parse = (payload: string, opts?: { secret?: string; timestamp?: number }) => {
      const { raw, headers } = signed(payload, opts);
      return provider.parseWebhook!(raw, headers, 'https://api.example/webhooks/stripe');
    };

    test('checkout.session.completed when paid is completed', async () => {
      assert.deepEqual(await parse(event('checkout.session.completed', session(), 'evt_1')), [
        { provider: 'stripe', eventId: 'evt_1', type: 'completed', providerRef: 'cs_test_order_1', orderId: 'ord_1', amountMinor: 4_500, currency: 'USD' },
      ]);
    });

    test('checkout.session.completed with a delayed method still unpaid is not a payment yet', async () => {
      assert.deepEqual(await parse(event('checkout.session.completed', session({ payment_status: 'unpaid' }))), []);
    });

    test('async payment outcomes and expiry map to completed, failed and expired', async () => {
      const cases = [
        ['checkout.session.async_payment_succeeded', 'completed'],
        ['checkout.session.async_payment_failed', 'failed'],
        ['checkout.session.expired', 'expired'],
      ] as const;
      for (const [type, expected] of cases) {
        const [mapped, ...rest] = await parse(event(type, session({ payment_status: expected === 'completed' ? 'paid' : 'unpaid' })));
        assert.equal(rest.length, 0);
        assert.equal(mapped?.type, expected, type);
        assert.equal(mapped?.providerRef, 'cs_test_order_1');
        assert.equal(mapped?.eventId, `evt_${type.replaceAll('.', '_')}`);
      }
    });

    test('orderId falls back to metadata when client_reference_id is absent', async () => {
      const [mapped] = await parse(event('checkout.session.expired', session({ client_reference_id: null, metadata: { orderId: 'ord_9' } })));
      assert.equal(mapped?.orderId, 'ord_9');
    });

    test('charge.refunded finds the session through its PaymentIntent', async () => {
      const charge = { id: 'ch_1', object: 'charge', payment_intent: 'pi_order_1', amount: 4_500, amount_refunded: 1_500, refunded: false, currency: 'usd' };
      const [mapped, ...rest] = await parse(event('charge.refunded', charge, 'evt_refund'));
      assert.equal(rest.length, 0);
      assert.equal(mapped?.type, 'refunded');
      assert.equal(mapped?.eventId, 'evt_refund');
      assert.equal(mapped?.amountMinor, 1_500);
      assert.equal(mapped?.currency, 'USD');
      assert.match(mapped?.providerRef ?? '', /^cs_/);
      const lookup = last('GET', '/v1/checkout/sessions')!;
      assert.equal(lookup.url.searchParams.get('payment_intent'), 'pi_order_1');
    });

    test('charge.dispute.created is disputed', async () => {
      const dispute = { id: 'dp_1', object: 'dispute', charge: 'ch_1', payment_intent: 'pi_order_7', amount: 4_500, currency: 'usd', status: 'needs_response' };
      const [mapped] = await parse(event('charge.dispute.created', dispute, 'evt_dispute'));
      assert.equal(mapped?.type, 'disputed');
      assert.equal(mapped?.amountMinor, 4_500);
      assert.match(mapped?.providerRef ?? '', /^cs_/);
      assert.equal(last('GET', '/v1/checkout/sessions')!.url.searchParams.get('payment_intent'), 'pi_order_7');
    });

    test('a charge without a PaymentIntent is not ours', async () => {
      const charge = { id: 'ch_2', object: 'charge', payment_intent: null, amount: 100, amount_refunded: 100, currency: 'usd' };
      assert.deepEqual(await parse(event('charge.refunded', charge)), []);
    });

    test('other event types are acknowledged and ignored', async () => {
      assert.deepEqual(await parse(event('payment_intent.created', { id: 'pi_1', object: 'payment_intent' })), []);
    });

    test('forged, tampered, missing, repeated and stale signatures throw WebhookSignatureError', async () => {
      const payload = event('checkout.session.completed', session());
      await assert.rejects(parse(payload, { secret: 'whsec_someone_else' }), WebhookSignatureError);
      const { raw, headers } = signed(payload);
      const url = 'https://api.example/webhooks/stripe';
      await assert.rejects(provider.parseWebhook!(Buffer.from(payload.replace('4500', '1')), headers, url), WebhookSignatureError);
      await assert.rejects(provider.parseWebhook!(raw, {}, url), WebhookSignatureError);
      await assert.rejects(provider.parseWebhook!(raw, { 'stripe-signature': '' }, url), WebhookSignatureError);
      await assert.rejects(provider.parseWebhook!(raw, { 'stripe-signature': 'garbage' }, url), WebhookSignatureError);
      await assert.rejects(provider.parseWebhook!(raw, { 'stripe-signature': [headers['stripe-signature'], headers['stripe-signature']] }, url), WebhookSignatureError);
      const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
      await assert.rejects(parse(payload, { timestamp: tenMinutesAgo }), (err: Error) => err instanceof WebhookSignatureError && /tolerance/i.test(err.message));
    });

    test('a validly signed body that is not a Stripe event throws WebhookPayloadError', async () => {
      await assert.rejects(parse('{"id": "evt_1", "type": '), WebhookPayloadError);
      await assert.rejects(parse('{"hello": "world"}'), WebhookPayloadError);
      await assert.rejects(parse(event('checkout.session.completed', { object: 'checkout.session', payment_status: 'paid' })), WebhookPayloadError);
      await assert.rejects(parse(event('charge.refunded', { id: 'ch_1', object: 'charge', payment_intent: 'pi_1' })), WebhookPayloadError);
    });
  });
});

describe('Stripe session status mapping', () => {
  const base: SessionStatusView = { status: 'open', payment_status: 'unpaid', amount_total: 4_500, currency: 'usd', payment_intent: null };
  const pi = (status: string, charge: { amount: number; amount_refunded: number; refunded?: boolean } | null = null) => ({ id: 'pi_1', status, latest_charge: charge });

  test('an open, unpaid session is pending', () => {
    assert.deepEqual(toPaymentStatus(base), { status: 'pending', amountMinor: 4_500, currency: 'USD', paymentRef: null });
  });
  test('a paid session is paid, with the PaymentIntent as paymentRef', () => {
    const s = { ...base, status: 'complete', payment_status: 'paid', payment_intent: pi('succeeded', { amount: 4_500, amount_refunded: 0 }) };
    assert.deepEqual(toPaymentStatus(s), { status: 'paid', amountMinor: 4_500, currency: 'USD', paymentRef: 'pi_1' });
    assert.equal(toPaymentStatus({ ...s, payment_intent: 'pi_2' }).paymentRef, 'pi_2', 'an unexpanded PaymentIntent still names the payment');
  });
  test('refunds on the charge make it partially_refunded or refunded', () => {
    const paid = { ...base, status: 'complete', payment_status: 'paid' };
    assert.equal(toPaymentStatus({ ...paid, payment_intent: pi('succeeded', { amount: 4_500, amount_refunded: 500 }) }).status, 'partially_refunded');
    assert.equal(toPaymentStatus({ ...paid, payment_intent: pi('succeeded', { amount: 4_500, amount_refunded: 4_500 }) }).status, 'refunded');
    assert.equal(toPaymentStatus({ ...paid, payment_intent: pi('succeeded', { amount: 4_500, amount_refunded: 4_400, refunded: true }) }).status, 'refunded');
  });
  test('an expired session is expired', () => {
    assert.equal(toPaymentStatus({ ...base, status: 'expired' }).status, 'expired');
  });
  test('a completed, unpaid session is pending while processing and failed once its PaymentIntent needs a new method', () => {
    const complete = { ...base, status: 'complete' };
    assert.equal(toPaymentStatus({ ...complete, payment_intent: pi('processing') }).status, 'pending');
    assert.equal(toPaymentStatus({ ...complete, payment_intent: pi('requires_payment_method') }).status, 'failed');
  });
  test('a missing amount or currency fails closed as 0 and empty', () => {
    assert.deepEqual(toPaymentStatus({ ...base, amount_total: null, currency: null }), { status: 'pending', amountMinor: 0, currency: '', paymentRef: null });
  });
});

describe('Stripe checkout parameters', () => {
  const now = Date.UTC(2026, 0, 1);
  test('expiry is clamped into the 30 min..24 h window with a minute of margin', () => {
    assert.equal(clampExpiry(new Date(now + 60_000), now).getTime(), now + 31 * 60_000);
    assert.equal(clampExpiry(new Date(now + 2 * 60 * 60_000), now).getTime(), now + 2 * 60 * 60_000);
    assert.equal(clampExpiry(new Date(now + 3 * 24 * 60 * 60_000), now).getTime(), now + 24 * 60 * 60_000 - 60_000);
  });
  test('items that do not add up to the amount become one line for the amount', () => {
    const lines = lineItems({
      orderId: 'ord_1',
      amountMinor: 900,
      currency: 'TRY',
      description: 'Order with a discount',
      items: [{ sku: 'a', name: 'A', quantity: 1, unitAmountMinor: 1_000 }],
    });
    assert.deepEqual(lines, [{ quantity: 1, price_data: { currency: 'try', unit_amount: 900, product_data: { name: 'Order with a discount' } } }]);
  });
});
