import Stripe from 'stripe';
import { z } from 'zod';
import type { ShippingAddress } from '../../domain/shipping';
import {
  type CheckoutRequest,
  type PaymentProvider,
  type PaymentStatus,
  type PaymentWebhookEvent,
  type RefundResult,
} from './provider';
import { expandable, idOf, parseStripe, verifyStripeEvent, type StripeEvent } from './stripe-events';

/** The API version this SDK release is typed against; a newer SDK fails the typecheck here until it is reviewed. */
export const STRIPE_API_VERSION = '2026-10-28.endive' satisfies Stripe.LatestApiVersion;

export interface StripeProviderOptions {
  secretKey: string;
  /**
   * Signing secret of the webhook endpoint (whsec_...). Required for the platform's own provider; a provider
   * built for a connected account has none, because Connect events come to the platform's Connect endpoint.
   */
  webhookSecret?: string;
  /** Another API origin, e.g. a local stripe-mock in tests. Default: Stripe's own. */
  apiBaseUrl?: string;
  /**
   * A merchant's connected account: checkouts, status and refunds then act on that account (direct charges, see
   * `connectedAccountCheckout`), with the platform's fee taken as Stripe's application fee.
   */
  connectedAccount?: { paymentAccountId: string; stripeAccount: string };
}

/** Stripe rejects a Checkout Session whose expires_at is under 30 minutes or over 24 hours after creation. */
const MIN_EXPIRY_MS = 30 * 60_000;
const MAX_EXPIRY_MS = 24 * 60 * 60_000;
/** Room for clock skew and the request's own travel time, so a clamped value is still inside the window on arrival. */
const EXPIRY_MARGIN_MS = 60_000;

export function createStripeProvider(opts: StripeProviderOptions): PaymentProvider {
  if (!opts.secretKey) throw new Error('Stripe secret key is empty');
  const connected = opts.connectedAccount;
  if (!connected && !opts.webhookSecret) throw new Error('Stripe webhook secret is empty');
  if (connected && !/^acct_\w+$/.test(connected.stripeAccount)) throw new Error(`not a Stripe account id: ${connected.stripeAccount.slice(0, 40)}`);
  const stripe = stripeClient(opts.secretKey, opts.apiBaseUrl);
  // Every call of a connected account's provider carries Stripe-Account, so it reads and writes that account's objects.
  const onAccount = (extra: Stripe.RequestOptions = {}): Stripe.RequestOptions => (connected ? { ...extra, stripeAccount: connected.stripeAccount } : extra);
  const webhookSecret = opts.webhookSecret;

  const provider: PaymentProvider = {
    name: 'stripe',
    ...(connected ? { accountId: connected.paymentAccountId } : {}),

    async createCheckout(req) {
      const expiresAt = clampExpiry(req.expiresAt);
      const session = await stripe.checkout.sessions.create(
        {
          mode: 'payment',
          line_items: lineItems(req),
          client_reference_id: req.orderId,
          metadata: { orderId: req.orderId, merchantId: req.merchantId },
          // Copied onto the PaymentIntent so refunds and disputes seen in the dashboard still name the order.
          payment_intent_data: {
            metadata: { orderId: req.orderId, merchantId: req.merchantId },
            ...(connected ? applicationFee(req) : {}),
          },
          expires_at: Math.floor(expiresAt.getTime() / 1000),
          ...(req.successUrl ? { success_url: req.successUrl } : {}),
          ...(req.cancelUrl ? { cancel_url: req.cancelUrl } : {}),
          ...(req.buyer?.email ? { customer_email: req.buyer.email } : {}),
          ...shippingCollection(req),
        },
        onAccount(req.idempotencyKey ? { idempotencyKey: req.idempotencyKey } : {}),
      );
      if (!session.url) throw new Error(`Stripe returned Checkout Session ${session.id} without a URL`);
      return { url: session.url, providerRef: session.id, expiresAt: new Date(session.expires_at * 1000) };
    },

    async fetchStatus(providerRef) {
      const session = await stripe.checkout.sessions.retrieve(providerRef, { expand: ['payment_intent.latest_charge'] }, onAccount());
      return { ...toPaymentStatus(session), shippingAddress: shippingAddressOf(session) };
    },

    async refund(req) {
      let paymentIntent = req.paymentRef ?? null;
      if (!paymentIntent) {
        const session = await stripe.checkout.sessions.retrieve(req.providerRef, {}, onAccount());
        paymentIntent = idOf(session.payment_intent);
      }
      if (!paymentIntent) throw new Error(`Checkout Session ${req.providerRef} has no payment to refund`);
      const refund = await stripe.refunds.create(
        {
          payment_intent: paymentIntent,
          amount: req.amountMinor,
          // On a direct charge the platform keeps its fee unless asked for it back; Stripe then returns it in
          // proportion to the amount refunded. The merchant's plan decides (`Plan.refundsPlatformFee`), and keeping
          // it is the default on both sides, so what Stripe does matches the order's net amount.
          ...(connected ? { refund_application_fee: req.refundPlatformFee ?? false } : {}),
          // Stripe's own `reason` is a short enum; our free-text reason is kept for whoever reads the dashboard.
          metadata: { checkoutSession: req.providerRef, ...(req.reason ? { reason: req.reason.slice(0, 500) } : {}) },
        },
        onAccount({ idempotencyKey: req.idempotencyKey }),
      );
      return { refundRef: refund.id, status: refundStatus(refund.status) };
    },
  };
  if (webhookSecret) {
    provider.parseWebhook = async (rawBody, headers) => {
      const event = verifyStripeEvent(stripe, webhookSecret, rawBody, headers['stripe-signature']);
      return stripePaymentEvents(stripe, event);
    };
  }
  return provider;
}

