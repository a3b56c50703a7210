import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { SecretBox } from '../config/secrets';
import type { Db } from '../db/knex';
import { countNewConversation, planFor, recordPlatformFee } from '../db/queries/billing';
import { quotaState } from '../domain/billing';
import { channelById, whatsAppRecipient } from '../db/queries/channels';
import { createDbCatalog } from '../db/queries/catalog';
import { projectConversation, type ConversationProjection } from '../db/queries/conversations';
import { getPlaybook } from '../db/queries/merchants';
import { getOrder, transitionOrder } from '../db/queries/orders';
import type { Channel as ChannelName, AgentInput, PendingPayment } from '../domain/conversation';
import type { Decision } from '../domain/decision';
import type { OrderStatus } from '../domain/order';
import { NonRetryableSendError, type Channel, type OutboundMessage, type SendResult } from './channels/channel';
import type { LlmProvider } from './llm/provider';
import { fetchInboundMedia, isMediaRejection, type FetchMediaDeps, type InboundMediaRef } from './media/fetch';
import { notifyMerchant, type MerchantNotification } from './notify/notify';
import type { PaymentRegistry } from './payments/registry';
import type { LeadSettings } from './settings';

export interface ActivityDeps {
  db: Db;
  llm: LlmProvider;
  channels: Partial<Record<ChannelName, Channel>>;
  payments: PaymentRegistry;
  checkoutTtlMs: number;
  /** Where providers send the customer back after paying. */
  publicBaseUrl: string;
  /** Plan quotas stop the bot for new leads once exhausted; off for self-hosted installs that do not bill. */
  enforceQuota?: boolean;
  /** WhatsApp attachments: where they are stored and how they are fetched. */
  media?: { box: SecretBox; fetch: FetchMediaDeps };
}

export interface Quote {
  available: boolean;
  name: string;
  amountMinor: number;
  currency: string;
}

/** Keeps a long call alive in Temporal's eyes so a dead worker is noticed within the heartbeat timeout. */
async function withHeartbeat<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctx = Context.current();
  const timer = setInterval(() => ctx.heartbeat(), 2_000);
  try {
    return await work(ctx.cancellationSignal);
  } finally {
    clearInterval(timer);
  }
}

export function createActivities(deps: ActivityDeps) {
  const { db } = deps;
  return {
    async loadSettings(merchantId: string): Promise<LeadSettings> {
      const playbook = await getPlaybook(db, merchantId);
      return {
        followUpDelaysMs: playbook.followUpDelaysSeconds.map((s) => s * 1000),
        followUp: playbook.followUp,
        defaultLanguage: playbook.defaultLanguage,
        languages: playbook.languages,
        minConfidence: playbook.handOff.minConfidence,
        maxObjections: playbook.handOff.maxObjections,
        highValueMinor: playbook.handOff.highValueMinor,
        checkoutTtlMs: deps.checkoutTtlMs,
        checkoutRemindBeforeMs: Math.floor(deps.checkoutTtlMs / 4),
        idleCloseMs: 30 * 24 * 3600 * 1000,
      };
    },

    async decide(input: AgentInput): Promise<Decision> {
      const playbook = await getPlaybook(db, input.merchantId);
      const catalog = createDbCatalog(db, input.merchantId);
      return withHeartbeat((signal) => deps.llm.decide({ ...input, playbook, catalog }, signal));
    },

    async sendMessage(msg: OutboundMessage): Promise<SendResult> {
      const channel = deps.channels[msg.channel];
      if (!channel) throw ApplicationFailure.nonRetryable(`no channel configured for ${msg.channel}`, 'ChannelUnavailable');
      try {
        return await channel.send(msg);
      } catch (err) {
        if (err instanceof NonRetryableSendError) throw ApplicationFailure.nonRetryable(err.message, 'Undeliverable');
        throw err;
      }
    },

    async projectConversation(p: ConversationProjection): Promise<void> {
      await projectConversation(db, p);
    },

    async notifyMerchant(n: MerchantNotification): Promise<void> {
      await notifyMerchant(db, n);
    },

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

    /**
     * Fetches a customer's attachments with the merchant's credentials and
     * stores them; a refused file (type, size) is recorded with the reason
     * instead of failing the conversation.
     */
    async storeInboundMedia(m: { conversationId: string; merchantId: string; messageId: string; media: InboundMediaRef[] }): Promise<number> {
      if (!deps.media) throw ApplicationFailure.nonRetryable('media storage is not configured', 'MediaUnavailable');
      const recipient = await whatsAppRecipient(db, deps.media.box, m.conversationId);
      const channel = recipient ? await channelById(db, deps.media.box, recipient.channelId) : null;
      if (!channel) throw ApplicationFailure.nonRetryable('no connected number for this conversation', 'MediaUnavailable');
      const results = [];
      for (const item of m.media) {
        const stored = await fetchInboundMedia(deps.media.fetch, channel, m.merchantId, item);
        results.push({ ...item, ...stored });
      }
      await db('messages')
        .where({ conversation_id: m.conversationId, direction: 'in', provider_message_id: m.messageId })
        .update({ media: JSON.stringify(results) });
      return results.filter((r) => !isMediaRejection(r)).length;
    },

    /**
     * Counts a new lead against the merchant's plan, once per conversation.
     * Past the quota and its grace the workflow hands new leads to people;
     * entering the grace allowance tells the merchant once per period.
     */
    async meterConversation(m: { merchantId: string; conversationId: string }): Promise<{ state: 'ok' | 'grace' | 'exceeded'; message: string }> {
      const quota = await countNewConversation(db, m.merchantId, m.conversationId);
      if (!deps.enforceQuota) return { state: 'ok', message: quota.message };
      // The counter already includes this lead; whether it may start is decided by the count before it.
      const { gracePercent } = await planFor(db, m.merchantId);
      const admitted = quotaState(quota.limit, Math.max(0, quota.used - 1), gracePercent).state;
      if (quota.state !== 'ok') {
        await notifyMerchant(db, {
          merchantId: m.merchantId,
          conversationId: m.conversationId,
          kind: 'quota',
          dedupeKey: `quota:${m.merchantId}:${quota.period.start.toISOString()}:${quota.state}`,
          body: { state: quota.state, message: quota.message, used: quota.used, limit: quota.limit },
        });
      }
      return { state: admitted, message: quota.message };
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

export type Activities = ReturnType<typeof createActivities>;
