import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertFormFields, signStripeWebhook, stripeEvent as event, stripeMockForSuite } from '../../test/support/stripe-mock';
import { WebhookPayloadError, WebhookSignatureError, type CheckoutRequest, type PaymentProvider } from './provider';
import { createStripeProvider } from './stripe';
import { connectAccountState, createStripeConnect, type StripeConnect } from './stripe-connect';

const connectSecret = 'whsec_connect_secret_for_the_suite';
const ACCOUNT = 'acct_1MerchantA0000000';

const checkout = (extra: Partial<CheckoutRequest> = {}): CheckoutRequest => ({
  orderId: 'ord_c1',
  merchantId: 'm_a',
  amountMinor: 10_000,
  currency: 'USD',
  description: 'Order ord_c1',
  expiresAt: new Date(Date.now() + 2 * 60 * 60_000),
  idempotencyKey: 'checkout-ord_c1',
  platformFeeMinor: 250,
  ...extra,
});

describe('Stripe Connect against stripe-mock', () => {
  let express: StripeConnect;
  let standard: StripeConnect;
  let onAccount: PaymentProvider;
  const suite = stripeMockForSuite((apiBaseUrl) => {
    express = createStripeConnect({ secretKey: 'sk_test_123', accountType: 'express', webhookSecret: connectSecret, apiBaseUrl });
    standard = createStripeConnect({ secretKey: 'sk_test_123', accountType: 'standard', apiBaseUrl });
    onAccount = createStripeProvider({ secretKey: 'sk_test_123', apiBaseUrl, connectedAccount: { paymentAccountId: 'pa_1', stripeAccount: ACCOUNT } });
  });
  const { last } = suite;

  describe('onboarding', () => {
    test('an Express account is created with the card capabilities, the merchant in metadata and the idempotency key', async () => {
      const created = await express.createAccount({ merchantId: 'm_a', email: 'owner@shop.example', country: 'US', idempotencyKey: 'connect:m_a' });
      assert.match(created.stripeAccount, /^acct_/);
      const sent = last('POST', '/v1/accounts')!;
      assert.equal(sent.status, 200);
      assert.equal(sent.headers['idempotency-key'], 'connect:m_a');
      assert.equal(sent.headers['stripe-account'], undefined, 'the platform creates the account as itself');
      assertFormFields(sent.body, {
        type: 'express',
        email: 'owner@shop.example',
        country: 'US',
        'metadata[merchantId]': 'm_a',
        'capabilities[card_payments][requested]': 'true',
        'capabilities[transfers][requested]': 'true',
      });
    });

    test('a Standard account leaves its capabilities to Stripe, and an unknown email or country is left out', async () => {
      await standard.createAccount({ merchantId: 'm_b', idempotencyKey: 'connect:m_b' });
      const b = last('POST', '/v1/accounts')!.body;
      assert.equal(b.get('type'), 'standard');
      assert.equal(b.has('capabilities[card_payments][requested]'), false);
      assert.equal(b.has('email'), false);
      assert.equal(b.has('country'), false);
    });

    test('the onboarding link is an account_onboarding Account Link with our refresh and return URLs', async () => {
      const link = await express.onboardingLink(ACCOUNT, { refreshUrl: 'https://api.example/payments/stripe/connect/pa_1/refresh', returnUrl: 'https://api.example/payments/stripe/connect/pa_1/return' });
      assert.match(link.url, /^https:\/\//);
      assert.ok(link.expiresAt.getTime() > 0);
      assertFormFields(last('POST', '/v1/account_links')!.body, {
        account: ACCOUNT,
        type: 'account_onboarding',
        refresh_url: 'https://api.example/payments/stripe/connect/pa_1/refresh',
        return_url: 'https://api.example/payments/stripe/connect/pa_1/return',
      });
    });

    test("the account's state is read from Stripe: onboarded but missing a document is restricted, with what is missing", async () => {
      // stripe-mock keeps no state; the proxy answers as Stripe would for this account.
      suite.proxy.rewrite = ({ url, responseBody }) => {
        if (url.pathname !== `/v1/accounts/${ACCOUNT}`) return responseBody;
        const account = JSON.parse(responseBody) as Record<string, unknown>;
        return JSON.stringify({
          ...account,
          id: ACCOUNT,
          charges_enabled: false,
          payouts_enabled: false,
          details_submitted: true,
          requirements: { currently_due: ['individual.verification.document'], past_due: ['individual.verification.document'], eventually_due: [], disabled_reason: 'requirements.past_due', current_deadline: 1_800_000_000 },
        });
      };
      try {
        const state = await express.accountState(ACCOUNT);
        assert.ok(last('GET', `/v1/accounts/${ACCOUNT}`));
        assert.equal(state.status, 'restricted');
        assert.deepEqual(state.details.requirements, {
          currentlyDue: ['individual.verification.document'],
          pastDue: ['individual.verification.document'],
          disabledReason: 'requirements.past_due',
          deadline: new Date(1_800_000_000_000).toISOString(),
        });
        assert.equal(state.details.detailsSubmitted, true);
      } finally {
        suite.proxy.rewrite = null;
      }
    });
  });

  describe('payments on the connected account (direct charges)', () => {
    test('the provider names its payment account', () => {
      assert.equal(onAccount.accountId, 'pa_1');
      assert.equal(onAccount.parseWebhook, undefined, "a connected account's events come to the Connect endpoint, not through its provider");
    });

    test('the Checkout Session is created on the account with the platform fee as application_fee_amount', async () => {
      const session = await onAccount.createCheckout(checkout());
      assert.match(session.providerRef, /^cs_/);
      const sent = last('POST', '/v1/checkout/sessions')!;
      assert.equal(sent.status, 200);
      assert.equal(sent.headers['stripe-account'], ACCOUNT);
      assert.equal(sent.headers['idempotency-key'], 'checkout-ord_c1');
      assertFormFields(sent.body, {
        'payment_intent_data[application_fee_amount]': '250',
        'payment_intent_data[metadata][orderId]': 'ord_c1',
        'line_items[0][price_data][unit_amount]': '10000',
        client_reference_id: 'ord_c1',
      });
      assert.equal(sent.body.has('payment_intent_data[transfer_data][destination]'), false, 'a direct charge, not a destination charge');
    });

    test('no fee leaves application_fee_amount out; a fee above the amount is refused before Stripe is called', async () => {
      await onAccount.createCheckout(checkout({ orderId: 'ord_c2', idempotencyKey: 'checkout-ord_c2', platformFeeMinor: 0 }));
      const sent = last('POST', '/v1/checkout/sessions')!;
      assert.equal(sent.body.get('client_reference_id'), 'ord_c2');
      assert.equal(sent.body.has('payment_intent_data[application_fee_amount]'), false);
      const before = suite.proxy.exchanges.length;
      await assert.rejects(onAccount.createCheckout(checkout({ orderId: 'ord_c3', platformFeeMinor: 10_001 })), RangeError);
      assert.equal(suite.proxy.exchanges.length, before);
    });

    test("the platform's own provider never sends an application fee or Stripe-Account", async () => {
      const platform = createStripeProvider({ secretKey: 'sk_test_123', webhookSecret: 'whsec_platform', apiBaseUrl: suite.proxy.url });
      await platform.createCheckout(checkout({ orderId: 'ord_p1', idempotencyKey: 'checkout-ord_p1' }));
      const sent = last('POST', '/v1/checkout/sessions')!;
      assert.equal(sent.body.get('client_reference_id'), 'ord_p1');
      assert.equal(sent.headers['stripe-account'], undefined);
      assert.equal(sent.body.has('payment_intent_data[application_fee_amount]'), false);
    });

    test("fetchStatus reads the session on the merchant's account", async () => {
      await onAccount.fetchStatus('cs_test_on_account');
      assert.equal(last('GET', '/v1/checkout/sessions/cs_test_on_account')!.headers['stripe-account'], ACCOUNT);
    });

    test('a refund acts on the account and returns the application fee as the plan says', async () => {
      const base = { providerRef: 'cs_test_on_account', paymentRef: 'pi_on_account', amountMinor: 4_000, currency: 'USD', reason: 'damaged' };
      const refunded = await onAccount.refund!({ ...base, idempotencyKey: 'refund-1', refundPlatformFee: true });
      assert.match(refunded.refundRef, /^re_/);
      let sent = last('POST', '/v1/refunds')!;
      assert.equal(sent.headers['stripe-account'], ACCOUNT);
      assert.equal(sent.headers['idempotency-key'], 'refund-1');
      assertFormFields(sent.body, { payment_intent: 'pi_on_account', amount: '4000', refund_application_fee: 'true' });

      await onAccount.refund!({ ...base, idempotencyKey: 'refund-2', refundPlatformFee: false });
      sent = last('POST', '/v1/refunds')!;
      assert.equal(sent.headers['idempotency-key'], 'refund-2');
      assert.equal(sent.body.get('refund_application_fee'), 'false');

      await onAccount.refund!({ ...base, paymentRef: null, idempotencyKey: 'refund-3' });
      assert.equal(last('GET', '/v1/checkout/sessions/cs_test_on_account')!.headers['stripe-account'], ACCOUNT, 'the PaymentIntent is looked up on the account');
      sent = last('POST', '/v1/refunds')!;
      assert.equal(sent.headers['idempotency-key'], 'refund-3');
      assert.equal(sent.body.get('refund_application_fee'), 'false', 'the platform keeps its fee unless the plan gives it back');
    });

    test("the platform's own refunds have no application fee to return", async () => {
      const platform = createStripeProvider({ secretKey: 'sk_test_123', webhookSecret: 'whsec_platform', apiBaseUrl: suite.proxy.url });
      await platform.refund!({ providerRef: 'cs_p', paymentRef: 'pi_p', amountMinor: 100, currency: 'USD', idempotencyKey: 'refund-p', refundPlatformFee: true });
      const sent = last('POST', '/v1/refunds')!;
      assert.equal(sent.headers['idempotency-key'], 'refund-p');
      assert.equal(sent.body.has('refund_application_fee'), false);
      assert.equal(sent.headers['stripe-account'], undefined);
    });

    test('a connected account id that is not acct_… is refused', () => {
      assert.throws(() => createStripeProvider({ secretKey: 'sk_test_123', connectedAccount: { paymentAccountId: 'pa_1', stripeAccount: 'cus_123' } }), /not a Stripe account id/);
      assert.throws(() => createStripeProvider({ secretKey: 'sk_test_123' }), /webhook secret is empty/);
    });
  });

  describe("giving the platform's fee back", () => {
    // Stripe's ledger for one application fee of 250 on a 10,000 charge, played by the proxy.
    let feeRefunded = 0;
    const playFee = () => {
      suite.proxy.rewrite = ({ method, url, body, responseBody }) => {
        if (method === 'GET' && url.pathname === '/v1/application_fees/fee_1Platform') return JSON.stringify({ ...(JSON.parse(responseBody) as object), id: 'fee_1Platform', amount: 250, amount_refunded: feeRefunded });
        if (method === 'POST' && url.pathname === '/v1/application_fees/fee_1Platform/refunds') feeRefunded += Number(body.get('amount'));
        return responseBody;
      };
    };

    test('a refund gives back the fee on the refunded part, rounded half up, and only what is still owed', async () => {
      playFee();
      try {
        const refundsSent = () => suite.proxy.exchanges.filter((e) => e.method === 'POST' && e.url.pathname === '/v1/application_fees/fee_1Platform/refunds');
        // 4,000 of 10,000 refunded: 40 % of 250 = 100.
        assert.equal(await express.returnApplicationFee({ applicationFee: 'fee_1Platform', chargeAmount: 10_000, refundedMinor: 4_000 }), 100);
        let sent = refundsSent().at(-1)!;
        assert.equal(sent.status, 200);
        assert.equal(sent.headers['stripe-account'], undefined, 'application fees are the platform’s');
        assert.equal(sent.body.get('amount'), '100');
        assert.equal(sent.headers['idempotency-key'], 'application-fee-refund:fee_1Platform:100');
        // The same refund reported again owes nothing more.
        assert.equal(await express.returnApplicationFee({ applicationFee: 'fee_1Platform', chargeAmount: 10_000, refundedMinor: 4_000 }), 0);
        assert.equal(refundsSent().length, 1);
        // 4,999 refunded: 124.975 rounds to 125, so 25 more.
        assert.equal(await express.returnApplicationFee({ applicationFee: 'fee_1Platform', chargeAmount: 10_000, refundedMinor: 4_999 }), 25);
        sent = refundsSent().at(-1)!;
        assert.equal(sent.body.get('amount'), '25');
        // Everything refunded: the rest of the fee.
        assert.equal(await express.returnApplicationFee({ applicationFee: 'fee_1Platform', chargeAmount: 10_000, refundedMinor: 10_000 }), 125);
        assert.equal(feeRefunded, 250);
      } finally {
        suite.proxy.rewrite = null;
      }
    });
  });

  describe('Connect webhooks', () => {
    const deliver = (payload: string, secret = connectSecret) => {
      const { raw, header } = signStripeWebhook(payload, secret);
      return express.parseWebhook!(raw, { 'stripe-signature': header });
    };
    const withAccount = (payload: string, account: string | null) => JSON.stringify({ ...(JSON.parse(payload) as object), account });
    const paidSession = { id: 'cs_test_c1', object: 'checkout.session', client_reference_id: 'ord_c1', amount_total: 10_000, currency: 'usd', payment_status: 'paid', status: 'complete' };

    test("a paid session on a connected account names the account and the order", async () => {
      const parsed = await deliver(withAccount(event('checkout.session.completed', paidSession, 'evt_c1'), ACCOUNT));
      assert.deepEqual(parsed, {
        eventId: 'evt_c1',
        type: 'checkout.session.completed',
        account: ACCOUNT,
        accountChanged: false,
        deauthorized: false,
        feeRefund: null,
        payments: [{ provider: 'stripe', eventId: 'evt_c1', type: 'completed', providerRef: 'cs_test_c1', orderId: 'ord_c1', amountMinor: 10_000, currency: 'USD' }],
      });
    });

    test("a refund on a connected account finds its session on that account", async () => {
      const charge = { id: 'ch_c1', object: 'charge', payment_intent: 'pi_c1', amount: 10_000, amount_refunded: 4_000, currency: 'usd' };
      const parsed = await deliver(withAccount(event('charge.refunded', charge, 'evt_c_refund'), ACCOUNT));
      const lookup = last('GET', '/v1/checkout/sessions')!;
      assert.equal(lookup.headers['stripe-account'], ACCOUNT);
      assert.equal(lookup.url.searchParams.get('payment_intent'), 'pi_c1');
      assert.equal(parsed.payments.length, 1);
      assert.equal(parsed.payments[0]!.type, 'refunded');
      assert.equal(parsed.payments[0]!.amountMinor, 4_000);
      assert.equal(parsed.feeRefund, null, 'a charge without an application fee has none to return');

      const withFee = await deliver(withAccount(event('charge.refunded', { ...charge, application_fee: 'fee_1Platform' }, 'evt_c_refund_fee'), ACCOUNT));
      assert.deepEqual(withFee.feeRefund, { applicationFee: 'fee_1Platform', chargeAmount: 10_000, refundedMinor: 4_000 });
    });

    test('account.updated asks for the account; deauthorization is reported; neither is a payment', async () => {
      const updated = await deliver(withAccount(event('account.updated', { id: ACCOUNT, object: 'account', charges_enabled: true }, 'evt_acct'), ACCOUNT));
      assert.equal(updated.accountChanged, true);
      assert.deepEqual(updated.payments, []);
      const gone = await deliver(withAccount(event('account.application.deauthorized', { id: 'ca_1', object: 'application' }, 'evt_deauth'), ACCOUNT));
      assert.equal(gone.deauthorized, true);
      assert.equal(gone.accountChanged, false);
    });

    test('an event without an account is acknowledged and carries nothing', async () => {
      const parsed = await deliver(event('checkout.session.completed', paidSession, 'evt_platform'));
      assert.equal(parsed.account, null);
      assert.deepEqual(parsed.payments, []);
    });

    test("forged or signed with the platform endpoint's secret: WebhookSignatureError; a malformed account: WebhookPayloadError", async () => {
      const payload = withAccount(event('checkout.session.completed', paidSession), ACCOUNT);
      await assert.rejects(deliver(payload, 'whsec_platform_endpoint'), WebhookSignatureError);
      const { raw } = signStripeWebhook(payload, connectSecret);
      await assert.rejects(express.parseWebhook!(raw, {}), WebhookSignatureError);
      await assert.rejects(express.parseWebhook!(raw, { 'stripe-signature': 't=1,v1=00' }), WebhookSignatureError);
      await assert.rejects(deliver(withAccount(event('checkout.session.completed', paidSession), 'cus_not_an_account')), WebhookPayloadError);
    });

    test('without the Connect signing secret there is no Connect endpoint', () => {
      assert.equal(standard.parseWebhook, undefined);
    });
  });
});

describe('connected account state', () => {
  const requirements = { currently_due: [], past_due: [], disabled_reason: null, current_deadline: null };
  test('not onboarded yet is pending', () => {
    const s = connectAccountState({ charges_enabled: false, details_submitted: false, requirements: { ...requirements, currently_due: ['external_account'], disabled_reason: 'requirements.past_due' } });
    assert.equal(s.status, 'pending');
    assert.deepEqual(s.details.requirements.currentlyDue, ['external_account']);
  });
  test('charges enabled is active, even with something due later', () => {
    const s = connectAccountState({ type: 'express', country: 'US', charges_enabled: true, payouts_enabled: false, details_submitted: true, requirements: { ...requirements, currently_due: ['tos_acceptance.date'] } });
    assert.equal(s.status, 'active');
    assert.equal(s.details.payoutsEnabled, false);
    assert.equal(s.details.type, 'express');
  });
  test('onboarded but with charges off, or rejected, is restricted', () => {
    assert.equal(connectAccountState({ charges_enabled: false, details_submitted: true, requirements }).status, 'restricted');
    assert.equal(connectAccountState({ charges_enabled: false, details_submitted: false, requirements: { ...requirements, disabled_reason: 'rejected.fraud' } }).status, 'restricted');
  });
  test('missing fields read as off', () => {
    assert.deepEqual(connectAccountState({}), {
      status: 'pending',
      details: { type: null, country: null, chargesEnabled: false, payoutsEnabled: false, detailsSubmitted: false, requirements: { currentlyDue: [], pastDue: [], disabledReason: null, deadline: null } },
    });
  });
});
