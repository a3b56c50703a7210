import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { IYZICO_PATHS, startIyzicoPeer, type IyzicoPeer } from '../../test/peers/iyzico-peer';
import { callSdk, createIyzicoProvider, fromIyzicoPrice, iyzicoSdk, IyzicoApiError, marketplaceSplit } from './iyzico';
import { checkIyzicoKeys, createIyzicoSubMerchants, type IyzicoSubMerchantDetails } from './iyzico-accounts';
import type { CheckoutRequest } from './provider';

const platform = { apiKey: 'sandbox-platform-api-key', secretKey: 'sandbox-platform-secret-key' };
const shop = { apiKey: 'sandbox-shop-own-api-key', secretKey: 'sandbox-shop-own-secret-key' };
const callbackUrl = 'https://shop.example/payments/iyzico/callback';
type Body = Record<string, unknown>;

const personal: IyzicoSubMerchantDetails = {
  type: 'PERSONAL',
  name: "Ayşe's ceramics",
  email: 'ayse@ceramics.example',
  gsmNumber: '+905350000000',
  address: 'Nidakule Göztepe, Merdivenköy Mah. Bora Sok. No:1',
  iban: 'TR180006200119000006672315',
  currency: 'TRY',
  contactName: 'Ayşe',
  contactSurname: 'Yılmaz',
  identityNumber: '31300864726',
};

function checkoutRequest(overrides: Partial<CheckoutRequest> = {}): CheckoutRequest {
  return {
    orderId: `ord_${Math.random().toString(36).slice(2, 10)}`,
    merchantId: 'm_1',
    amountMinor: 10_000,
    currency: 'TRY',
    description: 'Vase',
    expiresAt: new Date(Date.now() + 3600_000),
    ...overrides,
  };
}

describe('marketplace split', () => {
  test('the platform fee is spread over the lines so the parts add up exactly', () => {
    assert.deepEqual(marketplaceSplit([1000, 2000, 3000], 600), [900, 1800, 2700]);
    // 100 over three equal lines: 34 + 33 + 33, the extra cent on the first line.
    assert.deepEqual(marketplaceSplit([1000, 1000, 1000], 100), [966, 967, 967]);
    assert.deepEqual(marketplaceSplit([999], 0), [999]);
    assert.deepEqual(marketplaceSplit([1, 99], 100), [0, 0]);
    assert.throws(() => marketplaceSplit([100], 101), RangeError);
    assert.throws(() => marketplaceSplit([100], -1), RangeError);
    assert.throws(() => marketplaceSplit([100], 1.5), RangeError);
  });

  test('for many baskets, shares sum to total minus fee and no line gives more than itself', () => {
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 2_000; round++) {
      const prices = Array.from({ length: 1 + next(6) }, () => 1 + next(round % 2 ? 50 : 5_000_000));
      const total = prices.reduce((a, b) => a + b, 0);
      const fee = next(total + 1);
      const shares = marketplaceSplit(prices, fee);
      assert.equal(shares.reduce((a, b) => a + b, 0), total - fee, `basket ${prices.join(',')} fee ${fee}`);
      shares.forEach((share, i) => assert.ok(share >= 0 && share <= prices[i]!, `line ${i} of ${prices.join(',')} fee ${fee}`));
    }
    // Amounts far beyond what floats multiply exactly.
    const big = [900_000_000_000_001, 99_999_999_999_999];
    const shares = marketplaceSplit(big, 123_456_789_012_345);
    assert.equal(shares[0]! + shares[1]!, 900_000_000_000_001 + 99_999_999_999_999 - 123_456_789_012_345);
  });
});

