import type { Db } from '../knex';

export interface UnansweredCustomers {
  mode: 'bot' | 'human';
  /** Open conversations whose last message is the customer's and older than the threshold. */
  waiting: number;
  /** Seconds the longest-waiting of them has waited (0 when none waits). */
  oldestSeconds: number;
}

/**
 * Customers waiting for an answer, across all merchants, per mode: in bot mode
 * a wait means the system is stuck; in human mode that the merchant's people
 * are. Only conversations active in the last week are looked at, so the scan
 * stays bounded however many old leads the installation holds.
 */
export async function unansweredCustomers(db: Db, olderThanSeconds: number): Promise<UnansweredCustomers[]> {
  const { rows } = (await db.raw(
    `select c.mode,
            count(*)::int as waiting,
            coalesce(max(extract(epoch from now() - last.created_at)), 0)::float as oldest_seconds
       from conversations c
       join lateral (
              select m.direction, m.created_at from messages m
               where m.conversation_id = c.id
               order by m.created_at desc, m.seq desc
               limit 1
            ) last on true
      where c.closed_reason is null
        and c.last_message_at > now() - interval '7 days'
        and last.direction = 'in'
        and last.created_at < now() - make_interval(secs => ?)
      group by c.mode`,
    [olderThanSeconds],
  )) as { rows: { mode: 'bot' | 'human'; waiting: number; oldestSeconds?: number; oldest_seconds?: number }[] };
  const byMode = new Map(rows.map((r) => [r.mode, r]));
  return (['bot', 'human'] as const).map((mode) => {
    const r = byMode.get(mode);
    return { mode, waiting: r?.waiting ?? 0, oldestSeconds: Number(r?.oldestSeconds ?? r?.oldest_seconds ?? 0) };
  });
}

/**
 * When the customer message an outbound message answers was stored: the
 * message just before it in the conversation, if that one is the customer's.
 * Null for a second message in a row from us (a payment link after the reply).
 */
export async function answeredMessageAt(db: Db, outboundMessageId: string): Promise<Date | null> {
  const { rows } = (await db.raw(
    `select prev.direction, prev.created_at
       from messages out
       join lateral (
              select p.direction, p.created_at from messages p
               where p.conversation_id = out.conversation_id and p.seq < out.seq
               order by p.seq desc
               limit 1
            ) prev on true
      where out.id = ?`,
    [outboundMessageId],
  )) as { rows: { direction: string; createdAt?: Date; created_at?: Date }[] };
  const prev = rows[0];
  if (!prev || prev.direction !== 'in') return null;
  return prev.createdAt ?? prev.created_at ?? null;
}
