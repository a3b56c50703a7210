import type { StripeProxy } from './stripe-mock';

type Json = Record<string, unknown>;

interface LedgerSubscription {
  cancelAtPeriodEnd: boolean;
  /** Unix seconds; stripe-mock's fixture has a fixed period years away from today. */
  periodStart: number;
  periodEnd: number;
  price: { id: string; planCode: string | null } | null;
  pendingPrice: { id: string; planCode: string | null } | null;
}

export interface StripeBillingLedger {
  /** Subscriptions by id, as the requests so far left them. */
  subscriptions: Map<string, LedgerSubscription>;
  /** When true, an upgrade sent with `pending_if_incomplete` stays pending (its invoice unpaid), as when a card needs 3-D Secure. */
  holdUpgrades: boolean;
  /** The subscription object Stripe would now send in a `customer.subscription.*` event. */
  subscriptionObject(id: string, extra?: Json): Json;
}

/**
 * stripe-mock answers every call with the same fixture and keeps no state. This plays the part of Stripe's
 * ledger for subscriptions on the recording proxy, so a test can follow a plan change, a cancel and a resume
 * through the API the way Stripe would answer them: the price created for a plan keeps its metadata, an
 * update moves the subscription's item to the price sent (or holds it as a pending update), and
 * `cancel_at_period_end` is what was last sent. Everything else is stripe-mock's own answer.
 */
export function playStripeBillingLedger(proxy: StripeProxy): StripeBillingLedger {
  const prices = new Map<string, string | null>();
  const ledger: StripeBillingLedger = {
    subscriptions: new Map(),
    holdUpgrades: false,
    subscriptionObject: (id, extra = {}) => render(fixture ?? baseSubscription(id), id, extra),
  };
  let fixture: Json | null = null;

  const stateOf = (id: string): LedgerSubscription => {
    let s = ledger.subscriptions.get(id);
    const start = Math.floor(Date.now() / 1000) - 86_400;
    if (!s) ledger.subscriptions.set(id, (s = { cancelAtPeriodEnd: false, periodStart: start, periodEnd: start + 30 * 86_400, price: null, pendingPrice: null }));
    return s;
  };

  function render(sub: Json, id: string, extra: Json): Json {
    const s = stateOf(id);
    const items = (sub.items ?? { object: 'list', data: [{}] }) as { data: Json[] };
    const [first, ...rest] = items.data.length ? items.data : [{}];
    const item: Json = { ...first, id: (first as Json).id ?? `si_${id}`, current_period_start: s.periodStart, current_period_end: s.periodEnd };
    if (s.price) item.price = { ...((first as Json).price as Json), id: s.price.id, metadata: s.price.planCode ? { planCode: s.price.planCode } : {} };
    return {
      ...sub,
      id,
      cancel_at_period_end: s.cancelAtPeriodEnd,
      pending_update: s.pendingPrice
        ? { expires_at: Math.floor(Date.now() / 1000) + 82_800, subscription_items: [{ id: item.id, price: { id: s.pendingPrice.id, metadata: { planCode: s.pendingPrice.planCode } } }] }
        : null,
      items: { ...items, data: [item, ...rest] },
      ...extra,
    };
  }

  proxy.rewrite = (exchange) => {
    const path = exchange.url.pathname;
    if (exchange.status !== 200) return exchange.responseBody;
    if (exchange.method === 'POST' && path === '/v1/prices') {
      const answer = JSON.parse(exchange.responseBody) as Json;
      prices.set(String(answer.id), exchange.body.get('metadata[planCode]'));
      return JSON.stringify({ ...answer, lookup_key: exchange.body.get('lookup_key'), metadata: Object.fromEntries([...exchange.body].filter(([k]) => k.startsWith('metadata[')).map(([k, v]) => [k.slice(9, -1), v])) });
    }
    const match = /^\/v1\/subscriptions\/([^/]+)$/.exec(path);
    if (!match) return exchange.responseBody;
    const id = match[1]!;
    const answer = JSON.parse(exchange.responseBody) as Json;
    fixture ??= answer;
    if (exchange.method === 'POST') {
      const s = stateOf(id);
      const cancel = exchange.body.get('cancel_at_period_end');
      if (cancel !== null) s.cancelAtPeriodEnd = cancel === 'true';
      const priceId = exchange.body.get('items[0][price]');
      if (priceId) {
        const price = { id: priceId, planCode: prices.get(priceId) ?? null };
        if (ledger.holdUpgrades && exchange.body.get('payment_behavior') === 'pending_if_incomplete') s.pendingPrice = price;
        else {
          s.price = price;
          s.pendingPrice = null;
        }
      }
    }
    return JSON.stringify(render(answer, id, {}));
  };
  return ledger;
}

/** Until the first call passes through stripe-mock, the smallest subscription that parses. */
function baseSubscription(id: string): Json {
  const now = Math.floor(Date.now() / 1000);
  return {
    id,
    object: 'subscription',
    status: 'active',
    customer: 'cus_ledger',
    metadata: {},
    items: { object: 'list', data: [{ id: `si_${id}`, object: 'subscription_item', current_period_start: now, current_period_end: now + 30 * 86_400, price: { id: 'price_start', object: 'price', metadata: {} } }] },
  };
}
