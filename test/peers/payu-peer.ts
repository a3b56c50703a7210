/**
 * A local stand-in for PayU GPO's REST API v2.1 (secure.payu.com /
 * secure.snd.payu.com). It speaks the real wire format: the OAuth
 * client-credentials endpoint (form-encoded, `{access_token, expires_in}`),
 * Bearer-authenticated order create / retrieve / refund, PayU's
 * `{status: {statusCode, statusDesc}}` envelope, the 302 + JSON answer to an
 * order create, and notifications signed with the POS's second key the way
 * PayU signs them. Orders live in memory; tests move them between states with
 * `setOrderStatus` and read every request from `requests`.
 *
 * Several POSes can share one peer (`addPos`), as merchants with their own
 * PayU accounts do: a token belongs to the POS whose client credentials
 * minted it, an order can only be created for that POS and only read or
 * refunded by it, and its notifications are signed with that POS's second key.
 *
 * Scripted answers (`enqueue`) replace the next authorised API answer, for
 * errors the peer would not produce on its own (5xx, rate limits).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback, readRequest, sendJson, type RecordedRequest, type ScriptedResponse } from './scripted-peer';

export type PayUOrderStatus = 'NEW' | 'PENDING' | 'WAITING_FOR_CONFIRMATION' | 'COMPLETED' | 'CANCELED';
export type PayURefundStatus = 'PENDING' | 'FINALIZED' | 'CANCELED';

export interface PayUProductBody {
  name?: unknown;
  unitPrice?: unknown;
  quantity?: unknown;
}

/** The order-create body a client is supposed to send. */
export interface PayUOrderBody {
  notifyUrl?: unknown;
  continueUrl?: unknown;
  customerIp?: unknown;
  merchantPosId?: unknown;
  description?: unknown;
  currencyCode?: unknown;
  totalAmount?: unknown;
  extOrderId?: unknown;
  validityTime?: unknown;
  buyer?: Record<string, unknown>;
  products?: PayUProductBody[];
}

export interface PayURefundBody {
  refund?: { description?: unknown; amount?: unknown; extRefundId?: unknown };
}

/** A recorded request; `form` holds the fields of form-encoded (OAuth) requests. */
export interface PayURecordedRequest extends RecordedRequest<unknown> {
  form: URLSearchParams;
}

export interface PayUPeerOrder {
  orderId: string;
  extOrderId: string;
  status: PayUOrderStatus;
  totalAmount: string;
  currencyCode: string;
  description: string;
  body: PayUOrderBody;
  /** PayU's payment id, set once the order is completed. */
  paymentId: string | null;
  refunds: PayUPeerRefund[];
  /** The POS whose token created it. */
  posId: string;
}

export interface PayUPeerRefund {
  refundId: string;
  extRefundId: string;
  amount: string;
  currencyCode: string;
  description: string;
  status: PayURefundStatus;
  creationDateTime: string;
}

export type PayUSignatureAlgorithm = 'MD5' | 'SHA-256' | 'SHA256';

export interface PayUNotification {
  body: string;
  headers: Record<string, string>;
}

export interface PayUPeer {
  /** Replaces `https://secure.payu.com`. */
  baseUrl: string;
  requests: PayURecordedRequest[];
  tokenRequests: () => PayURecordedRequest[];
  orderCreates: () => PayURecordedRequest[];
  refundRequests: () => PayURecordedRequest[];
  orders: Map<string, PayUPeerOrder>;
  /** Another POS (a merchant's own PayU account) served by the same peer. */
  addPos: (pos: Omit<PayUPeerOptions, 'tokenTtlSec'>) => void;
  /** The POS id a recorded request's bearer token belongs to, if any. */
  posOf: (request: PayURecordedRequest) => string | null;
  /** Every token issued so far stops working, as if it had outlived `expires_in`. */
  expireTokens: () => void;
  setOrderStatus: (orderId: string, status: PayUOrderStatus) => void;
  setRefundStatus: (orderId: string, refundId: string, status: PayURefundStatus) => void;
  /** Replaces the next authorised API answer (OAuth requests excluded). */
  enqueue: (...responses: ScriptedResponse[]) => void;
  /** The notification PayU posts to `notifyUrl` for the order's current state. */
  orderNotification: (orderId: string, algorithm?: PayUSignatureAlgorithm) => PayUNotification;
  /** The notification PayU posts when a refund reaches a final state. */
  refundNotification: (orderId: string, refundId: string, algorithm?: PayUSignatureAlgorithm) => PayUNotification;
  close: () => Promise<void>;
}

