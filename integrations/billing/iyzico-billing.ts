import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { IYZICO_BUYER_PLACEHOLDERS, IyzicoApiError, callSdk, fromIyzicoPrice, iyzicoEnvelope, iyzicoSdk, parseIyzico, toIyzicoPrice } from '../payments/iyzico';
import { jsonObjectBody, WebhookPayloadError, WebhookSignatureError } from '../payments/provider';
import type { BillingEvent, SubscriptionStatus, SubscriptionView } from './stripe-billing';

/**
 * The platform's own TRY subscriptions on iyzico's subscription API, the
 * counterpart of stripe-billing.ts: merchants pay AutoCloser here. Events come
 * out as the same `BillingEvent` union so one route applies both providers.
 *
 * iyzico models a subscription as product -> pricing plan -> subscription,
 * each period of which is an "order" with payment attempts. A renewal is
 * announced by a subscription webhook naming the order; the amount and period
 * are read back from the subscription, never taken from the notification.
 */

export interface IyzicoBillingOptions {
  apiKey: string;
  secretKey: string;
  /** https://sandbox-api.iyzipay.com, https://api.iyzipay.com, or a local peer. */
  baseUrl: string;
  /** Where iyzico POSTs the checkout form's token when the customer is done. */
  callbackUrl: string;
  /**
   * The merchant id (MID) iyzico assigned to the platform's account. The
   * subscription notification signature covers it but the payload does not
   * carry it; without it a `merchantId` field in the payload is used.
   */
  iyzicoMerchantId?: string;
  /** The subscription product every plan hangs under; plans can only be swapped within one product. */
  productName?: string;
  /** Pricing plan reference code -> plan code, for plans created outside `ensurePricingPlan`. */
  planCodes?: Record<string, string>;
  /** Reads a subscription for the webhook mapping; defaults to the API. Injected in tests. */
  fetchSubscription?: (subscriptionReferenceCode: string) => Promise<IyzicoSubscriptionDetail>;
  /** Form language; Turkish by default since every plan here is priced in TRY. */
  locale?: 'tr' | 'en';
  now?: () => Date;
}

export interface IyzicoPlan {
  code: string;
  name: string;
  priceMinor: number;
  currency: 'TRY';
  interval: 'month';
}

export interface IyzicoBillingAddress {
  contactName?: string | null;
  address?: string | null;
  city?: string | null;
  country?: string | null;
  district?: string | null;
  zipCode?: string | null;
}

export interface IyzicoSubscriptionCustomer {
  name?: string | null;
  surname?: string | null;
  email: string;
  /** iyzico requires one and keys the subscriber on email + GSM number. */
  gsmNumber: string;
  identityNumber?: string | null;
  billingAddress?: IyzicoBillingAddress | null;
}

export interface IyzicoSubscriptionCheckoutRequest {
  merchantId: string;
  pricingPlanReferenceCode: string;
  customer: IyzicoSubscriptionCustomer;
  /** Echoed by iyzico; defaults to `merchantId`. */
  conversationId?: string;
}

export interface IyzicoSubscriptionCheckout {
  token: string;
  /** The script that renders the form; embed it on the page that hosts the checkout. */
  checkoutFormContent: string;
  /** A hosted payment page, when iyzico returns one. */
  url?: string;
}

export interface IyzicoBilling {
  /** The pricing plan reference code for a plan, creating the product and plan on first use. */
  ensurePricingPlan(plan: IyzicoPlan): Promise<string>;
  startSubscriptionCheckout(req: IyzicoSubscriptionCheckoutRequest): Promise<IyzicoSubscriptionCheckout>;
  retrieveSubscription(subscriptionReferenceCode: string): Promise<SubscriptionView>;
  /** What a finished checkout form created: the only link from our checkout (and merchant) to iyzico's subscription. */
  retrieveCheckoutResult(token: string): Promise<{ subscriptionReferenceCode: string; pricingPlanReferenceCode: string; customerReferenceCode: string }>;
  /**
   * Moves the subscription to another pricing plan of the same product, at once. iyzico ends the old
   * reference code (UPGRADED) and continues under a new one; the view returned is the new subscription as
   * iyzico reports it afterwards. iyzico names every plan change an upgrade, downgrades included.
   */
  changePlan(subscriptionReferenceCode: string, newPricingPlanReferenceCode: string): Promise<SubscriptionView>;
  /** Cancels at once (iyzico has no cancel-at-period-end) and returns the subscription as it now stands. */
  cancel(subscriptionReferenceCode: string): Promise<SubscriptionView>;
  /** Verifies X-IYZ-SIGNATURE-V3 and maps the notification. Throws WebhookSignatureError / WebhookPayloadError. */
  parseSubscriptionWebhook(raw: Buffer, headers: Record<string, string | string[] | undefined>): Promise<BillingEvent[]>;
}

