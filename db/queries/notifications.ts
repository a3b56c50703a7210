import type { Db } from '../knex';
import { publishConversationEvent } from '../events';

export interface MerchantNotification {
  merchantId: string;
  /** Null for notices about the account rather than one lead (billing). */
  conversationId: string | null;
  kind: 'needs_human' | 'won' | 'payment_issue' | 'closed' | 'quota';
  /** One notification per key however often the activity runs. */
  dedupeKey: string;
  body: Record<string, unknown>;
}

/**
 * Stored for the dashboard's notification list and announced on the event bus
 * so open dashboards update at once; push to phones builds on the same rows.
 */
export async function notifyMerchant(db: Db, n: MerchantNotification): Promise<void> {
  await db.transaction(async (trx) => {
    const rows = await trx('notifications')
      .insert({ merchant_id: n.merchantId, conversation_id: n.conversationId, kind: n.kind, dedupe_key: n.dedupeKey, body: JSON.stringify(n.body) })
      .onConflict('dedupe_key')
      .ignore()
      .returning('id');
    if (rows.length && n.conversationId) await publishConversationEvent(trx, { kind: 'conversation', merchantId: n.merchantId, conversationId: n.conversationId });
  });
}
