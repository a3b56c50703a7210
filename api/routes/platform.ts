import { timingSafeEqual } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { renderInvoicePdf } from '../../activities/billing/invoice-pdf';
import { calendarMonth, periodInvoiceLines } from '../../domain/billing';
import type { Db } from '../../db/knex';
import { getPlan, issueInvoice, planFor, platformFeesFor, setSubscription, storeInvoicePdf, subscriptionFor } from '../../db/queries/billing';
import { HttpError, notFound, parseOr400 } from '../errors';
import { invoiceJson, PLATFORM } from '../merchant/routes/billing';

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
  const merchant = await db('merchants').where({ id: merchantId }).first('id', 'name');
  if (!merchant) throw notFound(`merchant "${merchantId}"`);
  return merchant;
}

/** What the platform's operator does for merchants: set a plan by hand, issue the period's invoice. */
export function platformRoutes(deps: { db: Db; adminToken: string }): Router {
  const { db } = deps;
  const router = Router();
  router.use(requireAdminToken(deps.adminToken));

  // Provider-managed subscriptions change through their own checkout; this is for plans agreed by hand.
  router.post('/merchants/:merchantId/subscription', async (req, res) => {
    const { planCode } = parseOr400(z.strictObject({ planCode: z.string().min(1) }), req.body);
    const merchantId = req.params.merchantId;
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
    res.json({ plan, subscription: await subscriptionFor(db, merchantId) });
  });

  const IssueBody = z
    .strictObject({ periodStart: z.iso.datetime({ offset: true }), periodEnd: z.iso.datetime({ offset: true }) })
    .refine((b) => Date.parse(b.periodStart) < Date.parse(b.periodEnd), { message: 'must be after periodStart', path: ['periodEnd'] });
  // Once per merchant and period: a repeat returns the invoice already issued.
  router.post('/merchants/:merchantId/invoices', async (req, res) => {
    const body = parseOr400(IssueBody, req.body);
    const merchant = await merchantOr404(db, req.params.merchantId);
    const period = { start: new Date(body.periodStart), end: new Date(body.periodEnd) };
    const plan = await planFor(db, merchant.id);
    const { currency, lines, unbilled } = periodInvoiceLines(plan, period, await platformFeesFor(db, merchant.id, period));
    const issued = await issueInvoice(db, merchant.id, period, lines, { currency });
    if (issued.created) await storeInvoicePdf(db, issued.invoice.id, await renderInvoicePdf(issued.invoice, issued.lines, merchant, PLATFORM));
    res.status(issued.created ? 201 : 200).json({ invoice: invoiceJson(issued.invoice), lines: issued.lines, created: issued.created, unbilled });
  });
  return router;
}
