import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { recordAudit } from '../db/queries/audit';
import { platformFeeFor, recordPlatformFee } from '../db/queries/billing';
import { createDbCatalog } from '../db/queries/catalog';
import { customerName } from '../db/queries/conversations';
import { getPlaybook, merchantSettings } from '../db/queries/merchants';
import { recordOrderEvent } from '../db/queries/order-events';
import { commitOrderStock, createOrderHoldingStock, listOrderItems, releaseOrderStock, type OrderLine } from '../db/queries/order-items';
import { createPendingOrder, flagOrder, getOrder, recordCheckout, setPaymentRef, setShippingAddress, transitionOrder } from '../db/queries/orders';
import { refundsOf } from '../db/queries/refunds';
import { orderLabel, type OrderedLine, type PendingPayment } from '../domain/conversation';
import type { LineRequest } from '../domain/order-lines';
import { COLLECTS_SHIPPING_ADDRESS, shippingAddressPath } from '../domain/shipping';
import type { Db } from '../db/knex';
import { discounted } from '../domain/money';
import type { OrderStatus } from '../domain/order';
import type { PaidSettlement } from '../integrations/payments/provider';
import { checkoutWorkflowId } from '../workflows/contract';
import { metrics } from '../observability/metrics';
import type { ActivityDeps } from './deps';
import { notifyAndDeliver } from './notify';

export interface Quote {
  available: boolean;
  /** False when no payment provider takes the product's currency for this merchant: a person arranges the payment. Absent in older histories. */
  payable?: boolean;
  name: string;
  amountMinor: number;
  currency: string;
}

/** What `createCheckout` answers when the items could not be held: no order, no link. */
export interface SoldOut {
  outOfStock: OrderedLine[];
}

/**
 * Prices the lines from the catalog (available stock, active products only).
 * Null when a product is unknown or the lines are in different currencies,
 * which one payment cannot charge.
 */
async function priceLines(db: Db, merchantId: string, requested: LineRequest[]): Promise<{ lines: OrderLine[]; currency: string; available: boolean } | null> {
  const catalog = createDbCatalog(db, merchantId);
  const products = await Promise.all(requested.map((l) => catalog.get(l.sku)));
  if (products.some((p) => !p) || new Set(products.map((p) => p!.currency)).size !== 1) return null;
  const lines = requested.map((l, i) => {
    const p = products[i]!;
    return { sku: p.sku, name: p.name, quantity: l.quantity, unitPriceMinor: p.priceMinor, lineAmountMinor: p.priceMinor * l.quantity };
  });
  return { lines, currency: products[0]!.currency, available: requested.every((l, i) => products[i]!.stock >= l.quantity) };
}

const listTotal = (lines: OrderLine[]) => lines.reduce((sum, l) => sum + l.lineAmountMinor, 0);

/**
 * Attempts of `settleOrder` that may fail on releasing the merchant's share
 * (about a minute with the store's backoff). Past them the failure goes on
 * the order's timeline for a person instead, so a provider that keeps
 * failing never holds the customer's receipt back for good.
 */
const RELEASE_ATTEMPTS = 8;

