/**
 * Stripe Connect end to end against stripe-mock: a merchant connects through the API, onboarding brings the
 * account's state back, Connect events are routed by their `account` to that merchant only, and refunds of orders
 * paid on a connected account act on that account with the application fee as the plan says.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import { planFor, setSubscription } from '../db/queries/billing';
import { marketplaceFee } from '../domain/billing';
import { createStripeProvider } from '../integrations/payments/stripe';
import { createStripeConnect } from '../integrations/payments/stripe-connect';
import { checkoutWorkflowId, leadWorkflowId, stateQuery } from '../workflows/contract';
import { eventually, getTranscript, postMessage, sessionId } from './support/chat';
import { signStripeWebhook, stripeEvent, stripeMockForSuite } from './support/stripe-mock';
import { startStack, type Stack } from './support/stack';

const CONNECT_SECRET = 'whsec_connect_secret_for_the_suite';
const SECRET_KEY = 'sk_test_123';

/** How Stripe would describe an account at each step of onboarding. */
const PENDING = { charges_enabled: false, payouts_enabled: false, details_submitted: false, requirements: { currently_due: ['external_account', 'tos_acceptance.date'], past_due: [], eventually_due: [], disabled_reason: 'requirements.past_due', current_deadline: null } };
const ACTIVE = { charges_enabled: true, payouts_enabled: true, details_submitted: true, requirements: { currently_due: [], past_due: [], eventually_due: [], disabled_reason: null, current_deadline: null } };
const RESTRICTED = { charges_enabled: false, payouts_enabled: false, details_submitted: true, requirements: { currently_due: ['individual.verification.document'], past_due: ['individual.verification.document'], eventually_due: [], disabled_reason: 'requirements.past_due', current_deadline: null } };

/** Rows come back camelCase (db/knex.ts). */
interface AccountRow {
  id: string;
  merchantId: string;
  externalRef: string;
  status: string;
  details: Record<string, unknown>;
}

