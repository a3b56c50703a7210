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

/**
 * Inserts a message unless a row with the same unique key exists, then
 * announces it. Returns the existing row's id for a duplicate, so callers
 * answer a redelivery or a retry exactly as they answered the first time.
 */
async function insertMessageOnce(
  db: Db,
  key: ConversationKey,
  row: Record<string, unknown>,
  unique: { columns: string[]; match: Record<string, unknown> },
  createdAt: Date,
): Promise<{ id: string; duplicate: boolean }> {
  return db.transaction(async (trx) => {
    await ensureConversation(trx, key);
    const [inserted] = await trx('messages')
      .insert({ conversation_id: key.conversationId, merchant_id: key.merchantId, ...row })
      .onConflict(unique.columns)
      .ignore()
      .returning('id');
    if (!inserted) {
      const existing = await trx('messages').where(unique.match).first('id');
      return { id: existing.id as string, duplicate: true };
    }
    await touchConversation(trx, key.conversationId, row.text as string, createdAt);
    await publishConversationEvent(trx, { kind: 'message', merchantId: key.merchantId, conversationId: key.conversationId, messageId: inserted.id });
    return { id: inserted.id as string, duplicate: false };
  });
}

/** Stores an inbound message once per provider id. */
export function recordInbound(
  db: Db,
  key: ConversationKey,
  msg: { providerMessageId: string; text: string; at: Date; media?: unknown[] | null },
): Promise<{ id: string; duplicate: boolean }> {
  return insertMessageOnce(
    db,
    key,
    {
      direction: 'in',
      sender: 'customer',
      text: msg.text,
      provider_message_id: msg.providerMessageId,
      status: 'received',
      created_at: msg.at,
      media: msg.media?.length ? JSON.stringify(msg.media) : null,
    },
    {
      columns: ['conversation_id', 'direction', 'provider_message_id'],
      match: { conversation_id: key.conversationId, direction: 'in', provider_message_id: msg.providerMessageId },
    },
    msg.at,
  );
}

export interface OutboundRecord {
  idempotencyKey: string;
  sender: Exclude<Sender, 'customer'>;
  text: string;
  author?: string | null;
  intent?: string | null;
  objection?: string | null;
  confidence?: number | null;
  usage?: Usage | null;
  status: string;
  providerMessageId?: string | null;
}

/**
 * Inserts an outbound message under its idempotency key. A retried activity
 * finds the row already there and gets the same id back instead of a second message.
 */
export function recordOutbound(db: Db, key: ConversationKey, out: OutboundRecord): Promise<{ id: string; duplicate: boolean }> {
  return insertMessageOnce(
    db,
    key,
    {
      direction: 'out',
      sender: out.sender,
      text: out.text,
      author: out.author ?? null,
      intent: out.intent ?? null,
      objection: out.objection ?? null,
      confidence: out.confidence ?? null,
      usage: out.usage ? JSON.stringify(out.usage) : null,
      status: out.status,
      provider_message_id: out.providerMessageId ?? null,
      idempotency_key: out.idempotencyKey,
    },
    { columns: ['idempotency_key'], match: { idempotency_key: out.idempotencyKey } },
    new Date(),
  );
}

export async function transcript(db: Db, conversationId: string, limit = 500): Promise<ChatMessage[]> {
  const rows = await db('messages')
    .where({ conversation_id: conversationId })
    .orderBy([{ column: 'created_at' }, { column: 'seq' }])
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

const statusRank: Record<string, number> = { sending: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

/**
 * Applies a provider's delivery receipt to our outbound message. Receipts
 * arrive out of order and more than once: a status only moves forward.
 */
export async function applyDeliveryStatus(
  db: Db,
  s: { providerMessageId: string; status: 'sent' | 'delivered' | 'read' | 'failed'; at: Date; reason?: string | null },
): Promise<{ messageId: string; idempotencyKey: string | null; conversationId: string; merchantId: string; changed: boolean } | null> {
  return db.transaction(async (trx) => {
    const row = await trx('messages')
      .where({ provider_message_id: s.providerMessageId, direction: 'out' })
      .forUpdate()
      .first('id', 'idempotency_key', 'conversation_id', 'merchant_id', 'status');
    if (!row) return null;
    const changed = (statusRank[s.status] ?? 0) > (statusRank[row.status] ?? 0);
    if (changed) {
      await trx('messages')
        .where({ id: row.id })
        .update({ status: s.status, status_at: s.at, ...(s.status === 'failed' ? { failure_reason: (s.reason ?? 'failed').slice(0, 500) } : {}) });
      await publishConversationEvent(trx, { kind: 'conversation', merchantId: row.merchant_id, conversationId: row.conversation_id });
    }
    return { messageId: row.id, idempotencyKey: row.idempotency_key, conversationId: row.conversation_id, merchantId: row.merchant_id, changed };
  });
}
