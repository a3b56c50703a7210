import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { IYZICO_PATHS, iyzicoError, startIyzicoPeer, type IyzicoPeer } from '../../test/peers/iyzico-peer';
import {
  IyzicoApiError,
  createIyzicoProvider,
  fromIyzicoPrice,
  iyzicoWebhookSignature,
  parseIyzicoCallback,
  toIyzicoPrice,
} from './iyzico';
import { WebhookPayloadError, WebhookSignatureError, type CheckoutRequest, type PaymentProvider } from './provider';

const apiKey = 'sandbox-afXhZPW0MQlE4dCUUlHcEopnMBgXnAZI';
const secretKey = 'sandbox-wbwpzKIiplZxI3hh5ALI4FJyAcZKL6kq';
const callbackUrl = 'https://shop.example/payments/iyzico/callback';

type Body = Record<string, unknown>;

function checkoutRequest(overrides: Partial<CheckoutRequest> = {}): CheckoutRequest {
  return {
    orderId: `ord_${Math.random().toString(36).slice(2, 10)}`,
    merchantId: 'm_1',
    amountMinor: 1999,
    currency: 'TRY',
    description: 'Espresso machine',
    expiresAt: new Date(Date.now() + 24 * 3600_000),
    ...overrides,
  };
}

describe('iyzico amounts', () => {
  test('minor units become decimal strings without floats', () => {
    assert.equal(toIyzicoPrice(1999), '19.99');
    assert.equal(toIyzicoPrice(5), '0.05');
    assert.equal(toIyzicoPrice(100), '1.00');
    assert.equal(toIyzicoPrice(0), '0.00');
    assert.equal(toIyzicoPrice(123456789012345), '1234567890123.45');
    assert.throws(() => toIyzicoPrice(19.99));
    assert.throws(() => toIyzicoPrice(-1));
  });
  test('iyzico amounts, as strings or JSON numbers, read back exactly', () => {
    assert.equal(fromIyzicoPrice('19.99'), 1999);
    assert.equal(fromIyzicoPrice(19.99), 1999);
    assert.equal(fromIyzicoPrice(0.29), 29, '0.29 * 100 is 28.999999999999996 in floats');
    assert.equal(fromIyzicoPrice(1.1), 110);
    assert.equal(fromIyzicoPrice(10), 1000);
    assert.equal(fromIyzicoPrice('10.500'), 1050);
    assert.throws(() => fromIyzicoPrice('10.505'), IyzicoApiError);
    assert.throws(() => fromIyzicoPrice('1e3'), IyzicoApiError);
  });
});

