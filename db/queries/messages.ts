import type { Channel, ChatMessage, Sender } from '../../domain/conversation';
import type { Usage } from '../../domain/decision';
import { EVENTS_CHANNEL, publishConversationEvent } from '../events';
import type { Db } from '../knex';

export interface ConversationKey {
  conversationId: string;
  merchantId: string;
  channel: Channel;
  customerKey: string;
}

/** A row of `messages`: the transcript, in and out. */
export interface MessageRow {
  id: string;
  conversationId: string;
  merchantId: string;
  direction: 'in' | 'out';
  sender: Sender;
  text: string;
  /** Inbound: the provider's (or web client's) message id. Outbound: the id the channel returned. */
  providerMessageId: string | null;
  /** Outbound only: the same key on every activity attempt. */
  idempotencyKey: string | null;
  status: string;
  signalledAt: Date | null;
  author: string | null;
  intent: string | null;
  objection: string | null;
  confidence: number | null;
  usage: Usage | null;
  media: unknown[] | null;
  failureReason: string | null;
  statusAt: Date | null;
  seq: number;
  createdAt: Date;
}

/** The customer-facing id: the client's own id for inbound web-chat messages, so widgets can dedupe. */
export const toChatMessage = (r: Pick<MessageRow, 'id' | 'providerMessageId' | 'sender' | 'text' | 'createdAt'>): ChatMessage => ({
  id: r.sender === 'customer' && r.providerMessageId ? r.providerMessageId : r.id,
  from: r.sender,
  text: r.text,
  at: r.createdAt.toISOString(),
});

const messages = (db: Db) => db<MessageRow>('messages');

export async function ensureConversation(db: Db, key: ConversationKey): Promise<void> {
  await db('conversations')
    .insert({ id: key.conversationId, merchantId: key.merchantId, channel: key.channel, customerKey: key.customerKey })
    .onConflict('id')
    .ignore();
}

async function touchConversation(db: Db, conversationId: string, text: string, at: Date): Promise<void> {
  await db('conversations')
    .where({ id: conversationId })
    .update({
      messageCount: db.raw('message_count + 1'),
      lastMessagePreview: text.slice(0, 140),
      lastMessageAt: at,
      updatedAt: db.fn.now(),
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
  row: Partial<Record<keyof MessageRow, unknown>> & { text: string },
  unique: { columns: (keyof MessageRow)[]; match: Partial<MessageRow> },
  createdAt: Date,
): Promise<{ id: string; duplicate: boolean }> {
  // Inside a caller's transaction the insert joins it rather than paying for a savepoint.
  const inTransaction = (run: (trx: Db) => Promise<{ id: string; duplicate: boolean }>) => ('isTransaction' in db && db.isTransaction ? run(db) : db.transaction(run));
  return inTransaction(async (trx) => {
    await ensureConversation(trx, key);
    const [inserted] = (await trx('messages')
      .insert({ conversationId: key.conversationId, merchantId: key.merchantId, ...row })
      .onConflict(unique.columns)
      .ignore()
      .returning('id')) as { id: string }[];
    if (!inserted) {
      const existing = await messages(trx).where(unique.match).first('id');
      if (!existing) throw new Error('a message conflicted with a row that is gone');
      return { id: existing.id, duplicate: true };
    }
    await touchConversation(trx, key.conversationId, row.text, createdAt);
    await publishConversationEvent(trx, { kind: 'message', merchantId: key.merchantId, conversationId: key.conversationId, messageId: inserted.id });
    return { id: inserted.id, duplicate: false };
  });
}

/** The merchant of a message does not exist (the conversation's foreign key refused it). */
export class UnknownMerchantError extends Error {}

/**
 * Stores an inbound message once per provider id, creating the conversation
 * on its first message, and announces it: one statement, so acknowledging a
 * customer costs one round trip to Postgres. A duplicate returns the stored
 * row's id and whether it was already handed to the workflow.
 */
export async function recordInbound(
  db: Db,
  key: ConversationKey,
  msg: { providerMessageId: string; text: string; at: Date; media?: unknown[] | null },
): Promise<{ id: string; duplicate: boolean; signalled: boolean }> {
  const preview = msg.text.slice(0, 140);
  const media = msg.media?.length ? JSON.stringify(msg.media) : null;
  // Sub-statements share one snapshot: `conv` counts the first message itself, `touch` every later one;
  // the unique key makes a redelivery insert nothing, and `existing` (read before this statement) finds the row.
  const { rows } = await db.raw(
    `with conv as (
       insert into conversations (id, merchant_id, channel, customer_key, message_count, last_message_preview, last_message_at)
       values (:conversationId, :merchantId, :channel, :customerKey, 1, :preview, :at)
       on conflict (id) do nothing
       returning id
     ), ins as (
       insert into messages (conversation_id, merchant_id, direction, sender, text, provider_message_id, status, created_at, media)
       values (:conversationId, :merchantId, 'in', 'customer', :text, :providerMessageId, 'received', :at, :media)
       on conflict (conversation_id, direction, provider_message_id) do nothing
       returning id
     ), touch as (
       update conversations set message_count = message_count + 1, last_message_preview = :preview, last_message_at = :at, updated_at = now()
       where id = :conversationId and exists (select 1 from ins) and not exists (select 1 from conv)
     ), announced as (
       select pg_notify(:channel_name, cast(json_build_object('kind', 'message', 'merchantId', cast(:merchantId as text), 'conversationId', cast(:conversationId as text), 'messageId', cast(ins.id as text)) as text)) from ins
     )
     select (select id from ins) as inserted_id,
            (select count(*) from announced) as announced,
            existing.id as existing_id, existing.signalled_at as existing_signalled_at
     from (select 1) one
     left join messages existing on existing.conversation_id = :conversationId and existing.direction = 'in' and existing.provider_message_id = :providerMessageId`,
    { ...key, preview, at: msg.at, text: msg.text, providerMessageId: msg.providerMessageId, media, channel_name: EVENTS_CHANNEL },
  ).catch((err: { code?: string; constraint?: string }) => {
    if (err.code === '23503' && /merchant/.test(err.constraint ?? '')) throw new UnknownMerchantError(`merchant "${key.merchantId}" does not exist`);
    throw err;
  });
  const row = rows[0] as { insertedId: string | null; existingId: string | null; existingSignalledAt: Date | null };
  if (row.insertedId) return { id: row.insertedId, duplicate: false, signalled: false };
  if (!row.existingId) throw new Error('an inbound message conflicted with a row that is gone');
  return { id: row.existingId, duplicate: true, signalled: row.existingSignalledAt !== null };
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
      providerMessageId: out.providerMessageId ?? null,
      idempotencyKey: out.idempotencyKey,
    },
    { columns: ['idempotencyKey'], match: { idempotencyKey: out.idempotencyKey } },
    new Date(),
  );
}