describe('iyzico marketplace against the local iyzico peer', () => {
  let peer: IyzicoPeer;
  const subMerchants = () => createIyzicoSubMerchants({ ...platform, baseUrl: peer.baseUrl });

  before(async () => {
    peer = await startIyzicoPeer({ ...platform });
    peer.addAccount(shop);
  });
  after(() => peer.close());

  const lastBody = (path: string) => peer.requestsTo(path).at(-1)!.body as Body;

  test('registers a personal sub-merchant with the fields iyzico requires, and updates it', async () => {
    const key = await subMerchants().create('merchant-personal', personal);
    const stored = peer.subMerchants.get(key)!;
    assert.equal(stored.apiKey, platform.apiKey, 'registered under the platform account');
    assert.equal(stored.type, 'PERSONAL');
    const sent = lastBody(IYZICO_PATHS.subMerchant);
    assert.equal(sent.subMerchantExternalId, 'merchant-personal');
    assert.equal(sent.iban, personal.iban);
    assert.equal(sent.taxOffice, undefined, 'fields of other types are not sent');

    await subMerchants().update(key, { ...personal, address: 'Kadıköy, İstanbul' });
    assert.equal(peer.subMerchants.get(key)!.fields.address, 'Kadıköy, İstanbul');
    assert.equal(peer.requestsTo(IYZICO_PATHS.subMerchant).at(-1)!.method, 'PUT');

    assert.deepEqual(await subMerchants().retrieve('merchant-personal'), { subMerchantKey: key, type: 'PERSONAL' });
    assert.equal(await subMerchants().retrieve('never-registered'), null);
  });

  test('companies need their tax fields; iyzico refusals arrive as IyzicoApiError', async () => {
    const company: IyzicoSubMerchantDetails = {
      ...personal,
      type: 'LIMITED_OR_JOINT_STOCK_COMPANY',
      taxOffice: 'Kadıköy',
      taxNumber: '1234567890',
      legalCompanyTitle: 'Seramik A.Ş.',
    };
    assert.ok(await subMerchants().create('merchant-company', company));
    await assert.rejects(subMerchants().create('merchant-company-2', { ...company, taxNumber: undefined }), (err: IyzicoApiError) => {
      assert.ok(err instanceof IyzicoApiError);
      assert.match(err.message, /taxNumber/);
      return true;
    });
    await assert.rejects(subMerchants().create('merchant-bad-iban', { ...personal, iban: 'TR180006200119000006672316' }), /IBAN/);
    await assert.rejects(subMerchants().create('merchant-company', company), /2002/, 'the same external id twice');
  });

  test('a checkout for a sub-merchant names it on every line with its share after the platform fee', async () => {
    const key = await subMerchants().create('merchant-split', personal);
    const iyzico = createIyzicoProvider({ ...platform, baseUrl: peer.baseUrl, callbackUrl, subMerchantKey: key });
    const req = checkoutRequest({
      amountMinor: 1000 + 2 * 1000 + 1,
      platformFeeMinor: 100,
      items: [
        { sku: 'VASE', name: 'Vase', quantity: 1, unitAmountMinor: 1000 },
        { sku: 'CUP', name: 'Cup', quantity: 2, unitAmountMinor: 1000 },
        { sku: 'PIN', name: 'Pin', quantity: 1, unitAmountMinor: 1 },
      ],
    });
    const session = await iyzico.createCheckout(req);
    assert.equal(peer.checkouts.get(session.providerRef)!.apiKey, platform.apiKey);
    const lines = lastBody(IYZICO_PATHS.initialize).basketItems as Body[];
    assert.deepEqual(lines.map((l) => l.subMerchantKey), [key, key, key]);
    const shares = lines.map((l) => fromIyzicoPrice(l.subMerchantPrice as string));
    assert.deepEqual(shares, [967, 1933, 1], "the extra cent goes to the line with the largest remainder");
    assert.equal(shares.reduce((a, b) => a + b, 0), req.amountMinor - 100, 'the merchant gets the amount minus the fee, to the cent');

    peer.setState(session.providerRef, 'success');
    assert.equal((await iyzico.fetchStatus(session.providerRef)).status, 'paid');
  });

  test('a fee larger than the amount is refused before iyzico is asked', async () => {
    const iyzico = createIyzicoProvider({ ...platform, baseUrl: peer.baseUrl, callbackUrl, subMerchantKey: 'any' });
    const before = peer.requests.length;
    await assert.rejects(iyzico.createCheckout(checkoutRequest({ amountMinor: 100, platformFeeMinor: 101 })), IyzicoApiError);
    assert.equal(peer.requests.length, before);
  });

  test('the peer rejects baskets whose split does not add up, in iyzico’s error shape', async () => {
    const key = await subMerchants().create('merchant-bad-splits', personal);
    const sdk = iyzicoSdk<{ checkoutFormInitialize: { create(r: object, cb: (e: Error | null, r: unknown) => void): void } }>({ ...platform, baseUrl: peer.baseUrl });
    const form = (items: Body[], price: string) => ({
      locale: 'tr',
      conversationId: 'split-check',
      price,
      paidPrice: price,
      currency: 'TRY',
      basketId: 'split-check',
      paymentGroup: 'PRODUCT',
      callbackUrl,
      buyer: { id: 'b', name: 'A', surname: 'B', email: 'a@b.invalid', identityNumber: '11111111111', registrationAddress: 'x', city: 'Istanbul', country: 'Turkey', ip: '127.0.0.1' },
      shippingAddress: { contactName: 'A B', city: 'Istanbul', country: 'Turkey', address: 'x' },
      billingAddress: { contactName: 'A B', city: 'Istanbul', country: 'Turkey', address: 'x' },
      basketItems: items.map((item, i) => ({ id: `i${i}`, name: `Item ${i}`, category1: 'General', itemType: 'PHYSICAL', ...item })),
    });
    const attempt = async (items: Body[], price: string) => (await callSdk(sdk.checkoutFormInitialize, 'create', form(items, price))) as Body;

    const ok = await attempt([{ price: '10.00', subMerchantKey: key, subMerchantPrice: '9.00' }], '10.00');
    assert.equal(ok.status, 'success');

    const cases: Array<[string, Body[], string, RegExp]> = [
      ['share above the line', [{ price: '10.00', subMerchantKey: key, subMerchantPrice: '10.01' }], '10.00', /büyük olamaz/],
      ['unknown sub-merchant', [{ price: '10.00', subMerchantKey: 'not-a-key', subMerchantPrice: '9.00' }], '10.00', /bulunamadı/],
      ['basket total is not the price', [{ price: '10.00', subMerchantKey: key, subMerchantPrice: '9.00' }], '12.00', /Sepet tutarı/],
      ['a line without its share', [{ price: '5.00', subMerchantKey: key, subMerchantPrice: '4.00' }, { price: '5.00', subMerchantKey: key }], '10.00', /subMerchantPrice/],
      ['a line without its sub-merchant', [{ price: '5.00', subMerchantKey: key, subMerchantPrice: '4.00' }, { price: '5.00', subMerchantPrice: '4.00' }], '10.00', /subMerchantKey/],
    ];
    for (const [what, items, price, message] of cases) {
      const answer = await attempt(items, price);
      assert.equal(answer.status, 'failure', what);
      assert.equal(typeof answer.errorCode, 'string', what);
      assert.match(String(answer.errorMessage), message, what);
      assert.ok(typeof answer.systemTime === 'number' && answer.locale === 'tr', `${what}: iyzico's envelope`);
    }

    // Another account's sub-merchant is unknown to this one.
    const own = iyzicoSdk<{ checkoutFormInitialize: { create(r: object, cb: (e: Error | null, r: unknown) => void): void } }>({ ...shop, baseUrl: peer.baseUrl });
    const foreign = (await callSdk(own.checkoutFormInitialize, 'create', form([{ price: '10.00', subMerchantKey: key, subMerchantPrice: '9.00' }], '10.00'))) as Body;
    assert.equal(foreign.status, 'failure');
  });

  test('a marketplace account must split every basket: a plain one is refused', async () => {
    const marketplace = await startIyzicoPeer({ ...platform, marketplace: true });
    try {
      const plain = createIyzicoProvider({ ...platform, baseUrl: marketplace.baseUrl, callbackUrl });
      await assert.rejects(plain.createCheckout(checkoutRequest()), (err: IyzicoApiError) => err instanceof IyzicoApiError && /subMerchantKey/.test(err.message));
      const key = await createIyzicoSubMerchants({ ...platform, baseUrl: marketplace.baseUrl }).create('merchant-on-marketplace', personal);
      const split = createIyzicoProvider({ ...platform, baseUrl: marketplace.baseUrl, callbackUrl, subMerchantKey: key });
      assert.ok((await split.createCheckout(checkoutRequest({ platformFeeMinor: 500 }))).providerRef);
    } finally {
      await marketplace.close();
    }
  });

  test("a merchant's own keys: the checkout is made and read with them, and the platform cannot read it", async () => {
    const own = createIyzicoProvider({ ...shop, baseUrl: peer.baseUrl, callbackUrl, accountId: 'acct-own' });
    assert.equal(own.accountId, 'acct-own');
    const session = await own.createCheckout(checkoutRequest());
    assert.equal(peer.checkouts.get(session.providerRef)!.apiKey, shop.apiKey);
    assert.equal(lastBody(IYZICO_PATHS.initialize).basketItems instanceof Array && (lastBody(IYZICO_PATHS.initialize).basketItems as Body[])[0]!.subMerchantKey, undefined);
    peer.setState(session.providerRef, 'success');
    assert.equal((await own.fetchStatus(session.providerRef)).status, 'paid');

    const platformProvider = createIyzicoProvider({ ...platform, baseUrl: peer.baseUrl, callbackUrl });
    await assert.rejects(platformProvider.fetchStatus(session.providerRef), IyzicoApiError);

    // The notification is signed with the shop's own secret: its provider accepts it, the platform's does not.
    const { body, headers } = peer.notification(session.providerRef);
    assert.equal((await own.parseWebhook!(Buffer.from(body), headers, '/'))[0]!.type, 'completed');
    await assert.rejects(platformProvider.parseWebhook!(Buffer.from(body), headers, '/'), /signature/);
  });

  test('keys are proved with an authenticated BIN lookup', async () => {
    assert.deepEqual(await checkIyzicoKeys({ ...shop, baseUrl: peer.baseUrl }), { ok: true });
    assert.equal(peer.requestsTo(IYZICO_PATHS.binCheck).at(-1)!.body!.binNumber, '554960');
    const wrongSecret = await checkIyzicoKeys({ ...shop, secretKey: 'sandbox-wrong-secret', baseUrl: peer.baseUrl });
    assert.equal(wrongSecret.ok, false);
    assert.match(!wrongSecret.ok ? wrongSecret.reason : '', /1000/);
    const unknownKey = await checkIyzicoKeys({ apiKey: 'sandbox-nobody', secretKey: 'x', baseUrl: peer.baseUrl });
    assert.equal(unknownKey.ok, false);
    await assert.rejects(checkIyzicoKeys({ ...shop, baseUrl: 'http://127.0.0.1:9' }));
  });
});
