import Stripe from 'stripe';
import { z } from 'zod';
import { WebhookPayloadError } from '../payments/provider';
import { apiOrigin, STRIPE_API_VERSION } from '../payments/stripe';
import { expandable, idOf, parseStripe, verifyStripeEvent } from '../payments/stripe-events';

/**
 * The platform's own subscriptions on Stripe Billing: merchants pay AutoCloser here, unlike
 * integrations/payments where a merchant's customers pay the merchant.
 */

export interface StripeBillingOptions {
  secretKey: string;
  /** Signing secret of the billing webhook endpoint (whsec_...). */
  webhookSecret: string;
  /** Another API origin, e.g. a local stripe-mock in tests. Default: Stripe's own. */
  apiBaseUrl?: string;
}

export interface BillingPlan {
  code: string;
  name: string;
  priceMinor: number;
  /** ISO 4217, upper case. */
  currency: string;
  interval: 'month' | 'year';
}

export interface SubscriptionCheckoutRequest {
  customerId: string;
  merchantId: string;
  /** A Price configured in Stripe; without it the plan's amount is sent inline as price_data. */
  priceId?: string;
  plan: BillingPlan;
  successUrl: string;
  cancelUrl: string;
  idempotencyKey: string;
}

/** Stripe documents these; its SDK keeps the type open, so a new status passes through rather than failing. */
export type SubscriptionStatus = 'incomplete' | 'incomplete_expired' | 'trialing' | 'active' | 'past_due' | 'canceled' | 'unpaid' | 'paused' | (string & {});

/** A Stripe subscription, provider-neutral. */
export interface SubscriptionView {
  id: string;
  status: SubscriptionStatus;
  planCode: string | null;
  merchantId: string | null;
  customerId: string | null;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  /** When this view was true: the event's time for a webhook, the time of the read for a retrieve. Orders views of one subscription. */
  updatedAt: Date;
}

interface EventBase {
  /** Stripe's evt_… id: the deduplication key. */
  eventId: string;
  /** When Stripe created the event; events can arrive out of order. */
  occurredAt: Date;
}

interface InvoiceFields {
  providerInvoiceId: string;
  subscriptionId: string | null;
  /** iyzico: the first subscription of a chain of plan changes, which outlives each change's new reference code. */
  parentSubscriptionId?: string | null;
  customerId: string | null;
  merchantId: string | null;
  /** ISO 4217, upper case. */
  currency: string;
  /** The service period of the subscription line, else the invoice's own period. */
  periodStart: Date;
  periodEnd: Date;
  number: string | null;
  hostedInvoiceUrl: string | null;
}

export type BillingEvent =
  | (EventBase & InvoiceFields & { type: 'invoice_paid'; amountPaidMinor: number })
  | (EventBase & InvoiceFields & { type: 'invoice_failed'; amountDueMinor: number; attemptCount: number; nextAttemptAt: Date | null })
  | (EventBase & { type: 'subscription_updated'; subscription: SubscriptionView })
  | (EventBase & { type: 'subscription_canceled'; subscription: SubscriptionView })
  | (EventBase & {
      type: 'subscription_checkout_completed';
      sessionId: string;
      merchantId: string | null;
      planCode: string | null;
      subscriptionId: string;
      customerId: string;
    });

export interface PlanChangeRequest {
  subscriptionId: string;
  plan: BillingPlan;
  /** Decides the proration: an upgrade is charged now, a downgrade credited on the next invoice. */
  direction: 'upgrade' | 'downgrade';
  idempotencyKey: string;
}

export interface StripeBilling {
  /** The Stripe customer for a merchant, created on first use. */
  ensureCustomer(req: { merchantId: string; email?: string | null; name?: string | null }): Promise<string>;
  startSubscriptionCheckout(req: SubscriptionCheckoutRequest): Promise<{ url: string; sessionId: string }>;
  /** The recurring Price for a plan, found by its lookup key or created once; its metadata names the plan. */
  ensurePrice(plan: BillingPlan): Promise<string>;
  /**
   * Moves the subscription's item to the plan's Price and returns the subscription as Stripe answers it. An
   * upgrade whose prorated charge is not paid at once leaves the old price in place (a pending update), so the
   * returned view still names the old plan until Stripe reports the payment.
   */
  changePlan(req: PlanChangeRequest): Promise<SubscriptionView & { pendingUpdate: boolean }>;
  cancelAtPeriodEnd(subscriptionId: string): Promise<SubscriptionView>;
  /** Takes back a cancel at period end while the period still runs. */
  resume(subscriptionId: string): Promise<SubscriptionView>;
  /** A Stripe-hosted customer portal page (payment methods, invoices) that returns to `returnUrl`. */
  createPortalSession(req: { customerId: string; returnUrl: string }): Promise<{ url: string }>;
  retrieveSubscription(subscriptionId: string): Promise<SubscriptionView>;
  /** Verifies a webhook over its raw bytes and maps it. Throws WebhookSignatureError / WebhookPayloadError. */
  parseBillingWebhook(raw: Buffer, signatureHeader: string | undefined): BillingEvent[];
}

