import { ref } from 'vue';
import { useAuthStore } from './stores/auth';
import { useCatalogStore } from './stores/catalog';
import { useConversationsStore } from './stores/conversations';
import type { LiveEvent } from './types';

export type LiveStatus = 'off' | 'connecting' | 'live' | 'reconnecting';

/** Shown in the header so a merchant knows whether the inbox is current. */
export const liveStatus = ref<LiveStatus>('off');

const MAX_BACKOFF_MS = 30_000;
const UNAUTHORIZED = 4401;

let socket: WebSocket | null = null;
let wanted = false;
let attempt = 0;
let retryTimer: ReturnType<typeof setTimeout> | null = null;
const listeners = new Set<(event: LiveEvent) => void>();

export function liveUrl(loc: Pick<Location, 'protocol' | 'host'> = location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/api/v1/live`;
}

/** Extra subscribers (a view waiting for one import, say); returns the unsubscribe. */
export function onLiveEvent(listener: (event: LiveEvent) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function dispatch(event: LiveEvent): void {
  const conversations = useConversationsStore();
  switch (event.type) {
    case 'conversation':
      conversations.upsert(event.conversation);
      conversations.refreshCurrentSoon(event.conversationId);
      break;
    case 'message':
      conversations.appendMessage(event.conversationId, event.message);
      break;
    case 'order':
      conversations.refreshCurrentSoon(event.conversationId);
      break;
    case 'import':
      useCatalogStore().applyImport(event.import);
      break;
    default:
      break;
  }
  for (const listener of listeners) listener(event);
}

function scheduleReconnect(): void {
  if (!wanted || retryTimer) return;
  liveStatus.value = 'reconnecting';
  // Exponential backoff with jitter so a restarted API is not hit by every dashboard at once.
  const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempt) * (0.75 + Math.random() * 0.5);
  attempt++;
  retryTimer = setTimeout(() => {
    retryTimer = null;
    void connect();
  }, delay);
}

async function connect(): Promise<void> {
  if (!wanted || socket) return;
  liveStatus.value = attempt ? 'reconnecting' : 'connecting';
  const token = await useAuthStore().freshToken();
  if (!wanted) return;
  if (!token) {
    scheduleReconnect();
    return;
  }
  const ws = new WebSocket(liveUrl());
  socket = ws;
  ws.addEventListener('open', () => ws.send(JSON.stringify({ type: 'auth', token })));
  ws.addEventListener('message', (msg) => {
    let event: LiveEvent;
    try {
      event = JSON.parse(String(msg.data)) as LiveEvent;
    } catch {
      return;
    }
    if (event.type === 'ready') {
      attempt = 0;
      liveStatus.value = 'live';
      return;
    }
    dispatch(event);
  });
  ws.addEventListener('close', (ev) => {
    if (socket === ws) socket = null;
    if (!wanted) return;
    // 4401: the token expired or was refused, so the next attempt refreshes it first.
    if (ev.code === UNAUTHORIZED) useAuthStore().markTokenStale();
    scheduleReconnect();
  });
}

export function startLive(): void {
  if (wanted) return;
  wanted = true;
  attempt = 0;
  void connect();
}

export function stopLive(): void {
  wanted = false;
  if (retryTimer) clearTimeout(retryTimer);
  retryTimer = null;
  const ws = socket;
  socket = null;
  ws?.close(1000);
  liveStatus.value = 'off';
}
