import type Stripe from 'stripe';
import { z } from 'zod';
import type { PaymentWebhookEvent } from './provider';
import { stripeClient, stripePaymentEvents } from './stripe';
import { expandable, idOf, parseStripe, verifyStripeEvent } from './stripe-events';
import { platformFeeGivenBack } from '../../domain/order-money';

/**
 * Stripe Connect for the platform: merchants' connected accounts (onboarding through Account Links, their state)
 * and the events of those accounts, which Stripe sends to the platform's Connect endpoint with `account` set.
 * Payments on a connected account go through `createStripeProvider({ connectedAccount })`.
 */

/** Express: Stripe hosts a light dashboard and the platform is responsible for the account; Standard: the merchant's full Stripe account. */
export const ConnectAccountTypes = ['express', 'standard'] as const;
export type ConnectAccountType = (typeof ConnectAccountTypes)[number];

export type ConnectAccountStatus = 'pending' | 'active' | 'restricted';

/** What the merchant may see about the connected account; nothing in it is secret. */
export interface ConnectAccountDetails {
  type: string | null;
  country: string | null;
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  detailsSubmitted: boolean;
  requirements: {
    /** Stripe's names of what is missing now, e.g. `individual.verification.document`, `external_account`. */
    currentlyDue: string[];
    pastDue: string[];
    /** Why charges or payouts are off, e.g. `requirements.past_due`, `rejected.fraud`; null when they are not. */
    disabledReason: string | null;
    /** When `currentlyDue` turns into `pastDue` (ISO time). */
    deadline: string | null;
  };
}

export interface ConnectAccountState {
  status: ConnectAccountStatus;
  details: ConnectAccountDetails;
}

/** A verified Connect event: whose account it is about, and what it says in our terms. */
export interface ConnectWebhook {
  eventId: string;
  type: string;
  /** The connected account (acct_…); null on an event of the platform's own account sent here by mistake. */
  account: string | null;
  /** Payments, refunds and disputes on that account, provider-neutral. */
  payments: PaymentWebhookEvent[];
  /** The account's state changed (`account.updated`): ask Stripe for it. */
  accountChanged: boolean;
  /** The merchant disconnected the platform from their Stripe account (`account.application.deauthorized`). */
  deauthorized: boolean;
  /** A refunded charge that carried the platform's fee: what `returnApplicationFee` needs to keep the fee in step. */
  feeRefund: { applicationFee: string; chargeAmount: number; refundedMinor: number } | null;
}

export interface StripeConnect {
  readonly accountType: ConnectAccountType;
  /** Creates the merchant's connected account; the same key gives back the same account for 24 hours. */
  createAccount(input: { merchantId: string; email?: string | null; country?: string | null; idempotencyKey: string }): Promise<{ stripeAccount: string; state: ConnectAccountState }>;
  /** A single-use link to Stripe's hosted onboarding; it expires within minutes, so it is made when the merchant clicks. */
  onboardingLink(stripeAccount: string, urls: { refreshUrl: string; returnUrl: string }): Promise<{ url: string; expiresAt: Date }>;
  /** The account as Stripe sees it now. */
  accountState(stripeAccount: string): Promise<ConnectAccountState>;
  /**
   * Gives back the platform's fee on the refunded part of a charge, in proportion and rounded as the order's net amount
   * is (`platformFeeGivenBack`), less what has been given back already; returns what this call gave back. A refund made
   * in the merchant's own Stripe dashboard leaves the fee with the platform, so a plan that returns it needs this.
   */
  returnApplicationFee(input: { applicationFee: string; chargeAmount: number; refundedMinor: number }): Promise<number>;
  /** Verifies a Connect event over its raw bytes; absent without the Connect endpoint's signing secret. */
  parseWebhook?(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): Promise<ConnectWebhook>;
}

export interface StripeConnectOptions {
  /** The platform's secret key. */
  secretKey: string;
  accountType: ConnectAccountType;
  /** Signing secret of the Connect webhook endpoint (whsec_…), which is not the platform endpoint's. */
  webhookSecret?: string;
  /** Another API origin, e.g. stripe-mock in tests. */
  apiBaseUrl?: string;
}

const accountId = z.string().regex(/^acct_\w+$/);
const feeChargeSchema = z.object({ amount: z.number().int().nonnegative(), amount_refunded: z.number().int().nonnegative(), application_fee: expandable });

