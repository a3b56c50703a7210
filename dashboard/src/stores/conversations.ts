import { defineStore } from 'pinia';
import { reactive, ref, toRef } from 'vue';
import * as conversationsApi from '../api/conversations';
import type { ConversationDetail, ConversationQuery, ConversationSummary, LeadState, Stage, TranscriptMessage } from '../api/conversations';
import { useRequest } from '../composables/useRequest';
import type { Channel } from '../types';

export interface InboxFilters {
  stage: Stage | '';
  channel: Channel | '';
  needsHuman: boolean;
  minScore: number | null;
  q: string;
}

const emptyFilters = (): InboxFilters => ({ stage: '', channel: '', needsHuman: false, minScore: null, q: '' });

const sortKey = (c: ConversationSummary) => Date.parse(c.lastMessageAt ?? c.updatedAt) || 0;

/** The inbox list and the open conversation, both kept current by live events. */
export const useConversationsStore = defineStore('conversations', () => {
  const items = ref<ConversationSummary[]>([]);
  const nextCursor = ref<string | null>(null);
  const loadingMore = ref(false);
  const filters = reactive<InboxFilters>(emptyFilters());

  const current = ref<ConversationDetail | null>(null);
  const currentLoading = ref(false);
  const currentError = ref<unknown>(null);
  let detailRequest = 0;

  function query(before?: string | null): ConversationQuery {
    return {
      stage: filters.stage || undefined,
      channel: filters.channel || undefined,
      needsHuman: filters.needsHuman ? 'true' : undefined,
      minScore: filters.minScore ?? undefined,
      q: filters.q.trim() || undefined,
      limit: 30,
      before: before ?? undefined,
    };
  }

  // Filters change while a page is on its way: only the latest request fills the list.
  const list = useRequest(() => conversationsApi.listConversations(query()), {
    onSuccess(page) {
      items.value = page.items;
      nextCursor.value = page.nextCursor;
    },
  });

  async function loadMore(): Promise<void> {
    if (!nextCursor.value || loadingMore.value) return;
    loadingMore.value = true;
    try {
      const page = await conversationsApi.listConversations(query(nextCursor.value));
      const known = new Set(items.value.map((c) => c.id));
      items.value.push(...page.items.filter((c) => !known.has(c.id)));
      nextCursor.value = page.nextCursor;
    } catch (err) {
      list.error = err;
    } finally {
      loadingMore.value = false;
    }
  }

  function resetFilters(): void {
    Object.assign(filters, emptyFilters());
  }

  function matches(c: ConversationSummary): boolean {
    if (filters.stage && c.stage !== filters.stage) return false;
    if (filters.channel && c.channel !== filters.channel) return false;
    if (filters.needsHuman && !c.needsHuman) return false;
    if (filters.minScore !== null && c.score < filters.minScore) return false;
    const q = filters.q.trim().toLowerCase();
    if (q && ![c.lead.name, c.lastMessagePreview, c.id].some((s) => s?.toLowerCase().includes(q))) return false;
    return true;
  }

  /** A changed or new conversation: updated in place, or inserted at the top when it fits the filters. */
  function upsert(summary: ConversationSummary): void {
    const i = items.value.findIndex((c) => c.id === summary.id);
    if (i >= 0) {
      const merged = { ...items.value[i]!, ...summary };
      if (!matches(merged)) {
        items.value.splice(i, 1);
      } else {
        items.value.splice(i, 1);
        // Most recent activity first; a row that moved up goes back to the top.
        const at = items.value.findIndex((c) => sortKey(c) <= sortKey(merged));
        items.value.splice(at < 0 ? items.value.length : at, 0, merged);
      }
    } else if (matches(summary)) {
      items.value.unshift(summary);
    }
    if (current.value?.id === summary.id) current.value.summary = { ...current.value.summary, ...summary };
  }

  function touchWithMessage(conversationId: string, message: TranscriptMessage): void {
    const i = items.value.findIndex((c) => c.id === conversationId);
    if (i < 0) return;
    const row = items.value[i]!;
    if (row.lastMessageAt && Date.parse(row.lastMessageAt) > Date.parse(message.at)) return;
    const updated = {
      ...row,
      lastMessagePreview: message.text.slice(0, 140),
      lastMessageAt: message.at,
      messageCount: row.messageCount + 1,
    };
    items.value.splice(i, 1);
    items.value.unshift(updated);
  }

  function appendMessage(conversationId: string, message: TranscriptMessage): void {
    const open = current.value;
    if (open?.id === conversationId && !open.messages.some((m) => m.id === message.id)) {
      open.messages.push(message);
      open.messages.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
      touchWithMessage(conversationId, message);
    } else if (open?.id !== conversationId) {
      if (items.value.some((c) => c.id === conversationId)) touchWithMessage(conversationId, message);
      else void fetchSummary(conversationId);
    }
  }

  const fetching = new Set<string>();
  /** A message for a conversation the list has not seen yet: a new lead, shown at the top. */
  async function fetchSummary(id: string): Promise<void> {
    if (fetching.has(id)) return;
    fetching.add(id);
    try {
      const detail = await conversationsApi.getConversation(id);
      upsert(detail.summary);
    } catch {
      // Gone or not ours: nothing to show.
    } finally {
      fetching.delete(id);
    }
  }

  async function open(id: string, opts: { quiet?: boolean } = {}): Promise<void> {
    const mine = ++detailRequest;
    if (!opts.quiet) {
      currentLoading.value = true;
      currentError.value = null;
      if (current.value?.id !== id) current.value = null;
    }
    try {
      const detail = await conversationsApi.getConversation(id);
      if (mine !== detailRequest) return;
      // Messages that arrived live while the request was in flight are kept.
      const previous = current.value?.id === id ? current.value.messages : [];
      const ids = new Set(detail.messages.map((m) => m.id));
      detail.messages.push(...previous.filter((m) => !ids.has(m.id)));
      detail.messages.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
      current.value = detail;
    } catch (err) {
      if (mine === detailRequest && !opts.quiet) currentError.value = err;
    } finally {
      if (mine === detailRequest) currentLoading.value = false;
    }
  }

  function closeCurrent(): void {
    detailRequest++;
    current.value = null;
    currentError.value = null;
  }

  let refreshTimer: ReturnType<typeof setTimeout> | null = null;
  /** Timeline and orders are not pushed: re-read the open conversation after a change, coalesced. */
  function refreshCurrentSoon(id: string): void {
    if (current.value?.id !== id) return;
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      if (current.value?.id === id) void open(id, { quiet: true });
    }, 400);
  }

  function applyState(id: string, state: LeadState): void {
    if (current.value?.id !== id) return;
    current.value.state = state;
    const changes = { stage: state.stage, mode: state.mode, score: state.score, lead: state.lead };
    current.value.summary = { ...current.value.summary, ...changes };
    const row = items.value.find((c) => c.id === id);
    if (row) Object.assign(row, changes);
  }

  /** Steering answers with the new live state, shown at once; the timeline and orders follow from a re-read. */
  async function steer(id: string, action: () => Promise<{ state: LeadState }>): Promise<void> {
    applyState(id, (await action()).state);
    await open(id, { quiet: true });
  }

  return {
    items,
    nextCursor,
    loading: toRef(list, 'busy'),
    loadingMore,
    error: toRef(list, 'error'),
    filters,
    current,
    currentLoading,
    currentError,
    load: list.run,
    loadMore,
    resetFilters,
    upsert,
    appendMessage,
    open,
    closeCurrent,
    refreshCurrentSoon,
    takeOver: (id: string) => steer(id, () => conversationsApi.takeOver(id)),
    release: (id: string) => steer(id, () => conversationsApi.release(id)),
    close: (id: string, reason: string) => steer(id, () => conversationsApi.closeConversation(id, { reason })),
    reply: (id: string, text: string) => steer(id, () => conversationsApi.sendReply(id, { text })),
  };
});
