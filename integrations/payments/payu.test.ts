import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startPayUPeer } from '../../test/peers/payu-peer';
import type { PayUOrderBody, PayUPeer, PayURefundBody } from '../../test/peers/payu-peer';
import { PayUError, createPayUProvider } from './payu';
import type { PayUConfig } from './payu';
import { WebhookPayloadError, WebhookSignatureError } from './provider';
import type { CheckoutRequest, PaymentProvider } from './provider';

const credentials = { posId: '300746', clientId: '300746', clientSecret: '2ee86a66e5d97e3fadc400c9f19b065d', secondKey: 'b6ca15b0d1020e8094d9b5f8d163db54' };

let orderSeq = 0;
function checkout(overrides: Partial<CheckoutRequest> = {}): CheckoutRequest {
  return {
    orderId: `ord_${++orderSeq}_${Date.now().toString(36)}`,
    merchantId: 'm1',
    amountMinor: 12_999,
    currency: 'PLN',
    description: 'Espresso machine × 1',
    expiresAt: new Date(Date.now() + 30 * 60_000),
    ...overrides,
  };
}

function signed(body: string, key: string, algorithm = 'MD5', hash: 'md5' | 'sha256' = 'md5') {
  const signature = createHash(hash).update(body + key).digest('hex');
  return { 'openpayu-signature': `sender=checkout;signature=${signature};algorithm=${algorithm};content=DOCUMENT` };
}

