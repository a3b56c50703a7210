import { Router } from 'express';
import { z } from 'zod';
import { renderInvoicePdf } from '../../activities/billing/invoice-pdf';
import { calendarMonth, periodInvoiceLines } from '../../domain/billing';
import type { Db } from '../../db/knex';
import {
  getPlan,
  invoiceFor,
  invoicePdf,
  issueInvoice,
  listInvoices,
  listPlans,
  planFor,
  platformFeesFor,
  quotaFor,
  setSubscription,
  storeInvoicePdf,
  subscriptionFor,
  type Invoice,
} from '../../db/queries/billing';
import { HttpError, notFound, parseOr400 } from '../errors';

const MerchantQuery = z.object({ merchantId: z.string().min(1, 'is required') });

async function merchantOr404(db: Db, merchantId: string): Promise<{ id: string; name: string }> {
  const merchant = await db('merchants').where({ id: merchantId }).first('id', 'name');
  if (!merchant) throw notFound(`merchant "${merchantId}"`);
  return merchant;
}

const invoiceJson = (i: Invoice) => ({ ...i, pdfUrl: `/api/v1/billing/invoices/${i.id}/pdf?merchantId=${encodeURIComponent(i.merchantId)}` });

/** The platform's billing of a merchant: plan, usage against its quota, invoices. Mounted behind the admin token. */
export function billingRoutes(deps: { db: Db; platform?: { name: string; address?: string } }): Router {
  const { db } = deps;
  const platform = deps.platform ?? { name: 'AutoCloser' };
  const router = Router();

  router.get('/billing', async (req, res) => {
    const { merchantId } = parseOr400(MerchantQuery, req.query, 'query');
    await merchantOr404(db, merchantId);
    const [plan, subscription, usage, invoices] = await Promise.all([
      planFor(db, merchantId),
      subscriptionFor(db, merchantId),
      quotaFor(db, merchantId),
      listInvoices(db, merchantId),
    ]);
    res.json({ plan, subscription, usage, invoices: invoices.map(invoiceJson) });
  });

  router.get('/billing/plans', async (_req, res) => {
    res.json({ items: await listPlans(db) });
  });

  // A person changes the plan by hand; provider-managed subscriptions are changed through their own checkout.
  router.post('/billing/subscription', async (req, res) => {
    const { merchantId, planCode } = parseOr400(z.strictObject({ merchantId: z.string().min(1), planCode: z.string().min(1) }), req.body);
    const plan = await getPlan(db, planCode);
    if (!plan?.active) throw new HttpError(400, 'invalid_request', `Invalid body: planCode: "${planCode}" is not an available plan`, [{ path: 'planCode', message: 'is not an available plan' }]);
    await merchantOr404(db, merchantId);
    const now = new Date();
    const current = await subscriptionFor(db, merchantId);
    // A new subscription starts on the calendar month the merchant has been metered on, so usage carries over.
    const period = current && current.status !== 'canceled' ? { start: current.currentPeriodStart, end: current.currentPeriodEnd } : calendarMonth(now);
    const next = {
      merchantId,
      planCode,
      status: current && current.status !== 'canceled' ? current.status : ('active' as const),
      provider: current && current.status !== 'canceled' ? current.provider : ('manual' as const),
      providerRef: current && current.status !== 'canceled' ? current.providerRef : null,
      currentPeriodStart: period.start,
      currentPeriodEnd: period.end,
      cancelAtPeriodEnd: current && current.status !== 'canceled' ? current.cancelAtPeriodEnd : false,
      updatedAt: current && current.updatedAt >= now ? new Date(current.updatedAt.getTime() + 1) : now,
    };
    await setSubscription(db, next);
    res.json({ plan, subscription: await subscriptionFor(db, merchantId) });
  });

  router.get('/billing/invoices/:id/pdf', async (req, res) => {
    const { merchantId } = parseOr400(MerchantQuery, req.query, 'query');
    const id = parseOr400(z.uuid(), req.params.id, 'invoice id');
    const found = await invoiceFor(db, merchantId, id);
    // Another merchant's invoice looks exactly like a missing one.
    if (!found) throw notFound(`invoice "${id}"`);
    let pdf = await invoicePdf(db, id);
    if (!pdf) {
      pdf = await renderInvoicePdf(found.invoice, found.lines, await merchantOr404(db, merchantId), platform);
      await storeInvoicePdf(db, id, pdf);
      pdf = (await invoicePdf(db, id)) ?? pdf;
    }
    res
      .type('application/pdf')
      .set('content-disposition', `inline; filename="${found.invoice.number}.pdf"`)
      .set('cache-control', 'private, no-store')
      .send(pdf);
  });

  const IssueBody = z
    .strictObject({ merchantId: z.string().min(1), periodStart: z.iso.datetime({ offset: true }), periodEnd: z.iso.datetime({ offset: true }) })
    .refine((b) => Date.parse(b.periodStart) < Date.parse(b.periodEnd), { message: 'must be after periodStart', path: ['periodEnd'] });
  // Once per merchant and period: a repeat returns the invoice already issued.
  router.post('/billing/invoices', async (req, res) => {
    const body = parseOr400(IssueBody, req.body);
    const merchant = await merchantOr404(db, body.merchantId);
    const period = { start: new Date(body.periodStart), end: new Date(body.periodEnd) };
    const plan = await planFor(db, merchant.id);
    const { currency, lines, unbilled } = periodInvoiceLines(plan, period, await platformFeesFor(db, merchant.id, period));
    const issued = await issueInvoice(db, merchant.id, period, lines, { currency });
    if (issued.created) await storeInvoicePdf(db, issued.invoice.id, await renderInvoicePdf(issued.invoice, issued.lines, merchant, platform));
    res.status(issued.created ? 201 : 200).json({ invoice: invoiceJson(issued.invoice), lines: issued.lines, created: issued.created, unbilled });
  });

  return router;
}
