import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startIyzicoSubscriptionPeer, type IyzicoSubscriptionPeer } from '../../test/peers/iyzico-subscription-peer';
import { IyzicoApiError } from '../payments/iyzico';
import { WebhookPayloadError, WebhookSignatureError } from '../payments/provider';
import { createIyzicoBilling, iyzicoSubscriptionSignature, type IyzicoBilling } from './iyzico-billing';

const apiKey = 'sandbox-api-key';
const secretKey = 'sandbox-secret-key';
const iyzicoMerchantId = '3382172';
const plan = { code: 'pro', name: 'Pro', priceMinor: 49_900, currency: 'TRY', interval: 'month' } as const;
const customer = { name: 'Ayşe', surname: 'Yılmaz', email: 'ayse@example.com', gsmNumber: '+905350000000' };

describe('iyzico billing', () => {
  let peer: IyzicoSubscriptionPeer;
  let billing: IyzicoBilling;

  before(async () => {
    peer = await startIyzicoSubscriptionPeer({ apiKey, secretKey, merchantId: iyzicoMerchantId });
    billing = createIyzicoBilling({ apiKey, secretKey, baseUrl: peer.baseUrl, callbackUrl: 'https://app.example/billing/iyzico/callback', iyzicoMerchantId });
  });
  after(() => peer.close());

  async function subscribed() {
    const pricingPlanReferenceCode = await billing.ensurePricingPlan(plan);
    const checkout = await billing.startSubscriptionCheckout({ merchantId: 'm_42', pricingPlanReferenceCode, customer });
    return peer.completeCheckout(checkout.token);
  }

  test('creates the product and plan once and reuses them', async () => {
    const first = await billing.ensurePricingPlan(plan);
    const second = await billing.ensurePricingPlan(plan);
    assert.equal(first, second);
    assert.equal(peer.products.size, 1);
    assert.equal(peer.plans.size, 1);
    const created = peer.plans.get(first)!;
    assert.equal(created.name, 'Pro [pro]');
    assert.equal(created.priceMinor, 49_900);
    assert.equal(created.paymentInterval, 'MONTHLY');
    assert.equal(peer.requestsTo('POST', /\/pricing-plans$/).length, 1);

    // A fresh process finds both by name instead of creating duplicates.
    const restarted = createIyzicoBilling({ apiKey, secretKey, baseUrl: peer.baseUrl, callbackUrl: 'https://app.example/cb' });
    assert.equal(await restarted.ensurePricingPlan(plan), first);
    assert.equal(peer.products.size, 1);
    assert.equal(peer.plans.size, 1);

    // iyzico cannot reprice a plan, so a changed price under the same code is refused.
    await assert.rejects(restarted.ensurePricingPlan({ ...plan, priceMinor: 59_900 }), IyzicoApiError);
  });

  test('a second plan goes under the same product', async () => {
    await billing.ensurePricingPlan({ ...plan, code: 'team', name: 'Team', priceMinor: 99_900 });
    assert.equal(peer.products.size, 1);
    assert.equal(peer.plans.size, 2);
  });

  test('checkout form initialize returns a token and the form script', async () => {
    const pricingPlanReferenceCode = await billing.ensurePricingPlan(plan);
    const checkout = await billing.startSubscriptionCheckout({ merchantId: 'm_42', pricingPlanReferenceCode, customer: { email: 'x@example.com', gsmNumber: '+905350000001' } });
    assert.match(checkout.token, /^[0-9a-f-]{36}$/);
    assert.match(checkout.checkoutFormContent, new RegExp(checkout.token));
    const sent = peer.checkouts.get(checkout.token)!.request;
    assert.equal(sent.conversationId, 'm_42');
    assert.equal(sent.subscriptionInitialStatus, 'ACTIVE');
    assert.equal(sent.callbackUrl, 'https://app.example/billing/iyzico/callback');
    const sentCustomer = sent.customer as Record<string, unknown>;
    assert.equal(sentCustomer.identityNumber, '11111111111');
    assert.deepEqual(sentCustomer.billingAddress, { contactName: 'Customer N/A', address: 'Not provided', city: 'Istanbul', country: 'Turkey' });
  });

  test('unknown pricing plan surfaces iyzico failure', async () => {
    await assert.rejects(billing.startSubscriptionCheckout({ merchantId: 'm_1', pricingPlanReferenceCode: 'nope', customer }), IyzicoApiError);
  });

  test('wrong credentials are refused by the peer', async () => {
    const wrong = createIyzicoBilling({ apiKey, secretKey: 'other', baseUrl: peer.baseUrl, callbackUrl: 'https://app.example/cb' });
    await assert.rejects(wrong.ensurePricingPlan(plan), (err: unknown) => err instanceof IyzicoApiError && err.errorCode === '1000');
  });

  test('retrieve maps statuses, periods, plan and customer', async () => {
    const sub = await subscribed();
    const view = await billing.retrieveSubscription(sub.referenceCode);
    assert.equal(view.id, sub.referenceCode);
    assert.equal(view.status, 'active');
    assert.equal(view.planCode, 'pro');
    assert.equal(view.customerId, sub.customerReferenceCode);
    assert.equal(view.cancelAtPeriodEnd, false);
    assert.equal(view.currentPeriodStart?.getTime(), sub.orders[0]!.startPeriod);
    assert.equal(view.currentPeriodEnd?.getTime(), sub.orders[0]!.endPeriod);

    const expected = { PENDING: 'paused', UNPAID: 'past_due', CANCELED: 'canceled', EXPIRED: 'canceled', UPGRADED: 'canceled', ACTIVE: 'active' } as const;
    for (const [status, neutral] of Object.entries(expected)) {
      peer.setStatus(sub.referenceCode, status as keyof typeof expected);
      assert.equal((await billing.retrieveSubscription(sub.referenceCode)).status, neutral, status);
    }
  });

  test('an active subscription inside its trial is trialing', async () => {
    const pricingPlanReferenceCode = await billing.ensurePricingPlan(plan);
    const checkout = await billing.startSubscriptionCheckout({ merchantId: 'm_7', pricingPlanReferenceCode, customer });
    const sub = peer.completeCheckout(checkout.token);
    sub.trialStartDate = Date.now() - 86_400_000;
    sub.trialEndDate = Date.now() + 6 * 86_400_000;
    sub.orders[0]!.startPeriod = sub.trialEndDate;
    const view = await billing.retrieveSubscription(sub.referenceCode);
    assert.equal(view.status, 'trialing');
    // No period has started yet, so the subscription's own dates stand in.
    assert.equal(view.currentPeriodStart?.getTime(), sub.startDate);
  });

  test('retrieving an unknown subscription fails', async () => {
    await assert.rejects(billing.retrieveSubscription('missing'), IyzicoApiError);
  });

  test('cancel ends the subscription at once', async () => {
    const sub = await subscribed();
    const view = await billing.cancel(sub.referenceCode);
    assert.equal(view.status, 'canceled');
    assert.equal(peer.subscriptions.get(sub.referenceCode)!.status, 'CANCELED');
    assert.equal(peer.requestsTo('POST', `/v2/subscription/subscriptions/${sub.referenceCode}/cancel`).length, 1);
    await assert.rejects(billing.cancel(sub.referenceCode), IyzicoApiError);
  });


  test('changePlan upgrades to the new plan at once; the old reference code ends as UPGRADED', async () => {
    const sub = await subscribed();
    const team = await billing.ensurePricingPlan({ ...plan, code: 'team', name: 'Team', priceMinor: 99_900 });
    const view = await billing.changePlan(sub.referenceCode, team);

    const [sent] = peer.requestsTo('POST', `/v2/subscription/subscriptions/${sub.referenceCode}/upgrade`);
    assert.ok(sent, 'the documented upgrade endpoint was called');
    assert.equal(sent.body?.newPricingPlanReferenceCode, team);
    assert.equal(sent.body?.upgradePeriod, 'NOW');
    assert.equal(sent.body?.useTrial, false);

    assert.notEqual(view.id, sub.referenceCode, 'iyzico continues under a new reference code');
    assert.equal(view.planCode, 'team');
    assert.equal(view.status, 'active');
    assert.equal(view.customerId, sub.customerReferenceCode);
    assert.equal(peer.subscriptions.get(sub.referenceCode)!.status, 'UPGRADED');
    assert.equal(peer.subscriptions.get(view.id)!.parentReferenceCode, sub.referenceCode);

    // The old reference code is no longer active, so it cannot change again; the new one can (a downgrade).
    await assert.rejects(billing.changePlan(sub.referenceCode, await billing.ensurePricingPlan(plan)), (err: unknown) => err instanceof IyzicoApiError && err.errorCode === '201451');
    assert.equal((await billing.changePlan(view.id, await billing.ensurePricingPlan(plan))).planCode, 'pro');
  });

  test('iyzico refuses an unknown plan, the plan in force, and a plan of another product', async () => {
    const sub = await subscribed();
    const isCode = (code: string) => (err: unknown) => err instanceof IyzicoApiError && err.errorCode === code;
    await assert.rejects(billing.changePlan(sub.referenceCode, 'no-such-plan'), isCode('201001'));
    await assert.rejects(billing.changePlan(sub.referenceCode, await billing.ensurePricingPlan(plan)), isCode('201452'));
    const foreign = { ...peer.plans.get(await billing.ensurePricingPlan(plan))!, referenceCode: 'foreign-plan', productReferenceCode: 'another-product', name: 'Elsewhere [x]' };
    peer.plans.set(foreign.referenceCode, foreign);
    try {
      await assert.rejects(billing.changePlan(sub.referenceCode, foreign.referenceCode), isCode('201453'));
    } finally {
      peer.plans.delete(foreign.referenceCode);
    }
    await assert.rejects(billing.changePlan('missing', foreign.referenceCode), isCode('201400'));
    assert.equal(peer.subscriptions.get(sub.referenceCode)!.status, 'ACTIVE', 'a refused change leaves the subscription as it was');
  });
  describe('subscription webhooks', () => {
    test('a paid renewal becomes invoice_paid with the order amount and period', async () => {
      const sub = await subscribed();
      const order = peer.addOrder(sub.referenceCode, 'SUCCESS');
      const at = Date.now();
      const note = peer.notification(sub.referenceCode, order.referenceCode, { referenceCode: 'iyzi-ref-1', at });
      const events = await billing.parseSubscriptionWebhook(Buffer.from(note.body), note.headers);
      assert.equal(events.length, 1);
      const event = events[0]!;
      assert.equal(event.type, 'invoice_paid');
      if (event.type !== 'invoice_paid') return;
      assert.equal(event.eventId, 'iyzi-ref-1');
      assert.equal(event.occurredAt.getTime(), at);
      assert.equal(event.providerInvoiceId, order.referenceCode);
      assert.equal(event.subscriptionId, sub.referenceCode);
      assert.equal(event.customerId, sub.customerReferenceCode);
      assert.equal(event.amountPaidMinor, 49_900);
      assert.equal(event.currency, 'TRY');
      assert.equal(event.periodStart.getTime(), order.startPeriod);
      assert.equal(event.periodEnd.getTime(), order.endPeriod);
    });

    test('a failed renewal becomes invoice_failed', async () => {
      const sub = await subscribed();
      const order = peer.addOrder(sub.referenceCode, 'FAILED');
      const note = peer.notification(sub.referenceCode, order.referenceCode, { eventType: 'subscription.order.failure' });
      const [event] = await billing.parseSubscriptionWebhook(Buffer.from(note.body), note.headers);
      assert.equal(event?.type, 'invoice_failed');
      if (event?.type !== 'invoice_failed') return;
      assert.equal(event.amountDueMinor, 49_900);
      assert.equal(event.attemptCount, 1);
      assert.equal(event.nextAttemptAt, null);
    });

    test('amounts come from the injected retrieve', async () => {
      const body = {
        orderReferenceCode: 'ord-1',
        customerReferenceCode: 'cus-1',
        subscriptionReferenceCode: 'sub-1',
        iyziReferenceCode: 'ref-9',
        iyziEventType: 'subscription.order.success',
        iyziEventTime: 1_760_000_000_000,
      };
      const signature = iyzicoSubscriptionSignature(secretKey, iyzicoMerchantId, body);
      const fetched: string[] = [];
      const offline = createIyzicoBilling({
        apiKey,
        secretKey,
        baseUrl: 'http://127.0.0.1:9',
        callbackUrl: 'https://app.example/cb',
        iyzicoMerchantId,
        fetchSubscription: async (ref) => {
          fetched.push(ref);
          return {
            referenceCode: ref,
            subscriptionStatus: 'ACTIVE',
            pricingPlanName: 'Pro [pro]',
            orders: [{ referenceCode: 'ord-1', price: 1999.9, currencyCode: 'TRY', startPeriod: 1_759_000_000_000, endPeriod: 1_761_600_000_000 }],
          };
        },
      });
      const [event] = await offline.parseSubscriptionWebhook(Buffer.from(JSON.stringify(body)), { 'X-IYZ-SIGNATURE-V3': signature });
      assert.deepEqual(fetched, ['sub-1']);
      assert.equal(event?.type, 'invoice_paid');
      if (event?.type === 'invoice_paid') assert.equal(event.amountPaidMinor, 199_990);
    });

    test('forged, foreign-key and missing signatures are refused', async () => {
      const sub = await subscribed();
      const order = sub.orders[0]!;
      const good = peer.notification(sub.referenceCode, order.referenceCode);

      const tampered = JSON.stringify({ ...JSON.parse(good.body), orderReferenceCode: 'another-order' });
      await assert.rejects(billing.parseSubscriptionWebhook(Buffer.from(tampered), good.headers), WebhookSignatureError);

      const foreign = peer.notification(sub.referenceCode, order.referenceCode, { secret: 'someone-else' });
      await assert.rejects(billing.parseSubscriptionWebhook(Buffer.from(foreign.body), foreign.headers), WebhookSignatureError);

      const otherMerchant = peer.notification(sub.referenceCode, order.referenceCode, { merchantId: '999' });
      await assert.rejects(billing.parseSubscriptionWebhook(Buffer.from(otherMerchant.body), otherMerchant.headers), WebhookSignatureError);

      await assert.rejects(billing.parseSubscriptionWebhook(Buffer.from(good.body), { 'content-type': 'application/json' }), WebhookSignatureError);
    });

    test('malformed payloads are payload errors', async () => {
      const headers = { 'x-iyz-signature-v3': 'ab'.repeat(32) };
      await assert.rejects(billing.parseSubscriptionWebhook(Buffer.from('not json'), headers), WebhookPayloadError);
      await assert.rejects(billing.parseSubscriptionWebhook(Buffer.from('[1,2]'), headers), WebhookPayloadError);

      // Correctly signed but missing the notification's own reference and time.
      const partial = { iyziEventType: 'subscription.order.success', subscriptionReferenceCode: 's', orderReferenceCode: 'o', customerReferenceCode: 'c' };
      const signed = { 'x-iyz-signature-v3': iyzicoSubscriptionSignature(secretKey, iyzicoMerchantId, partial) };
      await assert.rejects(billing.parseSubscriptionWebhook(Buffer.from(JSON.stringify(partial)), signed), WebhookPayloadError);
    });

    test('other signed event types map to nothing', async () => {
      const sub = await subscribed();
      const note = peer.notification(sub.referenceCode, sub.orders[0]!.referenceCode, { eventType: 'subscription.cancel' });
      assert.deepEqual(await billing.parseSubscriptionWebhook(Buffer.from(note.body), note.headers), []);
    });
  });
});