/** One SDK client per key and origin, pinned to the API version this code is typed against. */
export function stripeClient(secretKey: string, apiBaseUrl?: string): Stripe {
  return new Stripe(secretKey, { apiVersion: STRIPE_API_VERSION, appInfo: { name: 'AutoCloser' }, ...apiOrigin(apiBaseUrl) });
}

/**
 * Checkouts for a connected account are direct charges: the Checkout Session is created on the merchant's account
 * (`Stripe-Account`), which is the merchant of record and pays Stripe's fees, and the platform's share is Stripe's
 * `application_fee_amount`. Chosen over destination charges because it works for Standard accounts as well as
 * Express (Stripe recommends direct charges for Standard), refunds and disputes land on the merchant's own balance
 * rather than the platform's, and the account's events come to the Connect endpoint carrying `account`, which is
 * how they are routed to the merchant. A zero fee is left out: Stripe rejects an application fee of 0 only on some
 * methods, and no fee is what leaving it out means anyway.
 */
function applicationFee(req: CheckoutRequest): { application_fee_amount?: number } {
  const fee = req.platformFeeMinor ?? 0;
  if (!Number.isSafeInteger(fee) || fee < 0 || fee > req.amountMinor) throw new RangeError(`platform fee ${fee} is not between 0 and the amount ${req.amountMinor}`);
  return fee > 0 ? { application_fee_amount: fee } : {};
}

/**
 * The provider-neutral events in a verified Stripe event. Refunds and disputes name only the PaymentIntent, so the
 * Checkout Session (our order) is looked up through it, on the connected account when the event came from one.
 */