export const IYZICO_SUBSCRIPTION_SIGNATURE_HEADER = 'x-iyz-signature-v3';

/**
 * X-IYZ-SIGNATURE-V3 for subscription notifications, as iyzico documents it
 * (docs.iyzico.com, Webhook, "Subscription" format): hex HMAC-SHA256 keyed
 * with the secret key over the plain concatenation
 *   merchantId + secretKey + iyziEventType + subscriptionReferenceCode + orderReferenceCode + customerReferenceCode
 */
export function iyzicoSubscriptionSignature(
  secretKey: string,
  merchantId: string,
  fields: { iyziEventType?: unknown; subscriptionReferenceCode?: unknown; orderReferenceCode?: unknown; customerReferenceCode?: unknown },
): string {
  const data =
    merchantId +
    secretKey +
    part(fields.iyziEventType) +
    part(fields.subscriptionReferenceCode) +
    part(fields.orderReferenceCode) +
    part(fields.customerReferenceCode);
  return createHmac('sha256', secretKey).update(data, 'utf8').digest('hex');
}

const part = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

/** The plan name carries the plan code, so a subscription read back names its plan without a lookup table. */
export function iyzicoPlanName(plan: Pick<IyzicoPlan, 'code' | 'name'>): string {
  return `${plan.name} [${plan.code}]`;
}

function planCodeFromName(name: string | null | undefined): string | null {
  const match = /\[([^\][]+)\]\s*$/.exec(name ?? '');
  return match ? match[1]! : null;
}

// ---------------------------------------------------------------- SDK surface

type Callback = (err: Error | null, result: unknown) => void;
type Method = (request: object, cb: Callback) => void;
interface SdkClient {
  subscriptionProduct: { create: Method; retrieveList: Method };
  subscriptionPricingPlan: { create: Method; retrieveList: Method };
  subscriptionCheckoutForm: { initialize: Method };
  subscription: { retrieve: Method; cancel: Method; upgrade: Method };
}

// ---------------------------------------------------------------- response shapes

const epochMs = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);
const price = z.union([z.number(), z.string()]);


const page = <T extends z.ZodType>(item: T) =>
  z.object({
    totalCount: z.number().optional(),
    currentPage: z.number().optional(),
    pageCount: z.number().optional(),
    items: z.array(item),
  });

const pricingPlanSchema = z.object({
  referenceCode: z.string().min(1),
  name: z.string(),
  price: price.optional(),
  currencyCode: z.string().optional(),
  paymentInterval: z.string().optional(),
  paymentIntervalCount: z.number().optional(),
});

const productSchema = z.object({
  referenceCode: z.string().min(1),
  name: z.string(),
  pricingPlans: z.array(pricingPlanSchema).nullish(),
});

const orderSchema = z.object({
  referenceCode: z.string().min(1),
  price,
  currencyCode: z.string().min(1),
  startPeriod: epochMs,
  endPeriod: epochMs,
  orderStatus: z.string().optional(),
  paymentAttempts: z.array(z.object({ paymentStatus: z.string().optional(), createdDate: epochMs.optional() }).passthrough()).nullish(),
});

const subscriptionSchema = z.object({
  referenceCode: z.string().min(1),
  /** The first subscription of the chain: an upgrade continues under a new reference code with the same parent. */
  parentReferenceCode: z.string().nullish(),
  pricingPlanName: z.string().nullish(),
  pricingPlanReferenceCode: z.string().nullish(),
  customerReferenceCode: z.string().nullish(),
  subscriptionStatus: z.string().min(1),
  /** Not in iyzico's documented answer; read if an account ever echoes the initialize conversation. */
  conversationId: z.string().nullish(),
  trialStartDate: epochMs.nullish(),
  trialEndDate: epochMs.nullish(),
  startDate: epochMs.nullish(),
  endDate: epochMs.nullish(),
  orders: z.array(orderSchema).nullish(),
});

