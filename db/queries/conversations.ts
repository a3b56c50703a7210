import type { Channel, PendingPayment } from '../../domain/conversation';
import type { LeadProfile } from '../../domain/lead';
import { publishConversationEvent } from '../events';
import { recordOutbound, toChatMessage, type ConversationKey, type MessageRow, type OutboundRecord } from './messages';
import { conversationOrders, type OrderView } from './orders';
import type { Db } from '../knex';

/** A row of `conversations`: the projection of a lead's workflow, for lists, search and analytics. */
export interface ConversationRow {
  id: string;
  merchantId: string;
  channel: Channel;
  customerKey: string;
  stage: string;
  mode: 'bot' | 'human';
  needsHuman: boolean;
  score: number;
  language: string;
  lead: LeadProfile;
  summary: string;
  pendingPayment: PendingPayment | null;
  nextFollowUpAt: Date | null;
  closedReason: string | null;
  handOffReason: string | null;
  messageCount: number;
  lastMessagePreview: string | null;
  lastMessageAt: Date | null;
  projectionVersion: number;
  /** WhatsApp only: the connected number the lead writes to. */
  merchantChannelId: string | null;
  /** WhatsApp only: the customer's phone number, sealed. */
  customerAddressEncrypted: string | null;
  customerName: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A row of `conversation_events`: a change of stage, mode, hand-off or closing, written by the projection. */
interface ConversationEventRow {
  id: number;
  conversationId: string;
  merchantId: string;
  kind: string;
  fromValue: string | null;
  toValue: string | null;
  at: Date;
}

export type ConversationChange = Pick<ConversationEventRow, 'kind' | 'fromValue' | 'toValue'>;

const conversations = (db: Db) => db<ConversationRow>('conversations');

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

/**
 * Idempotent and order-safe: a late retry of an older projection never overwrites a newer one.
 * Returns the changes it recorded (none for a stale or repeated projection), which the caller counts.
 */
export function projectConversation(db: Db, p: ConversationProjection): Promise<ConversationChange[]> {
  return db.transaction((trx) => applyProjection(trx, p));
}

/**
 * A reply and the projection it changes, in one transaction: the customer's
 * message row, the lead's state and the live-socket events commit together,
 * so a turn costs one trip through Postgres instead of two.
 */
export function recordReplyWithProjection(
  db: Db,
  key: ConversationKey,
  out: OutboundRecord,
  p: ConversationProjection | null,
): Promise<{ id: string; duplicate: boolean; changes: ConversationChange[] }> {
  return db.transaction(async (trx) => {
    const sent = await recordOutbound(trx, key, out);
    return { ...sent, changes: p ? await applyProjection(trx, p) : [] };
  });
}

async function applyProjection(trx: Db, p: ConversationProjection): Promise<ConversationChange[]> {
  const values = {
    stage: p.stage,
    mode: p.mode,
    needsHuman: p.needsHuman,
    handOffReason: p.handOffReason,
    score: p.score,
    language: p.language,
    lead: JSON.stringify(p.lead),
    summary: p.summary,
    pendingPayment: p.pendingPayment ? JSON.stringify(p.pendingPayment) : null,
    nextFollowUpAt: p.nextFollowUpAt,
    closedReason: p.closedReason,
    projectionVersion: p.version,
    updatedAt: trx.fn.now(),
  };
  const before = await conversations(trx).where({ id: p.conversationId }).forUpdate().first('stage', 'mode', 'needsHuman', 'handOffReason', 'closedReason');
  const changed = await trx('conversations')
    .insert({ id: p.conversationId, merchantId: p.merchantId, channel: p.channel, customerKey: p.customerKey, ...values })
    .onConflict('id')
    .merge(values)
    .where('conversations.projectionVersion', '<', p.version)
    .returning('id');
  if (changed.length) {
    const events = changesOf(before, p).map((e) => ({ ...e, conversationId: p.conversationId, merchantId: p.merchantId }));
    if (events.length) await trx('conversation_events').insert(events);
    await publishConversationEvent(trx, { kind: 'conversation', merchantId: p.merchantId, conversationId: p.conversationId });
    return events;
  }
  return [];
}

/** What moved between two projections: the stage timeline and the hand-off history analytics reads. */
function changesOf(
  before: Pick<ConversationRow, 'stage' | 'mode' | 'needsHuman' | 'handOffReason' | 'closedReason'> | undefined,
  p: ConversationProjection,
): ConversationChange[] {
  const events: ConversationChange[] = [];
  const from = (v: unknown) => (v === undefined || v === null ? null : String(v));
  if (from(before?.stage) !== p.stage) events.push({ kind: 'stage', fromValue: from(before?.stage), toValue: p.stage });
  if ((before?.mode ?? 'bot') !== p.mode) events.push({ kind: 'mode', fromValue: from(before?.mode ?? 'bot'), toValue: p.mode });
  if (Boolean(before?.needsHuman) !== p.needsHuman) events.push({ kind: 'needs_human', fromValue: String(Boolean(before?.needsHuman)), toValue: String(p.needsHuman) });
  if (p.handOffReason && before?.handOffReason !== p.handOffReason) events.push({ kind: 'hand_off', fromValue: from(before?.handOffReason), toValue: p.handOffReason });
  if (p.closedReason && !before?.closedReason) events.push({ kind: 'closed', fromValue: null, toValue: p.closedReason });
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

const toSummary = (r: ConversationRow): ConversationSummaryRow => ({
  id: r.id,
  channel: r.channel,
  stage: r.stage,
  mode: r.mode,
  needsHuman: r.needsHuman,
  score: r.score,
  language: r.language,
  lead: r.lead,
  messageCount: r.messageCount,
  lastMessagePreview: r.lastMessagePreview,
  lastMessageAt: r.lastMessageAt ? r.lastMessageAt.toISOString() : null,
  updatedAt: r.updatedAt.toISOString(),
});

export async function listConversations(db: Db, f: ConversationFilter): Promise<ConversationSummaryRow[]> {
  const q = conversations(db).where({ merchantId: f.merchantId });
  if (f.stage) q.andWhere({ stage: f.stage });
  if (f.channel) q.andWhere({ channel: f.channel as Channel });
  if (f.needsHuman !== undefined) q.andWhere({ needsHuman: f.needsHuman });
  if (f.minScore !== undefined) q.andWhere('score', '>=', f.minScore);
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q.andWhere((w) =>
      w
        // lead is jsonb: searched as its text (names, needs, budget).
        .whereRaw('conversations.lead::text ilike ?', [like])
        .orWhereILike('summary', like)
        .orWhereExists(
          db('messages').whereRaw('messages.conversation_id = conversations.id').andWhereILike('messages.text', like),
        ),
    );
  }
  if (f.before) {
    const [at, id] = f.before.split('|');
    if (at && id) q.andWhere((w) => w.where('updatedAt', '<', at).orWhere((x) => x.where('updatedAt', '=', at).andWhere('id', '<', id)));
  }
  const rows = await q.orderBy([{ column: 'updatedAt', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(f.limit);
  return rows.map(toSummary);
}

export async function conversationMerchant(db: Db, conversationId: string): Promise<string | null> {
  const row = await conversations(db).where({ id: conversationId }).first('merchantId');
  return row?.merchantId ?? null;
}

/** A page of the merchant's open conversations, by id after `afterId`, so a long walk can resume where it stopped. */
export async function openConversationIds(db: Db, merchantId: string, afterId: string, limit: number): Promise<string[]> {
  const rows = await conversations(db).where({ merchantId }).whereNull('closedReason').where('id', '>', afterId).orderBy('id').limit(limit).select('id');
  return rows.map((r) => r.id);
}

/** Whether the merchant has any conversation at all. */
export async function hasConversations(db: Db, merchantId: string): Promise<boolean> {
  return Boolean(await conversations(db).where({ merchantId }).first('id'));
}

/** How to start a lead's workflow again (channel, customer, language); null for an unknown conversation. */
export async function conversationContact(db: Db, id: string): Promise<Pick<ConversationRow, 'channel' | 'customerKey' | 'language'> | null> {
  return (await conversations(db).where({ id }).first('channel', 'customerKey', 'language')) ?? null;
}

/** The name the customer gave their channel (WhatsApp profile name), for payment pages. */
export async function customerName(db: Db, id: string): Promise<string | null> {
  return (await conversations(db).where({ id }).first('customerName'))?.customerName ?? null;
}

const detailColumns = ['id', 'providerMessageId', 'sender', 'text', 'createdAt', 'confidence', 'intent', 'author', 'status'] as const;
type DetailMessageRow = Pick<MessageRow, (typeof detailColumns)[number]>;
const toDetailMessage = (m: DetailMessageRow): ConversationDetail['messages'][number] => ({
  ...toChatMessage(m),
  confidence: m.confidence ?? null,
  intent: m.intent ?? null,
  author: m.author ?? null,
  status: m.status,
});

const messages = (db: Db) => db<MessageRow>('messages');

/** For the merchant's live feed: a message as the conversation view shows it. */
export async function merchantMessage(db: Db, merchantId: string, messageId: string): Promise<ConversationDetail['messages'][number] | null> {
  const row = await messages(db).where({ id: messageId, merchantId }).first(...detailColumns);
  return row ? toDetailMessage(row) : null;
}

/** For the merchant's live feed: the list item of one conversation. */
export async function conversationSummary(db: Db, merchantId: string, id: string): Promise<ConversationSummaryRow | null> {
  const row = await conversations(db).where({ id, merchantId }).first();
  return row ? toSummary(row) : null;
}

/** Why the merchant's conversation was closed, or null while it is open (or not theirs). */
export async function closedReasonOf(db: Db, merchantId: string, id: string): Promise<string | null> {
  const row = await conversations(db).where({ id, merchantId }).first('closedReason');
  return row?.closedReason ?? null;
}

export interface ConversationDetail {
  summary: ConversationSummaryRow;
  messages: { id: string; from: string; text: string; at: string; confidence: number | null; intent: string | null; author: string | null; status: string }[];
  timeline: { kind: string; from: string | null; to: string | null; at: string }[];
  orders: OrderView[];
}

/** The merchant's own conversation, or null: another merchant's id reads exactly like a missing one. */
export async function conversationDetail(db: Db, merchantId: string, id: string): Promise<ConversationDetail | null> {
  const row = await conversations(db).where({ id, merchantId }).first();
  if (!row) return null;
  const [transcript, events, orders] = await Promise.all([
    messages(db).where({ conversationId: id }).orderBy([{ column: 'createdAt' }, { column: 'seq' }]).limit(500).select(...detailColumns),
    db<ConversationEventRow>('conversation_events').where({ conversationId: id }).orderBy('id').select('kind', 'fromValue', 'toValue', 'at'),
    conversationOrders(db, merchantId, id),
  ]);
  return {
    summary: toSummary(row),
    messages: transcript.map(toDetailMessage),
    timeline: events.map((e) => ({ kind: e.kind, from: e.fromValue, to: e.toValue, at: e.at.toISOString() })),
    orders,
  };
}