export function createStripeBilling(opts: StripeBillingOptions): StripeBilling {
  if (!opts.secretKey) throw new Error('Stripe secret key is empty');
  if (!opts.webhookSecret) throw new Error('Stripe billing webhook secret is empty');
  const stripe = new Stripe(opts.secretKey, { apiVersion: STRIPE_API_VERSION, appInfo: { name: 'AutoCloser' }, ...apiOrigin(opts.apiBaseUrl) });

  async function ensurePrice(plan: BillingPlan): Promise<string> {
    const lookupKey = priceLookupKey(plan);
    const { data } = await stripe.prices.list({ lookup_keys: [lookupKey], active: true, limit: 1 });
    // A test double may answer any list; only a price carrying our key is ours.
    const found = data.find((p) => p.lookup_key === lookupKey);
    if (found) return found.id;
    const created = await stripe.prices.create(
      {
        currency: plan.currency.toLowerCase(),
        unit_amount: plan.priceMinor,
        recurring: { interval: plan.interval },
        product_data: { name: plan.name },
        lookup_key: lookupKey,
        // Read back by toSubscriptionView: the price in force names the plan, whoever changed it.
        metadata: { planCode: plan.code },
      },
      { idempotencyKey: `price:${lookupKey}` },
    );
    return created.id;
  }

  return {
    async ensureCustomer({ merchantId, email, name }) {
      if (!merchantId) throw new Error('merchantId is empty');
      const { data } = await stripe.customers.search({ query: `metadata['merchantId']:'${searchLiteral(merchantId)}'`, limit: 10 });
      // Search is eventually consistent and a test double may answer anything, so a hit counts only when it names this merchant.
      const found = data.find((c) => c.metadata?.merchantId === merchantId);
      if (found) return found.id;
      // The key covers the minute or so before a new customer shows up in search: a second call in that window gets the same customer.
      const created = await stripe.customers.create(
        {
          metadata: { merchantId },
          ...(email ? { email } : {}),
          ...(name ? { name } : {}),
        },
        { idempotencyKey: `customer:${merchantId}` },
      );
      return created.id;
    },

    async startSubscriptionCheckout(req) {
      const planMetadata = { merchantId: req.merchantId, planCode: req.plan.code };
      const lineItem: Stripe.Checkout.SessionCreateParams.LineItem = req.priceId
        ? { price: req.priceId, quantity: 1 }
        : {
            quantity: 1,
            price_data: {
              currency: req.plan.currency.toLowerCase(),
              unit_amount: req.plan.priceMinor,
              recurring: { interval: req.plan.interval },
              product_data: { name: req.plan.name },
            },
          };
      const session = await stripe.checkout.sessions.create(
        {
          mode: 'subscription',
          customer: req.customerId,
          client_reference_id: req.merchantId,
          line_items: [lineItem],
          success_url: req.successUrl,
          cancel_url: req.cancelUrl,
          metadata: planMetadata,
          // Copied onto the subscription, so its own events and invoices name the merchant and plan.
          subscription_data: { metadata: planMetadata },
        },
        { idempotencyKey: req.idempotencyKey },
      );
      if (!session.url) throw new Error(`Stripe returned Checkout Session ${session.id} without a URL`);
      return { url: session.url, sessionId: session.id };
    },

    ensurePrice,

    async changePlan(req) {
      const current = parseStripe(subscriptionSchema, await stripe.subscriptions.retrieve(req.subscriptionId), 'subscription', Error);
      const item = current.items?.data[0];
      if (!item?.id) throw new Error(`Stripe subscription ${req.subscriptionId} has no item to change`);
      const price = await ensurePrice(req.plan);
      const upgrade = req.direction === 'upgrade';
      const sub = await stripe.subscriptions.update(
        req.subscriptionId,
        {
          items: [{ id: item.id, price }],
          // An upgrade bills the prorated difference at once and only takes effect once that invoice is paid;
          // a downgrade takes effect now and its unused difference is credited on the next invoice.
          proration_behavior: upgrade ? 'always_invoice' : 'create_prorations',
          payment_behavior: upgrade ? 'pending_if_incomplete' : 'allow_incomplete',
        },
        { idempotencyKey: req.idempotencyKey },
      );
      const parsed = parseStripe(subscriptionSchema, sub, 'subscription', Error);
      return { ...toSubscriptionView(parsed, new Date()), pendingUpdate: !!parsed.pending_update };
    },

    async resume(subscriptionId) {
      const sub = await stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: false });
      return toSubscriptionView(parseStripe(subscriptionSchema, sub, 'subscription', Error), new Date());
    },

    async createPortalSession({ customerId, returnUrl }) {
      const session = await stripe.billingPortal.sessions.create({ customer: customerId, return_url: returnUrl });
      return { url: session.url };
    },

    async cancelAtPeriodEnd(subscriptionId) {
      const sub = await stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
      return toSubscriptionView(parseStripe(subscriptionSchema, sub, 'subscription', Error), new Date());
    },

    async retrieveSubscription(subscriptionId) {
      const sub = await stripe.subscriptions.retrieve(subscriptionId);
      return toSubscriptionView(parseStripe(subscriptionSchema, sub, 'subscription', Error), new Date());
    },

    parseBillingWebhook(raw, signatureHeader) {
      const event = verifyStripeEvent(stripe, opts.webhookSecret, raw, signatureHeader);
      const base: EventBase = { eventId: event.id, occurredAt: fromUnix(event.created) };
      const object = event.data.object;
      switch (event.type) {
        case 'invoice.paid': {
          const invoice = parseStripe(invoiceSchema, object, event.type);
          return [{ ...base, type: 'invoice_paid', ...invoiceFields(invoice), amountPaidMinor: invoice.amount_paid }];
        }
        case 'invoice.payment_failed': {
          const invoice = parseStripe(invoiceSchema, object, event.type);
          return [
            {
              ...base,
              type: 'invoice_failed',
              ...invoiceFields(invoice),
              amountDueMinor: invoice.amount_due,
              attemptCount: invoice.attempt_count,
              nextAttemptAt: invoice.next_payment_attempt ? fromUnix(invoice.next_payment_attempt) : null,
            },
          ];
        }
        case 'customer.subscription.created':
        case 'customer.subscription.updated':
        case 'customer.subscription.deleted': {
          const subscription = toSubscriptionView(parseStripe(subscriptionSchema, object, event.type), base.occurredAt);
          const type = event.type === 'customer.subscription.deleted' ? 'subscription_canceled' : 'subscription_updated';
          return [{ ...base, type, subscription }];
        }
        case 'checkout.session.completed': {
          const session = parseStripe(sessionSchema, object, event.type);
          // Payment-mode sessions on the same account are merchants' orders, handled by integrations/payments.
          if (session.mode !== 'subscription') return [];
          const subscriptionId = idOf(session.subscription);
          const customerId = idOf(session.customer);
          if (!subscriptionId || !customerId) {
            throw new WebhookPayloadError(`Stripe Checkout Session ${session.id} completed in subscription mode without a subscription or customer`);
          }
          return [
            {
              ...base,
              type: 'subscription_checkout_completed',
              sessionId: session.id,
              merchantId: session.metadata?.merchantId ?? session.client_reference_id ?? null,
              planCode: session.metadata?.planCode ?? null,
              subscriptionId,
              customerId,
            },
          ];
        }
        default:
          return [];
      }
    },
  };
}