describe('Stripe Connect: onboarding, events routed by account, refunds on the connected account', () => {
  const mock = stripeMockForSuite();
  let stack: Stack;
  /** The ledger Stripe would keep and stripe-mock does not: accounts' states and which session a PaymentIntent paid. */
  const accounts = new Map<string, Record<string, unknown>>();
  const sessionsByPaymentIntent = new Map<string, { id: string; orderId: string }>();
  /** Checkout Sessions created through the proxy, on the account whose Stripe-Account header created them. */
  const sessions = new Map<string, { account: string | null; amount: number; currency: string; paid: boolean }>();
  /** Application fees the platform took, and how much of each it has given back. */
  const applicationFees = new Map<string, { amount: number; refunded: number }>();
  let nextAccount = 0;

  before(async () => {
    const apiBaseUrl = mock.proxy.url;
    mock.proxy.rewrite = ({ method, url, headers, body: form, status, responseBody }) => {
      if (status !== 200) return responseBody;
      const json = JSON.parse(responseBody) as Record<string, unknown>;
      const onAccount = (headers['stripe-account'] as string | undefined) ?? null;
      if (method === 'POST' && url.pathname === '/v1/checkout/sessions') {
        const id = `cs_test_${randomUUID().replaceAll('-', '')}`;
        const amount = Number(form.get('line_items[0][price_data][unit_amount]')) * Number(form.get('line_items[0][quantity]') ?? '1');
        sessions.set(id, { account: onAccount, amount, currency: form.get('line_items[0][price_data][currency]') ?? 'usd', paid: false });
        return JSON.stringify({ ...json, id });
      }
      const sessionId = method === 'GET' ? decodeURIComponent(/^\/v1\/checkout\/sessions\/([^/]+)$/.exec(url.pathname)?.[1] ?? '') : '';
      const known = sessions.get(sessionId);
      // A session lives on the account that created it; asked for on another account, Stripe would not know it.
      if (known && known.account === onAccount) {
        return JSON.stringify({ ...json, id: sessionId, amount_total: known.amount, currency: known.currency, ...(known.paid ? { payment_status: 'paid', status: 'complete', payment_intent: `pi_${sessionId.slice(-16)}` } : {}) });
      }
      if (method === 'POST' && url.pathname === '/v1/accounts') {
        // stripe-mock answers every create with one fixture id; Stripe gives each merchant its own account.
        const id = `acct_1Suite${String(++nextAccount).padStart(10, '0')}`;
        accounts.set(id, PENDING);
        return JSON.stringify({ ...json, id, ...PENDING });
      }
      const fee = /^\/v1\/application_fees\/(fee_\w+)(\/refunds)?$/.exec(url.pathname);
      if (fee && applicationFees.has(fee[1]!)) {
        const known = applicationFees.get(fee[1]!)!;
        if (method === 'POST' && fee[2]) known.refunded += Number(form.get('amount'));
        if (method === 'GET' && !fee[2]) return JSON.stringify({ ...json, id: fee[1], amount: known.amount, amount_refunded: known.refunded });
      }
      const retrieved = method === 'GET' ? /^\/v1\/accounts\/(acct_\w+)$/.exec(url.pathname)?.[1] : undefined;
      if (retrieved && accounts.has(retrieved)) return JSON.stringify({ ...json, id: retrieved, ...accounts.get(retrieved) });
      if (method === 'GET' && url.pathname === '/v1/checkout/sessions' && url.searchParams.has('payment_intent')) {
        const found = sessionsByPaymentIntent.get(url.searchParams.get('payment_intent')!);
        const list = json as { data: Record<string, unknown>[] };
        return JSON.stringify({ ...list, data: found ? [{ ...list.data[0], id: found.id, client_reference_id: found.orderId, payment_intent: url.searchParams.get('payment_intent') }] : [] });
      }
      return responseBody;
    };
    stack = await startStack({
      noWorker: true,
      stripeConnect: createStripeConnect({ secretKey: SECRET_KEY, accountType: 'express', webhookSecret: CONNECT_SECRET, apiBaseUrl }),
      paymentAccounts: {
        factories: { stripe: (account) => createStripeProvider({ secretKey: SECRET_KEY, apiBaseUrl, connectedAccount: { paymentAccountId: account.id, stripeAccount: account.externalRef! } }) },
      },
    });
  });
  after(async () => {
    await stack?.stop();
  });

  const api = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) => fetch(`${stack.apiUrl}${path}`, { redirect: 'manual', ...init });
  const connect = async (merchantId: string, role: 'owner' | 'admin' | 'agent' = 'admin') => {
    const { headers, email } = await stack.member(merchantId, role);
    const res = await api('/api/v1/payment-accounts/stripe/connect', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ country: 'US' }) });
    return { res, email, headers };
  };
  const accountRow = async (merchantId: string) => (await stack.db('payment_accounts').where({ merchant_id: merchantId, provider: 'stripe' }).first()) as AccountRow;
  const deliver = (type: string, object: Record<string, unknown>, account: string | null, opts: { secret?: string; id?: string } = {}) => {
    const payload = JSON.stringify({ ...(JSON.parse(stripeEvent(type, object, opts.id ?? `evt_${randomUUID().replaceAll('-', '')}`)) as object), account });
    const { raw, header } = signStripeWebhook(payload, opts.secret ?? CONNECT_SECRET);
    return api('/webhooks/stripe/connect', { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': header }, body: raw });
  };
  const activeMerchant = async () => {
    const merchantId = await stack.createMerchant();
    const { res } = await connect(merchantId);
    assert.equal(res.status, 200);
    const row = await accountRow(merchantId);
    accounts.set(row.externalRef, ACTIVE);
    assert.equal((await api(`/payments/stripe/connect/${row.id}/return`)).status, 303);
    return { merchantId, account: await accountRow(merchantId) };
  };
  const paidOrder = async (merchantId: string, paymentAccountId: string | null, extra: Record<string, unknown> = {}) => {
    const conversationId = `lead:${merchantId}:webchat:${randomUUID()}`;
    await stack.db('conversations').insert({ id: conversationId, merchant_id: merchantId, channel: 'webchat', customer_key: randomUUID() });
    const id = randomUUID();
    const session = `cs_test_${id.replaceAll('-', '')}`;
    const paymentIntent = `pi_${id.replaceAll('-', '').slice(0, 20)}`;
    await stack.db('orders').insert({
      id, merchant_id: merchantId, conversation_id: conversationId, sku: 'TENT-2P', quantity: 1, amount_minor: 10_000, currency: 'USD',
      status: 'paid', provider: 'stripe', provider_ref: session, payment_ref: paymentIntent, paid_at: new Date(), platform_fee_minor: 200, payment_account_id: paymentAccountId, ...extra,
    });
    sessionsByPaymentIntent.set(paymentIntent, { id: session, orderId: id });
    return { id, session, paymentIntent, conversationId };
  };
  const order = async (id: string) => (await stack.db('orders').where({ id }).first()) as { status: string; refundedMinor: number };
  const eventStored = async (eventId: string) => Boolean(await stack.db('webhook_events').where({ provider: 'stripe', event_id: eventId }).first());
  const checkoutStarted = async (orderId: string) => {
    try {
      await stack.client.workflow.getHandle(checkoutWorkflowId(orderId)).describe();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  };

  describe('onboarding', () => {
    test('an admin connects: an Express account is created for the merchant and Stripe onboarding links back to the API', async () => {
      const merchantId = await stack.createMerchant();
      const { res, email } = await connect(merchantId);
      assert.equal(res.status, 200);
      const body = (await res.json()) as { url: string; expiresAt: string; account: { id: string; status: string; externalRef: string; kind: string } };
      assert.match(body.url, /^https:\/\//);
      assert.equal(body.account.kind, 'connect');
      assert.equal(body.account.status, 'pending');

      const created = mock.last('POST', '/v1/accounts')!;
      assert.equal(created.body.get('type'), 'express');
      assert.equal(created.body.get('metadata[merchantId]'), merchantId);
      assert.equal(created.body.get('email'), email);
      assert.equal(created.body.get('country'), 'US');
      assert.equal(created.headers['idempotency-key'], `connect-account:${merchantId}`);
      const row = await accountRow(merchantId);
      assert.equal(row.externalRef, body.account.externalRef);
      assert.match(row.externalRef, /^acct_1Suite/);
      assert.deepEqual((row.details as { requirements: { currentlyDue: string[] } }).requirements.currentlyDue, ['external_account', 'tos_acceptance.date']);

      const link = mock.last('POST', '/v1/account_links')!.body;
      assert.equal(link.get('account'), row.externalRef);
      assert.equal(link.get('type'), 'account_onboarding');
      assert.equal(link.get('refresh_url'), `${stack.apiUrl}/payments/stripe/connect/${row.id}/refresh`);
      assert.equal(link.get('return_url'), `${stack.apiUrl}/payments/stripe/connect/${row.id}/return`);

      // Clicking again continues the same account's onboarding with a fresh link.
      const creates = mock.proxy.exchanges.filter((e) => e.method === 'POST' && e.url.pathname === '/v1/accounts').length;
      const again = await connect(merchantId, 'owner');
      assert.equal(again.res.status, 200);
      assert.equal(((await again.res.json()) as { account: { id: string } }).account.id, row.id);
      assert.equal(mock.proxy.exchanges.filter((e) => e.method === 'POST' && e.url.pathname === '/v1/accounts').length, creates);
    });

    test('an agent may not connect, and a viewer sees the accounts without any secret', async () => {
      const merchantId = await stack.createMerchant();
      assert.equal((await connect(merchantId, 'agent')).res.status, 403);
      assert.equal(await accountRow(merchantId), undefined);
      await connect(merchantId);
      const { headers } = await stack.member(merchantId, 'viewer');
      const res = await api('/api/v1/payment-accounts', { headers });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { stripeConnect: boolean; items: Record<string, unknown>[] };
      assert.equal(body.stripeConnect, true);
      assert.equal(body.items.length, 1);
      assert.deepEqual(Object.keys(body.items[0]!).sort(), ['createdAt', 'details', 'externalRef', 'id', 'kind', 'provider', 'status', 'updatedAt']);
    });

    test("returning from Stripe checks the account and lands on the dashboard; an unknown account is 404", async () => {
      const merchantId = await stack.createMerchant();
      await connect(merchantId);
      const row = await accountRow(merchantId);
      accounts.set(row.externalRef, ACTIVE);
      const back = await api(`/payments/stripe/connect/${row.id}/return`);
      assert.equal(back.status, 303);
      assert.equal(back.headers.get('location'), '/app/settings/payments?stripe=return');
      const after = await accountRow(merchantId);
      assert.equal(after.status, 'active');
      assert.equal(after.details.chargesEnabled, true);
      assert.equal(mock.last('GET', `/v1/accounts/${row.externalRef}`)?.status, 200);

      accounts.set(row.externalRef, PENDING);
      const refresh = await api(`/payments/stripe/connect/${row.id}/refresh`);
      assert.equal(refresh.headers.get('location'), '/app/settings/payments?stripe=refresh');
      assert.equal((await accountRow(merchantId)).status, 'pending');

      assert.equal((await api(`/payments/stripe/connect/${randomUUID()}/return`)).status, 404);
      assert.equal((await api('/payments/stripe/connect/not-an-id/refresh')).status, 404);
    });

    test('account.updated keeps the status right, with what Stripe still needs', async () => {
      const { merchantId, account } = await activeMerchant();
      accounts.set(account.externalRef, RESTRICTED);
      const res = await deliver('account.updated', { id: account.externalRef, object: 'account' }, account.externalRef);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { received: true, account: account.id, results: ['account_updated'] });
      const row = await accountRow(merchantId);
      assert.equal(row.status, 'restricted');
      assert.deepEqual((row.details as { requirements: { pastDue: string[] } }).requirements.pastDue, ['individual.verification.document']);
    });

    test('disconnecting stops the account for good until the merchant reconnects the same account', async () => {
      const { merchantId, account } = await activeMerchant();
      const { headers } = await stack.member(merchantId, 'admin');
      assert.equal((await api('/api/v1/payment-accounts/stripe', { method: 'DELETE', headers })).status, 204);
      assert.equal((await accountRow(merchantId)).status, 'disabled');
      // Stripe still calls the account active; a disconnected account stays off.
      await deliver('account.updated', { id: account.externalRef, object: 'account' }, account.externalRef);
      assert.equal((await accountRow(merchantId)).status, 'disabled');
      assert.equal((await api('/api/v1/payment-accounts/stripe', { method: 'DELETE', headers })).status, 404);

      const creates = mock.proxy.exchanges.filter((e) => e.method === 'POST' && e.url.pathname === '/v1/accounts').length;
      const { res } = await connect(merchantId);
      assert.equal(res.status, 200);
      const row = await accountRow(merchantId);
      assert.equal(row.externalRef, account.externalRef);
      assert.equal(row.status, 'active');
      assert.equal(mock.proxy.exchanges.filter((e) => e.method === 'POST' && e.url.pathname === '/v1/accounts').length, creates);
    });
  });

  describe('Connect events', () => {
    test("an event from merchant B's account cannot touch merchant A's order; from A's own account it applies", async () => {
      const a = await activeMerchant();
      const b = await activeMerchant();
      const paid = await paidOrder(a.merchantId, a.account.id);
      const refunded = { id: `ch_${randomUUID().slice(0, 8)}`, object: 'charge', payment_intent: paid.paymentIntent, amount: 10_000, amount_refunded: 4_000, refunded: false, currency: 'usd' };

      // B's account "says" it refunded a session carrying A's order id: B wrote that reference, so it proves nothing.
      const fromB = await deliver('charge.refunded', refunded, b.account.externalRef, { id: 'evt_from_b_refund' });
      assert.equal(fromB.status, 200);
      assert.deepEqual(await fromB.json(), { received: true, account: b.account.id, results: ['unknown_order'] });
      assert.equal(mock.last('GET', '/v1/checkout/sessions')!.headers['stripe-account'], b.account.externalRef, "the session was looked up on B's account");
      const untouched = await order(paid.id);
      assert.equal(untouched.status, 'paid');
      assert.equal(untouched.refundedMinor, 0);
      assert.equal(await eventStored('evt_from_b_refund'), false);

      const pending = await paidOrder(a.merchantId, a.account.id, { status: 'pending', paid_at: null });
      const session = { id: pending.session, object: 'checkout.session', client_reference_id: pending.id, amount_total: 10_000, currency: 'usd', payment_status: 'paid', status: 'complete' };
      const completedFromB = await deliver('checkout.session.completed', session, b.account.externalRef, { id: 'evt_from_b_paid' });
      assert.deepEqual(((await completedFromB.json()) as { results: string[] }).results, ['unknown_order']);
      assert.equal(await checkoutStarted(pending.id), false, "no checkout runs for A's order on B's word");
      assert.equal(await eventStored('evt_from_b_paid'), false);

      const fromA = await deliver('charge.refunded', refunded, a.account.externalRef, { id: 'evt_from_a_refund' });
      assert.deepEqual(await fromA.json(), { received: true, account: a.account.id, results: ['applied'] });
      const afterRefund = await order(paid.id);
      assert.equal(afterRefund.status, 'partially_refunded');
      assert.equal(afterRefund.refundedMinor, 4_000);
      assert.equal(await eventStored('evt_from_a_refund'), true);

      const completedFromA = await deliver('checkout.session.completed', session, a.account.externalRef, { id: 'evt_from_a_paid' });
      assert.deepEqual(((await completedFromA.json()) as { results: string[] }).results, ['applied']);
      assert.equal(await checkoutStarted(pending.id), true, 'the checkout is told, and asks Stripe before anything is marked paid');
      await stack.client.workflow.getHandle(checkoutWorkflowId(pending.id)).terminate('test over');
    });

    test("an order paid on the installation's own account is not the connected account's to change", async () => {
      const a = await activeMerchant();
      const own = await paidOrder(a.merchantId, null);
      const dispute = { id: `dp_${randomUUID().slice(0, 8)}`, object: 'dispute', payment_intent: own.paymentIntent, amount: 10_000, currency: 'usd', status: 'needs_response' };
      const res = await deliver('charge.dispute.created', dispute, a.account.externalRef);
      assert.deepEqual(((await res.json()) as { results: string[] }).results, ['unknown_order']);
      assert.equal((await order(own.id)).status, 'paid');
    });

    test('a dispute on the connected account reaches its order', async () => {
      const a = await activeMerchant();
      const paid = await paidOrder(a.merchantId, a.account.id);
      const dispute = { id: `dp_${randomUUID().slice(0, 8)}`, object: 'dispute', payment_intent: paid.paymentIntent, amount: 10_000, currency: 'usd', status: 'needs_response' };
      const res = await deliver('charge.dispute.created', dispute, a.account.externalRef);
      assert.deepEqual(((await res.json()) as { results: string[] }).results, ['applied']);
      assert.equal((await order(paid.id)).status, 'disputed');
    });

    test('an account not connected here is acknowledged and changes nothing', async () => {
      const a = await activeMerchant();
      const paid = await paidOrder(a.merchantId, a.account.id);
      const refunded = { id: 'ch_x', object: 'charge', payment_intent: paid.paymentIntent, amount: 10_000, amount_refunded: 10_000, refunded: true, currency: 'usd' };
      const res = await deliver('charge.refunded', refunded, 'acct_1NotConnectedHere0', { id: 'evt_unknown_account' });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { received: true, account: null, results: [] });
      assert.equal((await order(paid.id)).status, 'paid');
      assert.equal(await eventStored('evt_unknown_account'), false);
    });

    test("a forged signature, or the platform endpoint's secret, is 403 and changes nothing", async () => {
      const a = await activeMerchant();
      const paid = await paidOrder(a.merchantId, a.account.id);
      const refunded = { id: 'ch_f', object: 'charge', payment_intent: paid.paymentIntent, amount: 10_000, amount_refunded: 10_000, refunded: true, currency: 'usd' };
      for (const secret of ['whsec_forged_by_someone', 'whsec_test_secret_for_the_suite']) {
        const res = await deliver('charge.refunded', refunded, a.account.externalRef, { secret, id: 'evt_forged' });
        assert.equal(res.status, 403);
        assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'invalid_signature');
      }
      const unsigned = await api('/webhooks/stripe/connect', { method: 'POST', headers: { 'content-type': 'application/json' }, body: stripeEvent('charge.refunded', refunded) });
      assert.equal(unsigned.status, 403);
      accounts.set(a.account.externalRef, RESTRICTED);
      const forgedUpdate = await deliver('account.updated', { id: a.account.externalRef, object: 'account' }, a.account.externalRef, { secret: 'whsec_forged_by_someone' });
      assert.equal(forgedUpdate.status, 403);
      assert.equal((await order(paid.id)).status, 'paid');
      assert.equal((await accountRow(a.merchantId)).status, 'active');
      assert.equal(await eventStored('evt_forged'), false);
      accounts.set(a.account.externalRef, ACTIVE);
    });
  });

  describe('a sale on the connected account, end to end', () => {
    let live: Stack;
    before(async () => {
      const apiBaseUrl = mock.proxy.url;
      live = await startStack({
        paymentRoutes: '*:stripe',
        stripeConnect: createStripeConnect({ secretKey: SECRET_KEY, accountType: 'standard', webhookSecret: CONNECT_SECRET, apiBaseUrl }),
        paymentAccounts: {
          factories: { stripe: (account) => createStripeProvider({ secretKey: SECRET_KEY, apiBaseUrl, connectedAccount: { paymentAccountId: account.id, stripeAccount: account.externalRef! } }) },
        },
      });
    });
    after(async () => {
      await live?.stop();
    });

    test("the Checkout Session is made on the merchant's account with the plan's fee, and the Connect event wins the lead", async () => {
      const merchantId = await live.createMerchant();
      await live.db('products').where({ merchant_id: merchantId }).update({ currency: 'USD' });
      const { headers } = await live.member(merchantId, 'owner');
      assert.equal((await fetch(`${live.apiUrl}/api/v1/payment-accounts/stripe/connect`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' })).status, 200);
      assert.equal(mock.last('POST', '/v1/accounts')!.body.get('type'), 'standard');
      const account = (await live.db('payment_accounts').where({ merchant_id: merchantId }).first()) as AccountRow;
      accounts.set(account.externalRef, ACTIVE);
      assert.equal((await fetch(`${live.apiUrl}/payments/stripe/connect/${account.id}/return`, { redirect: 'manual' })).status, 303);

      const s = sessionId();
      await postMessage(live.apiUrl, merchantId, { sessionId: s, text: "I'd like the 2-person tent, I'll take it" });
      const handle = live.client.workflow.getHandle(leadWorkflowId(merchantId, 'webchat', s));
      const state = await eventually(() => handle.query(stateQuery), (x) => x.pendingPayment !== null, 'a checkout', 30_000);
      const sale = await live.db('orders').where({ id: state.pendingPayment!.orderId }).first();
      assert.equal(sale.provider, 'stripe');
      assert.equal(sale.paymentAccountId, account.id);

      const created = mock.proxy.exchanges.findLast((e) => e.method === 'POST' && e.url.pathname === '/v1/checkout/sessions' && e.body.get('client_reference_id') === sale.id)!;
      assert.ok(created, 'the checkout reached Stripe');
      assert.equal(created.headers['stripe-account'], account.externalRef);
      const fee = marketplaceFee(sale.amountMinor, (await planFor(live.db, merchantId)).marketplaceFeeBps);
      assert.ok(fee > 0);
      assert.equal(created.body.get('payment_intent_data[application_fee_amount]'), String(fee));
      assert.equal(sale.platformFeeMinor, fee);

      // The customer pays; Stripe tells the Connect endpoint, and the checkout asks the merchant's account for the truth.
      sessions.get(sale.providerRef)!.paid = true;
      const paid = { id: sale.providerRef, object: 'checkout.session', client_reference_id: sale.id, amount_total: sale.amountMinor, currency: 'usd', payment_status: 'paid', status: 'complete' };
      const payload = JSON.stringify({ ...(JSON.parse(stripeEvent('checkout.session.completed', paid, 'evt_live_paid')) as object), account: account.externalRef });
      const { raw, header } = signStripeWebhook(payload, CONNECT_SECRET);
      const res = await fetch(`${live.apiUrl}/webhooks/stripe/connect`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': header }, body: raw });
      assert.deepEqual(((await res.json()) as { results: string[] }).results, ['applied']);
      await eventually(() => handle.query(stateQuery), (x) => x.stage === 'won', 'won', 30_000);
      const retrieved = mock.proxy.exchanges.filter((e) => e.method === 'GET' && e.url.pathname === `/v1/checkout/sessions/${sale.providerRef}`);
      assert.ok(retrieved.length > 0 && retrieved.every((e) => e.headers['stripe-account'] === account.externalRef), 'the status was read on the connected account');
      assert.equal((await live.db('orders').where({ id: sale.id }).first()).status, 'paid');
      const transcript = await getTranscript(live.apiUrl, merchantId, s);
      assert.equal(transcript.filter((m) => /Payment received/.test(m.text)).length, 1, 'one receipt');
    });
  });

  describe('refunds on a connected account', () => {
    const refund = async (merchantId: string, orderId: string, amountMinor: number) => {
      const { headers } = await stack.member(merchantId, 'admin');
      return api(`/api/v1/orders/${orderId}/refunds`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': `refund-${orderId}` },
        body: JSON.stringify({ amountMinor, reason: 'damaged in transit' }),
      });
    };

    test("the refund acts on the merchant's account and returns the fee when the plan says so", async () => {
      const a = await activeMerchant();
      await stack.db('plans').insert({ code: 'connect_fee_back', name: 'Fee back', price_minor: 100, currency: 'USD', conversation_quota: 100, grace_percent: 0, marketplace_fee_bps: 200, refunds_platform_fee: true, active: false }).onConflict('code').ignore();
      const now = new Date();
      await setSubscription(stack.db, { merchantId: a.merchantId, planCode: 'connect_fee_back', status: 'active', provider: 'manual', providerRef: null, currentPeriodStart: now, currentPeriodEnd: new Date(now.getTime() + 30 * 86_400_000), cancelAtPeriodEnd: false, updatedAt: now });
      const paid = await paidOrder(a.merchantId, a.account.id);
      const res = await refund(a.merchantId, paid.id, 2_500);
      assert.equal(res.status, 200, await res.clone().text());
      const sent = mock.last('POST', '/v1/refunds')!;
      assert.equal(sent.headers['stripe-account'], a.account.externalRef);
      assert.equal(sent.headers['idempotency-key'], `refund-${paid.id}`);
      assert.equal(sent.body.get('payment_intent'), paid.paymentIntent);
      assert.equal(sent.body.get('amount'), '2500');
      assert.equal(sent.body.get('refund_application_fee'), 'true');
    });

    test("a refund made in the merchant's own Stripe dashboard gives the fee back only on a plan that says so", async () => {
      const feeBack = await activeMerchant();
      await stack.db('plans').insert({ code: 'connect_fee_back', name: 'Fee back', price_minor: 100, currency: 'USD', conversation_quota: 100, grace_percent: 0, marketplace_fee_bps: 200, refunds_platform_fee: true, active: false }).onConflict('code').ignore();
      const now = new Date();
      await setSubscription(stack.db, { merchantId: feeBack.merchantId, planCode: 'connect_fee_back', status: 'active', provider: 'manual', providerRef: null, currentPeriodStart: now, currentPeriodEnd: new Date(now.getTime() + 30 * 86_400_000), cancelAtPeriodEnd: false, updatedAt: now });
      const keeps = await activeMerchant();
      for (const [merchant, feeId, expected] of [[feeBack, 'fee_1FeeBack', 50], [keeps, 'fee_1Keeps', 0]] as const) {
        const paid = await paidOrder(merchant.merchantId, merchant.account.id);
        applicationFees.set(feeId, { amount: 200, refunded: 0 });
        const charge = { id: `ch_${feeId}`, object: 'charge', payment_intent: paid.paymentIntent, amount: 10_000, amount_refunded: 2_500, refunded: false, currency: 'usd', application_fee: feeId };
        for (let delivery = 0; delivery < 2; delivery++) {
          const res = await deliver('charge.refunded', charge, merchant.account.externalRef, { id: `evt_dashboard_refund_${feeId}` });
          assert.equal(res.status, 200);
          const { results } = (await res.json()) as { results: string[] };
          assert.deepEqual(results, delivery === 0 ? (expected ? ['applied', 'application_fee_returned'] : ['applied']) : ['duplicate'], `${feeId} delivery ${delivery}`);
        }
        assert.equal(applicationFees.get(feeId)!.refunded, expected, `${feeId}: a quarter of the fee back, once`);
        const refunds = mock.proxy.exchanges.filter((e) => e.method === 'POST' && e.url.pathname === `/v1/application_fees/${feeId}/refunds`);
        assert.equal(refunds.length, expected ? 1 : 0);
        const row = await order(paid.id);
        assert.equal(row.refundedMinor, 2_500);
      }
    });

    test('on a plan that keeps the fee, the refund leaves it with the platform', async () => {
      const b = await activeMerchant();
      const paid = await paidOrder(b.merchantId, b.account.id);
      const res = await refund(b.merchantId, paid.id, 10_000);
      assert.equal(res.status, 200, await res.clone().text());
      const sent = mock.last('POST', '/v1/refunds')!;
      assert.equal(sent.headers['stripe-account'], b.account.externalRef);
      assert.equal(sent.body.get('refund_application_fee'), 'false');
    });
  });
});