export async function stripePaymentEvents(stripe: Stripe, event: StripeEvent, stripeAccount?: string): Promise<PaymentWebhookEvent[]> {
  const object = event.data.object;
  const sessionForPaymentIntent = async (paymentIntent: string): Promise<Stripe.Checkout.Session | null> => {
    const { data } = await stripe.checkout.sessions.list({ payment_intent: paymentIntent, limit: 1 }, stripeAccount ? { stripeAccount } : {});
    return data[0] ?? null;
  };
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
    case 'checkout.session.async_payment_failed':
    case 'checkout.session.expired': {
      const session = parseStripe(sessionSchema, object, event.type);
      const type = sessionEventType(event.type, session.payment_status);
      if (!type) return [];
      return [
        {
          provider: 'stripe',
          eventId: event.id,
          type,
          providerRef: session.id,
          orderId: session.client_reference_id ?? session.metadata?.orderId ?? null,
          amountMinor: session.amount_total ?? null,
          currency: session.currency ? session.currency.toUpperCase() : null,
        },
      ];
    }
    case 'charge.refunded':
    case 'charge.dispute.created':
    case 'charge.dispute.closed': {
      const money = parseStripe(event.type === 'charge.refunded' ? refundedChargeSchema : disputeSchema, object, event.type);
      const paymentIntent = idOf(money.payment_intent ?? null);
      // A charge made outside Checkout (an invoice, the dashboard) has no order of ours behind it.
      const session = paymentIntent ? await sessionForPaymentIntent(paymentIntent) : null;
      if (!session) return [];
      return [
        {
          provider: 'stripe',
          eventId: event.id,
          type: event.type === 'charge.refunded' ? 'refunded' : event.type === 'charge.dispute.created' ? 'disputed' : 'dispute_closed',
          providerRef: session.id,
          orderId: session.client_reference_id ?? session.metadata?.orderId ?? null,
          amountMinor: money.amount,
          currency: money.currency.toUpperCase(),
          ...('evidence_details' in money && money.evidence_details?.due_by ? { disputeDueBy: new Date(money.evidence_details.due_by * 1000) } : {}),
          // Only `lost` takes the money back; `won` and a closed inquiry (`warning_closed`) leave it with the merchant.
          ...(event.type === 'charge.dispute.closed' && 'status' in money ? { disputeOutcome: money.status === 'lost' ? ('lost' as const) : ('won' as const) } : {}),
        },
      ];
    }
    default:
      return [];
  }
}

/** SDK options that point Stripe at another origin (stripe-mock in tests); Stripe's own when unset. */
export function apiOrigin(apiBaseUrl: string | undefined): Pick<Stripe.StripeConfig, 'host' | 'port' | 'protocol'> {
  if (!apiBaseUrl) return {};
  const url = new URL(apiBaseUrl);
  const protocol = url.protocol === 'http:' ? 'http' : url.protocol === 'https:' ? 'https' : null;
  if (!protocol) throw new Error(`Stripe API base URL must be http or https: ${apiBaseUrl}`);
  return { host: url.hostname, port: url.port || (protocol === 'http' ? 80 : 443), protocol };
}

/** Stripe only accepts an expiry 30 min..24 h ahead: a shorter link lives 30 min, a longer one 24 h. */
export function clampExpiry(requested: Date, now = Date.now()): Date {
  const min = now + MIN_EXPIRY_MS + EXPIRY_MARGIN_MS;
  const max = now + MAX_EXPIRY_MS - EXPIRY_MARGIN_MS;
  return new Date(Math.min(Math.max(requested.getTime(), min), max));
}

/**
 * Itemised lines when they add up to the order amount; otherwise (discounts, shipping, rounding) one line for the
 * whole amount, because Stripe charges the sum of the lines and the order amount is what we verify afterwards.
 */
export function lineItems(req: Pick<CheckoutRequest, 'amountMinor' | 'currency' | 'description' | 'orderId' | 'items'>): Stripe.Checkout.SessionCreateParams.LineItem[] {
  const currency = req.currency.toLowerCase();
  const items = req.items ?? [];
  const itemsTotal = items.reduce((sum, i) => sum + i.quantity * i.unitAmountMinor, 0);
  if (items.length && itemsTotal === req.amountMinor) {
    return items.map((i) => ({
      quantity: i.quantity,
      price_data: { currency, unit_amount: i.unitAmountMinor, product_data: { name: i.name || i.sku } },
    }));
  }
  return [{ quantity: 1, price_data: { currency, unit_amount: req.amountMinor, product_data: { name: req.description || `Order ${req.orderId}` } } }];
}

/** The parts of a Checkout Session (with payment_intent.latest_charge expanded) that decide its status. */
export interface SessionStatusView {
  status: string | null;
  payment_status: string;
  amount_total: number | null;
  currency: string | null;
  payment_intent:
    | string
    | { id: string; status?: string; latest_charge?: string | { amount: number; amount_refunded: number; refunded?: boolean } | null }
    | null;
}

