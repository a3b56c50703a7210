import express, { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { z } from 'zod';
import { WebhookPayloadError, WebhookSignatureError } from '../../integrations/payments/provider';
import type { StripeConnect } from '../../integrations/payments/stripe-connect';
import type { Db } from '../../db/knex';
import { planFor } from '../../db/queries/billing';
import { paymentAccountById, paymentAccountByRef, setPaymentAccountStatus, type PaymentAccount } from '../../db/queries/payment-accounts';
import { metrics } from '../../observability/metrics';
import { HttpError, notFound } from '../errors';
import type { RouteDoc } from '../merchant/route';
import { applyPaymentEvent } from '../payment-events';

/** Where Stripe's onboarding sends the merchant back: the dashboard's payment settings. */
export const CONNECT_DASHBOARD_PATH = '/app/settings/payments';

const ConnectReceived = z.object({
  received: z.literal(true),
  account: z.string().nullable().describe('The payment account the event was routed to; null when the connected account is not known here'),
  results: z
    .array(z.string())
    .describe(
      "Per payment in the event: applied, duplicate or unknown_order; application_fee_returned when a refund gave the platform's fee back as the plan says; account_updated for account events; ignored otherwise",
    ),
});

const AccountParam = z.object({ accountId: z.string().describe('The payment account (GET /api/v1/payment-accounts)') });

/** These routes read the raw body or only redirect, so they are mounted by hand below and described here. */
export const stripeConnectDocs: RouteDoc[] = [
  {
    method: 'post', path: '/webhooks/stripe/connect', tag: 'webhooks', access: 'public', operationId: 'stripeConnectWebhook',
    summary:
      "Events of merchants' connected Stripe accounts (the Connect endpoint, signed with STRIPE_CONNECT_WEBHOOK_SECRET): checkout.session.completed/expired, " +
      "charge.refunded, charge.dispute.created/closed and account.updated, routed by the event's `account` to that merchant. An event for an account not connected " +
      "here, or naming an order of another merchant or account, changes nothing",
    headers: { 'stripe-signature': { description: "Stripe's signature over the raw body", required: true } },
    contentType: 'application/json', contentSchema: z.looseObject({ account: z.string().optional() }).describe('A Stripe event, as Stripe sent it'),
    responses: { 200: ConnectReceived, 403: 'Missing or invalid signature', 404: 'Stripe Connect is not set up on this installation (no Connect signing secret)' },
  },
  {
    method: 'get', path: '/payments/stripe/connect/:accountId/return', tag: 'payments', access: 'public', operationId: 'stripeConnectReturn',
    summary: "Where Stripe's onboarding sends the merchant when they leave it: the account is checked with Stripe and the merchant lands on the dashboard's payment settings",
    params: AccountParam,
    responses: { 303: null, 404: 'No Stripe connected account with this id' },
  },
  {
    method: 'get', path: '/payments/stripe/connect/:accountId/refresh', tag: 'payments', access: 'public', operationId: 'stripeConnectRefresh',
    summary: 'Where Stripe sends the merchant when the onboarding link expired: the account is checked and the dashboard asks for a fresh link',
    params: AccountParam,
    responses: { 303: null, 404: 'No Stripe connected account with this id' },
  },
];

export interface StripeConnectRouteDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  log: Logger;
  stripeConnect?: StripeConnect;
}

/**
 * Asks Stripe for the account's state and stores it. A disconnected account stays disconnected whatever Stripe says:
 * only the merchant connecting again turns it back on.
 */
export async function refreshConnectAccount(deps: Pick<StripeConnectRouteDeps, 'db'> & { stripeConnect: StripeConnect }, account: PaymentAccount): Promise<PaymentAccount['status']> {
  if (!account.externalRef) return account.status;
  const state = await deps.stripeConnect.accountState(account.externalRef);
  const status = account.status === 'disabled' ? 'disabled' : state.status;
  await setPaymentAccountStatus(deps.db, account.id, status, { ...state.details });
  return status;
}

