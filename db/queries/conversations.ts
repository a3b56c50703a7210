import type { Channel, PendingPayment } from '../../domain/conversation';
import type { LeadProfile } from '../../domain/lead';
import { publishConversationEvent } from '../events';
import { toChatMessage } from './messages';
import { toOrder } from './orders';
import type { Db, DbRow } from '../knex';

export interface ConversationProjection {
  conversationId: string;
  merchantId: string;
  channel: Channel;
  customerKey: string;
  /** Strictly increasing per workflow (carried across continue-as-new). */
  version: number;
  stage: string;
  mode: 'bot' | 'human';
  needsHuman: boolean;
  handOffReason: string | null;
  score: number;
  language: string;
  lead: LeadProfile;
  summary: string;
  pendingPayment: PendingPayment | null;
  nextFollowUpAt: string | null;
  closedReason: string | null;
}

/** Idempotent and order-safe: a late retry of an older projection never overwrites a newer one. */
export async function projectConversation(db: Db, p: ConversationProjection): Promise<void> {
  const values = {
    stage: p.stage,
    mode: p.mode,
    needs_human: p.needsHuman,
    hand_off_reason: p.handOffReason,
    score: p.score,
    language: p.language,
    lead: JSON.stringify(p.lead),
    summary: p.summary,
    pending_payment: p.pendingPayment ? JSON.stringify(p.pendingPayment) : null,
    next_follow_up_at: p.nextFollowUpAt,
    closed_reason: p.closedReason,
    projection_version: p.version,
    updated_at: db.fn.now(),
  };
  await db.transaction(async (trx) => {
    const before = await trx('conversations').where({ id: p.conversationId }).forUpdate().first('stage', 'mode', 'needs_human', 'hand_off_reason', 'closed_reason');
    const changed = await trx('conversations')
      .insert({ id: p.conversationId, merchant_id: p.merchantId, channel: p.channel, customer_key: p.customerKey, ...values })
      .onConflict('id')
      .merge(values)
      .where('conversations.projection_version', '<', p.version)
      .returning('id');
    if (changed.length) {
      const events = changesOf(before, p).map((e) => ({ ...e, conversation_id: p.conversationId, merchant_id: p.merchantId }));
      if (events.length) await trx('conversation_events').insert(events);
      await publishConversationEvent(trx, { kind: 'conversation', merchantId: p.merchantId, conversationId: p.conversationId });
    }
  });
}

/** What moved between two projections: the stage timeline and the hand-off history analytics reads. */
function changesOf(before: DbRow | undefined, p: ConversationProjection): { kind: string; from_value: string | null; to_value: string | null }[] {
  const events: { kind: string; from_value: string | null; to_value: string | null }[] = [];
  const from = (v: unknown) => (v === undefined || v === null ? null : String(v));
  if (from(before?.stage) !== p.stage) events.push({ kind: 'stage', from_value: from(before?.stage), to_value: p.stage });
  if ((before?.mode ?? 'bot') !== p.mode) events.push({ kind: 'mode', from_value: from(before?.mode ?? 'bot'), to_value: p.mode });
  if (Boolean(before?.needs_human) !== p.needsHuman) events.push({ kind: 'needs_human', from_value: String(Boolean(before?.needs_human)), to_value: String(p.needsHuman) });
  if (p.handOffReason && before?.hand_off_reason !== p.handOffReason) events.push({ kind: 'hand_off', from_value: from(before?.hand_off_reason), to_value: p.handOffReason });
  if (p.closedReason && !before?.closed_reason) events.push({ kind: 'closed', from_value: null, to_value: p.closedReason });
  return events;
}

export interface ConversationFilter {
  merchantId: string;
  stage?: string;
  channel?: string;
  needsHuman?: boolean;
  minScore?: number;
  q?: string;
  limit: number;
  /** Opaque cursor: the last row's `updated_at|id`. */
  before?: string;
}

export interface ConversationSummaryRow {
  id: string;
  channel: string;
  stage: string;
  mode: string;
  needsHuman: boolean;
  score: number;
  language: string;
  lead: LeadProfile;
  messageCount: number;
  lastMessagePreview: string | null;
  lastMessageAt: string | null;
  updatedAt: string;
}