export interface PayUPeerOptions {
  posId: string;
  clientId: string;
  clientSecret: string;
  secondKey: string;
  /** Seconds reported in `expires_in`; PayU's production tokens last about 12 hours. */
  tokenTtlSec?: number;
}

const TOKEN_PATH = '/pl/standard/user/oauth/authorize';
const ORDERS_PATH = '/api/v2_1/orders';

/** PayU's error envelope. */
export function payuError(httpStatus: number, statusCode: string, statusDesc: string, extra: Record<string, string> = {}): ScriptedResponse {
  return { status: httpStatus, body: { status: { statusCode, severity: 'ERROR', ...extra, statusDesc } } };
}

const digits = /^\d+$/;
const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

function parseJson(raw: string): unknown {
  try {
    return raw ? (JSON.parse(raw) as unknown) : null;
  } catch {
    return null;
  }
}

/** The checks PayU makes on an order create; each failure is PayU's 400. */
function invalidOrder(body: PayUOrderBody, posId: string): ScriptedResponse | null {
  const required = ['customerIp', 'merchantPosId', 'description', 'currencyCode', 'totalAmount'] as const;
  for (const field of required) {
    if (!isNonEmptyString(body[field])) return payuError(400, 'ERROR_VALUE_MISSING', `Missing required field: ${field}`);
  }
  if (body.merchantPosId !== posId) return payuError(400, 'ERROR_VALUE_INVALID', 'Invalid field value: merchantPosId');
  if (!digits.test(body.totalAmount as string)) return payuError(400, 'ERROR_VALUE_INVALID', 'Invalid field value: totalAmount');
  if (!/^[A-Z]{3}$/.test(body.currencyCode as string)) return payuError(400, 'ERROR_VALUE_INVALID', 'Invalid field value: currencyCode');
  if (body.validityTime !== undefined && !(typeof body.validityTime === 'string' || typeof body.validityTime === 'number')) {
    return payuError(400, 'ERROR_VALUE_INVALID', 'Invalid field value: validityTime');
  }
  if (!Array.isArray(body.products) || body.products.length === 0) return payuError(400, 'ERROR_VALUE_MISSING', 'Missing required field: products');
  let sum = 0;
  for (const [i, product] of body.products.entries()) {
    if (!isNonEmptyString(product.name)) return payuError(400, 'ERROR_VALUE_MISSING', `Missing required field: products[${i}].name`);
    const unitPrice = String(product.unitPrice ?? '');
    const quantity = String(product.quantity ?? '');
    if (!digits.test(unitPrice)) return payuError(400, 'ERROR_VALUE_INVALID', `Invalid field value: products[${i}].unitPrice`);
    if (!digits.test(quantity) || quantity === '0') return payuError(400, 'ERROR_VALUE_INVALID', `Invalid field value: products[${i}].quantity`);
    sum += Number(unitPrice) * Number(quantity);
  }
  if (String(sum) !== body.totalAmount) {
    return payuError(400, 'ERROR_VALUE_INVALID', 'Invalid field value: sum of products does not match totalAmount');
  }
  return null;
}

