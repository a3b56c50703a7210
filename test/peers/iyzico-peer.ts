/**
 * A local stand-in for iyzico's Checkout Form and refund API:
 *   POST /payment/iyzipos/checkoutform/initialize/auth/ecom   (initialize)
 *   POST /payment/iyzipos/checkoutform/auth/ecom/detail       (retrieve)
 *   POST /v2/payment/refund                                   (amount-based refund)
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
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback, nextId, readRequest, sendJson } from './scripted-peer';
import type { RecordedRequest, ScriptedResponse } from './scripted-peer';

export const IYZICO_PATHS = {
  initialize: '/payment/iyzipos/checkoutform/initialize/auth/ecom',
  retrieve: '/payment/iyzipos/checkoutform/auth/ecom/detail',
  refundV2: '/v2/payment/refund',
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
}

export interface IyzicoPeer {
  /** Replaces https://sandbox-api.iyzipay.com for the SDK. */
  baseUrl: string;
  requests: RecordedRequest<Json>[];
  /** Requests to one endpoint, rejected ones included. */
  requestsTo(path: string): RecordedRequest<Json>[];
  checkouts: Map<string, IyzicoPeerCheckout>;
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
  const header = headers.authorization ?? '';
  const match = /^IYZWSv2 ([A-Za-z0-9+/=]+)$/.exec(header);
  if (!match) return iyzicoError('1001', 'api bilgileri bulunamadı', 401);
  const params = new Map<string, string>();
  for (const pair of Buffer.from(match[1]!, 'base64').toString('utf8').split('&')) {
    const colon = pair.indexOf(':');
    if (colon > 0) params.set(pair.slice(0, colon), pair.slice(colon + 1));
  }
  const givenKey = params.get('apiKey');
  const randomKey = params.get('randomKey');
  const signature = params.get('signature') ?? '';
  if (!givenKey || !randomKey || givenKey !== apiKey) return iyzicoError('1001', 'api bilgileri bulunamadı', 401);
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

function parseObject(raw: string): Json | null {
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : null;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Json) : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- peer

export async function startIyzicoPeer(options: { apiKey: string; secretKey: string; tokenExpireTime?: number }): Promise<IyzicoPeer> {
  const { apiKey, secretKey } = options;
  const requests: RecordedRequest<Json>[] = [];
  const checkouts = new Map<string, IyzicoPeerCheckout>();
  const queues = new Map<string, ScriptedResponse[]>();
  let origin = '';
  let lastPaymentId = 24_478_122;

  function initialize(body: Json): ScriptedResponse {
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

  function retrieve(body: Json): ScriptedResponse {
    const checkout = typeof body.token === 'string' ? checkouts.get(body.token) : undefined;
    if (!checkout) return iyzicoError('5', 'Geçersiz token');
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
        paymentTransactionId: `${checkout.paymentId}${String(index + 1).padStart(2, '0')}`,
        transactionStatus: paid ? 2 : -1,
        price: minorToNumber(decimalToMinor(item.price)!),
        paidPrice: minorToNumber(decimalToMinor(item.price)!),
      })),
      signature,
    };
    if (paid) return { status: 200, body: envelope(payment) };
    return iyzicoError('10051', 'Kart limiti yetersiz, yetersiz bakiye', 200, { ...payment, errorGroup: 'NOT_SUFFICIENT_FUNDS' });
  }

  function refundV2(body: Json): ScriptedResponse {
    const checkout = [...checkouts.values()].find((c) => c.paymentId !== null && c.paymentId === String(body.paymentId));
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

  const routes: Record<string, (body: Json) => ScriptedResponse> = {
    [IYZICO_PATHS.initialize]: (body) => invalidInitialize(body) ?? initialize(body),
    [IYZICO_PATHS.retrieve]: retrieve,
    [IYZICO_PATHS.refundV2]: refundV2,
  };

  const send = (res: ServerResponse, response: ScriptedResponse) => sendJson(res, response, { 'content-type': 'application/json;charset=UTF-8' });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const { method, path, raw } = await readRequest(req);
    const body = parseObject(raw);
    requests.push({ method, path, headers: req.headers, raw, body });

    const route = routes[path];
    if (method !== 'POST' || !route) return send(res, iyzicoError('404', `${method} ${path} bulunamadı`, 404));
    const rejection = checkAuth(req.headers, path, raw, apiKey, secretKey);
    if (rejection) return send(res, rejection);
    const scripted = queues.get(path)?.shift();
    if (scripted) return send(res, scripted);
    if (!body) return send(res, iyzicoError('11', 'Geçersiz istek'));
    send(res, route(body));
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
      const secret = notificationOptions.secret ?? secretKey;
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
