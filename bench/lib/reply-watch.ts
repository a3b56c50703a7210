/**
 * Hears bot replies the moment they are committed: the web-chat channel's
 * insert publishes a Postgres NOTIFY in the same transaction, which is what the
 * API's WebSocket fan-out listens to as well. The arrival time is taken when the
 * notification is read, before the one-row lookup that tells a reply from the
 * customer's own message, so the lookup does not count towards the latency.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { publishConversationEvent, subscribeConversationEvents, type EventSubscription } from '../../db/events';
import { createDb, type Db } from '../../db/knex';
import { messageById } from '../../db/queries/messages';

export interface ReplyWatch {
  /** Starts listening for replies in a conversation; call before the message that should draw them is sent. */
  watch(conversationId: string): void;
  /** performance.now() at which the conversation's next not-yet-claimed reply arrived (or will arrive). */
  nextReply(conversationId: string, timeoutMs: number): Promise<number>;
  unwatch(conversationId: string): void;
  close(): Promise<void>;
}

interface Watched {
  arrived: number[];
  waiting: ((at: number) => void)[];
}

export async function startReplyWatch(databaseUrl: string): Promise<ReplyWatch> {
  // Its own small pool, so the lookups never queue behind the stack's queries.
  const lookups: Db = createDb(databaseUrl, { max: 4 });
  const watched = new Map<string, Watched>();
  const probe = `bench-probe-${randomUUID()}`;
  let heardProbe = false;
  let failure: unknown = null;

  const onReply = (conversationId: string, at: number) => {
    const w = watched.get(conversationId);
    if (!w) return;
    const waiter = w.waiting.shift();
    if (waiter) waiter(at);
    else w.arrived.push(at);
  };

  const subscription: EventSubscription = subscribeConversationEvents(
    databaseUrl,
    (event) => {
      const at = performance.now();
      if ('conversationId' in event && event.conversationId === probe) heardProbe = true;
      if (event.kind !== 'message' || !watched.has(event.conversationId)) return;
      messageById(lookups, event.messageId)
        .then((message) => {
          if (message && message.from !== 'customer') onReply(event.conversationId, at);
        })
        .catch((err: unknown) => {
          failure = err;
        });
    },
    (err) => {
      failure = err;
    },
  );

  // LISTEN is issued asynchronously; a notification we hear ourselves proves it is in place.
  const deadline = Date.now() + 15_000;
  while (!heardProbe) {
    if (Date.now() > deadline) throw new Error(`no NOTIFY heard within 15 s (${String(failure)})`);
    await publishConversationEvent(lookups, { kind: 'conversation', merchantId: 'bench', conversationId: probe });
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    watch(conversationId) {
      if (!watched.has(conversationId)) watched.set(conversationId, { arrived: [], waiting: [] });
    },
    nextReply(conversationId, timeoutMs) {
      const w = watched.get(conversationId);
      if (!w) return Promise.reject(new Error(`not watching ${conversationId}`));
      const ready = w.arrived.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      return new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
          w.waiting.splice(w.waiting.indexOf(settle), 1);
          reject(new Error(`no reply in ${conversationId} within ${timeoutMs} ms${failure ? ` (listener error: ${String(failure)})` : ''}`));
        }, timeoutMs);
        const settle = (at: number) => {
          clearTimeout(timer);
          resolve(at);
        };
        w.waiting.push(settle);
      });
    },
    unwatch(conversationId) {
      watched.delete(conversationId);
    },
    async close() {
      await subscription.close();
      await lookups.destroy();
    },
  };
}