export async function transcript(db: Db, conversationId: string, limit = 500): Promise<ChatMessage[]> {
  const rows = await messages(db)
    .where({ conversationId })
    .orderBy([{ column: 'createdAt' }, { column: 'seq' }])
    .limit(limit)
    .select('id', 'providerMessageId', 'sender', 'text', 'createdAt');
  return rows.map(toChatMessage);
}

export async function messageById(db: Db, id: string): Promise<ChatMessage | null> {
  const row = await messages(db).where({ id }).first('id', 'providerMessageId', 'sender', 'text', 'createdAt');
  return row ? toChatMessage(row) : null;
}

/** An outbound message already recorded under this key, if any: a retried send finds it here. */
export async function outboundByKey(db: Db, idempotencyKey: string): Promise<Pick<MessageRow, 'id' | 'providerMessageId' | 'status'> | null> {
  return (await messages(db).where({ idempotencyKey }).first('id', 'providerMessageId', 'status')) ?? null;
}

/** Records an outbound message that could not be sent, with why, in one transaction. */
export async function recordFailedOutbound(db: Db, key: ConversationKey, out: Omit<OutboundRecord, 'status'>, reason: string): Promise<void> {
  await db.transaction(async (trx) => {
    const { id } = await recordOutbound(trx, key, { ...out, status: 'failed' });
    await messages(trx).where({ id }).update({ failureReason: reason.slice(0, 500), statusAt: trx.fn.now() });
  });
}

/** Replaces an inbound message's media list (once the files are stored, with where each went). */
export async function setInboundMedia(db: Db, conversationId: string, providerMessageId: string, media: unknown[]): Promise<void> {
  await db('messages').where({ conversationId, direction: 'in', providerMessageId }).update({ media: JSON.stringify(media) });
}

/** Outbound messages per conversation, for checking that every conversation got every reply. */
export async function outboundCounts(db: Db, conversationIds: string[]): Promise<Map<string, number>> {
  const rows = (await messages(db)
    .whereIn('conversationId', conversationIds)
    .andWhere({ direction: 'out' })
    .groupBy('conversationId')
    .select('conversationId')
    .count({ n: '*' })) as { conversationId: string; n: number | string }[];
  return new Map(rows.map((r) => [r.conversationId, Number(r.n)]));
}

export async function markSignalled(db: Db, messageId: string): Promise<void> {
  await messages(db).where({ id: messageId }).update({ signalledAt: db.fn.now() });
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
    const row = await messages(trx)
      .where({ providerMessageId: s.providerMessageId, direction: 'out' })
      .forUpdate()
      .first('id', 'idempotencyKey', 'conversationId', 'merchantId', 'status');
    if (!row) return null;
    const changed = (statusRank[s.status] ?? 0) > (statusRank[row.status] ?? 0);
    if (changed) {
      await messages(trx)
        .where({ id: row.id })
        .update({ status: s.status, statusAt: s.at, ...(s.status === 'failed' ? { failureReason: (s.reason ?? 'failed').slice(0, 500) } : {}) });
      await publishConversationEvent(trx, { kind: 'conversation', merchantId: row.merchantId, conversationId: row.conversationId });
    }
    return { messageId: row.id, idempotencyKey: row.idempotencyKey, conversationId: row.conversationId, merchantId: row.merchantId, changed };
  });
}