/** The Connect endpoint and the two pages Stripe's onboarding returns the merchant to. */
export function stripeConnectRoutes(deps: StripeConnectRouteDeps): Router {
  const router = Router();
  const eventDeps = { db: deps.db, temporal: deps.temporal, taskQueue: deps.taskQueue, log: deps.log };

  router.post('/webhooks/stripe/connect', express.raw({ type: '*/*', limit: '256kb' }), async (req, res) => {
    const connect = deps.stripeConnect;
    if (!connect?.parseWebhook) throw notFound('Stripe Connect endpoint');
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let event;
    try {
      event = await connect.parseWebhook(raw, req.headers);
    } catch (err) {
      if (err instanceof WebhookSignatureError) {
        metrics.webhookSignatureFailures.inc({ provider: 'stripe_connect' });
        throw new HttpError(403, 'invalid_signature', err.message);
      }
      if (err instanceof WebhookPayloadError) throw new HttpError(400, 'invalid_webhook', err.message);
      throw err;
    }
    const account = event.account ? await paymentAccountByRef(deps.db, 'stripe', event.account) : undefined;
    if (!account || account.kind !== 'connect') {
      // Acknowledged so Stripe stops retrying: an account disconnected long ago, or one of another platform's installations.
      if (event.account) deps.log.warn({ stripeAccount: event.account, eventId: event.eventId, type: event.type }, 'Connect event for an account not connected here');
      res.json({ received: true, account: null, results: [] });
      return;
    }
    const results: string[] = [];
    if (event.accountChanged) {
      await refreshConnectAccount({ db: deps.db, stripeConnect: connect }, account);
      results.push('account_updated');
    } else if (event.deauthorized) {
      // The merchant removed this platform from their Stripe account: nothing can be charged there any more.
      await setPaymentAccountStatus(deps.db, account.id, 'disabled');
      results.push('account_updated');
    }
    const scope = { merchantId: account.merchantId, paymentAccountId: account.id };
    const payload: unknown = JSON.parse(raw.toString('utf8'));
    for (const payment of event.payments) {
      const result = await applyPaymentEvent(eventDeps, payment, payload, scope);
      if (result === 'applied') metrics.payments.inc({ provider: 'stripe', outcome: 'webhook' });
      results.push(result);
    }
    // Only for this account's own order (a redelivery included: the fee is brought to a total, not added to).
    if (event.feeRefund && results.some((r) => r === 'applied' || r === 'duplicate') && (await planFor(deps.db, account.merchantId)).refundsPlatformFee) {
      if ((await connect.returnApplicationFee(event.feeRefund)) > 0) results.push('application_fee_returned');
    }
    if (!results.length) results.push('ignored');
    res.json({ received: true, account: account.id, results });
  });

  const backToDashboard = (outcome: 'return' | 'refresh'): express.RequestHandler => async (req, res) => {
    const account = await paymentAccountById(deps.db, String(req.params.accountId));
    if (!account || account.provider !== 'stripe' || account.kind !== 'connect') throw notFound('Stripe connected account');
    let checked = true;
    if (deps.stripeConnect) {
      try {
        await refreshConnectAccount({ db: deps.db, stripeConnect: deps.stripeConnect }, account);
      } catch (err) {
        // The merchant still gets back to the dashboard; account.updated events bring the status later.
        deps.log.warn({ err, paymentAccountId: account.id }, 'could not check the connected account with Stripe');
        checked = false;
      }
    }
    res.redirect(303, `${CONNECT_DASHBOARD_PATH}?stripe=${outcome}${checked ? '' : '&unchecked=1'}`);
  };
  router.get('/payments/stripe/connect/:accountId/return', backToDashboard('return'));
  router.get('/payments/stripe/connect/:accountId/refresh', backToDashboard('refresh'));

  return router;
}
