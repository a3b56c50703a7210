import { z } from 'zod';
import { paymentAccountOf, paymentAccountsOf, removePaymentAccount, savePaymentAccount, type PaymentAccount } from '../../../db/queries/payment-accounts';
import { HttpError, notFound } from '../../errors';
import { refreshConnectAccount } from '../../routes/stripe-connect';
import { audit, originOf, type MerchantApiDeps } from '../deps';
import { route, type RouteSpec } from '../route';

/** A merchant's payment account as the merchant sees it: secrets never leave the server. */
export const PaymentAccountView = z.object({
  id: z.string(),
  provider: z.enum(['stripe', 'iyzico', 'payu']),
  kind: z.enum(['connect', 'sub_merchant', 'own_keys']),
  externalRef: z.string().nullable().describe("The provider's id for the account: Stripe acct_…, iyzico subMerchantKey, PayU POS id"),
  status: z.enum(['pending', 'active', 'restricted', 'disabled']).describe('active takes payments; pending has not finished onboarding; restricted needs something (see details); disabled was disconnected'),
  details: z.record(z.string(), z.json()).describe('Non-secret facts from the provider: charges and payouts enabled, country, what is still required, a key hint'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const ConnectLink = z.object({
  account: PaymentAccountView,
  url: z.string().describe("Stripe's hosted onboarding; open it in the browser. Single use, valid for a few minutes"),
  expiresAt: z.string(),
});

const view = ({ merchantId: _merchant, ...a }: PaymentAccount) => ({ ...a, createdAt: a.createdAt.toISOString(), updatedAt: a.updatedAt.toISOString() });

/** The merchant's own payment accounts; the Stripe Connect onboarding. */
export function paymentAccountRoutes(deps: MerchantApiDeps): RouteSpec[] {
  const { db, box } = deps;

  return [
    route({
      method: 'get', path: '/payment-accounts', tag: 'settings', access: 'viewer', summary: "The merchant's own payment accounts, at every provider (no secrets)",
      responses: { 200: z.object({ items: z.array(PaymentAccountView), stripeConnect: z.boolean().describe('Whether this installation offers Stripe Connect') }) },
      async handle({ caller }) {
        return { status: 200, body: { items: (await paymentAccountsOf(db, caller.merchantId)).map(view), stripeConnect: Boolean(deps.stripeConnect) } };
      },
    }),
    route({
      method: 'post', path: '/payment-accounts/stripe/connect', tag: 'settings', access: 'admin',
      summary:
        "Connect the merchant's Stripe: creates the connected account on the first call (the installation chooses Express or Standard) and answers with " +
        "a link to Stripe's onboarding. Call again to continue an unfinished onboarding or to reconnect a disconnected account",
      body: z
        .strictObject({ country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code like US').optional().describe("The business's country; Stripe asks during onboarding when absent") })
        .optional(),
      example: { country: 'US' },
      responses: {
        200: ConnectLink,
        409: "Stripe Connect is not set up on this installation, or the merchant's Stripe account here is not a connected account",
        502: 'Stripe refused or could not be reached; nothing was changed',
      },
      async handle({ caller, body, req }) {
        const connect = deps.stripeConnect;
        if (!connect) throw new HttpError(409, 'not_available', 'Stripe Connect is not set up on this installation (STRIPE_CONNECT_ACCOUNT_TYPE)');
        let account = await paymentAccountOf(db, caller.merchantId, 'stripe');
        if (account && account.kind !== 'connect') throw new HttpError(409, 'conflict', 'Stripe is connected with other credentials here; disconnect it first');
        try {
          if (!account?.externalRef) {
            // Keyed per merchant: a retry after a lost answer gets the same account back instead of a second one.
            const created = await connect.createAccount({ merchantId: caller.merchantId, email: caller.email, country: body?.country ?? null, idempotencyKey: `connect-account:${caller.merchantId}` });
            account = await savePaymentAccount(db, box, { merchantId: caller.merchantId, provider: 'stripe', kind: 'connect', externalRef: created.stripeAccount, status: created.state.status, details: { ...created.state.details } });
            await audit(db, caller, req, 'payment_account.connect', `stripe:${created.stripeAccount}`);
          } else if (account.status === 'disabled') {
            // Reconnecting keeps the same Stripe account, so its earlier orders, refunds and payouts stay where they are.
            account = await savePaymentAccount(db, box, { merchantId: caller.merchantId, provider: 'stripe', kind: 'connect', externalRef: account.externalRef, status: 'pending', details: account.details });
            await refreshConnectAccount({ db, stripeConnect: connect }, account);
            await audit(db, caller, req, 'payment_account.reconnect', `stripe:${account.externalRef}`);
          }
          const base = `${originOf(deps, req).replace(/\/$/, '')}/payments/stripe/connect/${account.id}`;
          const link = await connect.onboardingLink(account.externalRef!, { refreshUrl: `${base}/refresh`, returnUrl: `${base}/return` });
          const current = (await paymentAccountOf(db, caller.merchantId, 'stripe'))!;
          return { status: 200, body: { account: view(current), url: link.url, expiresAt: link.expiresAt.toISOString() } };
        } catch (err) {
          if (err instanceof HttpError) throw err;
          // Stripe's own words go to the log; they can name the platform's settings, which are not the merchant's business.
          deps.log.warn({ err, merchantId: caller.merchantId }, 'Stripe Connect onboarding failed');
          throw new HttpError(502, 'provider_error', 'Stripe did not accept the request; try again in a moment (the server log has its answer)');
        }
      },
    }),
    route({
      method: 'delete', path: '/payment-accounts/stripe', tag: 'settings', access: 'admin',
      summary:
        'Disconnect Stripe: checkouts stop using the connected account at once. The account itself stays at Stripe with its balance and payouts, ' +
        'and refunds of its earlier orders still go through it',
      responses: { 204: null },
      async handle({ caller, req }) {
        const account = await paymentAccountOf(db, caller.merchantId, 'stripe');
        if (!account || account.status === 'disabled' || !(await removePaymentAccount(db, caller.merchantId, 'stripe'))) throw notFound('Stripe account');
        await audit(db, caller, req, 'payment_account.disconnect', `stripe:${account.externalRef ?? account.id}`);
        return { status: 204 };
      },
    }),
  ];
}
