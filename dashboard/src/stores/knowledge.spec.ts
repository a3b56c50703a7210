import { beforeEach, describe, expect, it } from 'vitest';
import type { KnowledgeEntry, KnowledgeInput } from '../api/knowledge';
import { freshStores, type FakeApi } from '../testing/stores';
import { useKnowledgeStore } from './knowledge';

let counter = 0;
const entry = (title: string, over: Partial<KnowledgeEntry> = {}): KnowledgeEntry => ({
  id: `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`,
  kind: 'faq',
  title,
  body: `About ${title}`,
  language: 'en',
  topics: [],
  createdAt: '2026-11-25T10:00:00.000Z',
  updatedAt: '2026-11-25T10:00:00.000Z',
  ...over,
});

describe('knowledge store', () => {
  let api: FakeApi;
  let stored: KnowledgeEntry[];
  beforeEach(() => {
    api = freshStores();
    stored = [entry('Shipping', { topics: ['shipping'] }), entry('Kargo', { language: 'tr', topics: ['shipping'] })];
    // Filters as the server applies them, so the spec checks what the store sends.
    api.on('get', '/api/v1/knowledge', (call) => {
      const language = call.query.get('language');
      const topic = call.query.get('topic');
      return { body: { items: stored.filter((e) => (!language || e.language === language) && (!topic || e.topics.includes(topic as never))) } };
    });
    api.on('post', '/api/v1/knowledge', (call) => {
      const saved = { ...entry('x'), ...(JSON.parse(call.body) as KnowledgeInput) };
      stored = [saved, ...stored];
      return { status: 201, body: saved };
    });
    api.on('put', '/api/v1/knowledge/{entryId}', (call, { entryId }) => {
      const saved = { ...stored.find((e) => e.id === entryId)!, ...(JSON.parse(call.body) as KnowledgeInput), updatedAt: '2026-11-25T11:00:00.000Z' };
      stored = [saved, ...stored.filter((e) => e.id !== entryId)];
      return { body: saved };
    });
  });

  it('sends only the filters that are set, and clears them with empty values', async () => {
    const store = useKnowledgeStore();
    await store.setFilter({ language: 'tr', topic: 'shipping', q: '  ' });
    const [first] = api.callsTo('GET', '/api/v1/knowledge');
    expect(Object.fromEntries(first!.query)).toEqual({ language: 'tr', topic: 'shipping' });
    expect(store.entries.map((e) => e.title)).toEqual(['Kargo']);

    await store.setFilter({ q: 'deliver' });
    expect(Object.fromEntries(api.callsTo('GET', '/api/v1/knowledge')[1]!.query)).toEqual({ q: 'deliver' });
  });

  it('creates an entry and puts it first, then replaces it in place of the old one', async () => {
    const store = useKnowledgeStore();
    await store.load();
    const input: KnowledgeInput = { kind: 'faq', title: 'Returns?', body: '30 days.', language: 'en', topics: ['returns'] };
    const created = await store.save(input);
    expect(JSON.parse(api.callsTo('POST', '/api/v1/knowledge')[0]!.body)).toEqual(input);
    expect(store.entries.map((e) => e.title)).toEqual(['Returns?', 'Shipping', 'Kargo']);

    const updated = await store.save({ ...input, body: '60 days.' }, created.id);
    expect(api.callsTo('PUT', `/api/v1/knowledge/${created.id}`)).toHaveLength(1);
    expect(updated.body).toBe('60 days.');
    expect(store.entries.filter((e) => e.id === created.id).map((e) => e.body)).toEqual(['60 days.']);
    expect(store.entries).toHaveLength(3);
  });

  it('removes an entry only after the server deleted it', async () => {
    const store = useKnowledgeStore();
    await store.load();
    const [victim] = store.entries;
    api.on('delete', '/api/v1/knowledge/{entryId}', () => ({ status: 404, error: { code: 'not_found', message: 'Knowledge entry not found' } }));
    await expect(store.remove(victim!.id)).rejects.toThrow(/not found/);
    expect(store.entries).toHaveLength(2);

    api.on('delete', '/api/v1/knowledge/{entryId}', () => ({ status: 204 }));
    await store.remove(victim!.id);
    expect(store.entries.map((e) => e.id)).not.toContain(victim!.id);
  });

  it('imports a file, keeps the result to show, and reloads the list', async () => {
    const store = useKnowledgeStore();
    await store.load();
    api.on('post', '/api/v1/knowledge/import', (call) => {
      const body = JSON.parse(call.body) as { format: string; content: string; language: 'en' | 'tr' };
      stored = [entry('Imported', { language: body.language }), ...stored];
      return { body: { created: 1, updated: 0, errors: [{ line: 3, message: 'answer: is empty' }] } };
    });
    const result = await store.importFile({ format: 'markdown', content: '## Imported\nText', language: 'en' });
    expect(JSON.parse(api.callsTo('POST', '/api/v1/knowledge/import')[0]!.body)).toEqual({ format: 'markdown', content: '## Imported\nText', language: 'en' });
    expect(result.created).toBe(1);
    expect(store.lastImport?.errors).toEqual([{ line: 3, message: 'answer: is empty' }]);
    expect(store.entries[0]!.title).toBe('Imported');
    expect(api.callsTo('GET', '/api/v1/knowledge')).toHaveLength(2);
  });

  it("a refused import leaves no stale result and surfaces the server's reason", async () => {
    const store = useKnowledgeStore();
    api.on('post', '/api/v1/knowledge/import', () => ({
      status: 400,
      error: { code: 'invalid_request', message: 'No entry in the file is valid; nothing was imported', details: [{ path: 'content:line 2', message: 'answer: is empty' }] },
    }));
    await expect(store.importFile({ format: 'csv', content: 'question,answer\nx,', language: 'en' })).rejects.toThrow(/nothing was imported/);
    expect(store.lastImport).toBeNull();
  });
});
