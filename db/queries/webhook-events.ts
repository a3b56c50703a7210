import type { Db } from '../knex';

/** A row of `webhook_events`: every verified provider event, once per provider event id. */
interface WebhookEventRow {
  id: number;
  provider: string;
  eventId: string;
  merchantId: string | null;
  payload: unknown;
  receivedAt: Date;
  processedAt: Date | null;
}

const events = (db: Db) => db<WebhookEventRow>('webhook_events');

/** Records a webhook once per provider event id; false for a redelivery. */
export async function recordWebhookEvent(
  db: Db,
  e: { provider: string; eventId: string; merchantId: string | null; payload: unknown },
): Promise<boolean> {
  const rows = await db('webhook_events')
    .insert({ provider: e.provider, eventId: e.eventId, merchantId: e.merchantId, payload: JSON.stringify(e.payload) })
    .onConflict(['provider', 'eventId'])
    .ignore()
    .returning('id');
  return rows.length > 0;
}

export async function webhookEventProcessed(db: Db, provider: string, eventId: string): Promise<boolean> {
  const row = await events(db).where({ provider, eventId }).first('processedAt');
  return Boolean(row?.processedAt);
}

export async function markWebhookEventProcessed(db: Db, provider: string, eventId: string): Promise<void> {
  await events(db).where({ provider, eventId }).update({ processedAt: db.fn.now() });
}
