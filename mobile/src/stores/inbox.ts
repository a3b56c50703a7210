import { defineStore } from 'pinia';
import { computed, reactive, ref } from 'vue';
import { listConversations, type Channel, type ConversationSummary, type Stage, type TranscriptMessage } from '../api/merchant';
import { readKv, writeKv, plain } from '../offline/db';
import { isNetworkFailure } from './network';

export interface InboxFilters {
  stage: Stage | '';
  channel: Channel | '';
  needsHuman: boolean;
  q: string;
}

const lastActivity = (c: ConversationSummary) => Date.parse(c.lastMessageAt ?? c.updatedAt) || 0;

/** Leads waiting for a person come first; within each group, the latest activity first. */
export function inboxOrder(a: ConversationSummary, b: ConversationSummary): number {
  if (a.needsHuman !== b.needsHuman) return a.needsHuman ? -1 : 1;
  return lastActivity(b) - lastActivity(a);
}

export function matches(c: ConversationSummary, f: InboxFilters): boolean {
  if (f.stage && c.stage !== f.stage) return false;
  if (f.channel && c.channel !== f.channel) return false;
  if (f.needsHuman && !c.needsHuman) return false;
  const q = f.q.trim().toLowerCase();
  if (q && ![c.lead.name, c.lastMessagePreview, c.id].some((s) => s?.toLowerCase().includes(q))) return false;
  return true;
}

/** The inbox, from the server when there is a network and from the phone's copy when there is not. */
export const useInboxStore = defineStore('inbox', () => {
  const raw = ref<ConversationSummary[]>([]);
  const filters = reactive<InboxFilters>({ stage: '', channel: '', needsHuman: false, q: '' });
  const loading = ref(false);
  const error = ref<unknown>(null);
  /** When the shown list is the saved copy: the time it was saved. */
  const cachedAt = ref<string | null>(null);
  let request = 0;

  const items = computed(() => raw.value.filter((c) => matches(c, filters)).sort(inboxOrder));
  const unfiltered = () => !filters.stage && !filters.channel && !filters.needsHuman && !filters.q.trim();

  let saveTimer: ReturnType<typeof setTimeout> | null = null;
  /** The saved copy is the unfiltered inbox, so any filter works on it offline. */
  function saveSoon(): void {
    if (!unfiltered() || saveTimer) return;
    saveTimer = setTimeout(() => {
      saveTimer = null;
      void writeKv('inbox', { items: plain(raw.value), savedAt: new Date().toISOString() }).catch(() => {});
    }, 300);
  }

  async function load(): Promise<void> {
    const mine = ++request;
    loading.value = true;
    error.value = null;
    try {
      const page = await listConversations({
        stage: filters.stage || undefined,
        channel: filters.channel || undefined,
        needsHuman: filters.needsHuman ? 'true' : undefined,
        q: filters.q.trim() || undefined,
        limit: 50,
      });
      if (mine !== request) return;
      raw.value = page.items;
      cachedAt.value = null;
      saveSoon();
    } catch (err) {
      if (mine !== request) return;
      const saved = isNetworkFailure(err) ? await readKv('inbox').catch(() => undefined) : undefined;
      if (saved) {
        raw.value = saved.items;
        cachedAt.value = saved.savedAt;
      } else {
        error.value = err;
      }
    } finally {
      if (mine === request) loading.value = false;
    }
  }

  /** Shown at once from the saved copy, before the network answers (or when it never does). */
  async function showSaved(): Promise<void> {
    if (raw.value.length) return;
    const saved = await readKv('inbox').catch(() => undefined);
    if (saved && !raw.value.length) {
      raw.value = saved.items;
      cachedAt.value = saved.savedAt;
    }
  }

  function upsert(summary: ConversationSummary): void {
    const i = raw.value.findIndex((c) => c.id === summary.id);
    if (i >= 0) raw.value.splice(i, 1, { ...raw.value[i]!, ...summary });
    else raw.value.unshift(summary);
    saveSoon();
  }

  /** A live message: the row's preview moves on; a conversation not in the list yet is asked for. */
  function touch(conversationId: string, message: TranscriptMessage): boolean {
    const row = raw.value.find((c) => c.id === conversationId);
    if (!row) return false;
    if (row.lastMessageAt && Date.parse(row.lastMessageAt) > Date.parse(message.at)) return true;
    upsert({ ...row, lastMessagePreview: message.text.slice(0, 140), lastMessageAt: message.at, messageCount: row.messageCount + 1 });
    return true;
  }

  return { items, filters, loading, error, cachedAt, load, showSaved, upsert, touch };
});
