import { createLiveFeed, liveUrl as liveUrlFor, type LiveEvent, type LiveStatus } from '@client/live';
import { ref } from 'vue';
import { useAuthStore } from './stores/auth';
import { useCatalogStore } from './stores/catalog';
import { useConversationsStore } from './stores/conversations';

export type { LiveStatus };

/** Shown in the header so a merchant knows whether the inbox is current. */
export const liveStatus = ref<LiveStatus>('off');

const listeners = new Set<(event: LiveEvent) => void>();

export function liveUrl(loc: Pick<Location, 'protocol' | 'host'> = location): string {
  return liveUrlFor(loc);
}

/** Extra subscribers (a view waiting for one import, say); returns the unsubscribe. */
export function onLiveEvent(listener: (event: LiveEvent) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function dispatch(event: LiveEvent): void {
  if (event.type === 'ready') return;
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

const feed = createLiveFeed({
  url: () => liveUrl(),
  token: () => useAuthStore().freshToken(),
  onTokenRefused: () => useAuthStore().markTokenStale(),
  onEvent: dispatch,
  onStatus: (status) => {
    liveStatus.value = status;
  },
});

export function startLive(): void {
  feed.start();
}

export function stopLive(): void {
  feed.stop();
}
