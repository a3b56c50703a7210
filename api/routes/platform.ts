import { timingSafeEqual } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { renderInvoicePdf } from '../../integrations/billing/invoice-pdf';
import { calendarMonth, periodInvoiceLines } from '../../domain/billing';
import type { Db } from '../../db/knex';
import { getPlan, issueInvoice, planFor, platformFeesFor, setSubscription, storeInvoicePdf, subscriptionFor } from '../../db/queries/billing';
import { merchantName } from '../../db/queries/merchants';
import { HttpError, notFound } from '../errors';
import { mountRoutes, route, type RouteSpec } from '../merchant/route';
import { invoiceJson, PLATFORM } from '../merchant/routes/billing';
import { InvoiceLineView, InvoiceView, PlanView, SubscriptionView } from '../merchant/schemas';

/**
 * The installation's operator, not a merchant: one token compared in
 * constant time so it cannot leak through timing.
 */
export function requireAdminToken(token: string): RequestHandler {
  const expected = Buffer.from(token);
  return (req, _res, next) => {
    const given = Buffer.from(/^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      next(new HttpError(401, 'unauthorized', 'Send "Authorization: Bearer <ADMIN_TOKEN>"'));
      return;
    }
    next();
  };
}

async function merchantOr404(db: Db, merchantId: string): Promise<{ id: string; name: string }> {
  const merchant = await merchantName(db, merchantId);
  if (!merchant) throw notFound(`merchant "${merchantId}"`);
  return merchant;
}

const MerchantParam = z.object({ merchantId: z.string().min(1).max(64) });
const IssueBody = z
  .strictObject({ periodStart: z.iso.datetime({ offset: true }), periodEnd: z.iso.datetime({ offset: true }) })
  .refine((b) => Date.parse(b.periodStart) < Date.parse(b.periodEnd), { message: 'must be after periodStart', path: ['periodEnd'] });
const Issued = z.object({
  invoice: InvoiceView,
  lines: z.array(InvoiceLineView),
  created: z.boolean().describe('false when this period was already invoiced; the earlier invoice is returned'),
  unbilled: z.array(z.object({ currency: z.string(), feeMinor: z.number(), payments: z.number() })).describe('Platform fees in currencies other than the invoice\'s'),
});

/** What the platform's operator does for merchants: set a plan by hand, issue the period's invoice. */
export function platformRouteSpecs(deps: { db: Db }): RouteSpec[] {
  const { db } = deps;
  return [
    // Provider-managed subscriptions change through their own checkout; this is for plans agreed by hand.
    route({
      method: 'post', path: '/merchants/:merchantId/subscription', tag: 'platform', access: 'operator', operationId: 'platformSetSubscription',
      summary: "Put a merchant on a plan by hand; usage in the current period carries over",
      params: MerchantParam, body: z.strictObject({ planCode: z.string().min(1).max(64) }), example: { planCode: 'growth' },
      responses: { 200: z.object({ plan: PlanView, subscription: SubscriptionView.nullable() }), 404: 'No such merchant' },
      async handle({ params, body }) {
        const { planCode } = body;
        const merchantId = params.merchantId!;
        const plan = await getPlan(db, planCode);
        if (!plan?.active) throw new HttpError(400, 'invalid_request', `Invalid body: planCode: "${planCode}" is not an available plan`, [{ path: 'planCode', message: 'is not an available plan' }]);
        await merchantOr404(db, merchantId);
        const now = new Date();
        const current = await subscriptionFor(db, merchantId);
        const live = current && current.status !== 'canceled' ? current : null;
        // A new subscription starts on the calendar month the merchant has been metered on, so usage carries over.
        const period = live ? { start: live.currentPeriodStart, end: live.currentPeriodEnd } : calendarMonth(now);
        await setSubscription(db, {
          merchantId,
          planCode,
          status: live?.status ?? 'active',
          provider: live?.provider ?? 'manual',
          providerRef: live?.providerRef ?? null,
          currentPeriodStart: period.start,
          currentPeriodEnd: period.end,
          cancelAtPeriodEnd: live?.cancelAtPeriodEnd ?? false,
          updatedAt: current && current.updatedAt >= now ? new Date(current.updatedAt.getTime() + 1) : now,
        });
        return { status: 200, body: { plan, subscription: await subscriptionFor(db, merchantId) } };
      },
    }),
    // Once per merchant and period: a repeat returns the invoice already issued.
    route({
      method: 'post', path: '/merchants/:merchantId/invoices', tag: 'platform', access: 'operator', operationId: 'platformIssueInvoice',
      summary: "Issue a merchant's invoice for a period (plan, overage, platform fees); a repeat returns the one already issued",
      params: MerchantParam, body: IssueBody, example: { periodStart: '2026-10-01T00:00:00Z', periodEnd: '2026-11-01T00:00:00Z' },
      responses: { 200: Issued.describe('Already issued'), 201: Issued.describe('Issued now'), 404: 'No such merchant' },
      async handle({ params, body }) {
        const merchant = await merchantOr404(db, params.merchantId!);
        const period = { start: new Date(body.periodStart), end: new Date(body.periodEnd) };
        const plan = await planFor(db, merchant.id);
        const { currency, lines, unbilled } = periodInvoiceLines(plan, period, await platformFeesFor(db, merchant.id, period));
        const issued = await issueInvoice(db, merchant.id, period, lines, { currency });
        if (issued.created) await storeInvoicePdf(db, issued.invoice.id, await renderInvoicePdf(issued.invoice, issued.lines, merchant, PLATFORM));
        return { status: issued.created ? 201 : 200, body: { invoice: invoiceJson(issued.invoice), lines: issued.lines, created: issued.created, unbilled } };
      },
    }),
  ];
}

export function platformRoutes(deps: { db: Db; adminToken: string }): Router {
  const router = Router();
  mountRoutes(router, platformRouteSpecs(deps), null, { operator: requireAdminToken(deps.adminToken) });
  return router;
}