export function createStripeConnect(opts: StripeConnectOptions): StripeConnect {
  if (!opts.secretKey) throw new Error('Stripe secret key is empty');
  const stripe = stripeClient(opts.secretKey, opts.apiBaseUrl);
  const webhookSecret = opts.webhookSecret;

  const connect: StripeConnect = {
    accountType: opts.accountType,

    async createAccount({ merchantId, email, country, idempotencyKey }) {
      const account = await stripe.accounts.create(
        {
          type: opts.accountType,
          ...(email ? { email } : {}),
          ...(country ? { country } : {}),
          metadata: { merchantId },
          // Direct charges by card need card_payments on the account; an Express account gets only what is requested,
          // while a Standard account's capabilities are Stripe's to decide.
          ...(opts.accountType === 'express' ? { capabilities: { card_payments: { requested: true }, transfers: { requested: true } } } : {}),
        },
        { idempotencyKey },
      );
      return { stripeAccount: account.id, state: connectAccountState(account) };
    },

    async onboardingLink(stripeAccount, { refreshUrl, returnUrl }) {
      const link = await stripe.accountLinks.create({ account: stripeAccount, type: 'account_onboarding', refresh_url: refreshUrl, return_url: returnUrl });
      return { url: link.url, expiresAt: new Date(link.expires_at * 1000) };
    },

    async accountState(stripeAccount) {
      return connectAccountState(await stripe.accounts.retrieve(stripeAccount));
    },

    async returnApplicationFee({ applicationFee, chargeAmount, refundedMinor }) {
      // Application fees live on the platform's account, so no Stripe-Account here.
      const fee = await stripe.applicationFees.retrieve(applicationFee);
      const due = platformFeeGivenBack({ amountMinor: chargeAmount, refundedMinor, platformFeeMinor: fee.amount }, true);
      const give = Math.min(due, fee.amount) - fee.amount_refunded;
      if (give <= 0) return 0;
      // Keyed by the total it brings the fee to, so a retried delivery cannot give the same part back twice.
      await stripe.applicationFees.createRefund(applicationFee, { amount: give }, { idempotencyKey: `application-fee-refund:${applicationFee}:${due}` });
      return give;
    },
  };
  if (webhookSecret) {
    connect.parseWebhook = async (rawBody, headers) => {
      const event = verifyStripeEvent(stripe, webhookSecret, rawBody, headers['stripe-signature']);
      const account = parseStripe(accountId.nullish(), event.account, 'Connect event account') ?? null;
      const base = { eventId: event.id, type: event.type, account, payments: [], accountChanged: false, deauthorized: false, feeRefund: null };
      if (!account) return base;
      if (event.type === 'account.updated') return { ...base, accountChanged: true };
      if (event.type === 'account.application.deauthorized') return { ...base, deauthorized: true };
      const payments = await stripePaymentEvents(stripe, event, account);
      if (event.type !== 'charge.refunded') return { ...base, payments };
      const charge = parseStripe(feeChargeSchema, event.data.object, event.type);
      const applicationFee = idOf(charge.application_fee ?? null);
      return { ...base, payments, feeRefund: applicationFee ? { applicationFee, chargeAmount: charge.amount, refundedMinor: charge.amount_refunded } : null };
    };
  }
  return connect;
}

/** The parts of a Stripe Account that decide its state. */
export interface AccountStateView {
  type?: string | null;
  country?: string | null;
  charges_enabled?: boolean | null;
  payouts_enabled?: boolean | null;
  details_submitted?: boolean | null;
  requirements?: {
    currently_due?: string[] | null;
    past_due?: string[] | null;
    disabled_reason?: string | null;
    current_deadline?: number | null;
  } | null;
}

/**
 * active: it can take payments (charges enabled), even if Stripe asks for more later (shown as currently due);
 * pending: onboarding is not finished yet; restricted: onboarding was finished but Stripe has turned charges off
 * (missing or rejected information), or rejected the account outright.
 */
export function connectAccountState(a: AccountStateView | Stripe.Account): ConnectAccountState {
  const r = a.requirements ?? null;
  const disabledReason = r?.disabled_reason ?? null;
  const status: ConnectAccountStatus = a.charges_enabled
    ? 'active'
    : a.details_submitted || disabledReason?.startsWith('rejected')
      ? 'restricted'
      : 'pending';
  return {
    status,
    details: {
      type: a.type ?? null,
      country: a.country ?? null,
      chargesEnabled: a.charges_enabled === true,
      payoutsEnabled: a.payouts_enabled === true,
      detailsSubmitted: a.details_submitted === true,
      requirements: {
        currentlyDue: r?.currently_due ?? [],
        pastDue: r?.past_due ?? [],
        disabledReason,
        deadline: r?.current_deadline ? new Date(r.current_deadline * 1000).toISOString() : null,
      },
    },
  };
}
