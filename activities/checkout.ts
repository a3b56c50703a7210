import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { recordAudit } from '../db/queries/audit';
import { recordPlatformFee } from '../db/queries/billing';
import { createDbCatalog } from '../db/queries/catalog';
import { customerName } from '../db/queries/conversations';
import { getPlaybook, merchantSettings } from '../db/queries/merchants';
import { createPendingOrder, flagOrder, getOrder, recordCheckout, setPaymentRef, transitionOrder } from '../db/queries/orders';
import type { PendingPayment } from '../domain/conversation';
import { discounted } from '../domain/money';
import type { OrderStatus } from '../domain/order';
import { checkoutWorkflowId } from '../workflows/contract';
import { metrics } from '../observability/metrics';
import type { ActivityDeps } from './deps';
import { notifyAndDeliver } from './notify';

export interface Quote {
  available: boolean;
  name: string;
  amountMinor: number;
  currency: string;
}

/** An order's way from a quote through the provider's checkout to a verified payment. */
export function checkoutActivities(deps: ActivityDeps) {
  const { db } = deps;
  return {
    async quoteOrder(q: { merchantId: string; sku: string; quantity: number; discountPercent?: number }): Promise<Quote | null> {
      const product = await createDbCatalog(db, q.merchantId).get(q.sku);
      if (!product) return null;
      const { maxDiscountPercent } = await getPlaybook(db, q.merchantId);
      return {
        available: product.stock >= q.quantity,
        name: product.name,
        amountMinor: discounted(product.priceMinor, q.quantity, q.discountPercent ?? 0, maxDiscountPercent).amountMinor,
        currency: product.currency,
      };
    },

    /**
     * Prices are read from the catalog here, never taken from the agent. The
     * order id comes from the workflow so a retried attempt reuses the same row.
     */
    async createCheckout(o: { orderId: string; merchantId: string; conversationId: string; sku: string; quantity: number; discountPercent?: number }): Promise<PendingPayment> {
      const existing = await getOrder(db, o.orderId);
      const product = await createDbCatalog(db, o.merchantId).get(o.sku);
      if (!product) throw ApplicationFailure.nonRetryable(`unknown product ${o.sku}`, 'UnknownProduct');
      const pendingPayment = (url: string, expiresAt: Date, amountMinor: number, currency: string): PendingPayment => ({
        orderId: o.orderId,
        sku: o.sku,
        name: product.name,
        quantity: o.quantity,
        amountMinor,
        currency,
        url,
        expiresAt: expiresAt.toISOString(),
      });
      if (existing?.checkoutUrl && existing.expiresAt) {
        return pendingPayment(existing.checkoutUrl, existing.expiresAt, existing.amountMinor, existing.currency);
      }
      // A retry after a provider failure keeps the amount the order was created with, so the payment matches its row.
      const { amountMinor, discountPercent } = existing
        ? existing
        : discounted(product.priceMinor, o.quantity, o.discountPercent ?? 0, (await getPlaybook(db, o.merchantId)).maxDiscountPercent);
      const settings = await merchantSettings(db, o.merchantId);
      const chain = deps.payments.chainFor(product.currency, settings?.paymentRoutes ?? null);
      if (!chain.length) throw ApplicationFailure.nonRetryable(`no payment provider accepts ${product.currency}`, 'NoPaymentProvider');
      await createPendingOrder(db, {
        id: o.orderId,
        merchantId: o.merchantId,
        conversationId: o.conversationId,
        sku: o.sku,
        quantity: o.quantity,
        amountMinor,
        discountPercent,
        currency: product.currency,
        provider: chain[0]!.name,
      });
      if (!existing && discountPercent > 0) {
        await recordAudit(db, {
          merchantId: o.merchantId,
          userId: null,
          actor: 'agent',
          action: 'order.discount',
          target: o.orderId,
          details: { sku: o.sku, quantity: o.quantity, discountPercent, listAmountMinor: product.priceMinor * o.quantity, amountMinor },
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
            currency: product.currency,
            description: `${product.name} × ${o.quantity}`,
            items: [{ sku: product.sku, name: product.name, quantity: o.quantity, unitAmountMinor: product.priceMinor }],
            buyer: { id: o.conversationId, name: buyerName },
            successUrl: `${deps.publicBaseUrl}/pay/done?order=${o.orderId}`,
            cancelUrl: `${deps.publicBaseUrl}/pay/done?order=${o.orderId}&cancelled=1`,
            expiresAt: new Date(Date.now() + deps.checkoutTtlMs),
            idempotencyKey: `checkout:${o.orderId}:${provider.name}`,
          });
          await recordCheckout(db, o.orderId, { provider: provider.name, providerRef: session.providerRef, checkoutUrl: session.url, expiresAt: session.expiresAt, attempts });
          metrics.payments.inc({ provider: provider.name, outcome: 'link_created' });
          return pendingPayment(session.url, session.expiresAt, amountMinor, product.currency);
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
      const provider = order ? deps.payments.byName(order.provider) : undefined;
      if (!order?.providerRef || !provider) throw ApplicationFailure.nonRetryable(`order ${orderId} has no checkout`, 'UnknownOrder');
      const remote = await provider.fetchStatus(order.providerRef);
      // Money that moved and came back still moved: a refund is handled as its own event, not as "unpaid".
      const status = remote.status === 'refunded' || remote.status === 'partially_refunded' ? 'paid' : remote.status;
      if (status !== 'paid') {
        metrics.payments.inc({ provider: provider.name, outcome: status });
        return { status };
      }
      if (remote.paymentRef) await setPaymentRef(db, orderId, remote.paymentRef);
      const matches = remote.amountMinor === order.amountMinor && remote.currency.toUpperCase() === order.currency.toUpperCase();
      if (!matches) await flagOrder(db, orderId, `provider reports ${remote.amountMinor} ${remote.currency}, order is ${order.amountMinor} ${order.currency}`);
      metrics.payments.inc({ provider: provider.name, outcome: matches ? 'paid' : 'mismatch' });
      return { status: matches ? 'paid' : 'mismatch' };
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
      }
      return changed;
    },
  };
}
