/**
 * PayU GPO (Poland and Central Europe), REST API v2.1. PayU publishes no
 * official Node SDK, so this is a small typed client over `fetch`: an OAuth
 * client-credentials token (cached, refreshed once on a 401), hosted-checkout
 * orders, order retrieval, refunds and notification verification.
 *
 * Amounts go over the wire as strings of minor units. PayU documents HUF as
 * "multiply by 100", which is what our minor units already are for HUF.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { WebhookPayloadError, WebhookSignatureError } from './provider';
import type {
  CheckoutRequest,
  CheckoutSession,
  PaymentProvider,
  PaymentStatus,
  PaymentWebhookEvent,
  RefundRequest,
  RefundResult,
} from './provider';

export interface PayUConfig {
  /** `https://secure.payu.com`, the sandbox `https://secure.snd.payu.com`, or a local peer. */
  baseUrl: string;
  posId: string;
  /** OAuth client id and secret of the POS. */
  clientId: string;
  clientSecret: string;
  /** The POS's "second key" (MD5): signs the notifications PayU sends us. */
  secondKey: string;
  /** Where PayU posts order and refund notifications. */
  notifyUrl: string;
  /** Where the buyer lands after paying, unless the checkout request names one. */
  continueUrl?: string;
  /** Per HTTP call; a slow PayU fails the activity attempt, which Temporal retries. */
  timeoutMs?: number;
  now?: () => number;
  /** The `payment_accounts` row this provider serves, when it is a merchant's own POS. */
  accountId?: string;
}

/**
 * PayU rejected the request (a 4xx) or it cannot be made: the same request
 * will fail again, so callers should not retry it. 5xx and network failures
 * surface as plain Errors, which are retryable.
 */
export class PayUError extends Error {
  override name = 'PayUError';
  readonly nonRetryable = true;
  /** PayU's `status.statusCode` (ERROR_VALUE_INVALID…) or the OAuth `error`, when it sent one. */
  readonly statusCode: string | null;
  readonly httpStatus: number | null;
  constructor(message: string, statusCode: string | null = null, httpStatus: number | null = null) {
    super(message);
    this.statusCode = statusCode;
    this.httpStatus = httpStatus;
  }
}

const TOKEN_PATH = '/pl/standard/user/oauth/authorize';
const ORDERS_PATH = '/api/v2_1/orders';

/**
 * Buyers reach PayU through our server, not their own browser, and chat leads
 * rarely reveal an IP; PayU requires the field and accepts the loopback
 * address for server-created orders.
 */
const FALLBACK_CUSTOMER_IP = '127.0.0.1';

const minorUnits = z.string().regex(/^\d+$/, 'a string of minor units').transform(Number);

const payuStatusSchema = z.object({
  statusCode: z.string(),
  code: z.string().optional(),
  codeLiteral: z.string().optional(),
  statusDesc: z.string().optional(),
});

const tokenSchema = z.object({ access_token: z.string().min(1), expires_in: z.number().positive() });

const orderCreatedSchema = z.object({
  status: payuStatusSchema,
  redirectUri: z.url(),
  orderId: z.string().min(1),
  extOrderId: z.string().optional(),
});

const retrievedSchema = z.object({
  orders: z
    .array(z.object({ orderId: z.string(), extOrderId: z.string().optional(), totalAmount: minorUnits, currencyCode: z.string(), status: z.string() }))
    .min(1),
  properties: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
});

const refundCreatedSchema = z.object({
  refund: z.object({ refundId: z.string().min(1), status: z.enum(['PENDING', 'FINALIZED', 'CANCELED']) }),
});

const orderNotificationSchema = z.object({
  order: z.object({
    orderId: z.string().min(1),
    extOrderId: z.string().optional(),
    totalAmount: minorUnits,
    currencyCode: z.string().length(3),
    status: z.string(),
  }),
  localReceiptDateTime: z.string().optional(),
  properties: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
});