export async function startPayUPeer(options: PayUPeerOptions): Promise<PayUPeer> {
  const ttl = options.tokenTtlSec ?? 43199;
  const requests: PayURecordedRequest[] = [];
  const queue: ScriptedResponse[] = [];
  const poses = new Map<string, Omit<PayUPeerOptions, 'tokenTtlSec'>>([[options.clientId, options]]);
  const tokens = new Map<string, { expired: boolean; posId: string }>();
  const secondKeyOf = (posId: string) => [...poses.values()].find((pos) => pos.posId === posId)!.secondKey;
  const orders = new Map<string, PayUPeerOrder>();
  const byExtOrderId = new Map<string, string>();
  let origin = '';
  let refundSeq = 0;

  const send = (res: ServerResponse, response: ScriptedResponse) =>
    sendJson(res, response, { 'content-type': 'application/json;charset=UTF-8', 'correlation-id': randomUUID() });

  function issueToken(form: URLSearchParams): ScriptedResponse {
    if (form.get('grant_type') !== 'client_credentials') {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${form.get('grant_type')}` } };
    }
    const pos = poses.get(form.get('client_id') ?? '');
    if (!pos || form.get('client_secret') !== pos.clientSecret) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'Bad client credentials' } };
    }
    const accessToken = randomUUID();
    tokens.set(accessToken, { expired: false, posId: pos.posId });
    return { status: 200, body: { access_token: accessToken, token_type: 'bearer', expires_in: ttl, grant_type: 'client_credentials' } };
  }

  const bearer = (headers: IncomingMessage['headers']) => /^Bearer (.+)$/i.exec(headers.authorization ?? '')?.[1];

  function unauthorized(headers: IncomingMessage['headers']): ScriptedResponse | null {
    const token = bearer(headers);
    if (!token) return { status: 401, body: { error: 'unauthorized', error_description: 'Full authentication is required to access this resource' } };
    const known = tokens.get(token);
    if (!known) return { status: 401, body: { error: 'invalid_token', error_description: `Invalid access token: ${token}` } };
    if (known.expired) return { status: 401, body: { error: 'invalid_token', error_description: `Access token expired: ${token}` } };
    return null;
  }

  const notFound = { status: 404, body: { status: { statusCode: 'DATA_NOT_FOUND', severity: 'INFO', statusDesc: 'Could not find data for given criteria.' } } };

  function orderResource(order: PayUPeerOrder) {
    const { body } = order;
    return {
      orderId: order.orderId,
      extOrderId: order.extOrderId,
      orderCreateDate: '2024-01-01T12:00:00.000+01:00',
      notifyUrl: body.notifyUrl,
      customerIp: body.customerIp,
      merchantPosId: body.merchantPosId,
      description: order.description,
      currencyCode: order.currencyCode,
      totalAmount: order.totalAmount,
      ...(body.buyer ? { buyer: body.buyer } : {}),
      ...(order.status === 'NEW' ? {} : { payMethod: { type: 'PBL' } }),
      products: body.products,
      status: order.status,
    };
  }

  function createOrder(body: PayUOrderBody, posId: string): ScriptedResponse {
    const invalid = invalidOrder(body, posId);
    if (invalid) return invalid;
    const extOrderId = typeof body.extOrderId === 'string' ? body.extOrderId : '';
    if (extOrderId && byExtOrderId.has(extOrderId)) return payuError(400, 'ERROR_ORDER_NOT_UNIQUE', 'Order with given extOrderId already exists');
    const orderId = randomBytes(10).toString('hex').toUpperCase().slice(0, 12) + 'GUEST000P01';
    const order: PayUPeerOrder = {
      orderId,
      extOrderId,
      status: 'NEW',
      totalAmount: body.totalAmount as string,
      currencyCode: body.currencyCode as string,
      description: body.description as string,
      body,
      paymentId: null,
      refunds: [],
      posId,
    };
    orders.set(orderId, order);
    if (extOrderId) byExtOrderId.set(extOrderId, orderId);
    const redirectUri = `${origin}/pay/?orderId=${orderId}&token=${randomBytes(12).toString('hex')}`;
    return {
      status: 302,
      headers: { location: redirectUri },
      body: { status: { statusCode: 'SUCCESS' }, redirectUri, orderId, ...(extOrderId ? { extOrderId } : {}) },
    };
  }

  function retrieveOrder(orderId: string, posId: string): ScriptedResponse {
    const order = orders.get(orderId);
    if (!order || order.posId !== posId) return notFound;
    return {
      status: 200,
      body: {
        orders: [orderResource(order)],
        status: { statusCode: 'SUCCESS', statusDesc: 'Request processing successful' },
        ...(order.paymentId ? { properties: [{ name: 'PAYMENT_ID', value: order.paymentId }] } : {}),
      },
    };
  }

  function refundResource(refund: PayUPeerRefund) {
    return { ...refund, statusDateTime: refund.creationDateTime };
  }

  function createRefund(orderId: string, body: PayURefundBody | null, posId: string): ScriptedResponse {
    const order = orders.get(orderId);
    if (!order || order.posId !== posId) return notFound;
    const refund = body?.refund;
    if (!refund || !isNonEmptyString(refund.description)) return payuError(400, 'ERROR_VALUE_MISSING', 'Missing required field: refund.description');
    const extRefundId = typeof refund.extRefundId === 'string' ? refund.extRefundId : '';
    // The peer answers a repeated extRefundId with the refund it already made,
    // so a client retry after a lost answer cannot refund twice.
    const earlier = extRefundId ? order.refunds.find((r) => r.extRefundId === extRefundId) : undefined;
    if (earlier) return refundAnswer(order, earlier);
    if (order.status !== 'COMPLETED') return payuError(400, 'OPENPAYU_BUSINESS_ERROR', 'Refund not possible: order is not completed', { codeLiteral: 'ORDER_NOT_COMPLETED' });
    const refunded = order.refunds.filter((r) => r.status !== 'CANCELED').reduce((sum, r) => sum + Number(r.amount), 0);
    const remaining = Number(order.totalAmount) - refunded;
    if (refund.amount !== undefined && !((typeof refund.amount === 'string' || typeof refund.amount === 'number') && digits.test(String(refund.amount)))) {
      return payuError(400, 'ERROR_VALUE_INVALID', 'Invalid field value: refund.amount');
    }
    const amount = refund.amount === undefined ? remaining : Number(refund.amount);
    if (amount <= 0 || amount > remaining) return payuError(400, 'OPENPAYU_BUSINESS_ERROR', 'Lack of funds in account', { codeLiteral: 'NO_BALANCE' });
    const made: PayUPeerRefund = {
      refundId: String(5_000_000 + ++refundSeq),
      extRefundId,
      amount: String(amount),
      currencyCode: order.currencyCode,
      description: refund.description,
      status: 'PENDING',
      creationDateTime: new Date().toISOString(),
    };
    order.refunds.push(made);
    return refundAnswer(order, made);
  }

  function refundAnswer(order: PayUPeerOrder, refund: PayUPeerRefund): ScriptedResponse {
    return {
      status: 200,
      body: { orderId: order.orderId, refund: refundResource(refund), status: { statusCode: 'SUCCESS', statusDesc: 'Refund queued for processing' } },
    };
  }

  function route(request: PayURecordedRequest): ScriptedResponse {
    const { method, path } = request;
    if (method === 'POST' && path === TOKEN_PATH) return issueToken(request.form);
    if (!path.startsWith(`${ORDERS_PATH}`)) return { status: 404, body: { status: { statusCode: 'DATA_NOT_FOUND', statusDesc: `No handler for ${method} ${path}` } } };
    const rejection = unauthorized(request.headers);
    if (rejection) return rejection;
    const scripted = queue.shift();
    if (scripted) return scripted;
    if (request.raw && request.body === null) return payuError(400, 'ERROR_SYNTAX', 'Syntax error in request body');

    const posId = tokens.get(bearer(request.headers)!)!.posId;
    const rest = path.slice(ORDERS_PATH.length).split('/').filter(Boolean).map(decodeURIComponent);
    if (method === 'POST' && rest.length === 0) return createOrder((request.body ?? {}) as PayUOrderBody, posId);
    if (method === 'GET' && rest.length === 1) return retrieveOrder(rest[0]!, posId);
    if (method === 'POST' && rest.length === 2 && rest[1] === 'refunds') return createRefund(rest[0]!, request.body as PayURefundBody | null, posId);
    return { status: 404, body: { status: { statusCode: 'DATA_NOT_FOUND', statusDesc: `No handler for ${method} ${path}` } } };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const { raw } = await readRequest(req);
    const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const request: PayURecordedRequest = {
      method: req.method ?? '',
      path: (req.url ?? '').split('?')[0] ?? '',
      headers: req.headers,
      raw,
      body: isForm ? null : parseJson(raw),
      form: new URLSearchParams(isForm ? raw : ''),
    };
    requests.push(request);
    send(res, route(request));
  }

  function requireOrder(orderId: string): PayUPeerOrder {
    const order = orders.get(orderId);
    if (!order) throw new Error(`payu peer: no order ${orderId}`);
    return order;
  }

  function sign(body: string, algorithm: PayUSignatureAlgorithm, secondKey: string): PayUNotification {
    const hash = algorithm === 'MD5' ? 'md5' : 'sha256';
    const signature = createHash(hash).update(body + secondKey).digest('hex');
    return {
      body,
      headers: {
        'content-type': 'application/json;charset=UTF-8',
        'openpayu-signature': `sender=checkout;signature=${signature};algorithm=${algorithm};content=DOCUMENT`,
      },
    };
  }

  const server = await listenOnLoopback((req, res) => void handle(req, res));
  origin = server.origin;

  return {
    baseUrl: origin,
    requests,
    tokenRequests: () => requests.filter((r) => r.path === TOKEN_PATH),
    orderCreates: () => requests.filter((r) => r.method === 'POST' && r.path === ORDERS_PATH),
    refundRequests: () => requests.filter((r) => r.method === 'POST' && r.path.endsWith('/refunds')),
    orders,
    addPos: (pos) => void poses.set(pos.clientId, pos),
    posOf: (request) => tokens.get(bearer(request.headers) ?? '')?.posId ?? null,
    expireTokens: () => {
      for (const token of tokens.values()) token.expired = true;
    },
    setOrderStatus: (orderId, status) => {
      const order = requireOrder(orderId);
      order.status = status;
      if (status === 'COMPLETED') order.paymentId ??= String(4_000_000_000 + orders.size);
    },
    setRefundStatus: (orderId, refundId, status) => {
      const refund = requireOrder(orderId).refunds.find((r) => r.refundId === refundId);
      if (!refund) throw new Error(`payu peer: no refund ${refundId} on ${orderId}`);
      refund.status = status;
    },
    enqueue: (...responses) => void queue.push(...responses),
    orderNotification: (orderId, algorithm = 'MD5') => {
      const order = requireOrder(orderId);
      const body = JSON.stringify({
        order: { ...orderResource(order), payMethod: { type: 'PBL' } },
        localReceiptDateTime: order.status === 'COMPLETED' ? '2024-01-01T12:05:00.000+01:00' : undefined,
        properties: order.paymentId ? [{ name: 'PAYMENT_ID', value: order.paymentId }] : undefined,
      });
      return sign(body, algorithm, secondKeyOf(order.posId));
    },
    refundNotification: (orderId, refundId, algorithm = 'MD5') => {
      const order = requireOrder(orderId);
      const refund = order.refunds.find((r) => r.refundId === refundId);
      if (!refund) throw new Error(`payu peer: no refund ${refundId} on ${orderId}`);
      const body = JSON.stringify({
        orderId: order.orderId,
        extOrderId: order.extOrderId,
        refund: {
          refundId: refund.refundId,
          amount: refund.amount,
          currencyCode: refund.currencyCode,
          status: refund.status,
          statusDateTime: refund.creationDateTime,
          reason: 'refund',
          reasonDescription: refund.description,
          refundDate: refund.creationDateTime,
        },
      });
      return sign(body, algorithm, secondKeyOf(order.posId));
    },
    close: server.close,
  };
}
