/**
 * A local stand-in for iyzico's Checkout Form and refund API:
 *   POST /payment/iyzipos/checkoutform/initialize/auth/ecom   (initialize)
 *   POST /payment/iyzipos/checkoutform/auth/ecom/detail       (retrieve)
 *   POST /v2/payment/refund                                   (amount-based refund)
 *   POST|PUT /onboarding/submerchant, POST …/detail           (marketplace sub-merchants)
 *   POST /payment/bin/check                                   (BIN lookup, used to prove keys)
 *   POST /payment/iyzipos/item/approve, …/item/disapprove     (marketplace item approval)
 *
 * It checks what iyzico checks: the IYZWSv2 Authorization header
 * (`IYZWSv2 base64("apiKey:<key>&randomKey:<rnd>&signature:<hex>")`, the
 * signature being hex HMAC-SHA256 of randomKey + URI path + request body,
 * keyed with the secret key), a basket that adds up to `price`, the buyer
 * and address fields iyzico requires. Failures use iyzico's envelope
 * `{status: 'failure', errorCode, errorMessage, locale, systemTime}`;
 * successes carry iyzico's response `signature`. Each initialized form is a
 * checkout whose state the test scripts (pending, success, failure); the peer
 * can also produce the signed merchant notification iyzico would send.
 *
 * Several iyzico merchant accounts can share one peer (`addAccount`): each
 * request is authenticated against its own API key's secret, and a checkout
 * or sub-merchant is only visible to the account that made it. Sub-merchants
 * are checked per type as iyzico's onboarding API does; a basket naming
 * sub-merchants must carry `subMerchantKey` and `subMerchantPrice` on every
 * line, known keys of the same account, and shares no larger than the line.
 * A paid marketplace item waits (`transactionStatus` 1 in the retrieve
 * answer) until the account that took the payment approves it (2).
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback, nextId, readRequest, sendJson } from './scripted-peer';
import type { RecordedRequest, ScriptedResponse } from './scripted-peer';

export const IYZICO_PATHS = {
  initialize: '/payment/iyzipos/checkoutform/initialize/auth/ecom',
  retrieve: '/payment/iyzipos/checkoutform/auth/ecom/detail',
  refundV2: '/v2/payment/refund',
  subMerchant: '/onboarding/submerchant',
  subMerchantDetail: '/onboarding/submerchant/detail',
  binCheck: '/payment/bin/check',
  approve: '/payment/iyzipos/item/approve',
  disapprove: '/payment/iyzipos/item/disapprove',
} as const;

/**
 * Approval refusals. 5067 and 5103 are iyzico's own (as its API answers
 * them); iyzico documents no code for an unknown item or a second approval,
 * so those two are the peer's.
 */
export const IYZICO_APPROVAL_ERRORS = {
  notMarketplace: ['5067', 'Sadece marketplace üye işyerleri ödeme kırılımı onayı verebilir'],
  notApproved: ['5103', 'Bu ödeme kırılımı onaylanmamıştır'],
  unknownItem: ['5098', 'Ödeme kırılımı bulunamadı'],
  alreadyApproved: ['5104', 'Bu ödeme kırılımı daha önce onaylanmıştır'],
} as const;

type Json = Record<string, unknown>;
export type IyzicoPeerState = 'pending' | 'success' | 'failure';

export interface IyzicoPeerCheckout {
  token: string;
  /** The initialize body as received. */
  request: Json;
  priceMinor: number;
  currency: string;
  state: IyzicoPeerState;
  paymentId: string | null;
  /** What the card was charged; defaults to the price (no installment interest). */
  paidPriceMinor: number;
  /** iyzico's fraud verdict on a successful payment: 1 approved, 0 in review, -1 declined. */
  fraudStatus: 1 | 0 | -1;
  refundedMinor: number;
  /** The iyzico account (API key) that initialized it. */
  apiKey: string;
  /** `paymentTransactionId`s of its items approved and not disapproved since. */
  approvedItems: Set<string>;
}