const refundNotificationSchema = z.object({
  orderId: z.string().min(1),
  extOrderId: z.string().optional(),
  refund: z.object({
    refundId: z.string().min(1),
    amount: minorUnits,
    currencyCode: z.string().length(3),
    status: z.string(),
  }),
});

/** Plain-language meanings of PayU's status codes, for errors a person reads. */
const statusMeaning: Record<string, string> = {
  ERROR_VALUE_INVALID: 'a field has an invalid value',
  ERROR_VALUE_MISSING: 'a required field is missing',
  ERROR_ORDER_NOT_UNIQUE: 'PayU already has an order with this extOrderId; a new checkout needs a new order id',
  ERROR_SYNTAX: 'the request is not valid JSON',
  ERROR_INCONSISTENT_CURRENCIES: 'the currency does not match the POS or the order',
  DATA_NOT_FOUND: 'PayU has no such order',
  OPENPAYU_BUSINESS_ERROR: 'PayU refused the operation',
  OPENPAYU_ERROR_VALUE_INVALID: 'a field has an invalid value',
  UNAUTHORIZED: 'the POS credentials were rejected',
  UNAUTHORIZED_REQUEST: 'the POS credentials were rejected',
};

interface PayUResponse {
  status: number;
  body: unknown;
}

function readPayUStatus(body: unknown): z.infer<typeof payuStatusSchema> | null {
  const parsed = z.object({ status: payuStatusSchema }).safeParse(body);
  return parsed.success ? parsed.data.status : null;
}

/** A failed answer as an Error: 5xx and 429 stay plain (retryable), everything else is a PayUError. */
function failure(action: string, response: PayUResponse): Error {
  const status = readPayUStatus(response.body);
  const oauth = z.object({ error: z.string(), error_description: z.string().optional() }).safeParse(response.body);
  const code = status?.statusCode ?? (oauth.success ? oauth.data.error : null);
  const detail = status
    ? [status.statusCode, status.codeLiteral, status.statusDesc, statusMeaning[status.statusCode]].filter(Boolean).join(': ')
    : oauth.success
      ? [oauth.data.error, oauth.data.error_description].filter(Boolean).join(': ')
      : 'no PayU status in the answer';
  const message = `PayU ${action} failed with HTTP ${response.status} (${detail})`;
  if (response.status >= 500 || response.status === 429) return new Error(message);
  return new PayUError(message, code, response.status);
}

function invalidAnswer(action: string, response: PayUResponse, error: z.ZodError): PayUError {
  return new PayUError(`PayU ${action} answered HTTP ${response.status} with an unexpected body: ${z.prettifyError(error)}`, null, response.status);
}

function orderPaymentStatus(status: string): PaymentStatus['status'] {
  switch (status) {
    case 'COMPLETED':
      return 'paid';
    case 'CANCELED':
      return 'failed';
    // NEW, PENDING, WAITING_FOR_CONFIRMATION and any status PayU adds later:
    // not paid yet, so nothing is delivered on its strength.
    default:
      return 'pending';
  }
}

function refundResultStatus(status: 'PENDING' | 'FINALIZED' | 'CANCELED'): RefundResult['status'] {
  return status === 'FINALIZED' ? 'succeeded' : status === 'CANCELED' ? 'failed' : 'pending';
}

interface PayUProduct {
  name: string;
  unitPrice: string;
  quantity: string;
}

/**
 * PayU shows the basket on its payment page and checks it against
 * totalAmount. When the items are missing or do not add up to the amount (a
 * discount, a shipping fee), one line for the whole order keeps the charge exact.
 */
function productsFor(req: CheckoutRequest): PayUProduct[] {
  const items = req.items ?? [];
  const sum = items.reduce((total, item) => total + item.unitAmountMinor * item.quantity, 0);
  if (items.length > 0 && sum === req.amountMinor) {
    return items.map((item) => ({ name: item.name, unitPrice: String(item.unitAmountMinor), quantity: String(item.quantity) }));
  }
  return [{ name: req.description, unitPrice: String(req.amountMinor), quantity: '1' }];
}

