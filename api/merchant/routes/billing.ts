import Stripe from 'stripe';
import { z } from 'zod';
import { renderInvoicePdf } from '../../../integrations/billing/invoice-pdf';
import type { SubscriptionView as ProviderSubscription } from '../../../integrations/billing/stripe-billing';
import { IyzicoApiError } from '../../../integrations/payments/iyzico';
import {
  getPlan,
  invoiceFor,
  invoicePdf,
  listInvoices,
  listPlans,
  planFor,
  quotaFor,
  startBillingCheckout,
  storeInvoicePdf,
  subscriptionFor,
  type Invoice,
  type Subscription,
} from '../../../db/queries/billing';
import { merchantName } from '../../../db/queries/merchants';
import type { Plan } from '../../../domain/billing';
import type { Caller } from '../../../domain/roles';
import { applyBillingEvent } from '../../billing-events';
import { HttpError, notFound } from '../../errors';
import { audit, originOf, type MerchantApiDeps } from '../deps';
import { route, type RouteSpec } from '../route';
import { InvoiceView, PlanView, QuotaView, SubscriptionView } from '../schemas';

export const PLATFORM = { name: 'AutoCloser' };

export const invoiceJson = (i: Invoice) => ({ ...i, pdfUrl: `/api/v1/billing/invoices/${i.id}/pdf` });

const Checkout = z.strictObject({
  planCode: z.string().min(1).max(64),
  // iyzico needs a reachable customer for a subscription; Stripe only an email (the owner's by default).
  customer: z
    .strictObject({
      email: z.email().optional(),
      gsmNumber: z.string().regex(/^\+\d{8,15}$/, 'must be an E.164 phone number'),
      name: z.string().max(100).optional(),
      surname: z.string().max(100).optional(),
    })
    .optional(),
});

const PlanChange = z.object({
  changed: z.literal(true).describe('The existing subscription was moved to the plan; no second subscription was opened'),
  direction: z.enum(['upgrade', 'downgrade']),
  applied: z
    .boolean()
    .describe('Whether the provider has confirmed the new plan. False while Stripe waits for the prorated payment of an upgrade; the plan changes here when its event reports it paid'),
  subscription: SubscriptionView,
});

const SubscriptionAnswer = z.object({ subscription: SubscriptionView });

type BillingProvider = 'stripe' | 'iyzico';

/** The merchant's subscription with a payment provider that can still be changed, or null. */
const changeable = (s: Subscription | null): (Subscription & { provider: BillingProvider; providerRef: string }) | null =>
  s && s.status !== 'canceled' && (s.provider === 'stripe' || s.provider === 'iyzico') && s.providerRef ? (s as Subscription & { provider: BillingProvider; providerRef: string }) : null;

const notConfigured = () => new HttpError(409, 'not_configured', 'Paying for plans online is not set up on this installation; ask its operator to change your plan');
const noSubscription = () => new HttpError(409, 'no_subscription', 'You have no subscription paid online to change; choose a plan to start one');

/** A provider that refuses or fails is not the merchant's bad input, nor our crash: 502, with the provider's reason. */
async function atProvider<T>(provider: BillingProvider, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof IyzicoApiError || err instanceof Stripe.errors.StripeError) {
      throw new HttpError(502, 'provider_refused', `${provider === 'stripe' ? 'Stripe' : 'iyzico'} refused the request: ${err.message}`);
    }
    throw err;
  }
}