/** An order's way from a quote through the provider's checkout to a verified payment. */
export function checkoutActivities(deps: ActivityDeps) {
  const { db } = deps;

  /**
   * Stock follows the order's own status rather than this call's, so a retry
   * after a crash, or a payment that lands after the link expired, still
   * applies it; both steps do nothing the second time. Expired and failed
   * orders give their hold back, paid ones take the items off the shelf; an
   * amount mismatch keeps its hold until a person settles the order.
   */
  async function settleStock(orderId: string): Promise<void> {
    const order = await getOrder(db, orderId);
    if (!order || order.status === 'pending' || order.status === 'mismatch') return;
    if (order.status === 'expired' || order.status === 'failed') await releaseOrderStock(db, orderId);
    else await commitOrderStock(db, orderId);
  }

  /**
   * Where the provider holds the merchant's share of a paid order until the
   * platform releases it (iyzico's marketplace), releases it, or records that
   * it waits for a person (manual approval). Never once money is going back
   * (a refund, even one only asked for, or a dispute): that share is no longer
   * the merchant's. Safe to repeat: released items count as released, and each
   * timeline line is written once (keyed by the checkout).
   */
  async function releaseMerchantShare(orderId: string): Promise<void> {
    const order = await getOrder(db, orderId);
    if (!order?.providerRef || !order.paymentAccountId) return;
    const provider = await deps.payments.forOrder(order);
    if (!provider?.settlePaid) return;
    const line = (kind: 'items_approved' | 'approval_pending' | 'approval_failed', details: Record<string, unknown>) =>
      recordOrderEvent(db, { orderId, merchantId: order.merchantId, kind, providerEventId: `${kind}:${order.providerRef}`, details: { provider: provider.name, ...details } });
    const refunding = order.refundedMinor > 0 || (await refundsOf(db, orderId)).some((r) => r.status !== 'failed');
    if (order.status !== 'paid' || refunding) {
      await line('approval_pending', { reason: refunding ? 'refunded' : order.status });
      return;
    }
    let settled: PaidSettlement;
    try {
      settled = await provider.settlePaid({ orderId, providerRef: order.providerRef });
    } catch (err) {
      const { attempt } = Context.current().info;
      const error = err instanceof Error ? err.message : String(err);
      Context.current().log.warn("could not release the merchant's share of a paid order", { orderId, provider: provider.name, attempt, error });
      if (attempt < RELEASE_ATTEMPTS) throw err;
      await line('approval_failed', { error });
      return;
    }
    const items = settled.items.map((i) => ({ ref: i.ref, itemId: i.itemId, state: i.state }));
    await line(settled.released ? 'items_approved' : 'approval_pending', settled.released ? { items } : { reason: 'manual', items });
  }

  return {
    /** `items`, when given, are every line of the order (`sku` and `quantity` repeat the first). */
    async quoteOrder(q: { merchantId: string; sku: string; quantity: number; items?: LineRequest[]; discountPercent?: number }): Promise<Quote | null> {
      const priced = await priceLines(db, q.merchantId, q.items?.length ? q.items : [{ sku: q.sku, quantity: q.quantity }]);
      if (!priced) return null;
      const { maxDiscountPercent } = await getPlaybook(db, q.merchantId);
      const settings = await merchantSettings(db, q.merchantId);
      const payable = (await deps.payments.chainFor(q.merchantId, priced.currency, settings?.paymentRoutes ?? null)).length > 0;
      return {
        available: priced.available,
        payable,
        name: orderLabel({ name: priced.lines[0]!.name, items: priced.lines }),
        amountMinor: discounted(listTotal(priced.lines), 1, q.discountPercent ?? 0, maxDiscountPercent).amountMinor,
        currency: priced.currency,
      };
    },

    /**
     * Prices are read from the catalog here, never taken from the agent. The
     * order id comes from the workflow so a retried attempt reuses the same row.
     * The order's stock is held in the transaction that creates it; when it
     * cannot be held (someone else bought the last ones) the answer is
     * `SoldOut` and nothing is created.
     */
    async createCheckout(o: {
      orderId: string;
      merchantId: string;
      conversationId: string;
      sku: string;
      quantity: number;
      items?: LineRequest[];
      discountPercent?: number;
    }): Promise<PendingPayment | SoldOut> {
      const existing = await getOrder(db, o.orderId);
      const requested = o.items?.length ? o.items : [{ sku: o.sku, quantity: o.quantity }];
      // A retried attempt charges the lines its order was made with.
      const stored = existing ? await listOrderItems(db, o.orderId) : [];
      const priced = stored.length ? { lines: stored, currency: existing!.currency } : await priceLines(db, o.merchantId, requested);
      if (!priced) throw ApplicationFailure.nonRetryable(`unknown product or mixed currencies in ${requested.map((l) => l.sku).join(', ')}`, 'UnknownProduct');
      const { lines, currency } = priced;
      const product = lines[0]!;
      const several = lines.length > 1 ? { items: lines.map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity })) } : {};
      const pendingPayment = (url: string, expiresAt: Date, amountMinor: number, currency: string): PendingPayment => ({
        orderId: o.orderId,
        sku: product.sku,
        name: product.name,
        quantity: product.quantity,
        amountMinor,
        currency,
        url,
        expiresAt: expiresAt.toISOString(),
        ...several,
      });
      /** A merchant that ships goods needs the address: a provider that does not ask for it gets our address page in front. */
      const linkFor = async (provider: string, url: string) => {
        const shipping = (await merchantSettings(db, o.merchantId))?.shipping;
        return shipping?.countries.length && !COLLECTS_SHIPPING_ADDRESS.has(provider) ? `${deps.publicBaseUrl}${shippingAddressPath(o.orderId)}` : url;
      };
      if (existing?.checkoutUrl && existing.expiresAt) {
        return pendingPayment(await linkFor(existing.provider, existing.checkoutUrl), existing.expiresAt, existing.amountMinor, existing.currency);
      }
      // A retry after a provider failure keeps the amount the order was created with, so the payment matches its row.
      const { amountMinor, discountPercent } = existing
        ? existing
        : discounted(listTotal(lines), 1, o.discountPercent ?? 0, (await getPlaybook(db, o.merchantId)).maxDiscountPercent);
      const settings = await merchantSettings(db, o.merchantId);
      const chain = await deps.payments.chainFor(o.merchantId, currency, settings?.paymentRoutes ?? null);
      if (!chain.length) throw ApplicationFailure.nonRetryable(`no payment provider accepts ${currency}`, 'NoPaymentProvider');
      // A merchant's own account pays the merchant directly, so the platform's fee is taken there and then.
      const platformFeeMinor = chain.some((p) => p.accountId) ? await platformFeeFor(db, o.merchantId, amountMinor) : undefined;
      // `orders.sku` and `quantity` keep the first line for readers that predate `order_items`.
      const held = await createOrderHoldingStock(db, { id: o.orderId, merchantId: o.merchantId }, lines, (trx) =>
        createPendingOrder(trx, {
          id: o.orderId,
          merchantId: o.merchantId,
          conversationId: o.conversationId,
          sku: product.sku,
          quantity: product.quantity,
          amountMinor,
          discountPercent,
          currency,
          provider: chain[0]!.name,
        }),
      );
      if (held.outOfStock.length) {
        metrics.payments.inc({ provider: chain[0]!.name, outcome: 'out_of_stock' });
        return { outOfStock: lines.filter((l) => held.outOfStock.includes(l.sku)).map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity })) };
      }
      if (!existing && discountPercent > 0) {
        await recordAudit(db, {
          merchantId: o.merchantId,
          userId: null,
          actor: 'agent',
          action: 'order.discount',
          target: o.orderId,
          details: { sku: product.sku, quantity: product.quantity, ...several, discountPercent, listAmountMinor: listTotal(lines), amountMinor },
        });
      }
      const buyerName = await customerName(db, o.conversationId);
      const attempts: { provider: string; error: string }[] = [];
      // The merchant's providers in order: one that cannot create a checkout hands over to the next.
      for (const provider of chain) {
        try {
          const session = await provider.createCheckout({
            orderId: o.orderId,
            merchantId: o.merchantId,
            amountMinor,
            currency,
            description: lines.length > 1 ? orderLabel({ name: product.name, items: lines }) : `${product.name} × ${product.quantity}`,
            items: lines.map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity, unitAmountMinor: l.unitPriceMinor })),
            buyer: { id: o.conversationId, name: buyerName },
            successUrl: `${deps.publicBaseUrl}/pay/done?order=${o.orderId}`,
            cancelUrl: `${deps.publicBaseUrl}/pay/done?order=${o.orderId}&cancelled=1`,
            expiresAt: new Date(Date.now() + deps.checkoutTtlMs),
            idempotencyKey: `checkout:${o.orderId}:${provider.name}`,
            ...(provider.accountId ? { platformFeeMinor } : {}),
            ...(settings?.shipping?.countries.length ? { shipping: settings.shipping } : {}),
          });
          await recordCheckout(db, o.orderId, {
            provider: provider.name,
            paymentAccountId: provider.accountId ?? null,
            platformFeeMinor: provider.accountId ? (platformFeeMinor ?? null) : null,
            providerRef: session.providerRef,
            checkoutUrl: session.url,
            expiresAt: session.expiresAt,
            attempts,
          });
          metrics.payments.inc({ provider: provider.name, outcome: 'link_created' });
          return pendingPayment(await linkFor(provider.name, session.url), session.expiresAt, amountMinor, currency);
        } catch (err) {
          attempts.push({ provider: provider.name, error: err instanceof Error ? err.message : String(err) });
          metrics.payments.inc({ provider: provider.name, outcome: 'link_failed' });
          Context.current().log.warn('payment provider could not create a checkout', { provider: provider.name, error: attempts.at(-1)!.error });
        }
      }
      throw new Error(`no payment provider could create a checkout: ${attempts.map((a) => `${a.provider}: ${a.error}`).join('; ')}`);
    },

    /** Asks the order's own provider, then compares with the order we created: a webhook alone never marks a sale won. */
    async verifyPayment(orderId: string): Promise<{ status: 'paid' | 'pending' | 'failed' | 'expired' | 'mismatch' }> {
      const order = await getOrder(db, orderId);
      const provider = order ? await deps.payments.forOrder(order) : undefined;
      if (!order?.providerRef || !provider) throw ApplicationFailure.nonRetryable(`order ${orderId} has no checkout`, 'UnknownOrder');
      const remote = await provider.fetchStatus(order.providerRef);
      // Money that moved and came back still moved: a refund is handled as its own event, not as "unpaid".
      const status = remote.status === 'refunded' || remote.status === 'partially_refunded' ? 'paid' : remote.status;
      if (status !== 'paid') {
        metrics.payments.inc({ provider: provider.name, outcome: status });
        return { status };
      }
      if (remote.paymentRef) await setPaymentRef(db, orderId, remote.paymentRef);
      if (remote.shippingAddress) {
        // Customer data: stored sealed or not at all.
        if (deps.box) await setShippingAddress(db, orderId, deps.box.sealJson(remote.shippingAddress));
        else Context.current().log.warn('shipping address not stored: no credential box configured', { orderId });
      }
      const matches = remote.amountMinor === order.amountMinor && remote.currency.toUpperCase() === order.currency.toUpperCase();
      if (!matches) await flagOrder(db, orderId, `provider reports ${remote.amountMinor} ${remote.currency}, order is ${order.amountMinor} ${order.currency}`);
      metrics.payments.inc({ provider: provider.name, outcome: matches ? 'paid' : 'mismatch' });
      return { status: matches ? 'paid' : 'mismatch' };
    },

    /** Gives back the stock an order held when its checkout ended without a link (every provider failed). */
    async releaseStock(orderId: string): Promise<number> {
      return releaseOrderStock(db, orderId);
    },

    /** The platform's fee on a customer payment, fixed when it is paid. */
    async recordPlatformFee(orderId: string): Promise<number | null> {
      return recordPlatformFee(db, orderId);
    },

    /**
     * Settles the order and tells the merchant's phones at once, before the
     * receipt goes out. A payment arriving is stored under the key the
     * checkout's own "won" notice uses, so the list shows it once.
     */
    async settleOrder(s: { orderId: string; status: Exclude<OrderStatus, 'pending'> }): Promise<boolean> {
      const changed = await transitionOrder(db, s.orderId, s.status);
      await settleStock(s.orderId);
      if (s.status === 'paid' || s.status === 'failed') {
        // Also on a retry that finds the order already moved: the notice is keyed, the delivery start is a no-op.
        const order = await getOrder(db, s.orderId);
        // Counted by the attempt that moved the order, so a retry does not count the sale twice.
        if (changed && order && s.status === 'paid') metrics.revenue.inc({ currency: order.currency.toUpperCase() }, order.amountMinor);
        if (order && order.status === s.status) {
          const key = checkoutWorkflowId(order.id);
          await notifyAndDeliver(
            db,
            s.status === 'paid'
              ? { merchantId: order.merchantId, conversationId: order.conversationId, kind: 'won', dedupeKey: `${key}:won`, body: { orderId: order.id, amountMinor: order.amountMinor, currency: order.currency } }
              : { merchantId: order.merchantId, conversationId: order.conversationId, kind: 'payment_issue', dedupeKey: `${key}:failed`, body: { orderId: order.id, reason: 'payment_failed' } },
          );
        }
        // Last, so a retry for it repeats only steps that are already no-ops.
        if (s.status === 'paid') await releaseMerchantShare(s.orderId);
      }
      return changed;
    },
  };
}
