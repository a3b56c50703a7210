import type { Channel, PendingPayment } from '../../domain/conversation';
import type { LeadProfile } from '../../domain/lead';
import { publishConversationEvent } from '../events';
import type { Db } from '../knex';

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
    const changed = await trx('conversations')
      .insert({ id: p.conversationId, merchant_id: p.merchantId, channel: p.channel, customer_key: p.customerKey, ...values })
      .onConflict('id')
      .merge(values)
      .where('conversations.projection_version', '<', p.version)
      .returning('id');
    if (changed.length) {
      await publishConversationEvent(trx, { kind: 'conversation', merchantId: p.merchantId, conversationId: p.conversationId });
    }
  });
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
  return rows.map((r) => ({
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
  }));
}

export async function conversationMerchant(db: Db, conversationId: string): Promise<string | null> {
  const row = await db('conversations').where({ id: conversationId }).first('merchant_id');
  return row?.merchant_id ?? null;
}