/** The merchant's own plan, usage and invoices; subscribing, changing plan and cancelling. Owners only: it is their money. */
export function billingRoutes(deps: MerchantApiDeps): RouteSpec[] {
  const { db } = deps;

  /** Which provider takes payment for a plan here: TRY plans through iyzico when it is set up, the rest through Stripe. */
  const providerFor = (plan: Plan): BillingProvider | null => (plan.currency === 'TRY' && deps.iyzicoBilling ? 'iyzico' : deps.billing ? 'stripe' : null);

  /**
   * Stores the subscription as the provider answered a change, through the same path as its webhooks (recorded
   * once, never over a newer state). The answer is the provider's confirmation: a plan the answer does not name
   * (Stripe still holding an upgrade for payment) leaves the stored plan as it was.
   */
  async function applyAnswer(caller: Caller, current: Subscription & { provider: BillingProvider }, view: ProviderSubscription, action: string): Promise<Subscription> {
    const named = view.planCode && (await getPlan(db, view.planCode)) ? view.planCode : current.planCode;
    const subscription = {
      ...view,
      // Stripe keeps the id through a change; iyzico continues an upgraded subscription under a new reference code.
      id: current.provider === 'stripe' ? current.providerRef! : view.id,
      merchantId: caller.merchantId,
      planCode: named,
    };
    await applyBillingEvent(
      db,
      current.provider,
      { type: view.status === 'canceled' ? 'subscription_canceled' : 'subscription_updated', eventId: `${action}:${subscription.id}:${view.updatedAt.toISOString()}`, occurredAt: view.updatedAt, subscription },
      { action, subscription: subscription.id, status: view.status, planCode: view.planCode },
    );
    return (await subscriptionFor(db, caller.merchantId))!;
  }

  async function changePlan(caller: Caller, current: Subscription & { provider: BillingProvider; providerRef: string }, plan: Plan) {
    if (!(current.provider === 'stripe' ? deps.billing : deps.iyzicoBilling)) throw notConfigured();
    if (current.planCode === plan.code) throw new HttpError(409, 'same_plan', `You are already on the ${plan.name} plan`);
    const from = await getPlan(db, current.planCode);
    if (providerFor(plan) !== current.provider || (from && from.currency !== plan.currency)) {
      // A subscription cannot move between providers or currencies; a second one would bill the merchant twice.
      throw new HttpError(409, 'provider_change', `Your subscription is paid through ${current.provider} in ${from?.currency ?? 'another currency'}; cancel it before choosing a plan in ${plan.currency}`);
    }
    const direction = from && plan.priceMinor < from.priceMinor ? 'downgrade' : 'upgrade';
    let view: ProviderSubscription;
    if (current.provider === 'stripe') {
      const billing = deps.billing!;
      view = await atProvider('stripe', () =>
        billing.changePlan({
          subscriptionId: current.providerRef,
          plan: { code: plan.code, name: plan.name, priceMinor: plan.priceMinor, currency: plan.currency, interval: 'month' },
          direction,
          // The stored state's time is in the key: a double click shares it, a later change (even back and forth) does not.
          idempotencyKey: `plan-change:${current.providerRef}:${current.planCode}:${plan.code}:${current.updatedAt.getTime()}`,
        }),
      );
    } else {
      const iyzico = deps.iyzicoBilling!;
      view = await atProvider('iyzico', async () => {
        const ref = await iyzico.ensurePricingPlan({ code: plan.code, name: plan.name, priceMinor: plan.priceMinor, currency: 'TRY', interval: 'month' });
        return iyzico.changePlan(current.providerRef, ref);
      });
    }
    const subscription = await applyAnswer(caller, current, view, 'plan-change');
    return { changed: true as const, direction, applied: subscription.planCode === plan.code, subscription };
  }

  return [
    route({
      method: 'get', path: '/billing', tag: 'billing', access: 'owner', summary: 'Plan, usage against its quota, and invoices',
      responses: { 200: z.object({ plan: PlanView, subscription: SubscriptionView.nullable(), usage: QuotaView, invoices: z.array(InvoiceView) }) },
      async handle({ caller }) {
        const [plan, subscription, usage, invoices] = await Promise.all([
          planFor(db, caller.merchantId),
          subscriptionFor(db, caller.merchantId),
          quotaFor(db, caller.merchantId),
          listInvoices(db, caller.merchantId),
        ]);
        return { status: 200, body: { plan, subscription, usage, invoices: invoices.map(invoiceJson) } };
      },
    }),
    route({
      method: 'get', path: '/billing/plans', tag: 'billing', access: 'owner', summary: 'Plans on offer',
      responses: { 200: z.object({ items: z.array(PlanView) }) },
      async handle() {
        return { status: 200, body: { items: (await listPlans(db)).filter((p) => p.active) } };
      },
    }),
    route({
      method: 'post', path: '/billing/checkout', tag: 'billing', access: 'owner',
      summary: 'Start paying for a plan (TRY plans through iyzico, others through Stripe Billing), or change the plan of the subscription already paid',
      body: Checkout, example: { planCode: 'growth' },
      responses: {
        200: PlanChange,
        201: z.object({
          url: z.string().optional().describe('The checkout page to send the owner to (Stripe; iyzico when it offers one)'),
          sessionId: z.string().optional().describe('Stripe: the Checkout Session'),
          token: z.string().optional().describe('iyzico: the checkout form token'),
          checkoutFormContent: z.string().optional().describe('iyzico: the checkout form to embed'),
        }),
        409: 'Paying for plans online is not set up on this installation; or the merchant is on this plan already; or its subscription is with another provider or in another currency (cancel it first)',
        502: 'The payment provider refused or failed the checkout or the plan change; nothing changed',
      },
      async handle({ caller, body, req }) {
        const plan = await getPlan(db, body.planCode);
        if (!plan?.active) throw notFound(`plan "${body.planCode}"`);
        const current = changeable(await subscriptionFor(db, caller.merchantId));
        if (current) {
          // A second checkout would open a second subscription and bill twice: the one already paid changes instead.
          const changed = await changePlan(caller, current, plan);
          await audit(db, caller, req, 'billing.plan_change', plan.code, { from: current.planCode, provider: current.provider, direction: changed.direction, applied: changed.applied });
          return { status: 200, body: changed };
        }
        const merchant = (await merchantName(db, caller.merchantId))!;
        let checkout: { url?: string; sessionId?: string; token?: string; checkoutFormContent?: string };
        if (plan.currency === 'TRY' && deps.iyzicoBilling) {
          if (!body.customer) throw new HttpError(400, 'invalid_request', 'Invalid body: customer: iyzico needs the customer\'s phone number (customer.gsmNumber)', [{ path: 'customer', message: 'is required for TRY plans' }]);
          const iyzico = deps.iyzicoBilling;
          const customer = { ...body.customer, email: body.customer.email ?? caller.email };
          const started = await atProvider('iyzico', async () => {
            const pricingPlanReferenceCode = await iyzico.ensurePricingPlan({ code: plan.code, name: plan.name, priceMinor: plan.priceMinor, currency: 'TRY', interval: 'month' });
            return iyzico.startSubscriptionCheckout({ merchantId: merchant.id, pricingPlanReferenceCode, conversationId: merchant.id, customer });
          });
          await startBillingCheckout(db, { token: started.token, merchantId: merchant.id, planCode: plan.code, provider: 'iyzico' });
          checkout = { token: started.token, checkoutFormContent: started.checkoutFormContent, ...(started.url ? { url: started.url } : {}) };
        } else if (deps.billing) {
          const billing = deps.billing;
          const customerId = await atProvider('stripe', () => billing.ensureCustomer({ merchantId: merchant.id, name: merchant.name, email: body.customer?.email ?? caller.email }));
          const base = originOf(deps, req).replace(/\/$/, '');
          const billingPlan = { code: plan.code, name: plan.name, priceMinor: plan.priceMinor, currency: plan.currency, interval: 'month' as const };
          const priceId = await atProvider('stripe', () => billing.ensurePrice(billingPlan));
          checkout = await atProvider('stripe', () => billing.startSubscriptionCheckout({
            customerId,
            merchantId: merchant.id,
            // The plan's own Price names the plan in its metadata, so a later change (here or in Stripe's portal) is read back right.
            priceId,
            plan: billingPlan,
            successUrl: `${base}/app/billing?done=1`,
            cancelUrl: `${base}/app/billing?cancelled=1`,
            idempotencyKey: `subscribe:${merchant.id}:${plan.code}:${new Date().toISOString().slice(0, 10)}`,
          }));
        } else {
          throw notConfigured();
        }
        await audit(db, caller, req, 'billing.checkout', plan.code);
        return { status: 201, body: checkout };
      },
    }),
    route({
      method: 'post', path: '/billing/cancel', tag: 'billing', access: 'owner',
      summary: 'Cancel the subscription: Stripe at the end of the paid period (can be resumed until then), iyzico at once (iyzico has no cancel at period end)',
      responses: {
        200: SubscriptionAnswer.extend({ immediate: z.boolean().describe('true when the subscription ended now (iyzico) rather than at the period end') }),
        409: 'No subscription paid online, it is already set to cancel, or its provider is not set up here',
        502: 'The payment provider refused or failed the cancel; nothing changed',
      },
      async handle({ caller, req }) {
        const current = changeable(await subscriptionFor(db, caller.merchantId));
        if (!current) throw noSubscription();
        let view: ProviderSubscription;
        if (current.provider === 'stripe') {
          if (!deps.billing) throw notConfigured();
          if (current.cancelAtPeriodEnd) throw new HttpError(409, 'already_canceling', 'Your subscription already ends at the end of this period');
          const billing = deps.billing;
          view = await atProvider('stripe', () => billing.cancelAtPeriodEnd(current.providerRef));
        } else {
          if (!deps.iyzicoBilling) throw notConfigured();
          const iyzico = deps.iyzicoBilling;
          view = await atProvider('iyzico', () => iyzico.cancel(current.providerRef));
        }
        const subscription = await applyAnswer(caller, current, view, 'cancel');
        await audit(db, caller, req, 'billing.cancel', current.planCode, { provider: current.provider, immediate: current.provider === 'iyzico' });
        return { status: 200, body: { subscription, immediate: current.provider === 'iyzico' } };
      },
    }),
    route({
      method: 'post', path: '/billing/resume', tag: 'billing', access: 'owner',
      summary: 'Take back a cancel at period end before the period ends (Stripe)',
      responses: {
        200: SubscriptionAnswer,
        409: 'No subscription set to cancel at period end (an iyzico subscription ends at once and cannot be resumed), or Stripe Billing is not set up here',
        502: 'Stripe refused or failed the change; nothing changed',
      },
      async handle({ caller, req }) {
        const current = changeable(await subscriptionFor(db, caller.merchantId));
        if (!current || current.provider !== 'stripe' || !current.cancelAtPeriodEnd) {
          throw new HttpError(409, 'not_canceling', 'Your subscription is not set to cancel at the end of the period');
        }
        if (!deps.billing) throw notConfigured();
        const billing = deps.billing;
        const view = await atProvider('stripe', () => billing.resume(current.providerRef));
        const subscription = await applyAnswer(caller, current, view, 'resume');
        await audit(db, caller, req, 'billing.resume', current.planCode, { provider: 'stripe' });
        return { status: 200, body: { subscription } };
      },
    }),
    route({
      method: 'post', path: '/billing/portal', tag: 'billing', access: 'owner',
      summary: "A Stripe customer portal session: payment methods and Stripe's invoices; the owner comes back to the Billing page",
      responses: {
        201: z.object({ url: z.string().describe("Stripe's portal page to send the owner to; it works once, for a short time") }),
        409: 'Stripe Billing is not set up here, or the subscription is paid through iyzico',
        502: 'Stripe refused or failed the session',
      },
      async handle({ caller, req }) {
        if (!deps.billing) throw notConfigured();
        const current = changeable(await subscriptionFor(db, caller.merchantId));
        if (current && current.provider !== 'stripe') throw new HttpError(409, 'not_stripe', 'Your subscription is paid through iyzico, which has no customer portal');
        const billing = deps.billing;
        const merchant = (await merchantName(db, caller.merchantId))!;
        const base = originOf(deps, req).replace(/\/$/, '');
        const session = await atProvider('stripe', async () => {
          const customerId = await billing.ensureCustomer({ merchantId: merchant.id, name: merchant.name, email: caller.email });
          return billing.createPortalSession({ customerId, returnUrl: `${base}/app/billing` });
        });
        await audit(db, caller, req, 'billing.portal', null);
        return { status: 201, body: session };
      },
    }),
    route({
      method: 'get', path: '/billing/invoices/:invoiceId/pdf', tag: 'billing', access: 'owner', summary: 'An invoice as PDF',
      responses: { 200: { file: 'application/pdf', description: 'The invoice' } },
      async handle({ caller, params }) {
        const id = params.invoiceId!;
        const found = z.uuid().safeParse(id).success ? await invoiceFor(db, caller.merchantId, id) : null;
        // Another merchant's invoice looks exactly like a missing one.
        if (!found) throw notFound(`invoice "${id}"`);
        let pdf = await invoicePdf(db, id);
        if (!pdf) {
          const merchant = (await merchantName(db, caller.merchantId))!;
          pdf = await renderInvoicePdf(found.invoice, found.lines, merchant, PLATFORM);
          await storeInvoicePdf(db, id, pdf);
        }
        return { status: 200, body: pdf, headers: { 'content-disposition': `inline; filename="${found.invoice.number}.pdf"`, 'cache-control': 'private, no-store' } };
      },
    }),
  ];
}
