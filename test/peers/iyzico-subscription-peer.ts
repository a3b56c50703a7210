/**
 * A local stand-in for iyzico's subscription API, the endpoints the `iyzipay`
 * SDK calls:
 *   POST /v2/subscription/products                          (product create)
 *   GET  /v2/subscription/products                          (product list)
 *   POST /v2/subscription/products/{ref}/pricing-plans      (pricing plan create)
 *   GET  /v2/subscription/products/{ref}/pricing-plans      (pricing plan list)
 *   POST /v2/subscription/checkoutform/initialize           (subscription checkout form)
 *   GET  /v2/subscription/subscriptions/{ref}               (subscription detail)
 *   POST /v2/subscription/subscriptions/{ref}/cancel        (cancel)
 *   POST /v2/subscription/subscriptions/{ref}/upgrade       (plan change)
 *
 * Every request must carry a valid IYZWSv2 Authorization header: hex
 * HMAC-SHA256 of randomKey + URI path + JSON body keyed with the secret key,
 * the same check as test/peers/iyzico-peer.ts. v2 answers wrap entities in
 * `data` (lists as `{totalCount, currentPage, pageCount, items}`); failures use
 * iyzico's `{status: 'failure', errorCode, errorMessage}` envelope. Tests move
 * checkouts and subscriptions along (`completeCheckout`, `addOrder`,
 * `setStatus`) and get signed subscription notifications from `notification`.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkAuth, decimalToMinor, isText, iyzicoError, minorToNumber, missing } from './iyzico-peer';
import { listenOnLoopback, readRequest, sendJson, type RecordedRequest, type ScriptedResponse } from './scripted-peer';

type Json = Record<string, unknown>;

export interface PeerPlan {
  referenceCode: string;
  productReferenceCode: string;
  name: string;
  priceMinor: number;
  currencyCode: string;
  paymentInterval: string;
  paymentIntervalCount: number;
  trialPeriodDays: number;
}

export interface PeerOrder {
  referenceCode: string;
  priceMinor: number;
  currencyCode: string;
  startPeriod: number;
  endPeriod: number;
  orderStatus: 'WAITING' | 'SUCCESS' | 'FAILED';
  attempts: Array<'SUCCESS' | 'FAILED'>;
}

export interface PeerSubscription {
  referenceCode: string;
  plan: PeerPlan;
  customerReferenceCode: string;
  customerEmail: string;
  customerGsmNumber: string;
  status: 'ACTIVE' | 'PENDING' | 'UNPAID' | 'CANCELED' | 'EXPIRED' | 'UPGRADED';
  createdDate: number;
  startDate: number;
  endDate: number | null;
  trialStartDate: number;
  trialEndDate: number;
  orders: PeerOrder[];
  /** The checkout form it came from. */
  checkoutToken?: string;
  /** The first subscription of the chain; an upgrade continues under a new reference code with the same parent. */
  parentReferenceCode: string;
}

export interface IyzicoSubscriptionPeer {
  baseUrl: string;
  requests: RecordedRequest<Json>[];
  /** Requests whose path (without query) matches, rejected ones included. */
  requestsTo(method: string, path: string | RegExp): RecordedRequest<Json>[];
  products: Map<string, { referenceCode: string; name: string; description?: string }>;
  plans: Map<string, PeerPlan>;
  checkouts: Map<string, { token: string; request: Json }>;
  subscriptions: Map<string, PeerSubscription>;
  /** The customer finished the form: a subscription exists and, without a trial, its first period is paid. */
  completeCheckout(token: string, options?: { at?: number }): PeerSubscription;
  /** A new billing period, as iyzico's renewal run creates one. */
  addOrder(subscriptionReferenceCode: string, outcome: 'SUCCESS' | 'FAILED'): PeerOrder;
  setStatus(subscriptionReferenceCode: string, status: PeerSubscription['status']): void;
  /** The subscription notification iyzico would POST for an order, signed with X-IYZ-SIGNATURE-V3. */
  notification(
    subscriptionReferenceCode: string,
    orderReferenceCode: string,
    options?: { eventType?: string; referenceCode?: string; secret?: string; merchantId?: string; at?: number },
  ): { body: string; headers: Record<string, string> };
  close(): Promise<void>;
}

const DAY = 86_400_000;



function addMonth(ms: number): number {
  const d = new Date(ms);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d.getTime();
}



function ok(extra: Json): ScriptedResponse {
  return { status: 200, body: { status: 'success', systemTime: Date.now(), ...extra } };
}

