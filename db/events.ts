import pg from 'pg';
import type { Db } from './knex';

export const EVENTS_CHANNEL = 'autocloser_events';
const CHANNEL = EVENTS_CHANNEL;

export type ConversationEvent =
  | { kind: 'message'; merchantId: string; conversationId: string; messageId: string }
  | { kind: 'conversation'; merchantId: string; conversationId: string }
  | { kind: 'order'; merchantId: string; conversationId: string; orderId: string }
  | { kind: 'import'; merchantId: string; importId: string }
  /** Workers drop their cached copy of the merchant's playbook. */
  | { kind: 'playbook'; merchantId: string };

/**
 * Postgres NOTIFY fans events out to every API replica; it is transactional,
 * so listeners never hear about a row that was rolled back. Payloads carry ids
 * only: NOTIFY caps them at 8000 bytes.
 */
export async function publishConversationEvent(db: Db, event: ConversationEvent): Promise<void> {
  await db.raw('select pg_notify(?, ?)', [CHANNEL, JSON.stringify(event)]);
}

export interface EventSubscription {
  close(): Promise<void>;
}

export function subscribeConversationEvents(
  url: string,
  onEvent: (event: ConversationEvent) => void,
  onError: (err: unknown) => void = () => {},
  /** Each time LISTEN is in place again; events sent while it was not are lost. */
  onListening: () => void = () => {},
): EventSubscription {
  let client: pg.Client | null = null;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;

  const connect = async (attempt: number): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on('notification', (msg) => {
      if (msg.channel !== CHANNEL || !msg.payload) return;
      try {
        onEvent(JSON.parse(msg.payload) as ConversationEvent);
      } catch (err) {
        onError(err);
      }
    });
    c.on('error', (err) => {
      onError(err);
      reconnect(attempt + 1);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANNEL}`);
      if (closed) await c.end();
      else {
        client = c;
        onListening();
      }
    } catch (err) {
      onError(err);
      reconnect(attempt + 1);
    }
  };
  const reconnect = (attempt: number) => {
    client?.end().catch(() => {});
    client = null;
    if (closed) return;
    retryTimer = setTimeout(() => void connect(attempt), Math.min(30_000, 250 * 2 ** attempt));
  };
  void connect(0);

  return {
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      await client?.end().catch(() => {});
    },
  };
}
