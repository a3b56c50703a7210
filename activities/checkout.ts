import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { recordPlatformFee } from '../db/queries/billing';
import { createDbCatalog } from '../db/queries/catalog';
import { getOrder, transitionOrder } from '../db/queries/orders';
import type { PendingPayment } from '../domain/conversation';
import type { OrderStatus } from '../domain/order';
import type { ActivityDeps } from './deps';

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
    async quoteOrder(q: { merchantId: string; sku: string; quantity: number }): Promise<Quote | null> {
      const product = await createDbCatalog(db, q.merchantId).get(q.sku);
      if (!product) return null;
      return {
        available: product.stock >= q.quantity,
        name: product.name,
        amountMinor: product.priceMinor * q.quantity,
        currency: product.currency,
      };
    },

    /**
     * Prices are read from the catalog here, never taken from the agent. The
     * order id comes from the workflow so a retried attempt reuses the same row.
     */
    async createCheckout(o: { orderId: string; merchantId: string; conversationId: string; sku: string; quantity: number }): Promise<PendingPayment> {
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
      if (existing?.checkout_url && existing.expires_at) {
        return pendingPayment(existing.checkout_url, existing.expires_at, existing.amount_minor, existing.currency);
      }
      const amountMinor = product.priceMinor * o.quantity;
      const merchant = await db('merchants').where({ id: o.merchantId }).first('settings');
      const chain = deps.payments.chainFor(product.currency, merchant?.settings?.paymentRoutes ?? null);
      if (!chain.length) throw ApplicationFailure.nonRetryable(`no payment provider accepts ${product.currency}`, 'NoPaymentProvider');
      await db('orders')
        .insert({
          id: o.orderId,
          merchant_id: o.merchantId,
          conversation_id: o.conversationId,
          sku: o.sku,
          quantity: o.quantity,
          amount_minor: amountMinor,
          currency: product.currency,
          status: 'pending',
          provider: chain[0]!.name,
        })
        .onConflict('id')
        .ignore();
      const customer = await db('conversations').where({ id: o.conversationId }).first('customer_name');
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
            buyer: { id: o.conversationId, name: customer?.customer_name ?? null },
            successUrl: `${deps.publicBaseUrl}/pay/done?order=${o.orderId}`,
            cancelUrl: `${deps.publicBaseUrl}/pay/done?order=${o.orderId}&cancelled=1`,
            expiresAt: new Date(Date.now() + deps.checkoutTtlMs),
            idempotencyKey: `checkout:${o.orderId}:${provider.name}`,
          });
          await db('orders').where({ id: o.orderId }).update({
            provider: provider.name,
            provider_ref: session.providerRef,
            checkout_url: session.url,
            expires_at: session.expiresAt,
            provider_attempts: attempts.length ? JSON.stringify(attempts) : null,
            updated_at: db.fn.now(),
          });
          return pendingPayment(session.url, session.expiresAt, amountMinor, product.currency);
        } catch (err) {
          attempts.push({ provider: provider.name, error: err instanceof Error ? err.message : String(err) });
          Context.current().log.warn('payment provider could not create a checkout', { provider: provider.name, error: attempts.at(-1)!.error });
        }
      }
      throw new Error(`no payment provider could create a checkout: ${attempts.map((a) => `${a.provider}: ${a.error}`).join('; ')}`);
    },

    /** Asks the order's own provider, then compares with the order we created: a webhook alone never marks a sale won. */
    async verifyPayment(orderId: string): Promise<{ status: 'paid' | 'pending' | 'failed' | 'expired' | 'mismatch' }> {
      const order = await getOrder(db, orderId);
      const provider = order ? deps.payments.byName(order.provider) : undefined;
      if (!order?.provider_ref || !provider) throw ApplicationFailure.nonRetryable(`order ${orderId} has no checkout`, 'UnknownOrder');
      const remote = await provider.fetchStatus(order.provider_ref);
      // Money that moved and came back still moved: a refund is handled as its own event, not as "unpaid".
      const status = remote.status === 'refunded' || remote.status === 'partially_refunded' ? 'paid' : remote.status;
      if (status !== 'paid') return { status };
      if (remote.paymentRef) await db('orders').where({ id: orderId }).update({ payment_ref: remote.paymentRef });
      const matches = remote.amountMinor === order.amount_minor && remote.currency.toUpperCase() === order.currency.toUpperCase();
      if (!matches) {
        await db('orders')
          .where({ id: orderId })
          .update({ flag_reason: `provider reports ${remote.amountMinor} ${remote.currency}, order is ${order.amount_minor} ${order.currency}` });
      }
      return { status: matches ? 'paid' : 'mismatch' };
    },

    /** The platform's fee on a customer payment, fixed when it is paid. */
    async recordPlatformFee(orderId: string): Promise<number | null> {
      return recordPlatformFee(db, orderId);
    },

    async settleOrder(s: { orderId: string; status: Exclude<OrderStatus, 'pending'> }): Promise<boolean> {
      return transitionOrder(db, s.orderId, s.status);
    },
  };
}