function paged(items: unknown[], query: URLSearchParams): ScriptedResponse {
  const count = Math.max(1, Number(query.get('count') ?? 10) || 10);
  const pageNumber = Math.max(1, Number(query.get('page') ?? 1) || 1);
  const pageCount = Math.max(1, Math.ceil(items.length / count));
  return ok({ data: { totalCount: items.length, currentPage: pageNumber, pageCount, items: items.slice((pageNumber - 1) * count, pageNumber * count) } });
}

export async function startIyzicoSubscriptionPeer(options: { apiKey: string; secretKey: string; merchantId?: string }): Promise<IyzicoSubscriptionPeer> {
  const { apiKey, secretKey } = options;
  const merchantId = options.merchantId ?? '3382172';
  const requests: RecordedRequest<Json>[] = [];
  const products = new Map<string, { referenceCode: string; name: string; description?: string }>();
  const plans = new Map<string, PeerPlan>();
  const checkouts = new Map<string, { token: string; request: Json }>();
  const subscriptions = new Map<string, PeerSubscription>();
  let origin = '';

  const planJson = (p: PeerPlan): Json => ({
    referenceCode: p.referenceCode,
    createdDate: '2025-01-01 10:00:00',
    name: p.name,
    price: minorToNumber(p.priceMinor),
    paymentInterval: p.paymentInterval,
    paymentIntervalCount: p.paymentIntervalCount,
    trialPeriodDays: p.trialPeriodDays,
    currencyCode: p.currencyCode,
    productReferenceCode: p.productReferenceCode,
    planPaymentType: 'RECURRING',
    status: 'ACTIVE',
  });

  const productJson = (p: { referenceCode: string; name: string; description?: string }): Json => ({
    referenceCode: p.referenceCode,
    createdDate: '2025-01-01 10:00:00',
    name: p.name,
    description: p.description,
    status: 'ACTIVE',
    pricingPlans: [...plans.values()].filter((pl) => pl.productReferenceCode === p.referenceCode).map(planJson),
  });

  const subscriptionJson = (s: PeerSubscription): Json => ({
    referenceCode: s.referenceCode,
    parentReferenceCode: s.parentReferenceCode,
    pricingPlanName: s.plan.name,
    pricingPlanReferenceCode: s.plan.referenceCode,
    productName: products.get(s.plan.productReferenceCode)?.name,
    productReferenceCode: s.plan.productReferenceCode,
    customerEmail: s.customerEmail,
    customerGsmNumber: s.customerGsmNumber,
    customerReferenceCode: s.customerReferenceCode,
    subscriptionStatus: s.status,
    trialDays: s.plan.trialPeriodDays,
    trialStartDate: s.trialStartDate,
    trialEndDate: s.trialEndDate,
    createdDate: s.createdDate,
    startDate: s.startDate,
    endDate: s.endDate,
    orders: s.orders.map((o) => ({
      referenceCode: o.referenceCode,
      price: minorToNumber(o.priceMinor),
      currencyCode: o.currencyCode,
      startPeriod: o.startPeriod,
      endPeriod: o.endPeriod,
      orderStatus: o.orderStatus,
      paymentAttempts: o.attempts.map((status, i) => ({
        conversationId: randomUUID(),
        createdDate: o.startPeriod + i * DAY,
        paymentStatus: status,
        ...(status === 'SUCCESS' ? { paymentId: 20_000_000 + i } : { errorCode: '10051', errorMessage: 'Kart limiti yetersiz' }),
      })),
    })),
  });

  type Route = { method: string; pattern: RegExp; handle: (body: Json | null, match: RegExpExecArray, query: URLSearchParams) => ScriptedResponse };
  const routes: Route[] = [
    {
      method: 'POST',
      pattern: /^\/v2\/subscription\/products$/,
      handle(body) {
        if (!body || !isText(body.name)) return iyzicoError('100001', 'name gönderilmesi zorunludur', 422);
        if ([...products.values()].some((p) => p.name === body.name)) return iyzicoError('201001', 'Aynı isimle ürün zaten mevcut', 422);
        const product = { referenceCode: randomUUID(), name: String(body.name), ...(isText(body.description) ? { description: String(body.description) } : {}) };
        products.set(product.referenceCode, product);
        return ok({ data: productJson(product) });
      },
    },
    {
      method: 'GET',
      pattern: /^\/v2\/subscription\/products$/,
      handle: (_body, _match, query) => paged([...products.values()].map(productJson), query),
    },
    {
      method: 'POST',
      pattern: /^\/v2\/subscription\/products\/([^/]+)\/pricing-plans$/,
      handle(body, match) {
        const productReferenceCode = match[1]!;
        if (!products.has(productReferenceCode)) return iyzicoError('201000', 'Ürün bulunamadı', 404);
        if (!body || !isText(body.name)) return iyzicoError('100001', 'name gönderilmesi zorunludur', 422);
        const priceMinor = decimalToMinor(body.price);
        if (priceMinor === null || priceMinor <= 0) return iyzicoError('100001', 'price gönderilmesi zorunludur', 422);
        if (!['TRY', 'USD', 'EUR'].includes(String(body.currencyCode))) return iyzicoError('100001', 'currencyCode geçersiz', 422);
        if (!['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'].includes(String(body.paymentInterval))) return iyzicoError('100001', 'paymentInterval geçersiz', 422);
        if (body.planPaymentType !== 'RECURRING') return iyzicoError('100001', 'planPaymentType geçersiz', 422);
        const plan: PeerPlan = {
          referenceCode: randomUUID(),
          productReferenceCode,
          name: String(body.name),
          priceMinor,
          currencyCode: String(body.currencyCode),
          paymentInterval: String(body.paymentInterval),
          paymentIntervalCount: Number(body.paymentIntervalCount ?? 1),
          trialPeriodDays: Number(body.trialPeriodDays ?? 0),
        };
        plans.set(plan.referenceCode, plan);
        return ok({ data: planJson(plan) });
      },
    },
    {
      method: 'GET',
      pattern: /^\/v2\/subscription\/products\/([^/]+)\/pricing-plans$/,
      handle(_body, match, query) {
        if (!products.has(match[1]!)) return iyzicoError('201000', 'Ürün bulunamadı', 404);
        return paged([...plans.values()].filter((p) => p.productReferenceCode === match[1]).map(planJson), query);
      },
    },
    {
      method: 'POST',
      pattern: /^\/v2\/subscription\/checkoutform\/initialize$/,
      handle(body) {
        if (!body) return iyzicoError('11', 'Geçersiz istek');
        if (!isText(body.callbackUrl)) return iyzicoError('100001', 'callbackUrl gönderilmesi zorunludur', 422);
        if (!plans.has(String(body.pricingPlanReferenceCode))) return iyzicoError('201001', 'Ödeme planı bulunamadı', 404);
        if (!['ACTIVE', 'PENDING'].includes(String(body.subscriptionInitialStatus))) return iyzicoError('100001', 'subscriptionInitialStatus geçersiz', 422);
        const customerGap = missing(body.customer, ['name', 'surname', 'email', 'gsmNumber', 'identityNumber'], 'customer');
        if (customerGap) return iyzicoError('100001', `${customerGap} gönderilmesi zorunludur`, 422);
        const billingGap = missing((body.customer as Json).billingAddress, ['contactName', 'city', 'country', 'address'], 'customer.billingAddress');
        if (billingGap) return iyzicoError('100001', `${billingGap} gönderilmesi zorunludur`, 422);
        const token = randomUUID();
        checkouts.set(token, { token, request: body });
        return ok({
          conversationId: body.conversationId,
          token,
          checkoutFormContent: `<script type="text/javascript">if (typeof iyziInit == 'undefined') {var iyziInit = {token:'${token}',locale:'${String(body.locale ?? 'tr')}',baseUrl:'${origin}'};}</script>`,
          tokenExpireTime: 1800,
        });
      },
    },
    {
      // The checkout form's result, once the customer finished it (documented "subscription checkout form result").
      method: 'GET',
      pattern: /^\/v2\/subscription\/checkoutform\/([^/]+)$/,
      handle(_body, match) {
        const checkout = checkouts.get(match[1]!);
        if (!checkout) return iyzicoError('201600', 'Checkout form bulunamadı', 404);
        const sub = [...subscriptions.values()].find((x) => x.checkoutToken === checkout.token);
        if (!sub) return iyzicoError('201601', 'Checkout form henüz tamamlanmadı', 422);
        return ok({
          data: {
            referenceCode: sub.referenceCode,
            parentReferenceCode: sub.parentReferenceCode,
            pricingPlanReferenceCode: sub.plan.referenceCode,
            customerReferenceCode: sub.customerReferenceCode,
            subscriptionStatus: sub.status,
            createdDate: sub.createdDate,
            startDate: sub.startDate,
          },
        });
      },
    },
    {
      method: 'GET',
      pattern: /^\/v2\/subscription\/subscriptions\/([^/]+)$/,
      handle(_body, match) {
        const sub = subscriptions.get(match[1]!);
        if (!sub) return iyzicoError('201400', 'Abonelik bulunamadı', 404);
        return ok({ data: { totalCount: 1, currentPage: 1, pageCount: 1, items: [subscriptionJson(sub)] } });
      },
    },
    {
      method: 'POST',
      pattern: /^\/v2\/subscription\/subscriptions\/([^/]+)\/cancel$/,
      handle(_body, match) {
        const sub = subscriptions.get(match[1]!);
        if (!sub) return iyzicoError('201400', 'Abonelik bulunamadı', 404);
        if (sub.status === 'CANCELED' || sub.status === 'EXPIRED') return iyzicoError('201410', 'Abonelik zaten iptal edilmiş', 422);
        sub.status = 'CANCELED';
        return ok({});
      },
    },
    {
      // iyzico's checks, as its documentation states them: an active subscription, a known plan under the same
      // product with the same payment interval, a valid upgrade period. The old reference code ends (UPGRADED)
      // and the subscription continues under a new one.
      method: 'POST',
      pattern: /^\/v2\/subscription\/subscriptions\/([^/]+)\/upgrade$/,
      handle(body, match) {
        const sub = subscriptions.get(match[1]!);
        if (!sub) return iyzicoError('201400', 'Abonelik bulunamadı', 404);
        if (!body || !isText(body.newPricingPlanReferenceCode)) return iyzicoError('100001', 'newPricingPlanReferenceCode gönderilmesi zorunludur', 422);
        if (!['NOW', 'NEXT_PERIOD'].includes(String(body.upgradePeriod))) return iyzicoError('100001', 'upgradePeriod geçersiz', 422);
        const plan = plans.get(String(body.newPricingPlanReferenceCode));
        if (!plan) return iyzicoError('201001', 'Ödeme planı bulunamadı', 404);
        if (sub.status !== 'ACTIVE') return iyzicoError('201451', 'Sadece aktif abonelikler yükseltilebilir', 422);
        if (plan.referenceCode === sub.plan.referenceCode) return iyzicoError('201452', 'Abonelik zaten bu ödeme planında', 422);
        if (plan.productReferenceCode !== sub.plan.productReferenceCode) return iyzicoError('201453', 'Ödeme planı aynı ürüne ait olmalıdır', 422);
        if (plan.paymentInterval !== sub.plan.paymentInterval || plan.paymentIntervalCount !== sub.plan.paymentIntervalCount) {
          return iyzicoError('201454', 'Ödeme planlarının ödeme periyodu aynı olmalıdır', 422);
        }
        const at = Date.now();
        const now = body.upgradePeriod === 'NOW';
        const last = sub.orders.at(-1)!;
        const next: PeerSubscription = {
          ...sub,
          referenceCode: randomUUID(),
          plan,
          status: 'ACTIVE',
          createdDate: at,
          startDate: now ? at : last.endPeriod,
          trialStartDate: 0,
          trialEndDate: 0,
          checkoutToken: undefined,
          orders: [
            {
              referenceCode: randomUUID(),
              priceMinor: plan.priceMinor,
              currencyCode: plan.currencyCode,
              startPeriod: now ? at : last.endPeriod,
              endPeriod: addMonth(now ? at : last.endPeriod),
              orderStatus: now ? 'SUCCESS' : 'WAITING',
              attempts: now ? ['SUCCESS'] : [],
            },
          ],
        };
        sub.status = 'UPGRADED';
        subscriptions.set(next.referenceCode, next);
        return ok({
          data: {
            referenceCode: next.referenceCode,
            parentReferenceCode: next.parentReferenceCode,
            pricingPlanReferenceCode: plan.referenceCode,
            customerReferenceCode: next.customerReferenceCode,
            subscriptionStatus: next.status,
            trialDays: 0,
            createdDate: next.createdDate,
            startDate: next.startDate,
          },
        });
      },
    },
  ];

  const send = (res: ServerResponse, response: ScriptedResponse) => sendJson(res, response, { 'content-type': 'application/json;charset=UTF-8' });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const { raw } = await readRequest(req);
    const method = req.method ?? '';
    const url = new URL(req.url ?? '/', 'http://peer');
    let body: Json | null;
    try {
      const parsed: unknown = raw ? JSON.parse(raw) : null;
      body = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Json) : null;
    } catch {
      body = null;
    }
    requests.push({ method, path: url.pathname, headers: req.headers, raw, body });

    for (const route of routes) {
      const match = route.method === method ? route.pattern.exec(url.pathname) : null;
      if (!match) continue;
      const rejection = checkAuth(req.headers, url.pathname, raw, apiKey, secretKey);
      if (rejection) return send(res, rejection);
      return send(res, route.handle(body, match, url.searchParams));
    }
    send(res, iyzicoError('404', `${method} ${url.pathname} bulunamadı`, 404));
  }

  const server = await listenOnLoopback((req, res) => void handle(req, res));
  origin = server.origin;

  function subscription(ref: string): PeerSubscription {
    const found = subscriptions.get(ref);
    if (!found) throw new Error(`iyzico subscription peer has no subscription ${ref}`);
    return found;
  }

  return {
    baseUrl: origin,
    requests,
    requestsTo: (method, path) => requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path))),
    products,
    plans,
    checkouts,
    subscriptions,
    completeCheckout(token, completeOptions = {}) {
      const checkout = checkouts.get(token);
      if (!checkout) throw new Error(`iyzico subscription peer has no checkout ${token}`);
      const plan = plans.get(String(checkout.request.pricingPlanReferenceCode))!;
      const customer = checkout.request.customer as Json;
      const at = completeOptions.at ?? Date.now();
      const trialEnd = plan.trialPeriodDays > 0 ? at + plan.trialPeriodDays * DAY : 0;
      const firstPeriodStart = trialEnd || at;
      const referenceCode = randomUUID();
      const sub: PeerSubscription = {
        referenceCode,
        parentReferenceCode: referenceCode,
        checkoutToken: token,
        plan,
        customerReferenceCode: randomUUID(),
        customerEmail: String(customer.email),
        customerGsmNumber: String(customer.gsmNumber),
        status: checkout.request.subscriptionInitialStatus === 'PENDING' ? 'PENDING' : 'ACTIVE',
        createdDate: at,
        startDate: at,
        endDate: null,
        trialStartDate: trialEnd ? at : 0,
        trialEndDate: trialEnd,
        orders: [
          {
            referenceCode: randomUUID(),
            priceMinor: plan.priceMinor,
            currencyCode: plan.currencyCode,
            startPeriod: firstPeriodStart,
            endPeriod: addMonth(firstPeriodStart),
            orderStatus: trialEnd ? 'WAITING' : 'SUCCESS',
            attempts: trialEnd ? [] : ['SUCCESS'],
          },
        ],
      };
      subscriptions.set(sub.referenceCode, sub);
      return sub;
    },
    addOrder(ref, outcome) {
      const sub = subscription(ref);
      const last = sub.orders.at(-1)!;
      const order: PeerOrder = {
        referenceCode: randomUUID(),
        priceMinor: sub.plan.priceMinor,
        currencyCode: sub.plan.currencyCode,
        startPeriod: last.endPeriod,
        endPeriod: addMonth(last.endPeriod),
        orderStatus: outcome === 'SUCCESS' ? 'SUCCESS' : 'FAILED',
        attempts: outcome === 'SUCCESS' ? ['SUCCESS'] : ['FAILED'],
      };
      sub.orders.push(order);
      sub.status = outcome === 'SUCCESS' ? 'ACTIVE' : 'UNPAID';
      return order;
    },
    setStatus(ref, status) {
      subscription(ref).status = status;
    },
    notification(ref, orderRef, notificationOptions = {}) {
      const sub = subscription(ref);
      const payload = {
        orderReferenceCode: orderRef,
        customerReferenceCode: sub.customerReferenceCode,
        subscriptionReferenceCode: sub.referenceCode,
        iyziReferenceCode: notificationOptions.referenceCode ?? randomUUID(),
        iyziEventType: notificationOptions.eventType ?? 'subscription.order.success',
        iyziEventTime: notificationOptions.at ?? Date.now(),
      };
      const secret = notificationOptions.secret ?? secretKey;
      const signed =
        (notificationOptions.merchantId ?? merchantId) +
        secret +
        payload.iyziEventType +
        payload.subscriptionReferenceCode +
        payload.orderReferenceCode +
        payload.customerReferenceCode;
      return {
        body: JSON.stringify(payload),
        headers: { 'content-type': 'application/json', 'x-iyz-signature-v3': createHmac('sha256', secret).update(signed).digest('hex') },
      };
    },
    close: server.close,
  };
}
