import { ApplicationFailure } from '@temporalio/common';
import { channelById, whatsAppRecipient } from '../db/queries/channels';
import { setInboundMedia } from '../db/queries/messages';
import { NonRetryableSendError, type OutboundMessage, type SendResult } from '../integrations/channels/channel';
import { fetchInboundMedia, isMediaRejection, type InboundMediaRef } from '../integrations/media/fetch';
import type { ActivityDeps } from './deps';

/** Messages out to the customer and attachments in from them. */
export function messagingActivities(deps: ActivityDeps) {
  const { db } = deps;
  return {
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