const toSummary = (r: DbRow): ConversationSummaryRow => ({
  id: r.id,
  channel: r.channel,
  stage: r.stage,
  mode: r.mode,
  needsHuman: r.needs_human,
  score: r.score,
  language: r.language,
  lead: r.lead,
  messageCount: r.message_count,
  lastMessagePreview: r.last_message_preview,
  lastMessageAt: r.last_message_at ? new Date(r.last_message_at).toISOString() : null,
  updatedAt: new Date(r.updated_at).toISOString(),
});

export async function listConversations(db: Db, f: ConversationFilter): Promise<ConversationSummaryRow[]> {
  const q = db('conversations').where({ merchant_id: f.merchantId });
  if (f.stage) q.andWhere({ stage: f.stage });
  if (f.channel) q.andWhere({ channel: f.channel });
  if (f.needsHuman !== undefined) q.andWhere({ needs_human: f.needsHuman });
  if (f.minScore !== undefined) q.andWhere('score', '>=', f.minScore);
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q.andWhere((w) =>
      w
        .whereILike('lead', like)
        .orWhereILike('summary', like)
        .orWhereExists(
          db('messages').whereRaw('messages.conversation_id = conversations.id').andWhereILike('messages.text', like),
        ),
    );
  }
  if (f.before) {
    const [at, id] = f.before.split('|');
    if (at && id) q.andWhere((w) => w.where('updated_at', '<', at).orWhere((x) => x.where('updated_at', '=', at).andWhere('id', '<', id)));
  }
  const rows = await q.orderBy([{ column: 'updated_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(f.limit);
  return rows.map(toSummary);
}

export async function conversationMerchant(db: Db, conversationId: string): Promise<string | null> {
  const row = await db('conversations').where({ id: conversationId }).first('merchant_id');
  return row?.merchant_id ?? null;
}

const detailColumns = ['id', 'provider_message_id', 'sender', 'text', 'created_at', 'confidence', 'intent', 'author', 'status'];
const toDetailMessage = (m: DbRow): ConversationDetail['messages'][number] => ({
  ...toChatMessage(m as Parameters<typeof toChatMessage>[0]),
  confidence: m.confidence ?? null,
  intent: m.intent ?? null,
  author: m.author ?? null,
  status: m.status,
});

/** For the merchant's live feed: a message as the conversation view shows it. */
export async function merchantMessage(db: Db, merchantId: string, messageId: string): Promise<ConversationDetail['messages'][number] | null> {
  const row = await db('messages').where({ id: messageId, merchant_id: merchantId }).first(detailColumns);
  return row ? toDetailMessage(row) : null;
}

/** For the merchant's live feed: the list item of one conversation. */
export async function conversationSummary(db: Db, merchantId: string, id: string): Promise<ConversationSummaryRow | null> {
  const row = await db('conversations').where({ id, merchant_id: merchantId }).first();
  return row ? toSummary(row) : null;
}

export interface ConversationDetail {
  summary: ConversationSummaryRow;
  messages: { id: string; from: string; text: string; at: string; confidence: number | null; intent: string | null; author: string | null; status: string }[];
  timeline: { kind: string; from: string | null; to: string | null; at: string }[];
  orders: ReturnType<typeof toOrder>[];
}

/** The merchant's own conversation, or null: another merchant's id reads exactly like a missing one. */
export async function conversationDetail(db: Db, merchantId: string, id: string): Promise<ConversationDetail | null> {
  const row = await db('conversations').where({ id, merchant_id: merchantId }).first();
  if (!row) return null;
  const [messages, events, orders] = await Promise.all([
    db('messages').where({ conversation_id: id }).orderBy([{ column: 'created_at' }, { column: 'seq' }]).limit(500).select(detailColumns),
    db('conversation_events').where({ conversation_id: id }).orderBy('id').select('kind', 'from_value', 'to_value', 'at'),
    db('orders').where({ conversation_id: id, merchant_id: merchantId }).orderBy('created_at', 'desc'),
  ]);
  return {
    summary: toSummary(row),
    messages: messages.map(toDetailMessage),
    timeline: events.map((e) => ({ kind: e.kind, from: e.from_value, to: e.to_value, at: new Date(e.at).toISOString() })),
    orders: orders.map(toOrder),
  };
}