describe('iyzico provider against the local iyzico peer', () => {
  let peer: IyzicoPeer;
  let iyzico: PaymentProvider;

  before(async () => {
    peer = await startIyzicoPeer({ apiKey, secretKey });
    iyzico = createIyzicoProvider({ apiKey, secretKey, baseUrl: peer.baseUrl, callbackUrl });
  });
  after(() => peer.close());

  const lastBody = (path: string) => peer.requestsTo(path).at(-1)!.body as Body;

  test('creates a TRY checkout form whose basket adds up to the price', async () => {
    const req = checkoutRequest({
      amountMinor: 1999 + 2 * 250,
      items: [
        { sku: 'ESP-1', name: 'Espresso machine', quantity: 1, unitAmountMinor: 1999 },
        { sku: 'CUP', name: 'Cup', quantity: 2, unitAmountMinor: 250 },
      ],
      buyer: { id: 'lead_42', name: 'Ayşe Nur Yılmaz', email: 'ayse@example.com', phone: '+905350000000', country: 'TR', city: 'Ankara' },
    });
    const session = await iyzico.createCheckout(req);

    assert.equal(iyzico.name, 'iyzico');
    assert.match(session.providerRef, /^[0-9a-f-]{36}$/);
    assert.ok(session.url.startsWith(`${peer.baseUrl}/cpp?token=${session.providerRef}`));
    const tokenExpiry = session.expiresAt.getTime() - Date.now();
    assert.ok(tokenExpiry > 1790_000 && tokenExpiry <= 1800_000, 'the 1800 s token lifetime wins over the day-long order expiry');

    const sent = lastBody(IYZICO_PATHS.initialize);
    assert.equal(sent.locale, 'tr');
    assert.equal(sent.conversationId, req.orderId);
    assert.equal(sent.basketId, req.orderId);
    assert.equal(sent.price, '24.99');
    assert.equal(sent.paidPrice, '24.99');
    assert.equal(sent.currency, 'TRY');
    assert.equal(sent.paymentGroup, 'PRODUCT');
    assert.equal(sent.callbackUrl, callbackUrl);
    assert.deepEqual(sent.enabledInstallments, [1]);
    assert.deepEqual(
      (sent.basketItems as Body[]).map((i) => [i.id, i.name, i.price, i.itemType]),
      [
        ['ESP-1', 'Espresso machine', '19.99', 'PHYSICAL'],
        ['CUP', '2 x Cup', '5.0', 'PHYSICAL'],
      ],
    );
    const buyer = sent.buyer as Body;
    assert.deepEqual(
      [buyer.id, buyer.name, buyer.surname, buyer.email, buyer.gsmNumber, buyer.city, buyer.country, buyer.identityNumber],
      ['lead_42', 'Ayşe Nur', 'Yılmaz', 'ayse@example.com', '+905350000000', 'Ankara', 'Türkiye', '11111111111'],
    );
    assert.equal((sent.billingAddress as Body).contactName, 'Ayşe Nur Yılmaz');
    assert.equal(peer.checkouts.get(session.providerRef)!.priceMinor, 2499);
  });

  test('a USD checkout for a lead who gave nothing uses one basket line and documented placeholders', async () => {
    const req = checkoutRequest({ amountMinor: 1999, currency: 'USD', expiresAt: new Date(Date.now() + 60_000) });
    const session = await iyzico.createCheckout(req);
    assert.equal(session.expiresAt.getTime(), req.expiresAt.getTime(), 'an order expiring before the token keeps its own expiry');

    const sent = lastBody(IYZICO_PATHS.initialize);
    assert.equal(sent.locale, 'en');
    assert.equal(sent.currency, 'USD');
    assert.equal(sent.price, '19.99');
    assert.deepEqual(sent.basketItems, [{ id: req.orderId, name: 'Espresso machine', category1: 'General', itemType: 'PHYSICAL', price: '19.99' }]);
    const buyer = sent.buyer as Body;
    assert.equal(buyer.id, req.orderId);
    assert.equal(buyer.name, 'Customer');
    assert.equal(buyer.email, `${req.orderId}@customers.invalid`);
    assert.equal(buyer.ip, '127.0.0.1');
  });

  test('items that do not add up to the amount (a discount) collapse into one line for the amount', async () => {
    await iyzico.createCheckout(
      checkoutRequest({ amountMinor: 1500, items: [{ sku: 'A', name: 'A', quantity: 1, unitAmountMinor: 2000 }] }),
    );
    assert.deepEqual(
      (lastBody(IYZICO_PATHS.initialize).basketItems as Body[]).map((i) => i.price),
      ['15.0'],
    );
  });

  test('currencies iyzico does not take are refused before any request', async () => {
    const before = peer.requests.length;
    await assert.rejects(iyzico.createCheckout(checkoutRequest({ currency: 'JPY' })), RangeError);
    assert.equal(peer.requests.length, before);
  });

  test('the peer accepts the SDK signature and rejects a wrong secret with iyzico error 1000', async () => {
    const auth = String(peer.requestsTo(IYZICO_PATHS.initialize)[0]!.headers.authorization);
    assert.match(auth, /^IYZWSv2 /);
    assert.match(Buffer.from(auth.slice(8), 'base64').toString(), new RegExp(`^apiKey:${apiKey}&randomKey:[^&]+&signature:[0-9a-f]{64}$`));

    const impostor = createIyzicoProvider({ apiKey, secretKey: 'sandbox-not-the-secret', baseUrl: peer.baseUrl, callbackUrl });
    await assert.rejects(impostor.createCheckout(checkoutRequest()), (err: unknown) => {
      assert.ok(err instanceof IyzicoApiError);
      assert.equal(err.errorCode, '1000');
      return true;
    });
    const unknownKey = createIyzicoProvider({ apiKey: 'sandbox-unknown', secretKey, baseUrl: peer.baseUrl, callbackUrl });
    await assert.rejects(unknownKey.fetchStatus('any'), (err: unknown) => err instanceof IyzicoApiError && err.errorCode === '1001');
  });

  test('retrieve maps pending, SUCCESS and FAILURE with exact amounts', async () => {
    const pendingForm = await iyzico.createCheckout(checkoutRequest({ amountMinor: 29 }));
    assert.deepEqual(await iyzico.fetchStatus(pendingForm.providerRef), { status: 'pending', amountMinor: 29, currency: 'TRY', paymentRef: null });

    const paidForm = await iyzico.createCheckout(checkoutRequest({ amountMinor: 1999, currency: 'USD' }));
    const paid = peer.setState(paidForm.providerRef, 'success');
    assert.deepEqual(await iyzico.fetchStatus(paidForm.providerRef), { status: 'paid', amountMinor: 1999, currency: 'USD', paymentRef: paid.paymentId });
    assert.deepEqual(lastBody(IYZICO_PATHS.retrieve), { locale: 'en', token: paidForm.providerRef });

    const declinedForm = await iyzico.createCheckout(checkoutRequest({ amountMinor: 110 }));
    peer.setState(declinedForm.providerRef, 'failure');
    const declined = await iyzico.fetchStatus(declinedForm.providerRef);
    assert.equal(declined.status, 'failed');
    assert.equal(declined.amountMinor, 110);
  });

  test('amount comes from paidPrice, and a payment under fraud review is not paid yet', async () => {
    const form = await iyzico.createCheckout(checkoutRequest({ amountMinor: 10000 }));
    peer.setState(form.providerRef, 'success', { paidPriceMinor: 10663, fraudStatus: 0 });
    assert.deepEqual(
      { ...(await iyzico.fetchStatus(form.providerRef)), paymentRef: undefined },
      { status: 'pending', amountMinor: 10663, currency: 'TRY', paymentRef: undefined },
    );
    peer.setState(form.providerRef, 'success', { fraudStatus: -1 });
    assert.equal((await iyzico.fetchStatus(form.providerRef)).status, 'failed');
    peer.setState(form.providerRef, 'success', { fraudStatus: 1 });
    assert.equal((await iyzico.fetchStatus(form.providerRef)).status, 'paid');
  });

  test('a retrieve answer with a signature that does not match is refused', async () => {
    const form = await iyzico.createCheckout(checkoutRequest({ amountMinor: 500 }));
    const payment = peer.setState(form.providerRef, 'success');
    peer.enqueue(IYZICO_PATHS.retrieve, {
      status: 200,
      body: {
        status: 'success', locale: 'en', systemTime: Date.now(), conversationId: 'x', token: form.providerRef, basketId: 'x',
        paymentStatus: 'SUCCESS', paymentId: payment.paymentId, currency: 'TRY', price: 5, paidPrice: 5000, signature: 'ab'.repeat(32),
      },
    });
    await assert.rejects(iyzico.fetchStatus(form.providerRef), /signature/);
  });

  test('an unknown token is an API error, not a status', async () => {
    await assert.rejects(iyzico.fetchStatus('no-such-token'), IyzicoApiError);
  });

  test('refunds in part and then the rest, by paymentId through the v2 refund API', async () => {
    const form = await iyzico.createCheckout(checkoutRequest({ amountMinor: 1999 }));
    const payment = peer.setState(form.providerRef, 'success');

    const partial = await iyzico.refund!({ providerRef: form.providerRef, paymentRef: payment.paymentId, amountMinor: 999, currency: 'TRY', idempotencyKey: 'rf_1' });
    assert.equal(partial.status, 'succeeded');
    assert.ok(partial.refundRef);
    assert.deepEqual(lastBody(IYZICO_PATHS.refundV2), { locale: 'tr', conversationId: 'rf_1', paymentId: payment.paymentId, price: '9.99', currency: 'TRY', ip: '127.0.0.1' });

    // Without a paymentRef the provider looks the payment up by token first.
    const rest = await iyzico.refund!({ providerRef: form.providerRef, amountMinor: 1000, currency: 'TRY', idempotencyKey: 'rf_2' });
    assert.equal(rest.status, 'succeeded');
    assert.equal(lastBody(IYZICO_PATHS.refundV2).price, '10.0');
    assert.equal(peer.checkouts.get(form.providerRef)!.refundedMinor, 1999);

    await assert.rejects(
      iyzico.refund!({ providerRef: form.providerRef, paymentRef: payment.paymentId, amountMinor: 1, currency: 'TRY', idempotencyKey: 'rf_3' }),
      (err: unknown) => err instanceof IyzicoApiError && err.errorCode === '5131',
    );
  });

  test('a checkout that was never paid cannot be refunded', async () => {
    const form = await iyzico.createCheckout(checkoutRequest());
    await assert.rejects(iyzico.refund!({ providerRef: form.providerRef, amountMinor: 1999, currency: 'TRY', idempotencyKey: 'rf_x' }), /no payment/);
  });

  test('a scripted iyzico failure surfaces its code and message', async () => {
    peer.enqueue(IYZICO_PATHS.initialize, iyzicoError('11', 'Geçersiz istek'));
    await assert.rejects(iyzico.createCheckout(checkoutRequest()), /\(11\): Geçersiz istek/);
  });

  describe('merchant notifications', () => {
    test("iyzico's published X-IYZ-SIGNATURE-V3 example verifies", () => {
      const sandboxSecret = 'sandbox-UuLnD7wZa0a3DmytfIrwHQqAMfqCNJrs';
      const payload = {
        paymentConversationId: 'conversationId', merchantId: 3382172, token: 'e828c62d-fd12-4b1a-ad5a-380f15fe6596', status: 'SUCCESS',
        iyziReferenceCode: '77e1635c-6b39-475a-8b7b-ca15ad0cd4ac', iyziEventType: 'CHECKOUT_FORM_AUTH', iyziEventTime: 1721825036103, iyziPaymentId: 22483975,
      };
      assert.equal(iyzicoWebhookSignature(sandboxSecret, payload), '4031c575763486a2d2bf3f7ace0baebfcd6bed65393ab4df3fe80c00d5fd6878');
    });

    test('a signed SUCCESS and FAILURE map to completed and failed', async () => {
      const req = checkoutRequest();
      const form = await iyzico.createCheckout(req);
      peer.setState(form.providerRef, 'success');
      const success = peer.notification(form.providerRef, { referenceCode: 'ref-1' });
      assert.deepEqual(await iyzico.parseWebhook!(Buffer.from(success.body), success.headers, '/webhooks/iyzico'), [
        { provider: 'iyzico', eventId: 'ref-1', type: 'completed', providerRef: form.providerRef, orderId: req.orderId, amountMinor: null, currency: null },
      ]);

      peer.setState(form.providerRef, 'failure');
      const failed = peer.notification(form.providerRef);
      const [event] = await iyzico.parseWebhook!(Buffer.from(failed.body), { 'x-iyz-signature-v3': failed.headers['x-iyz-signature-v3'] }, '/');
      assert.equal(event!.type, 'failed');

      peer.setState(form.providerRef, 'pending');
      const step = peer.notification(form.providerRef);
      assert.deepEqual(await iyzico.parseWebhook!(Buffer.from(step.body), step.headers, '/'), [], 'INIT_THREEDS is a step, not an outcome');
    });

    test('forged, tampered and missing signatures are WebhookSignatureError', async () => {
      const form = await iyzico.createCheckout(checkoutRequest());
      peer.setState(form.providerRef, 'success');
      const forged = peer.notification(form.providerRef, { secret: 'sandbox-someone-else' });
      await assert.rejects(iyzico.parseWebhook!(Buffer.from(forged.body), forged.headers, '/'), WebhookSignatureError);

      const genuine = peer.notification(form.providerRef);
      const tampered = genuine.body.replace('"SUCCESS"', '"FAILURE"');
      await assert.rejects(iyzico.parseWebhook!(Buffer.from(tampered), genuine.headers, '/'), WebhookSignatureError);
      await assert.rejects(iyzico.parseWebhook!(Buffer.from(genuine.body), {}, '/'), WebhookSignatureError);
      await assert.rejects(iyzico.parseWebhook!(Buffer.from(genuine.body), { 'x-iyz-signature-v3': 'not-hex' }, '/'), WebhookSignatureError);
    });

    test('signed but malformed notifications are WebhookPayloadError', async () => {
      const sign = (fields: Record<string, unknown>) => ({ 'x-iyz-signature-v3': iyzicoWebhookSignature(secretKey, fields) });
      await assert.rejects(iyzico.parseWebhook!(Buffer.from('{not json'), sign({}), '/'), WebhookPayloadError);
      await assert.rejects(iyzico.parseWebhook!(Buffer.from('[1,2]'), sign({}), '/'), WebhookPayloadError);
      const noStatus = { token: 'tok', iyziEventType: 'CHECKOUT_FORM_AUTH', paymentConversationId: 'ord_1' };
      await assert.rejects(iyzico.parseWebhook!(Buffer.from(JSON.stringify(noStatus)), sign(noStatus), '/'), WebhookPayloadError);
    });

    test('a separate merchantWebhookSecret is used when configured', async () => {
      const provider = createIyzicoProvider({ apiKey, secretKey, baseUrl: peer.baseUrl, callbackUrl, merchantWebhookSecret: 'webhook-only-secret' });
      const payload = { token: 'tok-1', status: 'SUCCESS', iyziEventType: 'CHECKOUT_FORM_AUTH', paymentConversationId: 'ord_9', iyziPaymentId: 1 };
      const data = 'webhook-only-secret' + 'CHECKOUT_FORM_AUTH' + '1' + 'tok-1' + 'ord_9' + 'SUCCESS';
      const header = createHmac('sha256', 'webhook-only-secret').update(data).digest('hex');
      const [event] = await provider.parseWebhook!(Buffer.from(JSON.stringify(payload)), { 'x-iyz-signature-v3': header }, '/');
      assert.equal(event!.eventId, 'tok-1:CHECKOUT_FORM_AUTH:SUCCESS:1:', 'without iyziReferenceCode the id is built from stable fields');
    });
  });
});

describe('iyzico callback', () => {
  test('reads the token from the form POST in any shape', () => {
    assert.equal(parseIyzicoCallback('token=077aff05-1e9b-44aa-aa11-c268bb8b3826'), '077aff05-1e9b-44aa-aa11-c268bb8b3826');
    assert.equal(parseIyzicoCallback(Buffer.from('token=abc-1&x=y')), 'abc-1');
    assert.equal(parseIyzicoCallback({ token: 'abc-2' }), 'abc-2');
    assert.equal(parseIyzicoCallback(new URLSearchParams({ token: 'abc-3' })), 'abc-3');
  });
  test('no token, or one that is not a token, is a WebhookPayloadError', () => {
    assert.throws(() => parseIyzicoCallback(''), WebhookPayloadError);
    assert.throws(() => parseIyzicoCallback({ token: 42 }), WebhookPayloadError);
    assert.throws(() => parseIyzicoCallback('token=%3Cscript%3E'), WebhookPayloadError);
  });
});