export type IyzicoSubscriptionDetail = z.infer<typeof subscriptionSchema>;

const checkoutResponse = iyzicoEnvelope.extend({
  token: z.string().min(1),
  checkoutFormContent: z.string().min(1),
  tokenExpireTime: z.number().optional(),
  paymentPageUrl: z.string().optional(),
});


const dataOf = <T extends z.ZodType>(schema: T) => iyzicoEnvelope.extend({ data: schema });

const upgradeResponse = dataOf(z.object({ referenceCode: z.string().min(1), pricingPlanReferenceCode: z.string().nullish() }));

const checkoutResultResponse = dataOf(
  z.object({ referenceCode: z.string().min(1), pricingPlanReferenceCode: z.string().min(1), customerReferenceCode: z.string().min(1) }),
);

/**
 * The SDK declares the checkout-form result endpoint (`retrieve`) but gives it
 * no method; this drives it the way the SDK's own methods do.
 */
function retrieveCheckoutForm(resource: object, token: string): Promise<unknown> {
  const r = resource as { _config: { body: object }; _request(method: string, cb: (err: Error | null, res: unknown, body: unknown) => void): void };
  return new Promise((resolve, reject) => {
    r._config.body = { checkoutFormToken: token };
    r._request('retrieve', (err, _res, body) => (err ? reject(err) : resolve(body)));
  });
}

/** The detail endpoint answers one subscription, either bare or as a one-item page; both are accepted. */
const subscriptionDetailResponse = dataOf(z.union([page(subscriptionSchema), subscriptionSchema]));

// ---------------------------------------------------------------- mapping

/**
 * iyzico statuses onto the neutral ones:
 * - ACTIVE: `active`, or `trialing` while the plan's trial runs (iyzico charges nothing until it ends).
 * - PENDING: `paused`. iyzico documents PENDING as a stopped subscription (or one created pending and
 *   never activated): it takes no payment until someone activates it, so it is neither a paid period
 *   nor a trial that will convert by itself, which is what `trialing` would promise.
 * - UNPAID: `past_due`, a period's charge failed and iyzico keeps the subscription for retries.
 * - CANCELED, EXPIRED: `canceled`. UPGRADED also ends this reference code: the upgrade continues under a new one.
 */
export function iyzicoSubscriptionStatus(status: string, trialEndsAt: Date | null, now: Date): SubscriptionStatus {
  switch (status) {
    case 'ACTIVE':
      return trialEndsAt && trialEndsAt > now ? 'trialing' : 'active';
    case 'PENDING':
      return 'paused';
    case 'UNPAID':
      return 'past_due';
    case 'CANCELED':
    case 'EXPIRED':
    case 'UPGRADED':
      return 'canceled';
    default:
      return status.toLowerCase();
  }
}

const fromMs = (ms: number | null | undefined) => (ms ? new Date(ms) : null);

/** The period in force: the latest order already started, else the subscription's own dates. */
function currentPeriod(sub: IyzicoSubscriptionDetail, now: Date): { start: Date | null; end: Date | null } {
  const started = (sub.orders ?? []).filter((o) => o.startPeriod <= now.getTime()).sort((a, b) => b.startPeriod - a.startPeriod);
  const order = started[0];
  if (order) return { start: new Date(order.startPeriod), end: new Date(order.endPeriod) };
  return { start: fromMs(sub.startDate), end: fromMs(sub.endDate) };
}

// ---------------------------------------------------------------- billing

const notificationSchema = z.object({
  iyziEventType: z.string().min(1),
  subscriptionReferenceCode: z.string().min(1),
  orderReferenceCode: z.string().min(1),
  customerReferenceCode: z.string().min(1),
  iyziReferenceCode: z.string().min(1),
  iyziEventTime: epochMs,
});

function singleHeader(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
}

function hexEquals(expectedHex: string, given: string): boolean {
  if (!/^[0-9a-f]+$/i.test(given) || given.length !== expectedHex.length) return false;
  return timingSafeEqual(Buffer.from(expectedHex, 'hex'), Buffer.from(given, 'hex'));
}

