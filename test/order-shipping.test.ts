import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Stripe from 'stripe';
import { createStripeProvider, STRIPE_API_VERSION } from '../integrations/payments/stripe';
import type { ShippingAddress } from '../domain/shipping';
import { leadWorkflowId, stateQuery } from '../workflows/contract';
import { eventually, postMessage, sessionId } from './support/chat';
import { startStripeMock, startStripeProxy, type StripeMock, type StripeProxy } from './support/stripe-mock';
import { startStack, type Stack } from './support/stack';

const WEBHOOK_SECRET = 'whsec_test_secret_for_shipping';

/** What the customer types on Stripe Checkout, in the shape Stripe returns it (`collected_information.shipping_details`). */
const typedOnCheckout = {
  name: 'Ayşe Yılmaz',
  address: { line1: 'İstiklal Caddesi 123', line2: 'Daire 4', city: 'İstanbul', postal_code: '34430', state: 'Beyoğlu', country: 'TR' },
};

describe('shipping addresses collected by the checkout', () => {
  let stack: Stack;
  let stripeMock: StripeMock;
  let proxy: StripeProxy;
  // stripe-mock keeps no state: the proxy plays Stripe's ledger for the sessions created through it.
  const paid = new Map<string, { amount: number; currency: string }>();
  const signer = new Stripe('sk_test_signer', { apiVersion: STRIPE_API_VERSION });

  before(async () => {
    stripeMock = await startStripeMock();
    proxy = await startStripeProxy(stripeMock.url);
    proxy.rewrite = ({ method, url, status, responseBody }) => {
      const id = method === 'GET' ? decodeURIComponent(/^\/v1\/checkout\/sessions\/([^/]+)$/.exec(url.pathname)?.[1] ?? '') : '';
      const sale = paid.get(id);
      if (status !== 200 || !sale) return responseBody;
      const session = JSON.parse(responseBody) as Record<string, unknown>;
      return JSON.stringify({ ...session, id, payment_status: 'paid', status: 'complete', amount_total: sale.amount, currency: sale.currency, collected_information: { business_name: null, individual_name: null, shipping_details: typedOnCheckout } });
    };
    stack = await startStack({
      paymentProviders: [createStripeProvider({ secretKey: 'sk_test_123', webhookSecret: WEBHOOK_SECRET, apiBaseUrl: proxy.url })],
      paymentRoutes: '*:stripe',
    });
  });
  after(async () => {
    await stack.stop();
    await proxy.close();
    await stripeMock.stop();
  });

  test('a merchant that ships goods: Checkout asks for the address, and the order keeps it sealed', async () => {
    const merchant = await stack.createMerchant();
    const { headers } = await stack.member(merchant, 'admin');
    const put = (body: unknown) =>
      fetch(`${stack.apiUrl}/api/v1/settings/payments`, { method: 'PUT', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const refused = await put({ routes: null, shipping: { countries: ['tr'] } });
    assert.equal(refused.status, 400);
    assert.match(((await refused.json()) as { error: { message: string } }).error.message, /alpha-2/);
    const saved = await put({ routes: null, shipping: { countries: ['TR', 'DE'] } });
    assert.equal(saved.status, 200);
    assert.deepEqual(((await saved.json()) as { shipping: unknown }).shipping, { countries: ['TR', 'DE'] });
    // Leaving `shipping` out keeps it.
    assert.deepEqual(((await (await put({ routes: null })).json()) as { shipping: unknown }).shipping, { countries: ['TR', 'DE'] });

    const s = sessionId();
    await postMessage(stack.apiUrl, merchant, { sessionId: s, text: "I'd like the 2-person tent, I'll take it" });
    const handle = stack.client.workflow.getHandle(leadWorkflowId(merchant, 'webchat', s));
    const { pendingPayment } = await eventually(() => handle.query(stateQuery), (x) => x.pendingPayment !== null, 'a checkout', 30_000);
    const order = await stack.db('orders').where({ id: pendingPayment!.orderId }).first();
    assert.equal(order.provider, 'stripe');

    const created = proxy.exchanges.find((e) => e.method === 'POST' && e.url.pathname === '/v1/checkout/sessions' && e.body.get('client_reference_id') === order.id);
    assert.ok(created, 'a Checkout Session was created for the order');
    assert.equal(created.status, 200, 'stripe-mock accepted the request as Stripe would');
    assert.deepEqual(
      [created.body.get('shipping_address_collection[allowed_countries][0]'), created.body.get('shipping_address_collection[allowed_countries][1]')],
      ['TR', 'DE'],
    );

    // The customer pays on Checkout and types the address there.
    paid.set(order.providerRef, { amount: order.amountMinor, currency: 'usd' });
    const payload = JSON.stringify({
      id: `evt_ship_${order.id.slice(0, 8)}`,
      object: 'event',
      api_version: STRIPE_API_VERSION,
      created: Math.floor(Date.now() / 1000),
      type: 'checkout.session.completed',
      data: { object: { id: order.providerRef, object: 'checkout.session', client_reference_id: order.id, amount_total: order.amountMinor, currency: 'usd', payment_status: 'paid', status: 'complete' } },
    });
    const res = await fetch(`${stack.apiUrl}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signer.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }) },
      body: payload,
    });
    assert.equal(res.status, 200);
    await eventually(() => handle.query(stateQuery), (x) => x.stage === 'won', 'won', 20_000);

    const { shippingAddressSealed } = (await stack.db('orders').where({ id: order.id }).first('shipping_address_sealed')) as { shippingAddressSealed: string | null };
    assert.ok(shippingAddressSealed, 'the address is stored');
    assert.ok(!shippingAddressSealed.includes('İstiklal') && !shippingAddressSealed.includes('34430'), 'never in the clear');
    const opened = JSON.parse(stack.box.open(shippingAddressSealed)) as ShippingAddress;
    assert.deepEqual(opened, {
      name: 'Ayşe Yılmaz',
      line1: 'İstiklal Caddesi 123',
      line2: 'Daire 4',
      city: 'İstanbul',
      postalCode: '34430',
      state: 'Beyoğlu',
      country: 'TR',
    });
  });

  test('a merchant that does not ship: Checkout asks for no address', async () => {
    const merchant = await stack.createMerchant();
    const s = sessionId();
    await postMessage(stack.apiUrl, merchant, { sessionId: s, text: "I'd like the 2-person tent, I'll take it" });
    const handle = stack.client.workflow.getHandle(leadWorkflowId(merchant, 'webchat', s));
    const { pendingPayment } = await eventually(() => handle.query(stateQuery), (x) => x.pendingPayment !== null, 'a checkout', 30_000);
    const created = proxy.exchanges.find((e) => e.method === 'POST' && e.url.pathname === '/v1/checkout/sessions' && e.body.get('client_reference_id') === pendingPayment!.orderId);
    assert.ok(created);
    assert.equal([...created.body.keys()].filter((k) => k.startsWith('shipping_address_collection')).length, 0);
  });

  test('a provider that does not ask for the address (demo, iyzico, PayU): the link leads to our address form first', async () => {
    const merchant = await stack.createMerchant();
    const { headers } = await stack.member(merchant, 'admin');
    const saved = await fetch(`${stack.apiUrl}/api/v1/settings/payments`, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ routes: '*:demo', shipping: { countries: ['TR', 'DE'] } }),
    });
    assert.equal(saved.status, 200);
    const s = sessionId();
    await postMessage(stack.apiUrl, merchant, { sessionId: s, text: "I'd like the 2-person tent, I'll take it" });
    const handle = stack.client.workflow.getHandle(leadWorkflowId(merchant, 'webchat', s));
    const { pendingPayment } = await eventually(() => handle.query(stateQuery), (x) => x.pendingPayment !== null, 'a checkout', 30_000);
    const orderId = pendingPayment!.orderId;
    const formUrl = `${stack.apiUrl}/pay/address/${orderId}`;
    assert.equal(pendingPayment!.url, formUrl);
    assert.equal((await stack.db('orders').where({ id: orderId }).first()).checkoutUrl, `${stack.apiUrl}/pay/demo/${orderId}`, 'the provider page is kept behind it');

    const page = await fetch(formUrl);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Where should we deliver your order\?[\s\S]*<option>TR<\/option><option>DE<\/option>/);
    const post = (fields: Record<string, string>) =>
      fetch(formUrl, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
    const address = { name: 'Ayşe Yılmaz', line1: 'İstiklal Caddesi 123', line2: '', city: 'İstanbul', postalCode: '34430', country: 'TR' };
    const noCity = await post({ ...address, city: ' ' });
    assert.equal(noCity.status, 400);
    assert.match(await noCity.text(), /City is required/);
    assert.equal((await post({ ...address, country: 'US' })).status, 400, 'a country the merchant does not ship to');
    assert.equal((await stack.db('orders').where({ id: orderId }).first()).shippingAddressSealed, null, 'nothing stored for refused forms');

    const given = await post(address);
    assert.equal(given.status, 303);
    assert.equal(given.headers.get('location'), `/pay/address/${orderId}`);
    assert.match(await (await fetch(formUrl)).text(), new RegExp(`href="${stack.apiUrl}/pay/demo/${orderId}"`), 'then on to the payment page');
    const sealed = (await stack.db('orders').where({ id: orderId }).first()).shippingAddressSealed as string;
    assert.ok(!sealed.includes('İstiklal'));
    assert.deepEqual(JSON.parse(stack.box.open(sealed)), { name: 'Ayşe Yılmaz', line1: 'İstiklal Caddesi 123', line2: null, city: 'İstanbul', postalCode: '34430', state: null, country: 'TR' });

    assert.equal((await fetch(`${stack.apiUrl}/pay/address/not-an-order`)).status, 404);
  });

  test('the address page is only for orders that need it', async () => {
    const merchant = await stack.createMerchant();
    const s = sessionId();
    await postMessage(stack.apiUrl, merchant, { sessionId: s, text: "I'd like the 2-person tent, I'll take it" });
    const handle = stack.client.workflow.getHandle(leadWorkflowId(merchant, 'webchat', s));
    const { pendingPayment } = await eventually(() => handle.query(stateQuery), (x) => x.pendingPayment !== null, 'a checkout', 30_000);
    // A merchant that does not ship, an unknown order: 404.
    assert.equal((await fetch(`${stack.apiUrl}/pay/address/${pendingPayment!.orderId}`)).status, 404);
    assert.equal((await fetch(`${stack.apiUrl}/pay/address/00000000-0000-4000-8000-000000000000`)).status, 404);
  });
});