export interface IyzicoPeerSubMerchant {
  subMerchantKey: string;
  /** The marketplace account (API key) that registered it. */
  apiKey: string;
  externalId: string;
  type: string;
  /** The latest create or update body. */
  fields: Json;
}

export interface IyzicoPeer {
  /** Replaces https://sandbox-api.iyzipay.com for the SDK. */
  baseUrl: string;
  requests: RecordedRequest<Json>[];
  /** Requests to one endpoint, rejected ones included. */
  requestsTo(path: string): RecordedRequest<Json>[];
  checkouts: Map<string, IyzicoPeerCheckout>;
  subMerchants: Map<string, IyzicoPeerSubMerchant>;
  /** Every approval the peer granted, in order (a second approval of an item is refused, not listed). */
  approvals: Array<{ paymentTransactionId: string; token: string; apiKey: string }>;
  /** Another iyzico merchant account served by the same peer (a merchant's own keys). */
  addAccount(account: { apiKey: string; secretKey: string }): void;
  /** Moves a checkout to a state as if the customer had paid or been declined. */
  setState(token: string, state: IyzicoPeerState, options?: { paidPriceMinor?: number; fraudStatus?: 1 | 0 | -1 }): IyzicoPeerCheckout;
  /** An answer used once, after the auth check, for the next request to `path`. */
  enqueue(path: string, response: ScriptedResponse): void;
  /** The HPP-format merchant notification iyzico sends for a checkout, signed with X-IYZ-SIGNATURE-V3. */
  notification(token: string, options?: { referenceCode?: string; secret?: string }): { body: string; headers: Record<string, string> };
  close(): Promise<void>;
}

const CURRENCIES = new Set(['TRY', 'EUR', 'USD', 'IRR', 'GBP', 'NOK', 'RUB', 'CHF']);

// ---------------------------------------------------------------- amounts, the peer's own reading

export function decimalToMinor(value: unknown): number | null {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return null;
  const fraction = match[2] ?? '';
  if (/[1-9]/.test(fraction.slice(2))) return null;
  return Number(match[1]) * 100 + Number(fraction.slice(0, 2).padEnd(2, '0'));
}

/** iyzico writes amounts as JSON numbers: 1999 -> 19.99, 1000 -> 10. */
export function minorToNumber(minor: number): number {
  const digits = String(minor).padStart(3, '0');
  return Number(`${digits.slice(0, -2)}.${digits.slice(-2)}`);
}

function signFields(secretKey: string, fields: unknown[]): string {
  return createHmac('sha256', secretKey)
    .update(fields.map((f) => (f === undefined || f === null ? '' : String(f))).join(':'))
    .digest('hex');
}

// ---------------------------------------------------------------- envelopes

function envelope(extra: Json, locale = 'tr'): Json {
  return { status: 'success', locale, systemTime: Date.now(), ...extra };
}

export function iyzicoError(errorCode: string, errorMessage: string, httpStatus = 200, extra: Json = {}): ScriptedResponse {
  return { status: httpStatus, body: { status: 'failure', errorCode, errorMessage, locale: 'tr', systemTime: Date.now(), ...extra } };
}

// ---------------------------------------------------------------- IYZWSv2

/**
 * Checks `Authorization: IYZWSv2 <base64>` the way iyzico describes it,
 * independent of the SDK: decode, split `apiKey:…&randomKey:…&signature:…`,
 * recompute HMAC-SHA256(secretKey, randomKey + path + body) as hex.
 */
export function checkAuth(headers: IncomingMessage['headers'], path: string, raw: string, apiKey: string, secretKey: string): ScriptedResponse | null {
  const verdict = authenticate(headers, path, raw, (key) => (key === apiKey ? secretKey : undefined));
  return 'rejection' in verdict ? verdict.rejection : null;
}

