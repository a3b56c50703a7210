import { z } from 'zod';
import { renderInvoicePdf } from '../../../activities/billing/invoice-pdf';
import { getPlan, invoiceFor, invoicePdf, listInvoices, listPlans, planFor, quotaFor, storeInvoicePdf, subscriptionFor, type Invoice } from '../../../db/queries/billing';
import { HttpError, notFound } from '../../errors';
import { audit, originOf, type MerchantApiDeps } from '../deps';
import { route, type RouteSpec } from '../route';

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

/** The merchant's own plan, usage and invoices, and subscribing to a plan. Owners only: it is their money. */
export function billingRoutes(deps: MerchantApiDeps): RouteSpec[] {
  const { db } = deps;
  const Any = z.record(z.string(), z.unknown());
  return [
    route({
      method: 'get', path: '/billing', tag: 'billing', access: 'owner', summary: 'Plan, usage against its quota, and invoices',
      response: z.object({ plan: Any.nullable(), subscription: Any.nullable(), usage: Any, invoices: z.array(Any) }),
      async handle({ caller }) {
        const [plan, subscription, usage, invoices] = await Promise.all([
          planFor(db, caller.merchantId),
          subscriptionFor(db, caller.merchantId),
          quotaFor(db, caller.merchantId),
          listInvoices(db, caller.merchantId),
        ]);
        return { plan, subscription, usage, invoices: invoices.map(invoiceJson) };
      },
    }),
    route({
      method: 'get', path: '/billing/plans', tag: 'billing', access: 'owner', summary: 'Plans on offer',
      response: z.object({ items: z.array(Any) }),
      async handle() {
        return { items: (await listPlans(db)).filter((p) => p.active) };
      },
    }),
    route({
      method: 'post', path: '/billing/checkout', tag: 'billing', access: 'owner', status: 201,
      summary: 'Start paying for a plan: TRY plans through iyzico, others through Stripe Billing',
      body: Checkout, example: { planCode: 'growth' }, response: z.object({ url: z.string().optional(), checkoutFormContent: z.string().optional() }).loose(),
      async handle({ caller, body, req }) {
        const plan = await getPlan(db, body.planCode);
        if (!plan?.active) throw notFound(`plan "${body.planCode}"`);
        const merchant = await db('merchants').where({ id: caller.merchantId }).first('id', 'name');
        let checkout: { url?: string };
        if (plan.currency === 'TRY' && deps.iyzicoBilling) {
          if (!body.customer) throw new HttpError(400, 'invalid_request', 'Invalid body: customer: iyzico needs the customer\'s phone number (customer.gsmNumber)', [{ path: 'customer', message: 'is required for TRY plans' }]);
          const pricingPlanReferenceCode = await deps.iyzicoBilling.ensurePricingPlan({ code: plan.code, name: plan.name, priceMinor: plan.priceMinor, currency: 'TRY', interval: 'month' });
          const started = await deps.iyzicoBilling.startSubscriptionCheckout({
            merchantId: merchant.id, pricingPlanReferenceCode, conversationId: merchant.id,
            customer: { ...body.customer, email: body.customer.email ?? caller.email },
          });
          await db('billing_checkouts').insert({ token: started.token, merchant_id: merchant.id, plan_code: plan.code, provider: 'iyzico' });
          checkout = started;
        } else if (deps.billing) {
          const customerId = await deps.billing.ensureCustomer({ merchantId: merchant.id, name: merchant.name, email: body.customer?.email ?? caller.email });
          const base = originOf(deps, req).replace(/\/$/, '');
          checkout = await deps.billing.startSubscriptionCheckout({
            customerId,
            merchantId: merchant.id,
            plan: { code: plan.code, name: plan.name, priceMinor: plan.priceMinor, currency: plan.currency, interval: 'month' },
            successUrl: `${base}/app/billing?done=1`,
            cancelUrl: `${base}/app/billing?cancelled=1`,
            idempotencyKey: `subscribe:${merchant.id}:${plan.code}:${new Date().toISOString().slice(0, 10)}`,
          });
        } else {
          throw new HttpError(409, 'not_configured', 'Paying for plans online is not set up on this installation; ask its operator to change your plan');
        }
        await audit(db, caller, req, 'billing.checkout', plan.code);
        return checkout;
      },
    }),
    route({
      method: 'get', path: '/billing/invoices/:invoiceId/pdf', tag: 'billing', access: 'owner', summary: 'An invoice as PDF',
      async handle({ caller, params, res }) {
        const id = params.invoiceId!;
        const found = z.uuid().safeParse(id).success ? await invoiceFor(db, caller.merchantId, id) : null;
        // Another merchant's invoice looks exactly like a missing one.
        if (!found) throw notFound(`invoice "${id}"`);
        let pdf = await invoicePdf(db, id);
        if (!pdf) {
          const merchant = await db('merchants').where({ id: caller.merchantId }).first('id', 'name');
          pdf = await renderInvoicePdf(found.invoice, found.lines, merchant, PLATFORM);
          await storeInvoicePdf(db, id, pdf);
        }
        res.type('application/pdf').set('content-disposition', `inline; filename="${found.invoice.number}.pdf"`).set('cache-control', 'private, no-store').send(pdf);
        return undefined;
      },
    }),
  ];
}
