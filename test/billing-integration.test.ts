import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Stripe from 'stripe';
import { createIyzicoBilling } from '../integrations/billing/iyzico-billing';
import { createStripeBilling } from '../integrations/billing/stripe-billing';
import { startIyzicoSubscriptionPeer, type IyzicoSubscriptionPeer } from './peers/iyzico-subscription-peer';
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
  const signer = new Stripe('sk_test_signer', { apiVersion: STRIPE_API_VERSION });
  before(async () => {
    iyzico = await startIyzicoSubscriptionPeer({ ...IYZICO, merchantId: IYZICO.merchantId });
    stack = await startStack({
      enforceQuota: true,
      billing: createStripeBilling({ secretKey: 'sk_test_unused', webhookSecret: BILLING_SECRET, apiBaseUrl: 'http://127.0.0.1:1' }),
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
  });
});
