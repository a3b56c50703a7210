import { z } from 'zod';
import { renderInvoicePdf } from '../../../integrations/billing/invoice-pdf';
import { getPlan, invoiceFor, invoicePdf, listInvoices, listPlans, planFor, quotaFor, startBillingCheckout, storeInvoicePdf, subscriptionFor, type Invoice } from '../../../db/queries/billing';
import { merchantName } from '../../../db/queries/merchants';
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

/** The merchant's own plan, usage and invoices, and subscribing to a plan. Owners only: it is their money. */
export function billingRoutes(deps: MerchantApiDeps): RouteSpec[] {
  const { db } = deps;
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
      summary: 'Start paying for a plan: TRY plans through iyzico, others through Stripe Billing',
      body: Checkout, example: { planCode: 'growth' },
      responses: {
        201: z.object({
          url: z.string().optional().describe('The checkout page to send the owner to (Stripe; iyzico when it offers one)'),
          sessionId: z.string().optional().describe('Stripe: the Checkout Session'),
          token: z.string().optional().describe('iyzico: the checkout form token'),
          checkoutFormContent: z.string().optional().describe('iyzico: the checkout form to embed'),
        }),
        409: 'Paying for plans online is not set up on this installation',
      },
      async handle({ caller, body, req }) {
        const plan = await getPlan(db, body.planCode);
        if (!plan?.active) throw notFound(`plan "${body.planCode}"`);
        const merchant = (await merchantName(db, caller.merchantId))!;
        let checkout: { url?: string; sessionId?: string; token?: string; checkoutFormContent?: string };
        if (plan.currency === 'TRY' && deps.iyzicoBilling) {
          if (!body.customer) throw new HttpError(400, 'invalid_request', 'Invalid body: customer: iyzico needs the customer\'s phone number (customer.gsmNumber)', [{ path: 'customer', message: 'is required for TRY plans' }]);
          const pricingPlanReferenceCode = await deps.iyzicoBilling.ensurePricingPlan({ code: plan.code, name: plan.name, priceMinor: plan.priceMinor, currency: 'TRY', interval: 'month' });
          const started = await deps.iyzicoBilling.startSubscriptionCheckout({
            merchantId: merchant.id, pricingPlanReferenceCode, conversationId: merchant.id,
            customer: { ...body.customer, email: body.customer.email ?? caller.email },
          });
          await startBillingCheckout(db, { token: started.token, merchantId: merchant.id, planCode: plan.code, provider: 'iyzico' });
          checkout = { token: started.token, checkoutFormContent: started.checkoutFormContent, ...(started.url ? { url: started.url } : {}) };
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
        return { status: 201, body: checkout };
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