function buyerFor(req: CheckoutRequest): Record<string, string> | undefined {
  const buyer = req.buyer;
  if (!buyer || !(buyer.email || buyer.phone || buyer.name)) return undefined;
  const [firstName, ...rest] = (buyer.name ?? '').trim().split(/\s+/);
  const fields: Record<string, string> = { extCustomerId: buyer.id };
  if (buyer.email) fields.email = buyer.email;
  if (buyer.phone) fields.phone = buyer.phone;
  if (firstName) fields.firstName = firstName;
  if (rest.length > 0) fields.lastName = rest.join(' ');
  return fields;
}

function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

const signatureHashes: Record<string, 'md5' | 'sha256'> = { MD5: 'md5', 'SHA-256': 'sha256', SHA256: 'sha256' };

/**
 * PayU's notification signature: `OpenPayu-Signature:
 * sender=checkout;signature=<hex>;algorithm=MD5;content=DOCUMENT`, where the
 * signature is the hash of the raw body followed by the second key.
 */
export function verifyPayUSignature(rawBody: Buffer, header: string | undefined, secondKey: string): boolean {
  if (!header) return false;
  const fields = new Map<string, string>();
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  const hash = signatureHashes[(fields.get('algorithm') ?? '').toUpperCase()];
  const given = fields.get('signature') ?? '';
  if (!hash || !/^[0-9a-fA-F]+$/.test(given)) return false;
  const expected = createHash(hash).update(rawBody).update(secondKey, 'utf8').digest();
  const givenBytes = Buffer.from(given, 'hex');
  return givenBytes.length === expected.length && timingSafeEqual(givenBytes, expected);
}

/**
 * Proves a POS's OAuth client id and secret by asking for a token, the first
 * thing every PayU call does. A refusal (4xx) is `{ ok: false }`; PayU being
 * unreachable or failing (5xx) throws, which is not the credentials' fault.
 */
export async function checkPayUCredentials(config: Pick<PayUConfig, 'baseUrl' | 'clientId' | 'clientSecret' | 'timeoutMs'>): Promise<{ ok: true } | { ok: false; reason: string }> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: config.clientId, client_secret: config.clientSecret });
  const response = await fetch(`${config.baseUrl.replace(/\/+$/, '')}${TOKEN_PATH}`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    redirect: 'manual',
    signal: AbortSignal.timeout(config.timeoutMs ?? 20_000),
  });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // An HTML error page; the status says enough.
  }
  if (response.status === 200) {
    if (tokenSchema.safeParse(body).success) return { ok: true };
    throw new Error('PayU answered the OAuth token request with HTTP 200 but no token');
  }
  const error = failure('OAuth token request', { status: response.status, body });
  if (!(error instanceof PayUError)) throw error;
  return { ok: false, reason: error.message };
}

