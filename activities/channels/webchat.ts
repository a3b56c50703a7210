import type { Db } from '../../db/knex';
import { recordOutbound, type OutboundRecord } from '../../db/queries/messages';
import type { Channel, OutboundMessage } from '../../integrations/channels/channel';

/** The message row that is a web-chat delivery. */
export const webchatRecord = (msg: OutboundMessage): OutboundRecord => ({
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

/**
 * Web chat has no provider: the message row is the delivery, and the API's
 * WebSocket fan-out pushes it to the customer's open widget. Writing under the
 * idempotency key makes the send exactly-once.
 */
export function createWebchatChannel(db: Db): Channel {
  return {
    name: 'webchat',
    async send(msg) {
      const { id, duplicate } = await recordOutbound(db, msg, webchatRecord(msg));
      return { messageId: id, providerMessageId: id, duplicate };
    },
  };
}