/** The API key whose secret signed the request, or iyzico's rejection. */
export function authenticate(
  headers: IncomingMessage['headers'],
  path: string,
  raw: string,
  secretFor: (apiKey: string) => string | undefined,
): { apiKey: string } | { rejection: ScriptedResponse } {
  const rejection = authRejection(headers, path, raw, secretFor);
  if (rejection) return { rejection };
  return { apiKey: apiKeyIn(headers)! };
}

function authParams(headers: IncomingMessage['headers']): Map<string, string> | null {
  const match = /^IYZWSv2 ([A-Za-z0-9+/=]+)$/.exec(headers.authorization ?? '');
  if (!match) return null;
  const params = new Map<string, string>();
  for (const pair of Buffer.from(match[1]!, 'base64').toString('utf8').split('&')) {
    const colon = pair.indexOf(':');
    if (colon > 0) params.set(pair.slice(0, colon), pair.slice(colon + 1));
  }
  return params;
}

const apiKeyIn = (headers: IncomingMessage['headers']) => authParams(headers)?.get('apiKey');

function authRejection(headers: IncomingMessage['headers'], path: string, raw: string, secretFor: (apiKey: string) => string | undefined): ScriptedResponse | null {
  const params = authParams(headers);
  if (!params) return iyzicoError('1001', 'api bilgileri bulunamadı', 401);
  const givenKey = params.get('apiKey');
  const randomKey = params.get('randomKey');
  const signature = params.get('signature') ?? '';
  const secretKey = givenKey ? secretFor(givenKey) : undefined;
  if (!givenKey || !randomKey || secretKey === undefined) return iyzicoError('1001', 'api bilgileri bulunamadı', 401);
  const expected = createHmac('sha256', secretKey).update(randomKey + path + raw).digest();
  const given = /^[0-9a-f]{64}$/i.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return iyzicoError('1000', 'Geçersiz imza', 401);
  return null;
}

// ---------------------------------------------------------------- request checks

export const isText = (value: unknown) => typeof value === 'string' && value.trim().length > 0;

export function missing(object: unknown, fields: string[], prefix: string): string | null {
  if (!object || typeof object !== 'object') return prefix;
  for (const field of fields) if (!isText((object as Json)[field])) return `${prefix}.${field}`;
  return null;
}

/** The checks iyzico makes before it creates a form; error codes are the peer's, the rules iyzico's. */
function invalidInitialize(body: Json | null): ScriptedResponse | null {
  if (!body) return iyzicoError('11', 'Geçersiz istek');
  const price = decimalToMinor(body.price);
  const paidPrice = decimalToMinor(body.paidPrice);
  if (price === null || price <= 0) return iyzicoError('5', 'price gönderilmesi zorunludur');
  if (paidPrice === null || paidPrice <= 0) return iyzicoError('5', 'paidPrice gönderilmesi zorunludur');
  if (!CURRENCIES.has(String(body.currency))) return iyzicoError('5', 'Geçersiz currency');
  if (!isText(body.callbackUrl)) return iyzicoError('5', 'callbackUrl gönderilmesi zorunludur');
  const buyerGap = missing(body.buyer, ['id', 'name', 'surname', 'email', 'identityNumber', 'registrationAddress', 'city', 'country', 'ip'], 'buyer');
  if (buyerGap) return iyzicoError('5', `${buyerGap} gönderilmesi zorunludur`);
  const billingGap = missing(body.billingAddress, ['contactName', 'city', 'country', 'address'], 'billingAddress');
  if (billingGap) return iyzicoError('5', `${billingGap} gönderilmesi zorunludur`);
  const items = body.basketItems;
  if (!Array.isArray(items) || items.length === 0) return iyzicoError('5', 'basketItems gönderilmesi zorunludur');
  let sum = 0;
  for (const item of items as Json[]) {
    const gap = missing(item, ['id', 'name', 'category1', 'itemType'], 'basketItem');
    if (gap) return iyzicoError('5', `${gap} gönderilmesi zorunludur`);
    const itemPrice = decimalToMinor(item.price);
    if (itemPrice === null || itemPrice <= 0) return iyzicoError('5', "basketItem price 0'dan büyük olmalıdır");
    sum += itemPrice;
  }
  if (sum !== price) return iyzicoError('5', 'Sepet tutarı ürünlerin toplam tutarına eşit olmalıdır');
  if ((items as Json[]).some((i) => i.itemType === 'PHYSICAL')) {
    const shippingGap = missing(body.shippingAddress, ['contactName', 'city', 'country', 'address'], 'shippingAddress');
    if (shippingGap) return iyzicoError('5', `${shippingGap} gönderilmesi zorunludur`);
  }
  return null;
}

