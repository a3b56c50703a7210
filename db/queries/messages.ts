import type { Channel, ChatMessage, Sender } from '../../domain/conversation';
import type { Usage } from '../../domain/decision';
import { publishConversationEvent } from '../events';
import type { Db } from '../knex';

export interface ConversationKey {
  conversationId: string;
  merchantId: string;
  channel: Channel;
  customerKey: string;
}

interface MessageRow {
  id: string;
  provider_message_id: string | null;
  sender: Sender;
  text: string;
  created_at: Date;
}

/** The customer-facing id: the client's own id for inbound web-chat messages, so widgets can dedupe. */
export const toChatMessage = (r: MessageRow): ChatMessage => ({
  id: r.sender === 'customer' && r.provider_message_id ? r.provider_message_id : r.id,
  from: r.sender,
  text: r.text,
  at: r.created_at.toISOString(),
});

export async function ensureConversation(db: Db, key: ConversationKey): Promise<void> {
  await db('conversations')
    .insert({ id: key.conversationId, merchant_id: key.merchantId, channel: key.channel, customer_key: key.customerKey })
    .onConflict('id')
    .ignore();
}

async function touchConversation(db: Db, conversationId: string, text: string, at: Date): Promise<void> {
  await db('conversations')
    .where({ id: conversationId })
    .update({
      message_count: db.raw('message_count + 1'),
      last_message_preview: text.slice(0, 140),
      last_message_at: at,
      updated_at: db.fn.now(),
    });
}

/** Stores an inbound message once per provider id; returns whether it was new. */
export async function recordInbound(
  db: Db,
  key: ConversationKey,
  msg: { providerMessageId: string; text: string; at: Date },
): Promise<{ id: string; duplicate: boolean }> {
  return db.transaction(async (trx) => {
    await ensureConversation(trx, key);
    const [row] = await trx('messages')
      .insert({
        conversation_id: key.conversationId,
        merchant_id: key.merchantId,
        direction: 'in',
        sender: 'customer',
        text: msg.text,
        provider_message_id: msg.providerMessageId,
        status: 'received',
        created_at: msg.at,
      })
      .onConflict(['conversation_id', 'direction', 'provider_message_id'])
      .ignore()
      .returning('id');
    if (!row) {
      const existing = await trx('messages')
        .where({ conversation_id: key.conversationId, direction: 'in', provider_message_id: msg.providerMessageId })
        .first('id');
      return { id: existing.id as string, duplicate: true };
    }
    await touchConversation(trx, key.conversationId, msg.text, msg.at);
    await publishConversationEvent(trx, { kind: 'message', merchantId: key.merchantId, conversationId: key.conversationId, messageId: row.id });
    return { id: row.id as string, duplicate: false };
  });
}

export interface OutboundRecord {
  idempotencyKey: string;
  sender: Exclude<Sender, 'customer'>;
  text: string;
  author?: string | null;
  intent?: string | null;
  confidence?: number | null;
  usage?: Usage | null;
  status: string;
  providerMessageId?: string | null;
}

/**
 * Inserts an outbound message under its idempotency key. A retried activity
 * finds the row already there and gets the same id back instead of a second message.
 */
export async function recordOutbound(db: Db, key: ConversationKey, out: OutboundRecord): Promise<{ id: string; duplicate: boolean }> {
  return db.transaction(async (trx) => {
    await ensureConversation(trx, key);
    const [row] = await trx('messages')
      .insert({
        conversation_id: key.conversationId,
        merchant_id: key.merchantId,
        direction: 'out',
        sender: out.sender,
        text: out.text,
        author: out.author ?? null,
        intent: out.intent ?? null,
        confidence: out.confidence ?? null,
        usage: out.usage ? JSON.stringify(out.usage) : null,
        status: out.status,
        provider_message_id: out.providerMessageId ?? null,
        idempotency_key: out.idempotencyKey,
      })
      .onConflict('idempotency_key')
      .ignore()
      .returning('id');
    if (!row) {
      const existing = await trx('messages').where({ idempotency_key: out.idempotencyKey }).first('id');
      return { id: existing.id as string, duplicate: true };
    }
    await touchConversation(trx, key.conversationId, out.text, new Date());
    await publishConversationEvent(trx, { kind: 'message', merchantId: key.merchantId, conversationId: key.conversationId, messageId: row.id });
    return { id: row.id as string, duplicate: false };
  });
}

export async function transcript(db: Db, conversationId: string, limit = 500): Promise<ChatMessage[]> {
  const rows = await db('messages')
    .where({ conversation_id: conversationId })
    .orderBy([{ column: 'created_at' }, { column: 'direction' }])
    .limit(limit)
    .select('id', 'provider_message_id', 'sender', 'text', 'created_at');
  return rows.map(toChatMessage);
}

export async function messageById(db: Db, id: string): Promise<ChatMessage | null> {
  const row = await db('messages').where({ id }).first('id', 'provider_message_id', 'sender', 'text', 'created_at');
  return row ? toChatMessage(row) : null;
}

export async function markSignalled(db: Db, messageId: string): Promise<void> {
  await db('messages').where({ id: messageId }).update({ signalled_at: db.fn.now() });
}

export async function wasSignalled(db: Db, messageId: string): Promise<boolean> {
  const row = await db('messages').where({ id: messageId }).first('signalled_at');
  return Boolean(row?.signalled_at);
}
