import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Stripe from 'stripe';
import { createIyzicoBilling } from '../integrations/billing/iyzico-billing';
import { createStripeBilling } from '../integrations/billing/stripe-billing';
import { startIyzicoSubscriptionPeer, type IyzicoSubscriptionPeer } from './peers/iyzico-subscription-peer';
import { playStripeBillingLedger, type StripeBillingLedger } from './support/stripe-billing-ledger';
import { stripeMockForSuite } from './support/stripe-mock';
import { STRIPE_API_VERSION } from '../integrations/payments/stripe';
import { setSubscription } from '../db/queries/billing';
import { leadWorkflowId, stateQuery } from '../workflows/contract';
import { eventually, getTranscript, postMessage, sessionId } from './support/chat';
import { startStack, type Stack } from './support/stack';

const BILLING_SECRET = 'whsec_billing_test_secret';
const IYZICO = { apiKey: 'sandbox-billing-key', secretKey: 'sandbox-billing-secret', merchantId: '3396613' };

describe('merchant plans on the real stack', () => {
  let stack: Stack;
  let iyzico: IyzicoSubscriptionPeer;
  let ledger: StripeBillingLedger;
  const signer = new Stripe('sk_test_signer', { apiVersion: STRIPE_API_VERSION });
  // Registered first, so stripe-mock is up before the stack that talks to it.
  const stripe = stripeMockForSuite();
  before(async () => {
    iyzico = await startIyzicoSubscriptionPeer({ ...IYZICO, merchantId: IYZICO.merchantId });
    ledger = playStripeBillingLedger(stripe.proxy);
    stack = await startStack({
      enforceQuota: true,
      billing: createStripeBilling({ secretKey: 'sk_test_123', webhookSecret: BILLING_SECRET, apiBaseUrl: stripe.proxy.url }),
      iyzicoBilling: createIyzicoBilling({
        apiKey: IYZICO.apiKey,
        secretKey: IYZICO.secretKey,
        baseUrl: iyzico.baseUrl,
        callbackUrl: 'http://127.0.0.1/billing/iyzico/callback',
        iyzicoMerchantId: IYZICO.merchantId,
      }),
    });
    // Inactive: offered to nobody (plan lists stay as they are), but a subscription may still use it.
    await stack.db('plans').insert({ code: 'test_one', name: 'One lead', price_minor: 100, currency: 'USD', conversation_quota: 1, grace_percent: 0, marketplace_fee_bps: 250, active: false }).onConflict('code').ignore();
    // A second TRY plan to move to on iyzico (this suite's database only).
    await stack.db('plans').insert({ code: 'growth_try', name: 'Growth (TRY)', price_minor: 299_900, currency: 'TRY', conversation_quota: 1_000, grace_percent: 10, marketplace_fee_bps: 100, active: true }).onConflict('code').ignore();
  });
  after(async () => {
    await stack.stop();
    await iyzico.close();
  });

  const admin = async (path: string) => {
    const url = new URL(`${stack.apiUrl}/api/v1${path}`);
    const merchant = url.searchParams.get('merchantId')!;
    url.searchParams.delete('merchantId');
    return fetch(url, { headers: (await stack.member(merchant, 'owner')).headers });
  };

  test('past the quota a new lead gets a person, its message is kept, and the merchant is told why', async () => {
    const merchant = await stack.createMerchant();
    const now = new Date();
    await setSubscription(stack.db, {
      merchantId: merchant,
      planCode: 'test_one',
      status: 'active',
      provider: 'manual',
      providerRef: null,
      currentPeriodStart: new Date(now.getTime() - 86_400_000),
      currentPeriodEnd: new Date(now.getTime() + 29 * 86_400_000),
      cancelAtPeriodEnd: false,
      updatedAt: now,
    });

    const first = sessionId();
    await postMessage(stack.apiUrl, merchant, { sessionId: first, text: 'How much is the 2-person tent?' });
    await eventually(() => getTranscript(stack.apiUrl, merchant, first), (m) => m.some((x) => /\$249/.test(x.text)), 'the agent answers within the quota');

    const second = sessionId();
    const res = await postMessage(stack.apiUrl, merchant, { sessionId: second, text: 'Hello, do you have sleeping bags?' });
    assert.equal(res.status, 202, 'the message is accepted, never dropped');
    const handle = stack.client.workflow.getHandle(leadWorkflowId(merchant, 'webchat', second));
    const st = await eventually(() => handle.query(stateQuery), (x) => x.mode === 'human', 'hand-off');
    assert.equal(st.handOffReason, 'quota_exceeded');
    const t = await getTranscript(stack.apiUrl, merchant, second);
    assert.equal(t[0]!.text, 'Hello, do you have sleeping bags?');
    assert.match(t.at(-1)!.text, /member of our team/);
    const notice = await stack.db('notifications').where({ merchant_id: merchant, kind: 'quota' }).first();
    assert.match(notice.body.message, /used 2 of 1|exceeded|1 conversation/i);

    const billing = (await (await admin(`/billing?merchantId=${merchant}`)).json()) as { usage: { used: number; state: string } };
    assert.equal(billing.usage.used, 2);
    assert.equal(billing.usage.state, 'exceeded');
  });

  test('Stripe Billing webhooks: a paid invoice is recorded once, an older subscription event never overwrites a newer one', async () => {
    const merchant = await stack.createMerchant();
    const send = async (event: Record<string, unknown>) => {
      const payload = JSON.stringify({ object: 'event', api_version: STRIPE_API_VERSION, ...event });
      const r = await fetch(`${stack.apiUrl}/webhooks/billing/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signer.webhooks.generateTestHeaderString({ payload, secret: BILLING_SECRET }) },
        body: payload,
      });
      assert.equal(r.status, 200, await r.clone().text());
      return r;
    };
    const t0 = Math.floor(Date.now() / 1000);
    const subscription = (status: string, created: number) => ({
      id: 'sub_test_1',
      object: 'subscription',
      status,
      customer: 'cus_test_1',
      cancel_at_period_end: false,
      metadata: { merchantId: merchant, planCode: 'growth' },
      items: { object: 'list', data: [{ id: 'si_1', object: 'subscription_item', current_period_start: created, current_period_end: created + 30 * 86400, price: { id: 'price_1', object: 'price', metadata: {} } }] },
      created,
    });
    const first = await send({ id: 'evt_sub_new', created: t0, type: 'customer.subscription.updated', data: { object: subscription('active', t0) } });
    assert.equal(first.status, 200, await first.clone().text());
    assert.equal((await send({ id: 'evt_sub_old', created: t0 - 600, type: 'customer.subscription.updated', data: { object: subscription('past_due', t0 - 600) } })).status, 200);
    const sub = await stack.db('subscriptions').where({ merchant_id: merchant }).first();
    assert.equal(sub.status, 'active');
    assert.equal(sub.planCode, 'growth');

    const invoice = {
      id: 'in_test_1',
      object: 'invoice',
      customer: 'cus_test_1',
      currency: 'usd',
      amount_paid: 9900,
      amount_due: 9900,
      attempt_count: 1,
      next_payment_attempt: null,
      number: 'STRIPE-0001',
      hosted_invoice_url: 'https://invoice.stripe.com/i/test',
      period_start: t0,
      period_end: t0 + 30 * 86400,
      metadata: { merchantId: merchant },
      lines: { object: 'list', data: [{ id: 'il_1', object: 'line_item', amount: 9900, period: { start: t0, end: t0 + 30 * 86400 } }] },
    };
    for (let i = 0; i < 3; i++) assert.equal((await send({ id: 'evt_invoice_paid_1', created: t0, type: 'invoice.paid', data: { object: invoice } })).status, 200);
    const invoices = await stack.db('invoices').where({ merchant_id: merchant });
    assert.equal(invoices.length, 1);
    assert.equal(invoices[0].status, 'paid');
    assert.equal(invoices[0].totalMinor, 9900);
    const pdf = await admin(`/billing/invoices/${invoices[0].id}/pdf?merchantId=${merchant}`);
    assert.equal(pdf.status, 200);
    assert.equal(Buffer.from(await pdf.arrayBuffer()).subarray(0, 4).toString(), '%PDF');

    const forged = await fetch(`${stack.apiUrl}/webhooks/billing/stripe`, { method: 'POST', headers: { 'stripe-signature': 't=1,v1=00' }, body: '{}' });
    assert.equal(forged.status, 403);
  });

  test('a TRY plan through iyzico: checkout form, callback checked with iyzico, renewals applied once', async () => {
    const merchant = await stack.createMerchant();
    const { headers: owner } = await stack.member(merchant, 'owner');
    const post = (path: string, body: unknown) =>
      fetch(`${stack.apiUrl}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...owner }, body: JSON.stringify(body) });
    const missing = await post('/billing/checkout', { planCode: 'starter_try' });
    assert.equal(missing.status, 400, 'iyzico needs a reachable customer');
    const started = await post('/billing/checkout', { planCode: 'starter_try', customer: { email: 'owner@shop.example', gsmNumber: '+905551112233' } });
    assert.equal(started.status, 201, await started.clone().text());
    const { token } = (await started.json()) as { token: string };

    // A forged callback with an unknown token changes nothing.
    const forged = await fetch(`${stack.apiUrl}/billing/iyzico/callback`, { method: 'POST', body: new URLSearchParams({ token: 'not-ours' }), redirect: 'manual' });
    assert.equal(forged.status, 400);

    const sub = iyzico.completeCheckout(token);
    const back = await fetch(`${stack.apiUrl}/billing/iyzico/callback`, { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' });
    assert.equal(back.status, 303);
    const row = await stack.db('subscriptions').where({ merchant_id: merchant }).first();
    assert.equal(row.provider, 'iyzico');
    assert.equal(row.providerRef, sub.referenceCode);
    assert.equal(row.planCode, 'starter_try');
    assert.equal(row.status, 'active');

    const order = iyzico.addOrder(sub.referenceCode, 'SUCCESS');
    const note = iyzico.notification(sub.referenceCode, order.referenceCode, { referenceCode: 'iyzi-renewal-1' });
    const webhook = (headers: Record<string, string>) =>
      fetch(`${stack.apiUrl}/webhooks/billing/iyzico`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: note.body });
    assert.equal((await webhook({ ...note.headers, 'x-iyz-signature-v3': '0'.repeat(64) })).status, 403);
    for (let i = 0; i < 3; i++) assert.equal((await webhook(note.headers)).status, 200);
    const invoices = await stack.db('invoices').where({ merchant_id: merchant });
    assert.equal(invoices.length, 1);
    assert.equal(invoices[0].status, 'paid');
    assert.equal(invoices[0].currency, 'TRY');

    // A second checkout changes the plan through iyzico's upgrade instead of opening a second subscription.
    const formsBefore = iyzico.checkouts.size;
    const changed = await post('/billing/checkout', { planCode: 'growth_try', customer: { email: 'owner@shop.example', gsmNumber: '+905551112233' } });
    assert.equal(changed.status, 200, await changed.clone().text());
    const body = (await changed.json()) as { changed: boolean; direction: string; applied: boolean; subscription: { planCode: string; providerRef: string; status: string } };
    assert.deepEqual([body.changed, body.direction, body.applied, body.subscription.planCode], [true, 'upgrade', true, 'growth_try']);
    assert.equal(iyzico.checkouts.size, formsBefore, 'no second checkout form');
    assert.equal(iyzico.requestsTo('POST', `/v2/subscription/subscriptions/${sub.referenceCode}/upgrade`).length, 1);
    assert.equal(iyzico.subscriptions.get(sub.referenceCode)!.status, 'UPGRADED');
    const upgraded = iyzico.subscriptions.get(body.subscription.providerRef)!;
    assert.equal(upgraded.parentReferenceCode, sub.referenceCode, 'the stored reference is the one iyzico continues under');
    assert.equal(upgraded.plan.name, 'Growth (TRY) [growth_try]');
    assert.equal((await stack.db('subscriptions').where({ merchant_id: merchant }).first()).planCode, 'growth_try');
    assert.ok(await stack.db('audit_log').where({ merchant_id: merchant, action: 'billing.plan_change', target: 'growth_try' }).first(), 'audited');

    // The new subscription's renewal reaches the merchant through the new reference code.
    const next = iyzico.addOrder(upgraded.referenceCode, 'SUCCESS');
    const renewal = iyzico.notification(upgraded.referenceCode, next.referenceCode, { referenceCode: 'iyzi-renewal-2' });
    const delivered = await fetch(`${stack.apiUrl}/webhooks/billing/iyzico`, { method: 'POST', headers: renewal.headers, body: renewal.body });
    assert.equal(delivered.status, 200, await delivered.clone().text());
    assert.equal((await stack.db('invoices').where({ merchant_id: merchant })).length, 2);
    // A late notification for the first period, under the reference code that the upgrade ended, still finds the merchant.
    const late = iyzico.notification(sub.referenceCode, sub.orders[0]!.referenceCode, { referenceCode: 'iyzi-late-1' });
    const lateDelivered = await fetch(`${stack.apiUrl}/webhooks/billing/iyzico`, { method: 'POST', headers: late.headers, body: late.body });
    assert.equal(lateDelivered.status, 200, await lateDelivered.clone().text());
    assert.equal((await stack.db('invoices').where({ merchant_id: merchant })).length, 3);
    assert.equal((await stack.db('subscriptions').where({ merchant_id: merchant }).first()).providerRef, upgraded.referenceCode, 'an invoice event leaves the subscription as it is');

    // Stripe's portal and resume are not for an iyzico subscription.
    assert.equal((await post('/billing/portal', {})).status, 409);
    assert.equal((await post('/billing/resume', {})).status, 409);

    // iyzico refuses a change of a subscription that is not active: nothing changes here either.
    iyzico.setStatus(upgraded.referenceCode, 'UNPAID');
    const refused = await post('/billing/checkout', { planCode: 'starter_try', customer: { email: 'owner@shop.example', gsmNumber: '+905551112233' } });
    assert.equal(refused.status, 502, await refused.clone().text());
    assert.match(((await refused.json()) as { error: { message: string } }).error.message, /^iyzico refused/);
    assert.equal((await stack.db('subscriptions').where({ merchant_id: merchant }).first()).planCode, 'growth_try');
    iyzico.setStatus(upgraded.referenceCode, 'ACTIVE');

    // Cancel ends it at once at iyzico; the merchant is metered on the default plan again.
    const canceled = await post('/billing/cancel', {});
    assert.equal(canceled.status, 200, await canceled.clone().text());
    assert.deepEqual(((await canceled.json()) as { immediate: boolean; subscription: { status: string } }).subscription.status, 'canceled');
    assert.equal(iyzico.subscriptions.get(upgraded.referenceCode)!.status, 'CANCELED');
    const overview = (await (await admin(`/billing?merchantId=${merchant}`)).json()) as { plan: { code: string }; subscription: { status: string } };
    assert.deepEqual([overview.plan.code, overview.subscription.status], ['starter', 'canceled']);
    assert.equal((await post('/billing/cancel', {})).status, 409, 'nothing left to cancel');
  });

  describe('changing a Stripe plan', () => {
    const t0 = () => Math.floor(Date.now() / 1000);
    const sendEvent = async (type: string, object: Record<string, unknown>, id: string, created = t0()) => {
      const payload = JSON.stringify({ id, object: 'event', api_version: STRIPE_API_VERSION, created, type, data: { object } });
      return fetch(`${stack.apiUrl}/webhooks/billing/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signer.webhooks.generateTestHeaderString({ payload, secret: BILLING_SECRET }) },
        body: payload,
      });
    };
    /** A merchant whose Starter plan is paid through a Stripe subscription. */
    async function subscribedOnStripe() {
      const merchant = await stack.createMerchant();
      const subscriptionId = `sub_${merchant.replace(/[^a-z0-9]/gi, '').slice(0, 20)}`;
      const now = new Date(Date.now() - 60_000);
      await setSubscription(stack.db, {
        merchantId: merchant, planCode: 'starter', status: 'active', provider: 'stripe', providerRef: subscriptionId,
        currentPeriodStart: now, currentPeriodEnd: new Date(now.getTime() + 30 * 86_400_000), cancelAtPeriodEnd: false, updatedAt: now,
      });
      const owner = (await stack.member(merchant, 'owner')).headers;
      const as = (headers: Record<string, string>) => (path: string, body: unknown = {}) =>
        fetch(`${stack.apiUrl}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      const stored = async () => (await stack.db('subscriptions').where({ merchant_id: merchant }).first()) as { planCode: string; status: string; cancelAtPeriodEnd: boolean; providerRef: string };
      return { merchant, subscriptionId, post: as(owner), as, stored };
    }
    const sent = (method: string, path: string) => stripe.proxy.exchanges.filter((e) => e.method === method && e.url.pathname === path);

    test('a second checkout moves the subscription to the new price instead of opening another', async () => {
      const { merchant, subscriptionId, post, stored } = await subscribedOnStripe();
      const sessionsBefore = sent('POST', '/v1/checkout/sessions').length;
      const res = await post('/billing/checkout', { planCode: 'growth' });
      assert.equal(res.status, 200, await res.clone().text());
      const body = (await res.json()) as { changed: boolean; direction: string; applied: boolean; subscription: { planCode: string } };
      assert.deepEqual([body.changed, body.direction, body.applied, body.subscription.planCode], [true, 'upgrade', true, 'growth']);
      assert.equal(sent('POST', '/v1/checkout/sessions').length, sessionsBefore, 'no second subscription');
      const update = sent('POST', `/v1/subscriptions/${subscriptionId}`).at(-1)!;
      assert.equal(update.body.get('proration_behavior'), 'always_invoice');
      assert.equal(update.body.get('payment_behavior'), 'pending_if_incomplete');
      assert.equal((await stored()).planCode, 'growth');

      // Down again: credited on the next invoice rather than charged now.
      const down = await post('/billing/checkout', { planCode: 'starter' });
      assert.equal(down.status, 200, await down.clone().text());
      assert.equal(((await down.json()) as typeof body).direction, 'downgrade');
      assert.equal(sent('POST', `/v1/subscriptions/${subscriptionId}`).at(-1)!.body.get('proration_behavior'), 'create_prorations');
      assert.equal((await stored()).planCode, 'starter');
      const audits = await stack.db('audit_log').where({ merchant_id: merchant, action: 'billing.plan_change' }).orderBy('id');
      assert.deepEqual(audits.map((a: { target: string }) => a.target), ['growth', 'starter']);

      // The same plan, another currency's plan, an unknown plan: 4xx, and nothing reaches Stripe.
      const updates = sent('POST', `/v1/subscriptions/${subscriptionId}`).length;
      assert.equal((await post('/billing/checkout', { planCode: 'starter' })).status, 409);
      const other = await post('/billing/checkout', { planCode: 'starter_try', customer: { gsmNumber: '+905551112233' } });
      assert.equal(other.status, 409, await other.clone().text());
      assert.equal(((await other.json()) as { error: { code: string } }).error.code, 'provider_change');
      assert.equal((await post('/billing/checkout', { planCode: 'platinum' })).status, 404);
      assert.equal((await post('/billing/checkout', {})).status, 400);
      assert.equal(sent('POST', `/v1/subscriptions/${subscriptionId}`).length, updates);
    });

    test('the first checkout opens a session on the plan\'s own Price; once it completes, the next one changes that subscription', async () => {
      const merchant = await stack.createMerchant();
      const post = async (body: unknown) =>
        fetch(`${stack.apiUrl}/api/v1/billing/checkout`, { method: 'POST', headers: { 'content-type': 'application/json', ...(await stack.member(merchant, 'owner')).headers }, body: JSON.stringify(body) });
      const first = await post({ planCode: 'starter' });
      assert.equal(first.status, 201, await first.clone().text());
      const session = sent('POST', '/v1/checkout/sessions').at(-1)!;
      const price = sent('POST', '/v1/prices').findLast((e) => e.body.get('metadata[planCode]') === 'starter');
      assert.ok(price, 'a Price naming the plan was created');
      assert.equal(session.body.get('line_items[0][price]'), JSON.parse(price.responseBody).id);
      assert.equal(session.body.get('subscription_data[metadata][merchantId]'), merchant);

      const subscriptionId = `sub_first_${merchant.replace(/[^a-z0-9]/gi, '').slice(0, 12)}`;
      const completed = await sendEvent(
        'checkout.session.completed',
        { id: JSON.parse(session.responseBody).id, object: 'checkout.session', mode: 'subscription', client_reference_id: merchant, customer: 'cus_first', subscription: subscriptionId, metadata: { merchantId: merchant, planCode: 'starter' } },
        `evt_completed_${subscriptionId}`,
        t0() - 5,
      );
      assert.equal(completed.status, 200, await completed.clone().text());
      const sessionsBefore = sent('POST', '/v1/checkout/sessions').length;
      const second = await post({ planCode: 'growth' });
      assert.equal(second.status, 200, await second.clone().text());
      assert.equal(((await second.json()) as { changed: boolean }).changed, true);
      assert.equal(sent('POST', '/v1/checkout/sessions').length, sessionsBefore, 'no second checkout session');
      assert.equal(sent('POST', `/v1/subscriptions/${subscriptionId}`).length, 1);
      assert.equal((await stack.db('subscriptions').where({ merchant_id: merchant }).first()).planCode, 'growth');
    });

    test('an upgrade waiting for payment changes the plan only when Stripe confirms it, once', async () => {
      const { merchant, subscriptionId, post, stored } = await subscribedOnStripe();
      ledger.holdUpgrades = true;
      try {
        const res = await post('/billing/checkout', { planCode: 'scale' });
        assert.equal(res.status, 200, await res.clone().text());
        const body = (await res.json()) as { applied: boolean; subscription: { planCode: string } };
        assert.deepEqual([body.applied, body.subscription.planCode], [false, 'starter']);
      } finally {
        ledger.holdUpgrades = false;
      }
      assert.equal((await stored()).planCode, 'starter', 'not before Stripe confirms');

      // The payment goes through: Stripe applies the pending update and says so.
      const state = ledger.subscriptions.get(subscriptionId)!;
      state.price = state.pendingPrice;
      state.pendingPrice = null;
      const created = t0() + 1;
      // The metadata written at checkout still names the first plan; the price in force names the new one.
      const metadata = { merchantId: merchant, planCode: 'starter' };
      const confirmed = ledger.subscriptionObject(subscriptionId, { metadata });
      for (let i = 0; i < 2; i++) {
        const r = await sendEvent('customer.subscription.updated', confirmed, `evt_confirm_${subscriptionId}`, created);
        assert.equal(r.status, 200, await r.clone().text());
        assert.equal(((await r.json()) as { duplicate: boolean }).duplicate, i === 1);
      }
      assert.equal((await stored()).planCode, 'scale');

      // An older event arriving late does not take the plan back.
      const stale = ledger.subscriptionObject(subscriptionId, { metadata, items: { object: 'list', data: [{ id: 'si_old', current_period_start: created - 100, current_period_end: created + 86_400, price: { id: 'price_old', metadata: { planCode: 'starter' } } }] } });
      assert.equal((await sendEvent('customer.subscription.updated', stale, `evt_stale_${subscriptionId}`, created - 5)).status, 200);
      assert.equal((await stored()).planCode, 'scale');
    });

    test('cancel at period end, resume, and the deletion at the period end', async () => {
      const { merchant, subscriptionId, post, stored } = await subscribedOnStripe();
      assert.equal((await post('/billing/resume')).status, 409, 'nothing to resume');
      const canceled = await post('/billing/cancel');
      assert.equal(canceled.status, 200, await canceled.clone().text());
      assert.equal(((await canceled.json()) as { immediate: boolean }).immediate, false);
      assert.equal(sent('POST', `/v1/subscriptions/${subscriptionId}`).at(-1)!.body.get('cancel_at_period_end'), 'true');
      assert.deepEqual([(await stored()).cancelAtPeriodEnd, (await stored()).status], [true, 'active']);
      assert.equal((await post('/billing/cancel')).status, 409, 'already set to cancel');

      const resumed = await post('/billing/resume');
      assert.equal(resumed.status, 200, await resumed.clone().text());
      assert.equal(sent('POST', `/v1/subscriptions/${subscriptionId}`).at(-1)!.body.get('cancel_at_period_end'), 'false');
      assert.equal((await stored()).cancelAtPeriodEnd, false);

      assert.equal((await post('/billing/cancel')).status, 200);
      const actions = (await stack.db('audit_log').where({ merchant_id: merchant }).whereLike('action', 'billing.%').orderBy('id')).map((a: { action: string }) => a.action);
      assert.deepEqual(actions, ['billing.cancel', 'billing.resume', 'billing.cancel']);

      // The period ends: Stripe deletes the subscription, and the merchant is on the default plan.
      const r = await sendEvent('customer.subscription.deleted', ledger.subscriptionObject(subscriptionId, { status: 'canceled', metadata: { merchantId: merchant, planCode: 'starter' } }), `evt_deleted_${subscriptionId}`, t0() + 2);
      assert.equal(r.status, 200, await r.clone().text());
      assert.equal((await stored()).status, 'canceled');
      const billing = (await (await admin(`/billing?merchantId=${merchant}`)).json()) as { plan: { code: string } };
      assert.equal(billing.plan.code, 'starter');
      assert.equal((await post('/billing/cancel')).status, 409);
    });

    test("the portal button opens Stripe's customer portal for the merchant's customer", async () => {
      const { post } = await subscribedOnStripe();
      const res = await post('/billing/portal');
      assert.equal(res.status, 201, await res.clone().text());
      const { url } = (await res.json()) as { url: string };
      const session = sent('POST', '/v1/billing_portal/sessions').at(-1)!;
      assert.equal(url, JSON.parse(session.responseBody).url);
      assert.equal(session.body.get('return_url'), `${stack.apiUrl}/app/billing`);
      const customer = sent('POST', '/v1/customers').at(-1);
      assert.equal(session.body.get('customer'), customer ? JSON.parse(customer.responseBody).id : null, "the merchant's own customer");
    });

    test('admins and viewers cannot change, cancel, resume or open the portal', async () => {
      const { merchant, as, stored } = await subscribedOnStripe();
      const before = stripe.proxy.exchanges.length;
      for (const role of ['admin', 'viewer'] as const) {
        const post = as((await stack.member(merchant, role)).headers);
        for (const [path, body] of [['/billing/checkout', { planCode: 'growth' }], ['/billing/cancel', {}], ['/billing/resume', {}], ['/billing/portal', {}]] as const) {
          assert.equal((await post(path, body)).status, 403, `${role} ${path}`);
        }
      }
      assert.equal(stripe.proxy.exchanges.length, before, 'nothing reached Stripe');
      assert.deepEqual([(await stored()).planCode, (await stored()).cancelAtPeriodEnd], ['starter', false]);
    });
  });
});