/**
 * A basket that names sub-merchants is a marketplace basket: every line must
 * say which sub-merchant (of this account) gets how much of it, and that
 * share can be neither negative nor more than the line.
 */
function invalidSplit(body: Json, known: (key: string) => boolean, marketplaceAccount: boolean): ScriptedResponse | null {
  const items = body.basketItems as Json[];
  const split = marketplaceAccount || items.some((i) => i.subMerchantKey !== undefined || i.subMerchantPrice !== undefined);
  if (!split) return null;
  for (const item of items) {
    if (!isText(item.subMerchantKey)) return iyzicoError('5', 'basketItem.subMerchantKey gönderilmesi zorunludur');
    if (item.subMerchantPrice === undefined || item.subMerchantPrice === null || item.subMerchantPrice === '') {
      return iyzicoError('5', 'basketItem.subMerchantPrice gönderilmesi zorunludur');
    }
    const share = decimalToMinor(item.subMerchantPrice);
    if (share === null) return iyzicoError('5', 'basketItem.subMerchantPrice geçersiz');
    if (!known(String(item.subMerchantKey))) return iyzicoError('2001', 'Alt üye işyeri bulunamadı');
    if (share > decimalToMinor(item.price)!) return iyzicoError('5', "basketItem.subMerchantPrice, basketItem.price değerinden büyük olamaz");
  }
  return null;
}

/** ISO 13616: move the first four characters to the end, letters to numbers, mod 97 must be 1. */
export function validIban(value: unknown): boolean {
  if (typeof value !== 'string' || !/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(value)) return false;
  const moved = value.slice(4) + value.slice(0, 4);
  let rest = 0;
  for (const ch of moved) {
    const digits = /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  }
  return rest === 1 && (!value.startsWith('TR') || value.length === 26);
}

const SUB_MERCHANT_FIELDS: Record<string, string[]> = {
  PERSONAL: ['contactName', 'contactSurname', 'identityNumber'],
  PRIVATE_COMPANY: ['taxOffice', 'legalCompanyTitle', 'identityNumber'],
  LIMITED_OR_JOINT_STOCK_COMPANY: ['taxOffice', 'taxNumber', 'legalCompanyTitle'],
};

/** iyzico's onboarding checks for one sub-merchant type. */
function invalidSubMerchant(body: Json, type: string): ScriptedResponse | null {
  const fields = SUB_MERCHANT_FIELDS[type];
  if (!fields) return iyzicoError('5', 'Geçersiz subMerchantType');
  const gap = missing(body, ['name', 'email', 'gsmNumber', 'address', 'iban', ...fields], 'subMerchant');
  if (gap) return iyzicoError('5', `${gap.slice('subMerchant.'.length)} gönderilmesi zorunludur`);
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(body.email))) return iyzicoError('5', 'Geçersiz email');
  if (!/^\+?\d{10,15}$/.test(String(body.gsmNumber))) return iyzicoError('5', 'Geçersiz gsmNumber');
  if (!validIban(body.iban)) return iyzicoError('2014', 'Geçersiz IBAN');
  if (body.currency !== undefined && !CURRENCIES.has(String(body.currency))) return iyzicoError('5', 'Geçersiz currency');
  if (fields.includes('identityNumber') && !/^\d{11}$/.test(String(body.identityNumber))) return iyzicoError('5', 'Geçersiz identityNumber');
  if (fields.includes('taxNumber') && !/^\d{10}$/.test(String(body.taxNumber))) return iyzicoError('5', 'Geçersiz taxNumber');
  return null;
}