export function createPayUProvider(config: PayUConfig): PaymentProvider {
  const baseUrl = config.baseUrl.replace(/\/+$/, '');
  const now = config.now ?? Date.now;
  const timeoutMs = config.timeoutMs ?? 20_000;

  let token: { value: string; validUntil: number } | null = null;
  let tokenRequest: Promise<string> | null = null;

  async function send(method: string, path: string, init: { json?: unknown; form?: URLSearchParams; bearer?: string }): Promise<PayUResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = init.form.toString();
    } else if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    if (init.bearer) headers.authorization = `Bearer ${init.bearer}`;
    // PayU answers an order create with a 302 whose JSON body carries the
    // link; following it would fetch PayU's payment page instead.
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Proxies in front of PayU answer some failures with HTML; the status code still says what happened.
    }
    return { status: response.status, body: parsed };
  }

  async function fetchToken(): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: config.clientId, client_secret: config.clientSecret });
    const response = await send('POST', TOKEN_PATH, { form });
    if (response.status !== 200) throw failure('OAuth token request', response);
    const parsed = tokenSchema.safeParse(response.body);
    if (!parsed.success) throw invalidAnswer('OAuth token request', response, parsed.error);
    // Renew a minute early (or a tenth of a short lifetime) so a token never expires in flight.
    const marginSec = Math.min(60, parsed.data.expires_in / 10);
    token = { value: parsed.data.access_token, validUntil: now() + (parsed.data.expires_in - marginSec) * 1000 };
    return token.value;
  }

  async function accessToken(): Promise<string> {
    if (token && now() < token.validUntil) return token.value;
    // Concurrent calls share one token request instead of each minting a token.
    tokenRequest ??= fetchToken().finally(() => {
      tokenRequest = null;
    });
    return tokenRequest;
  }

  /** An authorised call; a 401 means the token was revoked or expired early, so one fresh token gets one more try. */
  async function api(method: string, path: string, json?: unknown): Promise<PayUResponse> {
    const used = await accessToken();
    const response = await send(method, path, { json, bearer: used });
    if (response.status !== 401) return response;
    if (token?.value === used) token = null;
    return send(method, path, { json, bearer: await accessToken() });
  }

  async function retrieveOrder(orderId: string) {
    const response = await api('GET', `${ORDERS_PATH}/${encodeURIComponent(orderId)}`);
    if (response.status !== 200) throw failure(`order ${orderId} retrieval`, response);
    const parsed = retrievedSchema.safeParse(response.body);
    if (!parsed.success) throw invalidAnswer(`order ${orderId} retrieval`, response, parsed.error);
    return { order: parsed.data.orders[0]!, properties: parsed.data.properties ?? [] };
  }

  return {
    name: 'payu',
    ...(config.accountId ? { accountId: config.accountId } : {}),

    async createCheckout(req: CheckoutRequest): Promise<CheckoutSession> {
      if (!Number.isSafeInteger(req.amountMinor) || req.amountMinor <= 0) {
        throw new PayUError(`order ${req.orderId}: amount ${req.amountMinor} is not a positive whole number of minor units`);
      }
      const validityTime = Math.floor((req.expiresAt.getTime() - now()) / 1000);
      if (validityTime < 1) throw new PayUError(`order ${req.orderId}: the checkout expires at ${req.expiresAt.toISOString()}, which has passed`);
      const continueUrl = req.successUrl ?? config.continueUrl;
      const buyer = buyerFor(req);
      const body = {
        notifyUrl: config.notifyUrl,
        ...(continueUrl ? { continueUrl } : {}),
        customerIp: req.buyer?.ip || FALLBACK_CUSTOMER_IP,
        merchantPosId: config.posId,
        description: req.description,
        currencyCode: req.currency.toUpperCase(),
        totalAmount: String(req.amountMinor),
        // PayU refuses a second order with the same extOrderId, which makes a retried create safe.
        extOrderId: req.orderId,
        validityTime: String(validityTime),
        ...(buyer ? { buyer } : {}),
        products: productsFor(req),
      };
      const action = `order ${req.orderId} creation`;
      const response = await api('POST', ORDERS_PATH, body);
      const status = readPayUStatus(response.body);
      // Some payment methods answer 200/201 instead of 302; the body is the same.
      const accepted = [200, 201, 302].includes(response.status) && (status?.statusCode === 'SUCCESS' || status?.statusCode.startsWith('WARNING_CONTINUE_'));
      if (!accepted) throw failure(action, response);
      const parsed = orderCreatedSchema.safeParse(response.body);
      if (!parsed.success) throw invalidAnswer(action, response, parsed.error);
      return { url: parsed.data.redirectUri, providerRef: parsed.data.orderId, expiresAt: req.expiresAt };
    },

    async fetchStatus(providerRef: string): Promise<PaymentStatus> {
      const { order, properties } = await retrieveOrder(providerRef);
      const status = orderPaymentStatus(order.status);
      const paymentId = properties.find((p) => p.name === 'PAYMENT_ID')?.value ?? null;
      return { status, amountMinor: order.totalAmount, currency: order.currencyCode, paymentRef: status === 'paid' ? paymentId : null };
    },

    async refund(req: RefundRequest): Promise<RefundResult> {
      // The order says whether this refund is the whole amount (sent without
      // `amount`, as PayU documents a full refund) and guards the currency.
      const { order } = await retrieveOrder(req.providerRef);
      if (order.currencyCode.toUpperCase() !== req.currency.toUpperCase()) {
        throw new PayUError(`refund of PayU order ${req.providerRef}: order is in ${order.currencyCode}, refund asked in ${req.currency}`);
      }
      if (!Number.isSafeInteger(req.amountMinor) || req.amountMinor <= 0 || req.amountMinor > order.totalAmount) {
        throw new PayUError(`refund of PayU order ${req.providerRef}: amount ${req.amountMinor} is outside 1..${order.totalAmount}`);
      }
      const full = req.amountMinor === order.totalAmount;
      const refund = {
        description: req.reason?.trim() || 'Refund',
        ...(full ? {} : { amount: String(req.amountMinor) }),
        // PayU keys refunds on extRefundId, so a retried attempt does not refund twice.
        extRefundId: req.idempotencyKey,
      };
      const action = `refund of order ${req.providerRef}`;
      const response = await api('POST', `${ORDERS_PATH}/${encodeURIComponent(req.providerRef)}/refunds`, { refund });
      if (response.status !== 200 || readPayUStatus(response.body)?.statusCode !== 'SUCCESS') throw failure(action, response);
      const parsed = refundCreatedSchema.safeParse(response.body);
      if (!parsed.success) throw invalidAnswer(action, response, parsed.error);
      return { refundRef: parsed.data.refund.refundId, status: refundResultStatus(parsed.data.refund.status) };
    },

    async parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): Promise<PaymentWebhookEvent[]> {
      const header = headerValue(headers, 'openpayu-signature') ?? headerValue(headers, 'x-openpayu-signature');
      if (!header) throw new WebhookSignatureError('PayU notification without an OpenPayu-Signature header');
      if (!verifyPayUSignature(rawBody, header, config.secondKey)) throw new WebhookSignatureError('PayU notification signature does not match');

      let json: unknown;
      try {
        json = JSON.parse(rawBody.toString('utf8'));
      } catch {
        throw new WebhookPayloadError('PayU notification is not JSON');
      }

      if (json && typeof json === 'object' && 'refund' in json) {
        const parsed = refundNotificationSchema.safeParse(json);
        if (!parsed.success) throw new WebhookPayloadError(`PayU refund notification not understood: ${z.prettifyError(parsed.error)}`);
        const { orderId, extOrderId, refund } = parsed.data;
        // A CANCELED refund moved no money; PENDING is not final.
        if (refund.status !== 'FINALIZED') return [];
        return [
          {
            provider: 'payu',
            eventId: `refund:${refund.refundId}:${refund.status}`,
            type: 'refunded',
            providerRef: orderId,
            orderId: extOrderId ?? null,
            amountMinor: refund.amount,
            currency: refund.currencyCode,
          },
        ];
      }

      const parsed = orderNotificationSchema.safeParse(json);
      if (!parsed.success) throw new WebhookPayloadError(`PayU order notification not understood: ${z.prettifyError(parsed.error)}`);
      const { order } = parsed.data;
      const type = order.status === 'COMPLETED' ? 'completed' : order.status === 'CANCELED' ? 'failed' : null;
      if (!type) return [];
      return [
        {
          provider: 'payu',
          // PayU resends a notification until it gets a 200; the same state change keeps the same id.
          eventId: `${order.orderId}:${order.status}`,
          type,
          providerRef: order.orderId,
          orderId: order.extOrderId ?? null,
          amountMinor: order.totalAmount,
          currency: order.currencyCode,
        },
      ];
    },
  };
}
