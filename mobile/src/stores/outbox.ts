import { ApiError } from '@client/api/http';
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { sendReply, type LeadState } from '../api/merchant';
import { deleteOutbox, outboxItems, putOutbox, type OutboxItem } from '../offline/db';
import { useNetworkStore } from './network';
import { useSessionStore } from './session';

const MAX_BACKOFF_MS = 60_000;

/** 32 hex characters from the platform's random source (crypto.randomUUID needs a secure context, which a phone on plain http lacks). */
export function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * An answer that retrying cannot change: refused (409: closed, held by a
 * colleague, ended), invalid, forbidden or gone. Everything else, a
 * network failure, 5xx, 429 or an expired session, is tried again.
 */
function isDefinitive(err: unknown): err is ApiError {
  return err instanceof ApiError && err.status >= 400 && err.status < 500 && ![401, 408, 429].includes(err.status);
}

/**
 * Replies written on the phone, kept in IndexedDB until the server has them.
 * They are sent one at a time in the order they were written, each with its
 * client id, so a send whose answer was lost is repeated as the same message.
 * An item leaves the outbox only on a 2xx or a definitive refusal; a refusal
 * stays visible as "not sent" with its reason until the member dismisses it.
 */
export const useOutboxStore = defineStore('outbox', () => {
  const items = ref<OutboxItem[]>([]);
  const network = useNetworkStore();
  const session = useSessionStore();
  let loaded: Promise<void> | null = null;
  let flushing: Promise<void> | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let failures = 0;
  const sentListeners = new Set<(conversationId: string, state: LeadState) => void>();

  function load(): Promise<void> {
    loaded ??= outboxItems()
      .then((stored) => {
        // A send cut short by the app closing is simply queued again: its client id makes the retry safe.
        items.value = stored.map((i) => (i.state === 'sending' ? { ...i, state: 'queued' } : i));
      })
      .catch(() => {});
    return loaded;
  }

  async function save(item: OutboxItem): Promise<void> {
    const i = items.value.findIndex((x) => x.clientId === item.clientId);
    if (i >= 0) items.value.splice(i, 1, item);
    else items.value.push(item);
    await putOutbox(item);
  }

  async function drop(clientId: string): Promise<void> {
    items.value = items.value.filter((x) => x.clientId !== clientId);
    await deleteOutbox(clientId);
  }

  async function enqueue(conversationId: string, text: string): Promise<void> {
    await load();
    await save({ clientId: newClientId(), conversationId, text, createdAt: new Date().toISOString(), state: 'queued', attempts: 0 });
    void flush();
  }

  function scheduleRetry(): void {
    if (retryTimer) return;
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** failures) * (0.75 + Math.random() * 0.5);
    failures++;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void flush();
    }, delay);
  }

  async function sendAll(): Promise<void> {
    await load();
    if (!network.online) return;
    if (session.state === 'offline' && !(await session.reconnect())) return scheduleRetry();
    if (session.state !== 'online') return;
    for (;;) {
      const next = items.value.find((i) => i.state === 'queued');
      if (!next) return;
      const item: OutboxItem = { ...next, state: 'sending', attempts: next.attempts + 1 };
      await save(item);
      try {
        const { state } = await sendReply(item.conversationId, { text: item.text, clientId: item.clientId });
        failures = 0;
        await drop(item.clientId);
        for (const listener of sentListeners) listener(item.conversationId, state);
      } catch (err) {
        if (isDefinitive(err)) {
          await save({ ...item, state: 'failed', reason: err.code, message: err.message });
          continue;
        }
        await save({ ...item, state: 'queued' });
        // An expired session waits for the member to sign in again; anything else is retried with backoff.
        if (!(err instanceof ApiError && err.status === 401)) scheduleRetry();
        return;
      }
    }
  }

  /** Sends what is queued; concurrent calls share one pass. */
  function flush(): Promise<void> {
    flushing ??= sendAll().finally(() => {
      flushing = null;
    });
    return flushing;
  }

  network.onBack(() => {
    failures = 0;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    void flush();
  });

  function onSent(listener: (conversationId: string, state: LeadState) => void): () => void {
    sentListeners.add(listener);
    return () => sentListeners.delete(listener);
  }

  const forConversation = (conversationId: string) => items.value.filter((i) => i.conversationId === conversationId);

  return { items, load, enqueue, flush, dismiss: drop, onSent, forConversation };
});