/** An item's id in its payment, as iyzico numbers them: the payment id and the line's position. */
function itemTransactionId(checkout: IyzicoPeerCheckout, index: number): string {
  return `${checkout.paymentId}${String(index + 1).padStart(2, '0')}`;
}

function parseObject(raw: string): Json | null {
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : null;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Json) : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- peer

export async function startIyzicoPeer(options: {
  apiKey: string;
  secretKey: string;
  tokenExpireTime?: number;
  /** The first account is a marketplace: every basket it sends must split to sub-merchants. */
  marketplace?: boolean;
}): Promise<IyzicoPeer> {
  const accounts = new Map<string, { secretKey: string; marketplace: boolean }>([
    [options.apiKey, { secretKey: options.secretKey, marketplace: options.marketplace ?? false }],
  ]);
  const secretOf = (apiKey: string) => accounts.get(apiKey)!.secretKey;
  const requests: RecordedRequest<Json>[] = [];
  const checkouts = new Map<string, IyzicoPeerCheckout>();
  const subMerchants = new Map<string, IyzicoPeerSubMerchant>();
  const approvals: IyzicoPeer['approvals'] = [];
  const queues = new Map<string, ScriptedResponse[]>();
  let origin = '';
  let lastPaymentId = 24_478_122;

  function initialize(body: Json, apiKey: string): ScriptedResponse {
    const invalid =
      invalidInitialize(body) ??
      invalidSplit(body, (key) => subMerchants.get(key)?.apiKey === apiKey, accounts.get(apiKey)!.marketplace);
    if (invalid) return invalid;
    const secretKey = secretOf(apiKey);
    const token = randomUUID();
    const locale = String(body.locale ?? 'tr');
    const priceMinor = decimalToMinor(body.price)!;
    checkouts.set(token, {
      token,
      request: body,
      priceMinor,
      currency: String(body.currency),
      state: 'pending',
      paymentId: null,
      paidPriceMinor: decimalToMinor(body.paidPrice)!,
      fraudStatus: 1,
      refundedMinor: 0,
      apiKey,
      approvedItems: new Set(),
    });
    const conversationId = body.conversationId as string | undefined;
    return {
      status: 200,
      body: envelope(
        {
          conversationId,
          token,
          checkoutFormContent: `<script type="text/javascript">if (typeof iyziInit == 'undefined') {var iyziInit = {token:'${token}',locale:'${locale}',baseUrl:'${origin}'};}</script>`,
          tokenExpireTime: options.tokenExpireTime ?? 1800,
          paymentPageUrl: `${origin}/cpp?token=${token}&lang=${locale}`,
          signature: signFields(secretKey, [conversationId, token]),
        },
        locale,
      ),
    };
  }

  function retrieve(body: Json, apiKey: string): ScriptedResponse {
    const checkout = typeof body.token === 'string' ? checkouts.get(body.token) : undefined;
    // A token belongs to the account that made it; another account's keys cannot read it.
    if (!checkout || checkout.apiKey !== apiKey) return iyzicoError('5', 'Geçersiz token');
    const secretKey = secretOf(apiKey);
    const form = checkout.request;
    const common: Json = {
      conversationId: body.conversationId ?? form.conversationId,
      token: checkout.token,
      callbackUrl: form.callbackUrl,
      basketId: form.basketId,
      currency: checkout.currency,
      price: minorToNumber(checkout.priceMinor),
    };
    if (checkout.state === 'pending') return { status: 200, body: envelope(common, String(body.locale ?? 'tr')) };

    const paid = checkout.state === 'success';
    const paidPrice = minorToNumber(checkout.paidPriceMinor);
    const paymentStatus = paid ? 'SUCCESS' : 'FAILURE';
    const signature = signFields(secretKey, [paymentStatus, checkout.paymentId, common.currency, common.basketId, common.conversationId, paidPrice, common.price, checkout.token]);
    const payment: Json = {
      ...common,
      paymentId: checkout.paymentId,
      paidPrice,
      paymentStatus,
      installment: 1,
      fraudStatus: paid ? checkout.fraudStatus : 0,
      cardType: 'CREDIT_CARD',
      cardAssociation: 'MASTER_CARD',
      cardFamily: 'Bonus',
      binNumber: '55287900',
      lastFourDigits: '0008',
      mdStatus: 1,
      phase: 'AUTH',
      authCode: paid ? '930115' : undefined,
      hostReference: paid ? `mock${checkout.paymentId}iyzihostrfn` : undefined,
      itemTransactions: ((form.basketItems as Json[]) ?? []).map((item, index) => ({
        itemId: item.id,
        paymentTransactionId: itemTransactionId(checkout, index),
        // A marketplace item's share waits for the platform's approval; a plain item is settled at once.
        transactionStatus: !paid ? -1 : item.subMerchantKey === undefined || checkout.approvedItems.has(itemTransactionId(checkout, index)) ? 2 : 1,
        price: minorToNumber(decimalToMinor(item.price)!),
        paidPrice: minorToNumber(decimalToMinor(item.price)!),
        ...(item.subMerchantKey === undefined
          ? {}
          : { subMerchantKey: item.subMerchantKey, subMerchantPrice: minorToNumber(decimalToMinor(item.subMerchantPrice)!), subMerchantPayoutAmount: minorToNumber(decimalToMinor(item.subMerchantPrice)!) }),
      })),
      signature,
    };
    if (paid) return { status: 200, body: envelope(payment) };
    return iyzicoError('10051', 'Kart limiti yetersiz, yetersiz bakiye', 200, { ...payment, errorGroup: 'NOT_SUFFICIENT_FUNDS' });
  }

  /** The paid item `paymentTransactionId` names among this account's payments, with its basket line. */
  function paidItem(body: Json, apiKey: string): { checkout: IyzicoPeerCheckout; id: string; line: Json } | ScriptedResponse {
    if (!isText(body.paymentTransactionId)) return iyzicoError('5', 'paymentTransactionId gönderilmesi zorunludur');
    const id = String(body.paymentTransactionId);
    for (const checkout of checkouts.values()) {
      if (checkout.apiKey !== apiKey || checkout.state !== 'success' || checkout.paymentId === null) continue;
      const lines = (checkout.request.basketItems as Json[]) ?? [];
      const index = lines.findIndex((_, i) => itemTransactionId(checkout, i) === id);
      if (index >= 0) return { checkout, id, line: lines[index]! };
    }
    return iyzicoError(...IYZICO_APPROVAL_ERRORS.unknownItem);
  }

  function approve(body: Json, apiKey: string): ScriptedResponse {
    const found = paidItem(body, apiKey);
    if ('status' in found) return found;
    if (found.line.subMerchantKey === undefined) return iyzicoError(...IYZICO_APPROVAL_ERRORS.notMarketplace);
    if (found.checkout.approvedItems.has(found.id)) return iyzicoError(...IYZICO_APPROVAL_ERRORS.alreadyApproved);
    found.checkout.approvedItems.add(found.id);
    approvals.push({ paymentTransactionId: found.id, token: found.checkout.token, apiKey });
    return { status: 200, body: envelope({ conversationId: body.conversationId, paymentTransactionId: found.id }, String(body.locale ?? 'tr')) };
  }

  function disapprove(body: Json, apiKey: string): ScriptedResponse {
    const found = paidItem(body, apiKey);
    if ('status' in found) return found;
    if (!found.checkout.approvedItems.delete(found.id)) return iyzicoError(...IYZICO_APPROVAL_ERRORS.notApproved);
    return { status: 200, body: envelope({ conversationId: body.conversationId, paymentTransactionId: found.id }, String(body.locale ?? 'tr')) };
  }

  function refundV2(body: Json, apiKey: string): ScriptedResponse {
    const secretKey = secretOf(apiKey);
    const checkout = [...checkouts.values()].find((c) => c.apiKey === apiKey && c.paymentId !== null && c.paymentId === String(body.paymentId));
    if (!checkout || checkout.state !== 'success') return iyzicoError('5092', 'Ödeme bulunamadı');
    const amount = decimalToMinor(body.price);
    if (amount === null || amount <= 0) return iyzicoError('5', 'price gönderilmesi zorunludur');
    if (body.currency !== checkout.currency) return iyzicoError('5', 'Geçersiz currency');
    if (checkout.refundedMinor + amount > checkout.paidPriceMinor) return iyzicoError('5131', 'İade tutarı, ödeme tutarını aşamaz');
    checkout.refundedMinor += amount;
    const price = minorToNumber(amount);
    return {
      status: 200,
      body: envelope({
        conversationId: body.conversationId,
        paymentId: checkout.paymentId,
        price,
        currency: checkout.currency,
        authCode: '123456',
        hostReference: nextId('refund'),
        signature: signFields(secretKey, [checkout.paymentId, price, checkout.currency, body.conversationId]),
      }),
    };
  }

  function createSubMerchant(body: Json, apiKey: string): ScriptedResponse {
    if (!isText(body.subMerchantExternalId)) return iyzicoError('5', 'subMerchantExternalId gönderilmesi zorunludur');
    const invalid = invalidSubMerchant(body, String(body.subMerchantType));
    if (invalid) return invalid;
    const taken = [...subMerchants.values()].some((m) => m.apiKey === apiKey && m.externalId === body.subMerchantExternalId);
    if (taken) return iyzicoError('2002', 'Bu subMerchantExternalId ile kayıtlı alt üye işyeri var');
    const subMerchantKey = Buffer.from(randomUUID()).toString('base64').slice(0, 28);
    subMerchants.set(subMerchantKey, { subMerchantKey, apiKey, externalId: String(body.subMerchantExternalId), type: String(body.subMerchantType), fields: body });
    return { status: 200, body: envelope({ conversationId: body.conversationId, subMerchantKey }) };
  }

  function updateSubMerchant(body: Json, apiKey: string): ScriptedResponse {
    const found = typeof body.subMerchantKey === 'string' ? subMerchants.get(body.subMerchantKey) : undefined;
    if (!found || found.apiKey !== apiKey) return iyzicoError('2001', 'Alt üye işyeri bulunamadı');
    const invalid = invalidSubMerchant(body, found.type);
    if (invalid) return invalid;
    found.fields = body;
    return { status: 200, body: envelope({ conversationId: body.conversationId }) };
  }

  function subMerchantDetail(body: Json, apiKey: string): ScriptedResponse {
    const found = [...subMerchants.values()].find((m) => m.apiKey === apiKey && m.externalId === body.subMerchantExternalId);
    if (!found) return iyzicoError('2001', 'Alt üye işyeri bulunamadı');
    const { fields } = found;
    return {
      status: 200,
      body: envelope({
        conversationId: body.conversationId,
        subMerchantKey: found.subMerchantKey,
        subMerchantExternalId: found.externalId,
        subMerchantType: found.type,
        name: fields.name,
        email: fields.email,
        gsmNumber: fields.gsmNumber,
        address: fields.address,
        iban: fields.iban,
        currency: fields.currency ?? 'TRY',
      }),
    };
  }

  function binCheck(body: Json): ScriptedResponse {
    const bin = String(body.binNumber ?? '');
    if (!/^\d{6,8}$/.test(bin)) return iyzicoError('5', 'binNumber gönderilmesi zorunludur');
    return {
      status: 200,
      body: envelope({ conversationId: body.conversationId, binNumber: bin, cardType: 'CREDIT_CARD', cardAssociation: 'MASTER_CARD', cardFamily: 'Paraf', bankName: 'Halkbank', bankCode: 12, commercial: 0 }),
    };
  }

  const routes: Record<string, (body: Json, apiKey: string, method: string) => ScriptedResponse> = {
    [IYZICO_PATHS.initialize]: initialize,
    [IYZICO_PATHS.retrieve]: retrieve,
    [IYZICO_PATHS.refundV2]: refundV2,
    [IYZICO_PATHS.subMerchant]: (body, apiKey, method) => (method === 'PUT' ? updateSubMerchant(body, apiKey) : createSubMerchant(body, apiKey)),
    [IYZICO_PATHS.subMerchantDetail]: subMerchantDetail,
    [IYZICO_PATHS.binCheck]: binCheck,
    [IYZICO_PATHS.approve]: approve,
    [IYZICO_PATHS.disapprove]: disapprove,
  };

  const send = (res: ServerResponse, response: ScriptedResponse) => sendJson(res, response, { 'content-type': 'application/json;charset=UTF-8' });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const { method, path, raw } = await readRequest(req);
    const body = parseObject(raw);
    requests.push({ method, path, headers: req.headers, raw, body });

    const route = routes[path];
    const allowed = method === 'POST' || (method === 'PUT' && path === IYZICO_PATHS.subMerchant);
    if (!allowed || !route) return send(res, iyzicoError('404', `${method} ${path} bulunamadı`, 404));
    const verdict = authenticate(req.headers, path, raw, (key) => accounts.get(key)?.secretKey);
    if ('rejection' in verdict) return send(res, verdict.rejection);
    const scripted = queues.get(path)?.shift();
    if (scripted) return send(res, scripted);
    if (!body) return send(res, iyzicoError('11', 'Geçersiz istek'));
    send(res, route(body, verdict.apiKey, method));
  }

  const server = await listenOnLoopback((req, res) => void handle(req, res));
  origin = server.origin;

  function checkout(token: string): IyzicoPeerCheckout {
    const found = checkouts.get(token);
    if (!found) throw new Error(`iyzico peer has no checkout ${token}`);
    return found;
  }

  return {
    baseUrl: origin,
    requests,
    requestsTo: (path) => requests.filter((r) => r.path === path),
    checkouts,
    subMerchants,
    approvals,
    addAccount(account) {
      accounts.set(account.apiKey, { secretKey: account.secretKey, marketplace: false });
    },
    setState(token, state, stateOptions = {}) {
      const found = checkout(token);
      found.state = state;
      found.paymentId = state === 'pending' ? null : (found.paymentId ?? String(++lastPaymentId));
      if (stateOptions.paidPriceMinor !== undefined) found.paidPriceMinor = stateOptions.paidPriceMinor;
      if (stateOptions.fraudStatus !== undefined) found.fraudStatus = stateOptions.fraudStatus;
      return found;
    },
    enqueue(path, response) {
      const queue = queues.get(path) ?? [];
      queue.push(response);
      queues.set(path, queue);
    },
    notification(token, notificationOptions = {}) {
      const found = checkout(token);
      const payload = {
        paymentConversationId: found.request.conversationId,
        merchantId: 3382172,
        token: found.token,
        status: found.state === 'success' ? 'SUCCESS' : found.state === 'failure' ? 'FAILURE' : 'INIT_THREEDS',
        iyziReferenceCode: notificationOptions.referenceCode ?? randomUUID(),
        iyziEventType: 'CHECKOUT_FORM_AUTH',
        iyziEventTime: Date.now(),
        iyziPaymentId: found.paymentId === null ? undefined : Number(found.paymentId),
      };
      const secret = notificationOptions.secret ?? secretOf(found.apiKey);
      const signed =
        secret + payload.iyziEventType + (payload.iyziPaymentId ?? '') + payload.token + String(payload.paymentConversationId ?? '') + payload.status;
      return {
        body: JSON.stringify(payload),
        headers: { 'content-type': 'application/json', 'x-iyz-signature-v3': createHmac('sha256', secret).update(signed).digest('hex') },
      };
    },
    close: server.close,
  };
}