export function toPaymentStatus(session: SessionStatusView): PaymentStatus {
  const pi = typeof session.payment_intent === 'object' ? session.payment_intent : null;
  const charge = pi && typeof pi.latest_charge === 'object' ? pi.latest_charge : null;
  // A missing amount or currency reads as 0 / '' so that amount verification fails closed instead of passing.
  const base = {
    amountMinor: session.amount_total ?? 0,
    currency: (session.currency ?? '').toUpperCase(),
    paymentRef: idOf(session.payment_intent),
  };
  if (session.payment_status === 'paid') {
    if (charge && charge.amount_refunded > 0) {
      const full = charge.refunded === true || charge.amount_refunded >= charge.amount;
      return { ...base, status: full ? 'refunded' : 'partially_refunded' };
    }
    return { ...base, status: 'paid' };
  }
  if (session.status === 'expired') return { ...base, status: 'expired' };
  // A completed session that is still unpaid is a delayed method (SEPA, bank transfer): still processing, or
  // failed when its PaymentIntent has gone back to needing a payment method.
  if (session.status === 'complete' && (pi?.status === 'requires_payment_method' || pi?.status === 'canceled')) {
    return { ...base, status: 'failed' };
  }
  return { ...base, status: 'pending' };
}

function refundStatus(status: string | null): RefundResult['status'] {
  if (status === 'succeeded') return 'succeeded';
  if (status === 'failed' || status === 'canceled') return 'failed';
  return 'pending';
}

function sessionEventType(eventType: string, paymentStatus: string | null | undefined): PaymentWebhookEvent['type'] | null {
  switch (eventType) {
    // Completed with a delayed method means "submitted", not paid; async_payment_succeeded follows.
    case 'checkout.session.completed':
      return paymentStatus === 'paid' ? 'completed' : null;
    case 'checkout.session.async_payment_succeeded':
      return 'completed';
    case 'checkout.session.async_payment_failed':
      return 'failed';
    case 'checkout.session.expired':
      return 'expired';
    default:
      return null;
  }
}






const sessionSchema = z.object({
  id: z.string().min(1),
  payment_status: z.string().nullish(),
  client_reference_id: z.string().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  amount_total: z.number().int().nullish(),
  currency: z.string().nullish(),
});

/** A refunded charge reads like a dispute: the amount that matters is what has been refunded so far. */
const refundedChargeSchema = z
  .object({
    id: z.string().min(1),
    payment_intent: expandable,
    amount_refunded: z.number().int(),
    currency: z.string().min(1),
  })
  .transform((c) => ({ id: c.id, payment_intent: c.payment_intent, amount: c.amount_refunded, currency: c.currency }));

const disputeSchema = z.object({
  id: z.string().min(1),
  payment_intent: expandable,
  amount: z.number().int(),
  currency: z.string().min(1),
  // Unix seconds: the last moment Stripe takes the merchant's evidence.
  evidence_details: z.object({ due_by: z.number().int().positive().nullish() }).nullish(),
  status: z.string().optional(),
});

/** A merchant that ships goods has Checkout ask for the delivery address, limited to the countries it ships to. */
export function shippingCollection(req: Pick<CheckoutRequest, 'shipping'>): Pick<Stripe.Checkout.SessionCreateParams, 'shipping_address_collection'> {
  if (!req.shipping?.countries.length) return {};
  const allowed = req.shipping.countries as Stripe.Checkout.SessionCreateParams.ShippingAddressCollection.AllowedCountry[];
  return { shipping_address_collection: { allowed_countries: allowed } };
}

/** The address the customer gave on Checkout (`collected_information.shipping_details`); null when none was collected. */
export function shippingAddressOf(session: { collected_information?: { shipping_details?: { name?: string | null; address?: Stripe.Address | null } | null } | null }): ShippingAddress | null {
  const details = session.collected_information?.shipping_details;
  const a = details?.address;
  if (!details || !a?.line1 || !a.country) return null;
  return {
    name: details.name ?? '',
    line1: a.line1,
    line2: a.line2 || null,
    city: a.city ?? '',
    postalCode: a.postal_code || null,
    state: a.state || null,
    country: a.country,
  };
}
