import { ApplicationFailure } from '@temporalio/common';
import { channelById, whatsAppRecipient } from '../db/queries/channels';
import { recordReplyWithProjection, type ConversationProjection } from '../db/queries/conversations';
import { setInboundMedia } from '../db/queries/messages';
import { webchatRecord } from './channels/webchat';
import { countChanges } from './leads';
import { NonRetryableSendError, type OutboundMessage, type SendResult } from '../integrations/channels/channel';
import { fetchInboundMedia, isMediaRejection, type InboundMediaRef } from '../integrations/media/fetch';
import { answeredMessageAt } from '../db/queries/metrics';
import { metrics } from '../observability/metrics';
import type { ActivityDeps } from './deps';

/** Messages out to the customer and attachments in from them. */
export function messagingActivities(deps: ActivityDeps) {
  const { db } = deps;
  /**
   * Counted once per message (a retried attempt finds the row and is a duplicate). Not awaited by the send: the
   * customer's reply never waits on the latency lookup, and a failure to measure never fails the send.
   */
  async function countSent(msg: OutboundMessage, result: SendResult): Promise<void> {
    const committedAt = Date.now();
    metrics.messagesSent.inc({ channel: msg.channel, sender: msg.sender });
    if (msg.intent === 'follow_up') {
      metrics.followUps.inc({ channel: msg.channel });
      return;
    }
    if (msg.sender !== 'bot') return;
    // The workflow says which customer message a reply answers; runs that predate that are looked up.
    const askedAt =
      msg.answersAt !== undefined ? (msg.answersAt ? new Date(msg.answersAt) : null) : await answeredMessageAt(db, result.messageId).catch(() => null);
    if (askedAt) metrics.replyLatency.observe({ channel: msg.channel }, Math.max(0, (committedAt - askedAt.getTime()) / 1000));
  }
  return {
    async sendMessage(msg: OutboundMessage): Promise<SendResult> {
      const channel = deps.channels[msg.channel];
      if (!channel) throw ApplicationFailure.nonRetryable(`no channel configured for ${msg.channel}`, 'ChannelUnavailable');
      let result: SendResult;
      try {
        result = await channel.send(msg);
      } catch (err) {
        if (err instanceof NonRetryableSendError) {
          metrics.deliveryFailures.inc({ channel: msg.channel, stage: 'send' });
          throw ApplicationFailure.nonRetryable(err.message, 'Undeliverable');
        }
        throw err;
      }
      if (!result.duplicate) void countSent(msg, result);
      return result;
    },

    /**
     * A web-chat reply and the projection of the turn it ends, in one
     * transaction. Web chat has no provider to wait on, so this runs as a
     * local activity inside the workflow task; the idempotency key and the
     * projection's version make a re-run after a crash harmless.
     */
    async replyOnWebchat(t: { message: OutboundMessage; projection: ConversationProjection | null }): Promise<SendResult> {
      const r = await recordReplyWithProjection(db, t.message, webchatRecord(t.message), t.projection);
      countChanges(r.changes);
      const result = { messageId: r.id, providerMessageId: r.id, duplicate: r.duplicate };
      if (!r.duplicate) void countSent(t.message, result);
      return result;
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
      await setInboundMedia(db, m.conversationId, m.messageId, results);
      return results.filter((r) => !isMediaRejection(r)).length;
    },
  };
}
