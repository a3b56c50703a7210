import { createLiveFeed, type LiveEvent, type LiveStatus } from '@client/live';
import { ref } from 'vue';
import { getConversation } from './api/merchant';
import { liveSocketUrl } from './platform';
import { useConversationStore } from './stores/conversation';
import { useInboxStore } from './stores/inbox';
import { useSessionStore } from './stores/session';

export const liveStatus = ref<LiveStatus>('off');

const asking = new Set<string>();
/** A message for a conversation the list has not seen yet: a new lead, shown at the top. */
async function fetchSummary(id: string): Promise<void> {
  if (asking.has(id)) return;
  asking.add(id);
  try {
    useInboxStore().upsert((await getConversation(id)).summary);
  } catch {
    // Gone or not ours: nothing to show.
  } finally {
    asking.delete(id);
  }
}

function dispatch(event: LiveEvent): void {
  const inbox = useInboxStore();
  const conversation = useConversationStore();
  switch (event.type) {
    case 'conversation':
      inbox.upsert(event.conversation);
      conversation.refreshSoon(event.conversationId);
      break;
    case 'message':
      conversation.appendMessage(event.conversationId, event.message);
      if (!inbox.touch(event.conversationId, event.message)) void fetchSummary(event.conversationId);
      break;
    case 'order':
      conversation.refreshSoon(event.conversationId);
      break;
    default:
      break;
  }
}

const feed = createLiveFeed({
  url: liveSocketUrl,
  token: () => useSessionStore().freshToken(),
  onTokenRefused: () => useSessionStore().markTokenStale(),
  onEvent: dispatch,
  onStatus: (status) => {
    liveStatus.value = status;
  },
});

export const startLive = () => feed.start();
export const stopLive = () => feed.stop();
/** The network is back: reconnect now rather than after the backoff. */
export const nudgeLive = () => feed.nudge();
