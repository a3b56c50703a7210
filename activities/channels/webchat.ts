import type { Db } from '../../db/knex';
import { recordOutbound } from '../../db/queries/messages';
import type { Channel } from '../../integrations/channels/channel';

/**
 * Web chat has no provider: the message row is the delivery, and the API's
 * WebSocket fan-out pushes it to the customer's open widget. Writing under the
 * idempotency key makes the send exactly-once.
 */
export function createWebchatChannel(db: Db): Channel {
  return {
    name: 'webchat',
    async send(msg) {
      const { id, duplicate } = await recordOutbound(db, msg, {
        idempotencyKey: msg.idempotencyKey,
        sender: msg.sender,
        text: msg.text,
        author: msg.author,
        intent: msg.intent,
        objection: msg.objection,
        confidence: msg.confidence,
        usage: msg.usage,
        status: 'delivered',
      });
      return { messageId: id, providerMessageId: id, duplicate };
    },
  };
}
