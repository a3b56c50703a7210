import { defineStore } from 'pinia';
import { reactive, ref, toRef } from 'vue';
import * as knowledgeApi from '../api/knowledge';
import type { KnowledgeEntry, KnowledgeFilter, KnowledgeImport, KnowledgeImportResult, KnowledgeInput } from '../api/knowledge';
import { useRequest } from '../composables/useRequest';

type Filter = Pick<KnowledgeFilter, 'kind' | 'topic' | 'language' | 'q'>;

/** The merchant's knowledge base: what the agent answers shipping, returns, payment… questions from. */
export const useKnowledgeStore = defineStore('knowledge', () => {
  const entries = ref<KnowledgeEntry[]>([]);
  /** What the list shows; the server filters and searches (full text, in each entry's language). */
  const filter = reactive<Filter>({});
  const lastImport = ref<KnowledgeImportResult | null>(null);

  const list = useRequest(() => knowledgeApi.listKnowledge(Object.fromEntries(Object.entries(filter).filter(([, v]) => v)) as Filter), {
    onSuccess(page) {
      entries.value = page.items;
    },
  });

  /** Empty values mean "any", so a cleared search box or an "All" option lists everything. */
  function setFilter(next: Filter): Promise<unknown> {
    Object.assign(filter, { kind: next.kind || undefined, topic: next.topic || undefined, language: next.language || undefined, q: next.q?.trim() || undefined });
    return list.run();
  }

  /** Creates the entry, or replaces it when `id` is given; the saved entry goes to the top, as the server orders them. */
  async function save(input: KnowledgeInput, id?: string): Promise<KnowledgeEntry> {
    const saved = id ? await knowledgeApi.updateKnowledge(id, input) : await knowledgeApi.createKnowledge(input);
    entries.value = [saved, ...entries.value.filter((e) => e.id !== saved.id)];
    return saved;
  }

  async function remove(id: string): Promise<void> {
    await knowledgeApi.deleteKnowledge(id);
    entries.value = entries.value.filter((e) => e.id !== id);
  }

  /** Imports a file's text; the list is reloaded so replaced entries show their new text. */
  async function importFile(body: KnowledgeImport): Promise<KnowledgeImportResult> {
    lastImport.value = null;
    const result = await knowledgeApi.importKnowledge(body);
    lastImport.value = result;
    await list.run();
    return result;
  }

  return { entries, filter, lastImport, loading: toRef(list, 'busy'), error: toRef(list, 'error'), load: list.run, setFilter, save, remove, importFile };
});