export function createIyzicoBilling(opts: IyzicoBillingOptions): IyzicoBilling {
  if (!opts.apiKey || !opts.secretKey) throw new Error('iyzico API key or secret key is empty');
  const sdk = iyzicoSdk<SdkClient>(opts);
  const productName = opts.productName ?? 'AutoCloser';
  const locale = opts.locale ?? 'tr';
  const now = opts.now ?? (() => new Date());
  const planCodes = new Map(Object.entries(opts.planCodes ?? {}));
  // One lookup per plan per process; a failed attempt is forgotten so the next call retries.
  const plans = new Map<string, Promise<string>>();
  let product: Promise<string> | null = null;

  async function listAll<T extends z.ZodType>(
    fetchPage: (pageNumber: number) => Promise<unknown>,
    item: T,
    what: string,
  ): Promise<Array<z.infer<T>>> {
    const items: Array<z.infer<T>> = [];
    for (let pageNumber = 1; ; pageNumber++) {
      const body = parseIyzico(dataOf(page(item)), await fetchPage(pageNumber), what);
      items.push(...body.data.items);
      const pageCount = body.data.pageCount ?? 1;
      if (pageNumber >= pageCount || body.data.items.length === 0) return items;
    }
  }

  async function findOrCreateProduct(): Promise<string> {
    const products = await listAll(
      (p) => callSdk(sdk.subscriptionProduct, 'retrieveList', { locale, page: p, count: 100 }),
      productSchema,
      'product list',
    );
    const found = products.find((p) => p.name === productName);
    if (found) return found.referenceCode;
    const created = parseIyzico(
      dataOf(productSchema),
      await callSdk(sdk.subscriptionProduct, 'create', { locale, conversationId: `product:${productName}`, name: productName }),
      'product create',
    );
    return created.data.referenceCode;
  }

  function productReference(): Promise<string> {
    product ??= findOrCreateProduct().catch((err: unknown) => {
      product = null;
      throw err;
    });
    return product;
  }

  async function findOrCreatePlan(plan: IyzicoPlan): Promise<string> {
    if (plan.currency !== 'TRY' || plan.interval !== 'month') throw new RangeError(`iyzico billing takes monthly TRY plans, not ${plan.interval} ${plan.currency}`);
    const priceText = toIyzicoPrice(plan.priceMinor);
    const name = iyzicoPlanName(plan);
    const productReferenceCode = await productReference();
    const existing = await listAll(
      (p) => callSdk(sdk.subscriptionPricingPlan, 'retrieveList', { locale, productReferenceCode, page: p, count: 100 }),
      pricingPlanSchema,
      'pricing plan list',
    );
    const found = existing.find((p) => p.name === name);
    if (found) {
      // iyzico cannot reprice a plan; a changed price needs a new plan code, not a silent second plan.
      const samePrice = found.price === undefined || fromIyzicoPrice(found.price) === plan.priceMinor;
      const sameTerms = (found.currencyCode ?? 'TRY') === 'TRY' && (found.paymentInterval ?? 'MONTHLY') === 'MONTHLY' && (found.paymentIntervalCount ?? 1) === 1;
      if (!samePrice || !sameTerms) {
        throw new IyzicoApiError(`iyzico pricing plan "${name}" exists with other terms (${String(found.price)} ${found.currencyCode ?? ''}); give the plan a new code`);
      }
      planCodes.set(found.referenceCode, plan.code);
      return found.referenceCode;
    }
    const created = parseIyzico(
      dataOf(pricingPlanSchema),
      await callSdk(sdk.subscriptionPricingPlan, 'create', {
        locale,
        conversationId: `plan:${plan.code}`,
        productReferenceCode,
        name,
        price: priceText,
        currencyCode: 'TRY',
        paymentInterval: 'MONTHLY',
        paymentIntervalCount: 1,
        planPaymentType: 'RECURRING',
      }),
      'pricing plan create',
    );
    planCodes.set(created.data.referenceCode, plan.code);
    return created.data.referenceCode;
  }

  async function fetchSubscriptionFromApi(subscriptionReferenceCode: string): Promise<IyzicoSubscriptionDetail> {
    const body = parseIyzico(subscriptionDetailResponse, await callSdk(sdk.subscription, 'retrieve', { subscriptionReferenceCode }), 'subscription retrieve');
    const sub = 'items' in body.data ? body.data.items.find((i) => i.referenceCode === subscriptionReferenceCode) : body.data;
    if (!sub || sub.referenceCode !== subscriptionReferenceCode) throw new IyzicoApiError(`iyzico answered without subscription ${subscriptionReferenceCode}`);
    return sub;
  }
  const fetchSubscription = opts.fetchSubscription ?? fetchSubscriptionFromApi;

  function toView(sub: IyzicoSubscriptionDetail, updatedAt: Date): SubscriptionView {
    const period = currentPeriod(sub, updatedAt);
    return {
      id: sub.referenceCode,
      status: iyzicoSubscriptionStatus(sub.subscriptionStatus, fromMs(sub.trialEndDate), updatedAt),
      planCode: planCodeFromName(sub.pricingPlanName) ?? (sub.pricingPlanReferenceCode ? (planCodes.get(sub.pricingPlanReferenceCode) ?? null) : null),
      // iyzico's documented detail carries no conversation id: the route ties a subscription to its
      // merchant through the checkout token it kept, unless the answer happens to echo one.
      merchantId: sub.conversationId ?? null,
      customerId: sub.customerReferenceCode ?? null,
      currentPeriodStart: period.start,
      currentPeriodEnd: period.end,
      cancelAtPeriodEnd: false,
      updatedAt,
    };
  }

  async function retrieveSubscription(subscriptionReferenceCode: string): Promise<SubscriptionView> {
    return toView(await fetchSubscriptionFromApi(subscriptionReferenceCode), now());
  }

  return {
    async retrieveCheckoutResult(token) {
      const { data } = parseIyzico(checkoutResultResponse, await retrieveCheckoutForm(sdk.subscriptionCheckoutForm, token), 'subscription checkout result');
      return { subscriptionReferenceCode: data.referenceCode, pricingPlanReferenceCode: data.pricingPlanReferenceCode, customerReferenceCode: data.customerReferenceCode };
    },
    ensurePricingPlan(plan) {
      // Keyed on the terms too, so a changed price is looked up (and refused) rather than served from memory.
      const key = `${plan.code}:${plan.priceMinor}:${plan.currency}:${plan.interval}`;
      let pending = plans.get(key);
      if (!pending) {
        pending = findOrCreatePlan(plan).catch((err: unknown) => {
          plans.delete(key);
          throw err;
        });
        plans.set(key, pending);
      }
      return pending;
    },

    async startSubscriptionCheckout(req) {
      if (!req.merchantId) throw new Error('merchantId is empty');
      const c = req.customer;
      const name = c.name?.trim() || IYZICO_BUYER_PLACEHOLDERS.name;
      const surname = c.surname?.trim() || IYZICO_BUYER_PLACEHOLDERS.surname;
      // iyzico requires a full billing address and a national id; the card holder types card details on
      // the form itself, so the same documented placeholders as one-off checkouts fill what we do not know.
      const address = {
        contactName: c.billingAddress?.contactName || `${name} ${surname}`,
        address: c.billingAddress?.address || IYZICO_BUYER_PLACEHOLDERS.address,
        city: c.billingAddress?.city || IYZICO_BUYER_PLACEHOLDERS.city,
        country: c.billingAddress?.country || IYZICO_BUYER_PLACEHOLDERS.country,
        ...(c.billingAddress?.district ? { district: c.billingAddress.district } : {}),
        ...(c.billingAddress?.zipCode ? { zipCode: c.billingAddress.zipCode } : {}),
      };
      const conversationId = req.conversationId ?? req.merchantId;
      const answer = await callSdk(sdk.subscriptionCheckoutForm, 'initialize', {
        locale,
        conversationId,
        callbackUrl: opts.callbackUrl,
        pricingPlanReferenceCode: req.pricingPlanReferenceCode,
        // ACTIVE charges the first period on the form (or starts the plan's trial); PENDING would only validate the card.
        subscriptionInitialStatus: 'ACTIVE',
        customer: {
          name,
          surname,
          email: c.email,
          gsmNumber: c.gsmNumber,
          identityNumber: c.identityNumber || IYZICO_BUYER_PLACEHOLDERS.identityNumber,
          billingAddress: address,
          shippingAddress: address,
        },
      });
      const body = parseIyzico(checkoutResponse, answer, 'subscription checkout initialize');
      if (body.conversationId !== undefined && body.conversationId !== conversationId) {
        throw new IyzicoApiError('iyzico subscription checkout answered for another conversation');
      }
      return {
        token: body.token,
        checkoutFormContent: body.checkoutFormContent,
        ...(body.paymentPageUrl ? { url: body.paymentPageUrl } : {}),
      };
    },

    retrieveSubscription,

    async changePlan(subscriptionReferenceCode, newPricingPlanReferenceCode) {
      const answer = await callSdk(sdk.subscription, 'upgrade', {
        locale,
        conversationId: `upgrade:${subscriptionReferenceCode}`,
        subscriptionReferenceCode,
        newPricingPlanReferenceCode,
        // NOW: the merchant asked for the new quota today. NEXT_PERIOD would leave the old plan (and its quota)
        // for the rest of a period already paid, with nothing here to show the change waiting.
        upgradePeriod: 'NOW',
        // A trial is for a first subscription, not for a merchant moving between plans.
        useTrial: false,
      });
      const { data } = parseIyzico(upgradeResponse, answer, 'subscription upgrade');
      if (data.pricingPlanReferenceCode && data.pricingPlanReferenceCode !== newPricingPlanReferenceCode) {
        throw new IyzicoApiError('iyzico upgraded the subscription to another plan than asked');
      }
      return retrieveSubscription(data.referenceCode);
    },

    async cancel(subscriptionReferenceCode) {
      parseIyzico(iyzicoEnvelope, await callSdk(sdk.subscription, 'cancel', { subscriptionReferenceCode }), 'subscription cancel');
      return retrieveSubscription(subscriptionReferenceCode);
    },

    async parseSubscriptionWebhook(raw, headers) {
      const given = singleHeader(headers, IYZICO_SUBSCRIPTION_SIGNATURE_HEADER)?.trim();
      if (!given) throw new WebhookSignatureError(`missing ${IYZICO_SUBSCRIPTION_SIGNATURE_HEADER} header`);

      const fields = jsonObjectBody(raw, 'iyzico subscription notification');

      const mid = opts.iyzicoMerchantId ?? part(fields.merchantId);
      if (!mid) throw new WebhookSignatureError('iyzico merchant id is not configured, so the subscription notification cannot be verified');
      // The signature covers fields rather than bytes, so it is checked on the parsed payload.
      if (!hexEquals(iyzicoSubscriptionSignature(opts.secretKey, mid, fields), given)) {
        throw new WebhookSignatureError('iyzico subscription notification signature does not match');
      }

      const parsed = notificationSchema.safeParse(fields);
      if (!parsed.success) throw new WebhookPayloadError(`iyzico subscription notification is missing fields: ${z.prettifyError(parsed.error)}`);
      const event = parsed.data;
      const type =
        event.iyziEventType === 'subscription.order.success' ? 'invoice_paid' : event.iyziEventType === 'subscription.order.failure' ? 'invoice_failed' : null;
      if (!type) return [];

      // The notification names the order only; its amount and period come from the subscription.
      const sub = await fetchSubscription(event.subscriptionReferenceCode);
      if (sub.referenceCode !== event.subscriptionReferenceCode) throw new IyzicoApiError('iyzico answered for another subscription');
      const order = (sub.orders ?? []).find((o) => o.referenceCode === event.orderReferenceCode);
      // Thrown as an API error, not a payload error: the order can lag the notification, and a retry will find it.
      if (!order) throw new IyzicoApiError(`iyzico subscription ${sub.referenceCode} has no order ${event.orderReferenceCode} yet`);

      const occurredAt = new Date(event.iyziEventTime);
      const view = toView(sub, occurredAt);
      const common = {
        eventId: event.iyziReferenceCode,
        occurredAt,
        providerInvoiceId: order.referenceCode,
        subscriptionId: sub.referenceCode,
        parentSubscriptionId: sub.parentReferenceCode ?? null,
        customerId: event.customerReferenceCode,
        merchantId: view.merchantId,
        currency: order.currencyCode.toUpperCase(),
        periodStart: new Date(order.startPeriod),
        periodEnd: new Date(order.endPeriod),
        number: null,
        hostedInvoiceUrl: null,
      };
      const amountMinor = fromIyzicoPrice(order.price);
      if (type === 'invoice_paid') return [{ ...common, type, amountPaidMinor: amountMinor }];
      return [
        {
          ...common,
          type,
          amountDueMinor: amountMinor,
          attemptCount: Math.max(1, order.paymentAttempts?.length ?? 0),
          // iyzico retries on its own schedule and does not publish the next attempt.
          nextAttemptAt: null,
        },
      ];
    },
  };
}
