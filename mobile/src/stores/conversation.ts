import { defineStore } from 'pinia';
import { ref } from 'vue';
import * as merchantApi from '../api/merchant';
import type { ConversationDetail, LeadState, TranscriptMessage } from '../api/merchant';
import { readTranscript, writeTranscript } from '../offline/db';
import { useInboxStore } from './inbox';
import { isNetworkFailure } from './network';

/** The open conversation: transcript, live state, timeline and orders, saved on the phone each time it changes. */
export const useConversationStore = defineStore('conversation', () => {
  const current = ref<ConversationDetail | null>(null);
  const loading = ref(false);
  const error = ref<unknown>(null);
  const cachedAt = ref<string | null>(null);
  let request = 0;

  const save = () => {
    if (current.value) void writeTranscript(current.value).catch(() => {});
  };

  async function open(id: string, opts: { quiet?: boolean } = {}): Promise<void> {
    const mine = ++request;
    if (!opts.quiet) {
      loading.value = true;
      error.value = null;
      if (current.value?.id !== id) {
        current.value = null;
        // The saved copy shows at once; the network's answer replaces it.
        const saved = await readTranscript(id).catch(() => undefined);
        if (mine === request && saved && !current.value) {
          current.value = saved.detail;
          cachedAt.value = saved.savedAt;
        }
      }
    }
    try {
      const detail = await merchantApi.getConversation(id);
      if (mine !== request) return;
      // Messages that arrived live while the request was in flight are kept.
      const previous = current.value?.id === id ? current.value.messages : [];
      const ids = new Set(detail.messages.map((m) => m.id));
      detail.messages.push(...previous.filter((m) => !ids.has(m.id) && !m.id.startsWith('local:')));
      detail.messages.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
      current.value = detail;
      cachedAt.value = null;
      save();
    } catch (err) {
      if (mine !== request) return;
      if (!(isNetworkFailure(err) && current.value?.id === id) && !opts.quiet) error.value = err;
    } finally {
      if (mine === request) loading.value = false;
    }
  }

  function close(): void {
    request++;
    current.value = null;
    cachedAt.value = null;
    error.value = null;
  }

  function appendMessage(conversationId: string, message: TranscriptMessage): void {
    const open = current.value;
    if (open?.id !== conversationId || open.messages.some((m) => m.id === message.id)) return;
    open.messages.push(message);
    open.messages.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    save();
  }

  function applyState(id: string, state: LeadState): void {
    if (current.value?.id !== id) return;
    current.value.state = state;
    const changes = { stage: state.stage, mode: state.mode, score: state.score, lead: state.lead };
    current.value.summary = { ...current.value.summary, ...changes };
    const inbox = useInboxStore();
    inbox.upsert({ ...current.value.summary });
    save();
  }

  let refreshTimer: ReturnType<typeof setTimeout> | null = null;
  /** Timeline and orders are not pushed: re-read the open conversation after a change, coalesced. */
  function refreshSoon(id: string): void {
    if (current.value?.id !== id) return;
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      if (current.value?.id === id) void open(id, { quiet: true });
    }, 400);
  }

  async function steer(id: string, action: () => Promise<{ state: LeadState }>): Promise<void> {
    applyState(id, (await action()).state);
    await open(id, { quiet: true });
  }

  return {
    current,
    loading,
    error,
    cachedAt,
    open,
    close,
    appendMessage,
    applyState,
    refreshSoon,
    takeOver: (id: string) => steer(id, () => merchantApi.takeOver(id)),
    release: (id: string) => steer(id, () => merchantApi.release(id)),
    closeLead: (id: string, reason: string) => steer(id, () => merchantApi.closeConversation(id, reason)),
  };
});