describe('PayU provider against a local PayU peer', () => {
  let peer: PayUPeer;
  let config: PayUConfig;
  let payu: PaymentProvider;

  before(async () => {
    peer = await startPayUPeer(credentials);
    config = { baseUrl: peer.baseUrl, ...credentials, notifyUrl: 'https://shop.example/webhooks/payu', continueUrl: 'https://shop.example/thanks' };
  });
  after(() => peer.close());
  beforeEach(() => {
    peer.requests.length = 0;
    payu = createPayUProvider(config);
  });

  const refundOf = (ref: string) => {
    const refund = peer.orders.get(ref)?.refunds.at(-1);
    assert.ok(refund, `a refund on ${ref}`);
    return refund;
  };

  describe('OAuth', () => {
    test('one token is fetched with the client credentials and reused', async () => {
      await Promise.all([payu.createCheckout(checkout()), payu.createCheckout(checkout())]);
      await payu.createCheckout(checkout());
      const tokens = peer.tokenRequests();
      assert.equal(tokens.length, 1);
      assert.equal(tokens[0]!.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.deepEqual(Object.fromEntries(tokens[0]!.form), {
        grant_type: 'client_credentials',
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
      });
      for (const create of peer.orderCreates()) assert.match(String(create.headers.authorization), /^Bearer [\w-]+$/);
    });

    test('a token is renewed shortly before expires_in runs out', async () => {
      const shortPeer = await startPayUPeer({ ...credentials, tokenTtlSec: 600 });
      try {
        let clock = Date.now();
        const provider = createPayUProvider({ ...config, baseUrl: shortPeer.baseUrl, now: () => clock });
        await provider.createCheckout(checkout({ expiresAt: new Date(clock + 3_600_000) }));
        clock += 530_000;
        await provider.createCheckout(checkout({ expiresAt: new Date(clock + 3_600_000) }));
        assert.equal(shortPeer.tokenRequests().length, 1, 'still valid 70 s before expiry');
        clock += 20_000;
        await provider.createCheckout(checkout({ expiresAt: new Date(clock + 3_600_000) }));
        assert.equal(shortPeer.tokenRequests().length, 2, 'renewed inside the last minute');
      } finally {
        await shortPeer.close();
      }
    });

    test('a 401 on a cached token fetches a new one and retries once', async () => {
      await payu.createCheckout(checkout());
      peer.expireTokens();
      const session = await payu.createCheckout(checkout());
      assert.ok(session.providerRef);
      assert.equal(peer.tokenRequests().length, 2);
      const [, rejected, accepted] = peer.orderCreates();
      assert.ok(rejected && accepted);
      assert.notEqual(rejected.headers.authorization, accepted.headers.authorization);
      assert.equal(peer.orderCreates().length, 3);
    });

    test('a second 401 is not retried again', async () => {
      await payu.createCheckout(checkout());
      peer.expireTokens();
      peer.enqueue({ status: 401, body: { error: 'invalid_token', error_description: 'Access token expired' } });
      // The first attempt is rejected by the expired token, the retry by the scripted 401.
      await assert.rejects(payu.createCheckout(checkout()), (err: unknown) => err instanceof PayUError && err.statusCode === 'invalid_token');
      assert.equal(peer.orderCreates().length, 3);
    });

    test('wrong client credentials are a non-retryable PayUError', async () => {
      const wrong = createPayUProvider({ ...config, clientSecret: 'not-the-secret' });
      await assert.rejects(wrong.createCheckout(checkout()), (err: unknown) => {
        assert.ok(err instanceof PayUError);
        assert.equal(err.statusCode, 'invalid_client');
        assert.equal(err.httpStatus, 401);
        assert.match(err.message, /Bad client credentials/);
        return true;
      });
      assert.equal(peer.orderCreates().length, 0);
    });
  });

  describe('createCheckout', () => {
    test('creates an order with amounts as strings of minor units and our order id as extOrderId', async () => {
      const req = checkout({
        amountMinor: 25_000,
        items: [
          { sku: 'cup', name: 'Cup', quantity: 2, unitAmountMinor: 5_000 },
          { sku: 'pot', name: 'Pot', quantity: 1, unitAmountMinor: 15_000 },
        ],
        buyer: { id: 'lead-7', name: 'Jan Maria Kowalski', email: 'jan@example.pl', phone: '+48500100200', ip: '203.0.113.9' },
        successUrl: 'https://shop.example/paid/1',
      });
      const before = Date.now();
      const session = await payu.createCheckout(req);
      const [create] = peer.orderCreates();
      assert.ok(create);
      assert.equal(create.headers['content-type'], 'application/json');
      const body = create.body as PayUOrderBody;
      const validity = Number(body.validityTime);
      assert.ok(validity > 1790 && validity <= Math.ceil((req.expiresAt.getTime() - before) / 1000), `validityTime ${validity}`);
      assert.deepEqual({ ...body, validityTime: undefined }, {
        notifyUrl: 'https://shop.example/webhooks/payu',
        continueUrl: 'https://shop.example/paid/1',
        customerIp: '203.0.113.9',
        merchantPosId: credentials.posId,
        description: req.description,
        currencyCode: 'PLN',
        totalAmount: '25000',
        extOrderId: req.orderId,
        validityTime: undefined,
        buyer: { extCustomerId: 'lead-7', email: 'jan@example.pl', phone: '+48500100200', firstName: 'Jan', lastName: 'Maria Kowalski' },
        products: [
          { name: 'Cup', unitPrice: '5000', quantity: '2' },
          { name: 'Pot', unitPrice: '15000', quantity: '1' },
        ],
      });
      assert.equal(peer.orders.get(session.providerRef)?.extOrderId, req.orderId);
    });

    test('without items, buyer or IP: one product line, loopback IP, the configured continueUrl', async () => {
      await payu.createCheckout(checkout({ amountMinor: 4_200, currency: 'eur', buyer: { id: 'lead-8' } }));
      const body = peer.orderCreates()[0]!.body as PayUOrderBody;
      assert.equal(body.customerIp, '127.0.0.1');
      assert.equal(body.continueUrl, 'https://shop.example/thanks');
      assert.equal(body.currencyCode, 'EUR');
      assert.equal(body.buyer, undefined);
      assert.deepEqual(body.products, [{ name: 'Espresso machine × 1', unitPrice: '4200', quantity: '1' }]);
    });

    test('items that do not add up to the amount (a discount) become one line for the exact total', async () => {
      await payu.createCheckout(checkout({ amountMinor: 9_000, items: [{ sku: 'cup', name: 'Cup', quantity: 2, unitAmountMinor: 5_000 }] }));
      const body = peer.orderCreates()[0]!.body as PayUOrderBody;
      assert.deepEqual(body.products, [{ name: 'Espresso machine × 1', unitPrice: '9000', quantity: '1' }]);
    });

    test('the 302 answer is read, not followed', async () => {
      const req = checkout();
      const session = await payu.createCheckout(req);
      assert.match(session.url, new RegExp(`^${peer.baseUrl}/pay/\\?orderId=${session.providerRef}&token=`));
      assert.equal(session.expiresAt, req.expiresAt);
      assert.equal(peer.requests.filter((r) => r.path.startsWith('/pay')).length, 0, 'the payment page was never fetched');
    });

    test('a second order with the same extOrderId is a clear non-retryable error', async () => {
      const req = checkout();
      await payu.createCheckout(req);
      await assert.rejects(payu.createCheckout(req), (err: unknown) => {
        assert.ok(err instanceof PayUError);
        assert.equal(err.statusCode, 'ERROR_ORDER_NOT_UNIQUE');
        assert.equal(err.httpStatus, 400);
        assert.match(err.message, /extOrderId/);
        return true;
      });
    });

    test('a value PayU rejects (wrong POS id) is a PayUError naming the field', async () => {
      const wrongPos = createPayUProvider({ ...config, posId: '999999' });
      await assert.rejects(wrongPos.createCheckout(checkout()), (err: unknown) => {
        assert.ok(err instanceof PayUError);
        assert.equal(err.statusCode, 'ERROR_VALUE_INVALID');
        assert.match(err.message, /merchantPosId/);
        return true;
      });
    });

    test('5xx and 429 answers are plain, retryable errors', async () => {
      peer.enqueue({ status: 500, body: { status: { statusCode: 'ERROR_INTERNAL', statusDesc: 'Internal error' } } });
      await assert.rejects(payu.createCheckout(checkout()), (err: unknown) => {
        assert.ok(err instanceof Error && !(err instanceof PayUError));
        assert.match(err.message, /HTTP 500.*ERROR_INTERNAL/);
        return true;
      });
      peer.enqueue({ status: 503, body: '<html>Service Unavailable</html>' });
      await assert.rejects(payu.createCheckout(checkout()), (err: unknown) => err instanceof Error && !(err instanceof PayUError));
      peer.enqueue({ status: 429, body: { status: { statusCode: 'ERROR_TOO_MANY_REQUESTS', statusDesc: 'Too many requests' } } });
      await assert.rejects(payu.createCheckout(checkout()), (err: unknown) => err instanceof Error && !(err instanceof PayUError));
    });

    test('an expired or non-integer checkout is refused before calling PayU', async () => {
      await assert.rejects(payu.createCheckout(checkout({ expiresAt: new Date(Date.now() - 1000) })), PayUError);
      await assert.rejects(payu.createCheckout(checkout({ amountMinor: 10.5 })), PayUError);
      assert.equal(peer.orderCreates().length, 0);
    });
  });

  describe('fetchStatus', () => {
    test('maps PayU order statuses, amount and currency', async () => {
      const { providerRef } = await payu.createCheckout(checkout({ amountMinor: 7_700 }));
      for (const [payuStatus, status] of [
        ['NEW', 'pending'],
        ['PENDING', 'pending'],
        ['WAITING_FOR_CONFIRMATION', 'pending'],
        ['CANCELED', 'failed'],
      ] as const) {
        peer.setOrderStatus(providerRef, payuStatus);
        assert.deepEqual(await payu.fetchStatus(providerRef), { status, amountMinor: 7_700, currency: 'PLN', paymentRef: null }, payuStatus);
      }
      peer.setOrderStatus(providerRef, 'COMPLETED');
      const paid = await payu.fetchStatus(providerRef);
      assert.equal(paid.status, 'paid');
      assert.equal(paid.amountMinor, 7_700);
      assert.equal(paid.paymentRef, peer.orders.get(providerRef)?.paymentId);
      assert.ok(paid.paymentRef);
      const get = peer.requests.find((r) => r.method === 'GET');
      assert.equal(get?.path, `/api/v2_1/orders/${providerRef}`);
      assert.match(String(get?.headers.authorization), /^Bearer /);
    });

    test('an unknown order is a PayUError', async () => {
      await assert.rejects(payu.fetchStatus('NOSUCHORDER000'), (err: unknown) => err instanceof PayUError && err.statusCode === 'DATA_NOT_FOUND');
    });
  });

  describe('refund', () => {
    async function paidOrder(amountMinor = 10_000) {
      const { providerRef } = await payu.createCheckout(checkout({ amountMinor }));
      peer.setOrderStatus(providerRef, 'COMPLETED');
      return providerRef;
    }

    test('a full refund omits the amount and carries the idempotency key as extRefundId', async () => {
      const providerRef = await paidOrder();
      const result = await payu.refund!({ providerRef, amountMinor: 10_000, currency: 'PLN', reason: 'customer changed their mind', idempotencyKey: 'rf-1' });
      const [request] = peer.refundRequests();
      assert.equal(request?.path, `/api/v2_1/orders/${providerRef}/refunds`);
      assert.deepEqual(request?.body as PayURefundBody, { refund: { description: 'customer changed their mind', extRefundId: 'rf-1' } });
      assert.deepEqual(result, { refundRef: refundOf(providerRef).refundId, status: 'pending' });
      assert.equal(refundOf(providerRef).amount, '10000');
    });

    test('a partial refund sends the amount as a string of minor units', async () => {
      const providerRef = await paidOrder();
      const result = await payu.refund!({ providerRef, amountMinor: 2_500, currency: 'pln', idempotencyKey: 'rf-2' });
      assert.deepEqual(peer.refundRequests()[0]?.body as PayURefundBody, { refund: { description: 'Refund', amount: '2500', extRefundId: 'rf-2' } });
      assert.equal(result.status, 'pending');
      assert.equal(refundOf(providerRef).amount, '2500');
    });

    test('a retried refund with the same key does not refund twice', async () => {
      const providerRef = await paidOrder();
      const first = await payu.refund!({ providerRef, amountMinor: 1_000, currency: 'PLN', idempotencyKey: 'rf-3' });
      const again = await payu.refund!({ providerRef, amountMinor: 1_000, currency: 'PLN', idempotencyKey: 'rf-3' });
      assert.equal(again.refundRef, first.refundRef);
      assert.equal(peer.orders.get(providerRef)?.refunds.length, 1);
    });

    test('FINALIZED and CANCELED refund answers map to succeeded and failed', async () => {
      const providerRef = await paidOrder();
      // A refund reads the order first, so the script answers both calls.
      const retrieved = { status: 200, body: { orders: [{ orderId: providerRef, totalAmount: '10000', currencyCode: 'PLN', status: 'COMPLETED' }], status: { statusCode: 'SUCCESS' } } };
      const refunded = (status: string) => ({
        status: 200,
        body: { orderId: providerRef, refund: { refundId: '77', extRefundId: `rf-${status}`, amount: '100', currencyCode: 'PLN', status }, status: { statusCode: 'SUCCESS', statusDesc: 'Refund queued for processing' } },
      });
      for (const [status, expected] of [['FINALIZED', 'succeeded'], ['CANCELED', 'failed']] as const) {
        peer.enqueue(retrieved, refunded(status));
        assert.deepEqual(await payu.refund!({ providerRef, amountMinor: 100, currency: 'PLN', idempotencyKey: `rf-${status}` }), { refundRef: '77', status: expected });
      }
    });

    test('more than the order, or another currency, is refused before calling PayU', async () => {
      const providerRef = await paidOrder(5_000);
      await assert.rejects(payu.refund!({ providerRef, amountMinor: 5_001, currency: 'PLN', idempotencyKey: 'rf-4' }), PayUError);
      await assert.rejects(payu.refund!({ providerRef, amountMinor: 100, currency: 'EUR', idempotencyKey: 'rf-5' }), PayUError);
      assert.equal(peer.refundRequests().length, 0);
    });

    test("PayU's business refusal is a PayUError", async () => {
      const { providerRef } = await payu.createCheckout(checkout());
      await assert.rejects(payu.refund!({ providerRef, amountMinor: 100, currency: 'PLN', idempotencyKey: 'rf-6' }), (err: unknown) => err instanceof PayUError && err.statusCode === 'OPENPAYU_BUSINESS_ERROR');
    });
  });

  describe('parseWebhook', () => {
    test('a COMPLETED order notification signed with MD5 is a completed event', async () => {
      const req = checkout({ amountMinor: 3_300 });
      const { providerRef } = await payu.createCheckout(req);
      peer.setOrderStatus(providerRef, 'COMPLETED');
      const { body, headers } = peer.orderNotification(providerRef, 'MD5');
      const events = await payu.parseWebhook!(Buffer.from(body), headers, config.notifyUrl);
      assert.deepEqual(events, [
        { provider: 'payu', eventId: `${providerRef}:COMPLETED`, type: 'completed', providerRef, orderId: req.orderId, amountMinor: 3_300, currency: 'PLN' },
      ]);
      const resent = await payu.parseWebhook!(Buffer.from(body), headers, config.notifyUrl);
      assert.equal(resent[0]?.eventId, events[0]?.eventId, 'a resent notification dedupes');
    });

    test('SHA-256 and SHA256 signatures verify; CANCELED is failed; other statuses are ignored', async () => {
      const { providerRef } = await payu.createCheckout(checkout());
      peer.setOrderStatus(providerRef, 'CANCELED');
      for (const algorithm of ['SHA-256', 'SHA256'] as const) {
        const { body, headers } = peer.orderNotification(providerRef, algorithm);
        const [event] = await payu.parseWebhook!(Buffer.from(body), headers, config.notifyUrl);
        assert.equal(event?.type, 'failed');
        assert.equal(event?.eventId, `${providerRef}:CANCELED`);
      }
      for (const status of ['NEW', 'PENDING', 'WAITING_FOR_CONFIRMATION'] as const) {
        peer.setOrderStatus(providerRef, status);
        const { body, headers } = peer.orderNotification(providerRef);
        assert.deepEqual(await payu.parseWebhook!(Buffer.from(body), headers, config.notifyUrl), [], status);
      }
    });

    test('the X-OpenPayU-Signature spelling and upper-case hex are accepted', async () => {
      const body = JSON.stringify({ order: { orderId: 'A1', extOrderId: 'o1', totalAmount: '100', currencyCode: 'PLN', status: 'COMPLETED' } });
      const header = signed(body, credentials.secondKey)['openpayu-signature'].replace(/signature=(\w+)/, (_m, hex: string) => `signature=${hex.toUpperCase()}`);
      const events = await payu.parseWebhook!(Buffer.from(body), { 'X-OpenPayU-Signature': header }, config.notifyUrl);
      assert.equal(events[0]?.type, 'completed');
    });

    test('forged, tampered, missing and unsupported-algorithm signatures are WebhookSignatureErrors', async () => {
      const body = JSON.stringify({ order: { orderId: 'A1', extOrderId: 'o1', totalAmount: '100', currencyCode: 'PLN', status: 'COMPLETED' } });
      const raw = Buffer.from(body);
      const cases: [string, Record<string, string>, Buffer][] = [
        ['another key', signed(body, 'not-the-second-key'), raw],
        ['tampered body', signed(body, credentials.secondKey), Buffer.from(body.replace('"100"', '"1"'))],
        ['missing header', {}, raw],
        ['SHA-512 is not accepted', signed(body, credentials.secondKey, 'SHA-512', 'sha256'), raw],
        ['MD5 hash labelled SHA-256', signed(body, credentials.secondKey, 'SHA-256', 'md5'), raw],
        ['no algorithm', { 'openpayu-signature': `sender=checkout;signature=${createHash('md5').update(body + credentials.secondKey).digest('hex')}` }, raw],
        ['garbage', { 'openpayu-signature': 'garbage' }, raw],
        ['non-hex signature', { 'openpayu-signature': 'signature=zz;algorithm=MD5' }, raw],
      ];
      for (const [name, headers, rawBody] of cases) {
        await assert.rejects(payu.parseWebhook!(rawBody, headers, config.notifyUrl), WebhookSignatureError, name);
      }
    });

    test('signed but malformed notifications are WebhookPayloadErrors', async () => {
      for (const body of [
        'not json',
        JSON.stringify({ hello: 'world' }),
        JSON.stringify({ order: { orderId: 'A1', totalAmount: 100, currencyCode: 'PLN', status: 'COMPLETED' } }),
        JSON.stringify({ orderId: 'A1', refund: { refundId: 'r1', amount: '1.50', currencyCode: 'PLN', status: 'FINALIZED' } }),
      ]) {
        await assert.rejects(payu.parseWebhook!(Buffer.from(body), signed(body, credentials.secondKey), config.notifyUrl), WebhookPayloadError, body);
      }
    });

    test('a FINALIZED refund notification is a refunded event; a CANCELED one is ignored', async () => {
      const req = checkout({ amountMinor: 8_000 });
      const { providerRef } = await payu.createCheckout(req);
      peer.setOrderStatus(providerRef, 'COMPLETED');
      const { refundRef } = await payu.refund!({ providerRef, amountMinor: 3_000, currency: 'PLN', idempotencyKey: 'rf-w1' });
      peer.setRefundStatus(providerRef, refundRef, 'FINALIZED');
      const finalized = peer.refundNotification(providerRef, refundRef, 'SHA-256');
      assert.deepEqual(await payu.parseWebhook!(Buffer.from(finalized.body), finalized.headers, config.notifyUrl), [
        { provider: 'payu', eventId: `refund:${refundRef}:FINALIZED`, type: 'refunded', providerRef, orderId: req.orderId, amountMinor: 3_000, currency: 'PLN' },
      ]);
      peer.setRefundStatus(providerRef, refundRef, 'CANCELED');
      const canceled = peer.refundNotification(providerRef, refundRef);
      assert.deepEqual(await payu.parseWebhook!(Buffer.from(canceled.body), canceled.headers, config.notifyUrl), []);
    });
  });
});
