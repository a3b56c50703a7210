import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { SecretBox } from '../config/secrets';
import type { Db } from '../db/knex';
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
import type { PaymentProvider } from './payments/provider';
import type { LeadSettings } from './settings';

export interface ActivityDeps {
  db: Db;
  llm: LlmProvider;
  channels: Partial<Record<ChannelName, Channel>>;
  payments: PaymentProvider;
  checkoutTtlMs: number;
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
      if (existing?.checkout_url && existing.expires_at) {
        return { orderId: existing.id, sku: existing.sku, name: product.name, quantity: existing.quantity, amountMinor: existing.amount_minor, currency: existing.currency, url: existing.checkout_url, expiresAt: existing.expires_at.toISOString() };
      }
      const amountMinor = product.priceMinor * o.quantity;
      const expiresAt = new Date(Date.now() + deps.checkoutTtlMs);
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
          provider: deps.payments.name,
        })
        .onConflict('id')
        .ignore();
      const session = await deps.payments.createCheckout({
        orderId: o.orderId,
        merchantId: o.merchantId,
        amountMinor,
        currency: product.currency,
        description: `${product.name} × ${o.quantity}`,
        expiresAt,
      });
      await db('orders')
        .where({ id: o.orderId })
        .update({ provider_ref: session.providerRef, checkout_url: session.url, expires_at: session.expiresAt, updated_at: db.fn.now() });
      return { orderId: o.orderId, sku: o.sku, name: product.name, quantity: o.quantity, amountMinor, currency: product.currency, url: session.url, expiresAt: session.expiresAt.toISOString() };
    },

    /** Asks the provider, then compares with the order we created: a webhook alone never marks a sale won. */
    async verifyPayment(orderId: string): Promise<{ status: 'paid' | 'pending' | 'failed' | 'expired' | 'mismatch' }> {
      const order = await getOrder(db, orderId);
      if (!order?.provider_ref) throw ApplicationFailure.nonRetryable(`order ${orderId} has no checkout`, 'UnknownOrder');
      const remote = await deps.payments.fetchStatus(order.provider_ref);
      // Money that moved and came back still moved: a refund is handled as its own event, not as "unpaid".
      const status = remote.status === 'refunded' || remote.status === 'partially_refunded' ? 'paid' : remote.status;
      if (status !== 'paid') return { status };
      const matches = remote.amountMinor === order.amount_minor && remote.currency.toUpperCase() === order.currency.toUpperCase();
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

    async settleOrder(s: { orderId: string; status: Exclude<OrderStatus, 'pending'> }): Promise<boolean> {
      return transitionOrder(db, s.orderId, s.status);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
