import { createHmac, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { z } from 'zod';
import {
  jsonObjectBody,
  WebhookPayloadError,
  WebhookSignatureError,
  type Buyer,
  type CheckoutRequest,
  type PaidSettlement,
  type PaymentProvider,
  type PaymentStatus,
  type PaymentWebhookEvent,
} from './provider';

/**
 * iyzico's hosted Checkout Form through the official `iyzipay` SDK.
 *
 * Flow: `createCheckout` initializes a form and hands back its payment page
 * and token; iyzico POSTs that token to `callbackUrl` when the customer
 * finishes, and sends a signed merchant notification. Neither is trusted on
 * its own: both only tell the route which token to `fetchStatus`, and the
 * retrieve answer (authenticated request, signed response) decides.
 *
 * Money crosses the SDK as decimal strings built from integer minor units;
 * answers come back as JSON numbers and are read back through their shortest
 * decimal form, so no arithmetic ever happens on floats.
 */

export interface IyzicoConfig {
  apiKey: string;
  secretKey: string;
  /** https://sandbox-api.iyzipay.com, https://api.iyzipay.com, or a local peer. */
  baseUrl: string;
  /** Where iyzico POSTs the form's token when the customer is done. */
  callbackUrl: string;
  /**
   * Key for X-IYZ-SIGNATURE-V3. iyzico signs merchant notifications with the
   * merchant's API secret key, so this defaults to `secretKey`; it exists for
   * deployments that rotate the two separately.
   */
  merchantWebhookSecret?: string;
  /** Payment page language; defaults to Turkish for TRY and English otherwise. */
  locale?: 'tr' | 'en';
  /**
   * Installment counts offered on the form. A single payment by default:
   * installments can add interest to `paidPrice`, which then no longer
   * equals the order amount.
   */
  enabledInstallments?: number[];
  /** iyzico requires a category on every basket item. */
  basketCategory?: string;
  /** The requester IP iyzico's refund API asks for. */
  serverIp?: string;
  /**
   * iyzico marketplace: the merchant's `subMerchantKey`. The platform's keys
   * sign the checkout, and every basket line names this sub-merchant with its
   * `subMerchantPrice` (the line minus its share of the platform fee), so
   * iyzico splits the payment at the source.
   */
  subMerchantKey?: string;
  /**
   * iyzico holds a sub-merchant's share of each basket item until the platform
   * approves the item. `on_payment` (the default) approves every item as soon
   * as the payment is verified; `manual` leaves that to a person, and
   * `settlePaid` only reports the items that wait.
   */
  approveItems?: IyzicoApprovalMode;
  /** The `payment_accounts` row this provider serves, when it serves a merchant's own account. */
  accountId?: string;
}

export const IYZICO_APPROVAL_MODES = ['on_payment', 'manual'] as const;
export type IyzicoApprovalMode = (typeof IYZICO_APPROVAL_MODES)[number];

/** iyzico answered `status: failure` (or something unusable): the request did not take effect. */
export class IyzicoApiError extends Error {
  override name = 'IyzicoApiError';
  constructor(
    message: string,
    readonly errorCode: string | null = null,
    readonly errorGroup: string | null = null,
  ) {
    super(message);
  }
}

/** Currencies iyzico's API accepts (`Iyzipay.CURRENCY`); all have two decimals. */
export const IYZICO_CURRENCIES = ['TRY', 'USD', 'EUR', 'GBP', 'CHF', 'NOK', 'RUB', 'IRR'] as const;
export type IyzicoCurrency = (typeof IYZICO_CURRENCIES)[number];

/**
 * Placeholders for buyer fields iyzico requires but a chat lead rarely gives.
 * iyzico validates presence and format only; the customer types card holder
 * details on the hosted page itself. `11111111111` is the identity number
 * iyzico accepts when a merchant does not collect the Turkish national id.
 * Emails use the reserved `.invalid` TLD so nothing is ever delivered there.
 */
export const IYZICO_BUYER_PLACEHOLDERS = {
  name: 'Customer',
  surname: 'N/A',
  identityNumber: '11111111111',
  address: 'Not provided',
  city: 'Istanbul',
  country: 'Turkey',
  ip: '127.0.0.1',
  emailDomain: 'customers.invalid',
} as const;

// ---------------------------------------------------------------- money

/** 1999 -> "19.99", 5 -> "0.05": formatted from the integer, never via a float. */
export function toIyzicoPrice(amountMinor: number): string {
  // The SDK re-reads prices with parseFloat; 15 significant digits round-trip exactly.
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0 || amountMinor > 999_999_999_999_999) {
    throw new RangeError(`amount ${amountMinor} is not a non-negative integer iyzico can carry`);
  }
  const digits = String(amountMinor).padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/**
 * "19.99" or 19.99 -> 1999. A JSON number is read through its shortest
 * round-trip decimal form (what iyzico wrote), then handled as a string.
 * Refuses sub-cent remainders instead of rounding money.
 */
export function fromIyzicoPrice(value: number | string): number {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new IyzicoApiError(`unreadable iyzico amount ${JSON.stringify(value)}`);
  const whole = match[1]!;
  const fraction = match[2] ?? '';
  if (/[1-9]/.test(fraction.slice(2))) throw new IyzicoApiError(`iyzico amount ${text} has sub-cent digits`);
  const minor = Number(whole) * 100 + Number(fraction.slice(0, 2).padEnd(2, '0'));
  if (!Number.isSafeInteger(minor)) throw new IyzicoApiError(`iyzico amount ${text} is out of range`);
  return minor;
}

/** iyzico's response-signature form of a price: trailing fractional zeros dropped ("10.50" -> "10.5", "10.0" -> "10"). */
function trimPrice(value: number | string | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

function iyzicoCurrency(currency: string): IyzicoCurrency {
  const upper = currency.toUpperCase();
  const found = IYZICO_CURRENCIES.find((c) => c === upper);
  if (!found) throw new RangeError(`iyzico does not take ${currency}`);
  return found;
}

// ---------------------------------------------------------------- signatures

function hmac(key: string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function hexEquals(expected: Buffer, given: string | undefined | null): boolean {
  if (!given || !/^[0-9a-f]+$/i.test(given) || given.length !== expected.length * 2) return false;
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}

/**
 * iyzico signs response bodies: hex HMAC-SHA256, keyed with the secret key,
 * over the documented fields joined with ':' (prices without trailing zeros).
 */
export function iyzicoResponseSignature(secretKey: string, fields: Array<string | number | undefined | null>): string {
  return hmac(secretKey, fields.map((f) => (f === undefined || f === null ? '' : String(f))).join(':')).toString('hex');
}

function checkResponseSignature(secretKey: string, signature: string | undefined, fields: Array<string | number | undefined>, what: string) {
  // Older accounts get unsigned answers; a signature that is present must match.
  if (signature === undefined) return;
  const expected = Buffer.from(iyzicoResponseSignature(secretKey, fields), 'hex');
  if (!hexEquals(expected, signature)) throw new IyzicoApiError(`iyzico ${what} response signature does not match`);
}

export const IYZICO_SIGNATURE_HEADER = 'x-iyz-signature-v3';

/** The notification fields X-IYZ-SIGNATURE-V3 covers. */
export interface IyzicoNotificationFields {
  iyziEventType?: unknown;
  iyziPaymentId?: unknown;
  paymentId?: unknown;
  token?: unknown;
  paymentConversationId?: unknown;
  status?: unknown;
}

const part = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

/**
 * X-IYZ-SIGNATURE-V3 as iyzico documents it: hex HMAC-SHA256 keyed with the
 * secret key over the plain concatenation (no separators)
 *   hosted page (Checkout Form, Pay with iyzico):
 *     secretKey + iyziEventType + iyziPaymentId + token + paymentConversationId + status
 *   direct API payments (no token in the payload):
 *     secretKey + iyziEventType + paymentId + paymentConversationId + status
 */
export function iyzicoWebhookSignature(secret: string, fields: IyzicoNotificationFields): string {
  const isHostedPage = fields.token !== undefined && fields.token !== null;
  const data = isHostedPage
    ? secret + part(fields.iyziEventType) + part(fields.iyziPaymentId) + part(fields.token) + part(fields.paymentConversationId) + part(fields.status)
    : secret + part(fields.iyziEventType) + part(fields.paymentId ?? fields.iyziPaymentId) + part(fields.paymentConversationId) + part(fields.status);
  return hmac(secret, data).toString('hex');
}

// ---------------------------------------------------------------- SDK surface

type Callback = (err: Error | null, result: unknown) => void;
interface SdkResource {
  create(request: object, cb: Callback): void;
  retrieve(request: object, cb: Callback): void;
}
interface SdkClient {
  checkoutFormInitialize: SdkResource;
  checkoutForm: SdkResource;
  refundV2: SdkResource;
  /** POST /payment/iyzipos/item/approve: releases one item's sub-merchant share. */
  approval: Pick<SdkResource, 'create'>;
}

// The SDK is CommonJS without type declarations; each caller types the little of it it uses.
const Iyzipay = createRequire(import.meta.url)('iyzipay') as new (config: { uri: string; apiKey: string; secretKey: string }) => unknown;

/** The SDK client, typed by the caller (payments here, subscriptions in billing). */
export function iyzicoSdk<Client>(config: { baseUrl: string; apiKey: string; secretKey: string }): Client {
  return new Iyzipay({ uri: config.baseUrl, apiKey: config.apiKey, secretKey: config.secretKey }) as Client;
}

/** The SDK's callback methods as promises. */
export function callSdk<R extends object>(resource: R, method: keyof R, request: object): Promise<unknown> {
  const fn = resource[method] as (request: object, cb: Callback) => void;
  return promisify(fn.bind(resource))(request);
}

// ---------------------------------------------------------------- response shapes

const price = z.union([z.number(), z.string()]);
/** The envelope of every iyzico answer. */
export const iyzicoEnvelope = z.object({
  status: z.string(),
  errorCode: z.union([z.string(), z.number()]).optional(),
  errorMessage: z.string().optional(),
  errorGroup: z.string().optional(),
  conversationId: z.string().optional(),
  signature: z.string().optional(),
});

const initializeResponse = iyzicoEnvelope.extend({
  token: z.string().min(1),
  paymentPageUrl: z.string().min(1),
  tokenExpireTime: z.number().optional(),
});

const retrieveResponse = iyzicoEnvelope.extend({
  token: z.string().optional(),
  paymentStatus: z.string().optional(),
  fraudStatus: z.number().optional(),
  paymentId: z.union([z.string(), z.number()]).optional(),
  basketId: z.string().optional(),
  currency: z.string().optional(),
  price: price.optional(),
  paidPrice: price.optional(),
  /** One per basket item: its own id for approvals and refunds, and (marketplace) whose share it carries. */
  itemTransactions: z
    .array(
      z.object({
        itemId: z.string().optional(),
        paymentTransactionId: z.union([z.string(), z.number()]),
        // -1 declined, 0 on hold, 1 waiting for the platform's approval, 2 approved.
        transactionStatus: z.number().optional(),
        subMerchantKey: z.string().optional(),
      }),
    )
    .optional(),
});

/** iyzico's item transaction status once the item is approved (its sub-merchant's share released). */
export const IYZICO_ITEM_APPROVED = 2;

const approvalResponse = iyzicoEnvelope.extend({ paymentTransactionId: z.union([z.string(), z.number()]).optional() });

const refundResponse = iyzicoEnvelope.extend({
  paymentId: z.union([z.string(), z.number()]).optional(),
  price: price.optional(),
  currency: z.string().optional(),
  hostReference: z.string().optional(),
});

function failure(body: z.infer<typeof iyzicoEnvelope>, what: string): IyzicoApiError {
  const code = body.errorCode === undefined ? null : String(body.errorCode);
  return new IyzicoApiError(`iyzico ${what} failed${code ? ` (${code})` : ''}: ${body.errorMessage ?? 'no message'}`, code, body.errorGroup ?? null);
}

/** Reads an answer; `status: failure` throws unless `keepFailure` says the failure is the news (a declined payment). */
export function parseIyzico<T extends z.ZodType>(schema: T, result: unknown, what: string, keepFailure = false): z.infer<T> {
  const baseParsed = iyzicoEnvelope.safeParse(result);
  if (!baseParsed.success) throw new IyzicoApiError(`iyzico ${what} answered something unreadable`);
  if (baseParsed.data.status !== 'success' && !keepFailure) throw failure(baseParsed.data, what);
  const parsed = schema.safeParse(result);
  if (!parsed.success) throw new IyzicoApiError(`iyzico ${what} answer is missing fields: ${parsed.error.message}`);
  return parsed.data;
}

// ---------------------------------------------------------------- request building

function splitName(full: string | null | undefined): { name: string; surname: string } {
  const words = (full ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { name: IYZICO_BUYER_PLACEHOLDERS.name, surname: IYZICO_BUYER_PLACEHOLDERS.surname };
  if (words.length === 1) return { name: words[0]!, surname: IYZICO_BUYER_PLACEHOLDERS.surname };
  return { name: words.slice(0, -1).join(' '), surname: words.at(-1)! };
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
function countryName(code: string | null | undefined): string {
  if (!code) return IYZICO_BUYER_PLACEHOLDERS.country;
  try {
    return regionNames.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

/** iyzico's buyer, addresses filled from what the lead gave and the placeholders above for the rest. */
export function iyzicoBuyer(buyer: Buyer | undefined, orderId: string) {
  const id = buyer?.id || orderId;
  const { name, surname } = splitName(buyer?.name);
  const city = buyer?.city || IYZICO_BUYER_PLACEHOLDERS.city;
  const country = countryName(buyer?.country);
  const address = buyer?.address || IYZICO_BUYER_PLACEHOLDERS.address;
  const localPart = id.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 60) || 'buyer';
  const addressBlock = { contactName: `${name} ${surname}`, city, country, address };
  return {
    buyer: {
      id,
      name,
      surname,
      email: buyer?.email || `${localPart}@${IYZICO_BUYER_PLACEHOLDERS.emailDomain}`,
      gsmNumber: buyer?.phone || undefined,
      identityNumber: IYZICO_BUYER_PLACEHOLDERS.identityNumber,
      registrationAddress: address,
      city,
      country,
      ip: buyer?.ip || IYZICO_BUYER_PLACEHOLDERS.ip,
    },
    shippingAddress: addressBlock,
    billingAddress: addressBlock,
  };
}

/**
 * Basket lines whose prices sum exactly to the order amount: one per item
 * (iyzico has no quantity, so a line carries quantity x unit price), or one
 * line for the whole amount when the items do not add up to it (discounts,
 * shipping) or there are none. iyzico rejects zero-priced lines.
 */
export function iyzicoBasket(req: Pick<CheckoutRequest, 'orderId' | 'amountMinor' | 'description' | 'items'>, category: string) {
  const lines = (req.items ?? []).map((item, index) => ({
    id: item.sku || `${req.orderId}-${index + 1}`,
    name: item.quantity > 1 ? `${item.quantity} x ${item.name}` : item.name,
    totalMinor: item.quantity * item.unitAmountMinor,
  }));
  const valid = lines.every((l) => Number.isSafeInteger(l.totalMinor) && l.totalMinor >= 0);
  const sum = lines.reduce((total, l) => total + l.totalMinor, 0);
  const chosen =
    valid && lines.length > 0 && sum === req.amountMinor
      ? lines.filter((l) => l.totalMinor > 0)
      : [{ id: req.orderId, name: req.description || req.orderId, totalMinor: req.amountMinor }];
  return chosen.map((l) => ({ id: l.id, name: l.name.slice(0, 200), category1: category, itemType: 'PHYSICAL', price: toIyzicoPrice(l.totalMinor) }));
}

/**
 * What each basket line pays the sub-merchant: its price minus its part of the
 * platform fee. The fee is spread over the lines in proportion to their prices
 * by the largest-remainder method, on integers (BigInt, so large amounts
 * cannot lose precision), so the parts add up to the fee exactly and no line
 * gives up more than its own price.
 */
export function marketplaceSplit(pricesMinor: readonly number[], feeMinor: number): number[] {
  const total = pricesMinor.reduce((sum, p) => sum + p, 0);
  if (!pricesMinor.every((p) => Number.isSafeInteger(p) && p >= 0) || !Number.isSafeInteger(total)) {
    throw new RangeError('basket line prices must be non-negative integers of minor units');
  }
  if (!Number.isSafeInteger(feeMinor) || feeMinor < 0 || feeMinor > total) {
    throw new RangeError(`platform fee ${feeMinor} must be an integer between 0 and the basket total ${total}`);
  }
  if (total === 0) return pricesMinor.map(() => 0);
  const fee = BigInt(feeMinor);
  const sum = BigInt(total);
  const shares = pricesMinor.map((p) => (fee * BigInt(p)) / sum);
  const remainders = pricesMinor.map((p, index) => ({ index, rest: (fee * BigInt(p)) % sum }));
  let left = fee - shares.reduce((a, b) => a + b, 0n);
  // Largest remainder first; ties go to the earlier line, so the split is deterministic.
  remainders.sort((a, b) => (a.rest === b.rest ? a.index - b.index : a.rest > b.rest ? -1 : 1));
  for (const { index } of remainders) {
    if (left === 0n) break;
    shares[index]! += 1n;
    left -= 1n;
  }
  return pricesMinor.map((p, index) => p - Number(shares[index]!));
}

function platformFeeOf(req: CheckoutRequest): number {
  const fee = req.platformFeeMinor ?? 0;
  if (!Number.isSafeInteger(fee) || fee < 0 || fee > req.amountMinor) {
    throw new IyzicoApiError(`order ${req.orderId}: platform fee ${fee} does not fit the amount ${req.amountMinor}`);
  }
  return fee;
}

/** The basket with every line paying `subMerchantKey` its split of the platform fee. */
export function iyzicoMarketplaceBasket(basket: ReturnType<typeof iyzicoBasket>, subMerchantKey: string, platformFeeMinor: number) {
  const prices = basket.map((line) => fromIyzicoPrice(line.price));
  const toSubMerchant = marketplaceSplit(prices, platformFeeMinor);
  return basket.map((line, index) => ({ ...line, subMerchantKey, subMerchantPrice: toIyzicoPrice(toSubMerchant[index]!) }));
}

// ---------------------------------------------------------------- provider

export function createIyzicoProvider(config: IyzicoConfig): PaymentProvider {
  const sdk = iyzicoSdk<SdkClient>(config);
  const webhookSecret = config.merchantWebhookSecret ?? config.secretKey;
  const localeFor = (currency: string) => config.locale ?? (currency === 'TRY' ? 'tr' : 'en');
  const marketplaceBasket = (req: CheckoutRequest) => {
    const basket = iyzicoBasket(req, config.basketCategory ?? 'General');
    return config.subMerchantKey ? iyzicoMarketplaceBasket(basket, config.subMerchantKey, platformFeeOf(req)) : basket;
  };

  /** The form's payment as iyzico reports it, tied to this token and its signature checked. */
  async function retrieveForm(token: string) {
    const answer = await callSdk(sdk.checkoutForm, 'retrieve', { locale: 'en', token });
    // A declined card comes back as `status: failure` with `paymentStatus: FAILURE`: an outcome, not an API error.
    const declined = typeof answer === 'object' && answer !== null && (answer as { paymentStatus?: unknown }).paymentStatus === 'FAILURE';
    const body = parseIyzico(retrieveResponse, answer, 'checkout retrieve', declined);
    if (body.token !== undefined && body.token !== token) throw new IyzicoApiError('iyzico retrieve answered for another token');
    if (body.paymentStatus !== undefined && body.paymentId !== undefined) {
      checkResponseSignature(
        config.secretKey,
        body.signature,
        [body.paymentStatus, String(body.paymentId), body.currency, body.basketId, body.conversationId, trimPrice(body.paidPrice), trimPrice(body.price), body.token],
        'retrieve',
      );
    }
    return body;
  }

  function statusOf(body: Awaited<ReturnType<typeof retrieveForm>>): PaymentStatus {
    const amount = body.paidPrice ?? body.price;
    const amountMinor = amount === undefined ? 0 : fromIyzicoPrice(amount);
    const currency = body.currency ?? '';
    const paymentRef = body.paymentId === undefined ? null : String(body.paymentId);

    if (body.paymentStatus === 'FAILURE') return { status: 'failed', amountMinor, currency, paymentRef };
    if (body.paymentStatus === 'SUCCESS' && body.status === 'success') {
      // iyzico's fraud check: 1 approved, 0 under review (a notification follows), -1 declined.
      if (body.fraudStatus === -1) return { status: 'failed', amountMinor, currency, paymentRef };
      if (body.fraudStatus === 0) return { status: 'pending', amountMinor, currency, paymentRef };
      return { status: 'paid', amountMinor, currency, paymentRef };
    }
    return { status: 'pending', amountMinor, currency, paymentRef };
  }

  const fetchStatus = async (token: string): Promise<PaymentStatus> => statusOf(await retrieveForm(token));

  async function approveItem(orderId: string, paymentTransactionId: string): Promise<void> {
    const request = { locale: 'en', conversationId: `${orderId}:${paymentTransactionId}`, paymentTransactionId };
    const body = parseIyzico(approvalResponse, await callSdk(sdk.approval, 'create', request), 'item approval');
    if (body.paymentTransactionId !== undefined && String(body.paymentTransactionId) !== paymentTransactionId) {
      throw new IyzicoApiError(`iyzico answered the approval of item ${paymentTransactionId} for another item`);
    }
  }

  /**
   * The items of a paid marketplace payment that carry this sub-merchant's
   * share: approved (`on_payment`) or listed as waiting (`manual`). Their ids
   * come from iyzico's own retrieve answer, never from the customer's browser.
   * Items iyzico already shows approved are not sent again. An approval iyzico
   * refuses is checked against a fresh retrieve: an item approved meanwhile
   * (by a concurrent attempt, or an earlier one whose answer was lost) counts
   * as approved, whatever error iyzico gave for the second approval.
   */
  async function settlePaid(subMerchantKey: string, payment: { orderId: string; providerRef: string }): Promise<PaidSettlement> {
    const body = await retrieveForm(payment.providerRef);
    if (statusOf(body).status !== 'paid') throw new IyzicoApiError(`iyzico checkout ${payment.providerRef} is not paid: no item to approve`);
    const items = (body.itemTransactions ?? [])
      // Every line of this provider's baskets names its sub-merchant; an answer that omits the key still means it.
      .filter((t) => t.subMerchantKey === undefined || t.subMerchantKey === subMerchantKey)
      .map((t) => ({ ref: String(t.paymentTransactionId), itemId: t.itemId ?? null, approved: t.transactionStatus === IYZICO_ITEM_APPROVED }));
    if (!items.length) throw new IyzicoApiError(`iyzico reports no item of this sub-merchant in checkout ${payment.providerRef}`);
    if ((config.approveItems ?? 'on_payment') === 'manual') {
      return {
        released: items.every((i) => i.approved),
        items: items.map((i) => ({ ref: i.ref, itemId: i.itemId, state: i.approved ? 'already_approved' : 'awaiting_approval' })),
      };
    }
    const states = new Map<string, 'approved' | 'already_approved'>();
    const refused: Array<{ ref: string; error: IyzicoApiError }> = [];
    for (const item of items) {
      if (item.approved) {
        states.set(item.ref, 'already_approved');
        continue;
      }
      try {
        await approveItem(payment.orderId, item.ref);
        states.set(item.ref, 'approved');
      } catch (err) {
        // No answer from iyzico: the caller retries, and the retrieve then shows whether it took effect.
        if (!(err instanceof IyzicoApiError) || err.errorCode === null) throw err;
        refused.push({ ref: item.ref, error: err });
      }
    }
    if (refused.length) {
      const fresh = await retrieveForm(payment.providerRef);
      const approvedNow = new Set((fresh.itemTransactions ?? []).filter((t) => t.transactionStatus === IYZICO_ITEM_APPROVED).map((t) => String(t.paymentTransactionId)));
      for (const { ref, error } of refused) {
        if (!approvedNow.has(ref)) throw error;
        states.set(ref, 'already_approved');
      }
    }
    return { released: true, items: items.map((i) => ({ ref: i.ref, itemId: i.itemId, state: states.get(i.ref)! })) };
  }

  const subMerchantKey = config.subMerchantKey;

  return {
    name: 'iyzico',
    ...(config.accountId ? { accountId: config.accountId } : {}),

    async createCheckout(req) {
      const currency = iyzicoCurrency(req.currency);
      const total = toIyzicoPrice(req.amountMinor);
      const request = {
        locale: localeFor(currency),
        conversationId: req.orderId,
        price: total,
        paidPrice: total,
        currency,
        basketId: req.orderId,
        paymentGroup: 'PRODUCT',
        callbackUrl: config.callbackUrl,
        enabledInstallments: config.enabledInstallments ?? [1],
        ...iyzicoBuyer(req.buyer, req.orderId),
        basketItems: marketplaceBasket(req),
      };
      const body = parseIyzico(initializeResponse, await callSdk(sdk.checkoutFormInitialize, 'create', request), 'checkout initialize');
      if (body.conversationId !== undefined && body.conversationId !== req.orderId) {
        throw new IyzicoApiError('iyzico initialize answered for another conversation');
      }
      checkResponseSignature(config.secretKey, body.signature, [body.conversationId, body.token], 'initialize');
      const tokenExpiry = body.tokenExpireTime === undefined ? req.expiresAt : new Date(Date.now() + body.tokenExpireTime * 1000);
      return {
        url: body.paymentPageUrl,
        providerRef: body.token,
        expiresAt: tokenExpiry < req.expiresAt ? tokenExpiry : req.expiresAt,
      };
    },

    fetchStatus,

    ...(subMerchantKey ? { settlePaid: (payment: { orderId: string; providerRef: string }) => settlePaid(subMerchantKey, payment) } : {}),

    async refund(req) {
      const currency = iyzicoCurrency(req.currency);
      const paymentId = req.paymentRef ?? (await fetchStatus(req.providerRef)).paymentRef;
      if (!paymentId) throw new IyzicoApiError(`iyzico checkout ${req.providerRef} has no payment to refund`);
      const request = {
        locale: localeFor(currency),
        // Echoed and signed back, which ties the answer to this refund attempt.
        conversationId: req.idempotencyKey,
        paymentId,
        price: toIyzicoPrice(req.amountMinor),
        currency,
        ip: config.serverIp ?? IYZICO_BUYER_PLACEHOLDERS.ip,
      };
      const body = parseIyzico(refundResponse, await callSdk(sdk.refundV2, 'create', request), 'refund');
      checkResponseSignature(
        config.secretKey,
        body.signature,
        [body.paymentId === undefined ? undefined : String(body.paymentId), trimPrice(body.price), body.currency, body.conversationId],
        'refund',
      );
      if (body.price !== undefined && fromIyzicoPrice(body.price) !== req.amountMinor) {
        throw new IyzicoApiError(`iyzico refunded ${String(body.price)} instead of ${request.price}`);
      }
      return { refundRef: body.hostReference ?? `${paymentId}:${req.idempotencyKey}`, status: 'succeeded' };
    },

    async parseWebhook(rawBody, headers) {
      const header = headers[IYZICO_SIGNATURE_HEADER];
      const given = Array.isArray(header) ? (header.length === 1 ? header[0] : undefined) : header;
      if (!given) throw new WebhookSignatureError(`missing ${IYZICO_SIGNATURE_HEADER} header`);

      const fields = jsonObjectBody(rawBody, 'iyzico notification');

      // The signature covers fields rather than bytes, so it is checked on the parsed payload.
      const expected = Buffer.from(iyzicoWebhookSignature(webhookSecret, fields), 'hex');
      if (!hexEquals(expected, given.trim())) throw new WebhookSignatureError('iyzico notification signature does not match');

      // Direct API payments carry no token; this integration only creates Checkout Forms.
      if (fields.token === undefined || fields.token === null) return [];
      const parsed = notification.safeParse(fields);
      if (!parsed.success) throw new WebhookPayloadError(`iyzico notification is missing fields: ${parsed.error.message}`);
      const event = parsed.data;
      const type = event.status === 'SUCCESS' ? 'completed' : event.status === 'FAILURE' ? 'failed' : null;
      // INIT_THREEDS, CALLBACK_THREEDS and the like are steps, not outcomes.
      if (!type) return [];
      const eventId =
        event.iyziReferenceCode ?? [event.token, event.iyziEventType, event.status, event.iyziPaymentId ?? '', event.iyziEventTime ?? ''].join(':');
      const result: PaymentWebhookEvent = {
        provider: 'iyzico',
        eventId,
        type,
        providerRef: event.token,
        orderId: event.paymentConversationId ?? null,
        amountMinor: null,
        currency: null,
      };
      return [result];
    },
  };
}

const notification = z.object({
  token: z.string().min(1),
  status: z.string().min(1),
  iyziEventType: z.string().min(1),
  paymentConversationId: z.string().optional(),
  iyziReferenceCode: z.string().min(1).optional(),
  iyziPaymentId: z.union([z.string(), z.number()]).optional(),
  iyziEventTime: z.number().optional(),
  merchantId: z.union([z.string(), z.number()]).optional(),
});

/**
 * The token from iyzico's browser POST to `callbackUrl`
 * (`application/x-www-form-urlencoded`, `token=...`). Accepts the raw body or
 * an already parsed form. The caller still has to `fetchStatus(token)`:
 * anyone can POST a token here.
 */
export function parseIyzicoCallback(formBody: string | Buffer | URLSearchParams | Record<string, unknown>): string {
  let token: unknown;
  if (typeof formBody === 'string') token = new URLSearchParams(formBody).get('token');
  else if (Buffer.isBuffer(formBody)) token = new URLSearchParams(formBody.toString('utf8')).get('token');
  else if (formBody instanceof URLSearchParams) token = formBody.get('token');
  else token = formBody.token;
  if (typeof token !== 'string' || !/^[A-Za-z0-9-]{1,100}$/.test(token)) throw new WebhookPayloadError('iyzico callback carries no usable token');
  return token;
}