/** One Price per plan and terms: a changed amount gets a new key (Stripe Prices cannot be repriced). */
export function priceLookupKey(plan: BillingPlan): string {
  return `autocloser_plan:${plan.code}:${plan.currency.toLowerCase()}:${plan.priceMinor}:${plan.interval}`;
}

/** Stripe's search language quotes with ' and escapes with a backslash. */
function searchLiteral(value: string): string {
  return value.replace(/[\\']/g, (c) => `\\${c}`);
}


function toSubscriptionView(sub: z.infer<typeof subscriptionSchema>, updatedAt: Date): SubscriptionView {
  // Since API version 2025-03-31 the period lives on each item; older versions keep it on the subscription.
  const item = sub.items?.data[0];
  const start = item?.current_period_start ?? sub.current_period_start ?? null;
  const end = item?.current_period_end ?? sub.current_period_end ?? null;
  return {
    id: sub.id,
    status: sub.status,
    // A plan change in the customer portal swaps the price but keeps the metadata written at checkout, so a
    // configured Price that names its plan wins.
    planCode: item?.price?.metadata?.planCode ?? sub.metadata?.planCode ?? null,
    merchantId: sub.metadata?.merchantId ?? null,
    customerId: idOf(sub.customer),
    currentPeriodStart: start === null ? null : fromUnix(start),
    currentPeriodEnd: end === null ? null : fromUnix(end),
    cancelAtPeriodEnd: sub.cancel_at_period_end ?? false,
    updatedAt,
  };
}

function invoiceFields(invoice: z.infer<typeof invoiceSchema>): InvoiceFields {
  const details = invoice.parent?.subscription_details ?? null;
  const lines = invoice.lines?.data ?? [];
  const subscriptionLine = lines.find((l) => l.parent?.type === 'subscription_item_details') ?? null;
  // The invoice's own period looks back one cycle on subscription invoices; the line's period is what was paid for.
  const period = subscriptionLine?.period ?? lines[0]?.period ?? { start: invoice.period_start, end: invoice.period_end };
  const customer = typeof invoice.customer === 'object' ? invoice.customer : null;
  return {
    providerInvoiceId: invoice.id,
    subscriptionId:
      idOf(details?.subscription ?? null) ??
      idOf(invoice.subscription ?? null) ??
      subscriptionLine?.parent?.subscription_item_details?.subscription ??
      null,
    customerId: idOf(invoice.customer ?? null),
    merchantId:
      details?.metadata?.merchantId ??
      invoice.subscription_details?.metadata?.merchantId ??
      invoice.metadata?.merchantId ??
      customer?.metadata?.merchantId ??
      null,
    currency: invoice.currency.toUpperCase(),
    periodStart: fromUnix(period.start),
    periodEnd: fromUnix(period.end),
    number: invoice.number ?? null,
    hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
  };
}


function fromUnix(seconds: number): Date {
  return new Date(seconds * 1000);
}

const metadata = z.record(z.string(), z.string()).nullish();
const unixTime = z.number().int();


const subscriptionSchema = z.object({
  id: z.string().min(1),
  status: z.string().min(1),
  customer: expandable,
  metadata,
  cancel_at_period_end: z.boolean().nullish(),
  pending_update: z.object({}).passthrough().nullish(),
  current_period_start: unixTime.nullish(),
  current_period_end: unixTime.nullish(),
  items: z
    .object({
      data: z.array(
        z.object({
          id: z.string().nullish(),
          current_period_start: unixTime.nullish(),
          current_period_end: unixTime.nullish(),
          price: z.object({ metadata }).nullish(),
        }),
      ),
    })
    .nullish(),
});

const invoiceSchema = z.object({
  id: z.string().min(1),
  customer: z.union([z.string(), z.object({ id: z.string(), metadata })]).nullish(),
  amount_paid: z.number().int(),
  amount_due: z.number().int(),
  currency: z.string().min(1),
  period_start: unixTime,
  period_end: unixTime,
  number: z.string().nullish(),
  hosted_invoice_url: z.string().nullish(),
  attempt_count: z.number().int(),
  next_payment_attempt: unixTime.nullish(),
  metadata,
  parent: z
    .object({
      type: z.string(),
      subscription_details: z.object({ subscription: expandable, metadata }).nullish(),
    })
    .nullish(),
  /** Where API versions before 2025-03-31 put the subscription. */
  subscription: expandable,
  subscription_details: z.object({ metadata }).nullish(),
  lines: z
    .object({
      data: z.array(
        z.object({
          period: z.object({ start: unixTime, end: unixTime }),
          parent: z
            .object({
              type: z.string(),
              subscription_item_details: z.object({ subscription: z.string().nullish() }).nullish(),
            })
            .nullish(),
        }),
      ),
    })
    .nullish(),
});

const sessionSchema = z.object({
  id: z.string().min(1),
  mode: z.string().nullish(),
  client_reference_id: z.string().nullish(),
  metadata,
  subscription: expandable,
  customer: expandable,
});
