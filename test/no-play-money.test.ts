import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { demoPaymentsOn, loadEnv } from '../config/env';
import { paymentAccountsOf, removePaymentAccount, savePaymentAccount } from '../db/queries/payment-accounts';
import type { PaymentProvider } from '../integrations/payments/provider';
import { createPaymentRegistry, describeRoutes, type AccountProviderFactories } from '../integrations/payments/registry';
import { leadWorkflowId, stateQuery } from '../workflows/contract';
import { eventually, getTranscript, postMessage, sessionId } from './support/chat';
import { suiteStack } from './support/stack';

/** A provider that never takes money: only its name and account matter to the routing under test. */
const unused = (name: string, accountId?: string): PaymentProvider => ({
  name,
  ...(accountId ? { accountId } : {}),
  createCheckout: () => Promise.reject(new Error('not in this test')),
  fetchStatus: () => Promise.reject(new Error('not in this test')),
});
const factories: AccountProviderFactories = { stripe: (account) => unused('stripe', account.id), payu: (account) => unused('payu', account.id) };

describe('no play money in production', () => {
  const stack = suiteStack({ demoPayments: false, paymentRoutes: '*:stripe' });

  test('the demo checkout is on in development and tests, off in production unless DEMO_PAYMENTS=true', () => {
    assert.equal(demoPaymentsOn({ NODE_ENV: 'development', DEMO_PAYMENTS: undefined }), true);
    assert.equal(demoPaymentsOn({ NODE_ENV: 'production', DEMO_PAYMENTS: undefined }), false);
    assert.equal(demoPaymentsOn({ NODE_ENV: 'production', DEMO_PAYMENTS: 'true' }), true);
    assert.equal(demoPaymentsOn({ NODE_ENV: 'development', DEMO_PAYMENTS: 'false' }), false);
    const production = { NODE_ENV: 'production', ADMIN_TOKEN: 'admin-token-0123456789', CREDENTIALS_KEY: Buffer.alloc(32, 7).toString('base64'), JWT_SECRET: 'j'.repeat(40) };
    assert.doesNotThrow(() => loadEnv(production), 'without the demo checkout its secret is not needed');
    assert.throws(() => loadEnv({ ...production, DEMO_PAYMENTS: 'true' }), /DEMO_PAYMENT_SECRET: required in production/);
  });

  test('with no provider for the currency the agent sends no link and hands the lead to a person', async () => {
    const merchant = await stack.createMerchant();
    const s = sessionId();
    assert.equal((await postMessage(stack.apiUrl, merchant, { sessionId: s, text: "I'd like the 2-person tent, I'll take it" })).status, 202);
    const handle = stack.client.workflow.getHandle(leadWorkflowId(merchant, 'webchat', s));
    const state = await eventually(() => handle.query(stateQuery), (x) => x.mode === 'human', 'a hand-off', 30_000);
    assert.equal(state.handOffReason, 'no_payment_provider');
    assert.equal(state.pendingPayment, null);
    assert.equal((await stack.db('orders').where({ merchantId: merchant })).length, 0, 'no order, so nothing can be marked paid');
    const said = (await getTranscript(stack.apiUrl, merchant, s)).filter((m) => m.from !== 'customer').map((m) => m.text).join('\n');
    assert.doesNotMatch(said, /https?:\/\//, 'no payment link reached the customer');
    const notice = await eventually(
      () => stack.db('notifications').where({ merchantId: merchant, kind: 'needs_human' }).first(),
      (n) => Boolean(n),
      'the merchant told',
    );
    assert.match(JSON.stringify(notice.body), /no_payment_provider/);
  });

  test('the demo checkout pages and webhook answer 404', async () => {
    const order = randomUUID();
    assert.equal((await fetch(`${stack.apiUrl}/pay/demo/${order}`)).status, 404);
    assert.equal((await fetch(`${stack.apiUrl}/pay/demo/${order}/pay`, { method: 'POST' })).status, 404);
    const webhook = await fetch(`${stack.apiUrl}/webhooks/demo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'evt_1', type: 'payment.completed', orderId: order, created: 1 }) });
    assert.equal(webhook.status, 404);
  });

  test("a merchant's own account comes before the installation's provider of the same name; a marketplace uses only merchants' accounts", async () => {
    const [a, b] = [await stack.createMerchant(), await stack.createMerchant()];
    const installationStripe = unused('stripe');
    const registry = (marketplace: boolean) => createPaymentRegistry([installationStripe], 'TRY:payu,stripe;*:stripe', { db: stack.db, box: null, factories, marketplace });
    const account = await savePaymentAccount(stack.db, stack.box, { merchantId: a, provider: 'stripe', kind: 'connect', externalRef: `acct_${a}`, status: 'active' });

    const shop = registry(false);
    assert.deepEqual((await shop.chainFor(a, 'USD')).map((p) => p.accountId), [account.id], "A's connected account serves A");
    assert.deepEqual(await shop.chainFor(b, 'USD'), [installationStripe], "B has none: the installation's Stripe");
    assert.deepEqual((await shop.chainFor(a, 'TRY')).map((p) => p.accountId), [account.id], 'PayU is not on this installation: skipped');
    assert.equal((await shop.forOrder({ merchantId: a, provider: 'stripe', paymentAccountId: account.id }))?.accountId, account.id);
    assert.equal(await shop.forOrder({ merchantId: b, provider: 'stripe', paymentAccountId: account.id }), undefined, "B's order can never use A's account");

    const market = registry(true);
    assert.deepEqual(await market.chainFor(b, 'USD'), [], 'a marketplace never takes a merchant\'s customers\' money into its own account');
    assert.equal((await market.chainFor(a, 'USD')).length, 1);

    await savePaymentAccount(stack.db, stack.box, { merchantId: a, provider: 'payu', kind: 'own_keys', externalRef: '300746', credentials: { secondKey: 'k' }, status: 'pending' });
    assert.deepEqual((await shop.chainFor(a, 'TRY')).map((p) => p.accountId), [account.id], 'an account still pending takes no payments');

    assert.ok(await removePaymentAccount(stack.db, a, 'stripe'));
    assert.deepEqual(await market.chainFor(a, 'USD'), [], 'a disconnected account takes no payments');
    assert.deepEqual(
      (await paymentAccountsOf(stack.db, a)).map((x) => [x.provider, x.status]),
      [['payu', 'pending'], ['stripe', 'disabled']],
    );
    assert.deepEqual(describeRoutes(market, 'TRY:payu,stripe;*:stripe'), [
      'TRY: payu (merchant accounts), stripe (merchant accounts), else no link: a person takes the lead (no_payment_provider)',
      'other currencies: stripe (merchant accounts), else no link: a person takes the lead (no_payment_provider)',
    ]);
    assert.deepEqual(describeRoutes(shop, '*:stripe'), ["other currencies: stripe (the merchant's account, else the installation's), else no link: a person takes the lead (no_payment_provider)"]);
  });
});
