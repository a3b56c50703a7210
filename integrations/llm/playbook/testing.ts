import type { CatalogTool, Product } from '../../../domain/catalog';
import type { ChatMessage } from '../../../domain/conversation';
import { emptyLeadProfile } from '../../../domain/lead';
import { emptyKnowledge, type KnowledgeEntryInput, type KnowledgeTool } from '../../../domain/knowledge';
import type { Playbook } from '../../../domain/playbook';
import { demoCatalog, demoKnowledge, demoPlaybook } from '../../../db/demo-data';
import { fold } from './language';
import type { AgentContext } from '../provider';

/**
 * Searches like the Postgres catalog (db/queries/catalog.ts): every word of
 * three letters or more may match name, description or tags as a substring,
 * ranked by how many words matched.
 */
export function memoryCatalog(products: Product[] = demoCatalog): CatalogTool {
  const items = products.map((p) => ({ ...p, tags: [...p.tags] }));
  const byName = (a: Product, b: Product) => a.name.localeCompare(b.name, 'en');
  return {
    async search(query, limit = 5) {
      const words = query.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 2);
      if (!words.length) return [...items].sort(byName).slice(0, limit);
      return items
        .map((p) => {
          const haystack = `${p.name} ${p.description} ${JSON.stringify(p.tags)}`.toLowerCase();
          return { p, hits: words.filter((w) => haystack.includes(w)).length };
        })
        .filter((r) => r.hits > 0)
        .sort((a, b) => b.hits - a.hits || byName(a.p, b.p))
        .slice(0, limit)
        .map((r) => r.p);
    },
    async get(sku) {
      return items.find((p) => p.sku === sku) ?? null;
    },
    async list() {
      return [...items].sort(byName);
    },
  };
}

/**
 * Searches roughly like the Postgres knowledge search (db/queries/knowledge.ts)
 * falls back to: the question's words of three letters or more, cut to five
 * letters, matched as prefixes of the entry's words; an entry must share half
 * of them with one in its title, and ranks by the share. Only entries in the
 * asked language.
 */
export function memoryKnowledge(entries: KnowledgeEntryInput[] = demoKnowledge): KnowledgeTool {
  const terms = (text: string) => [...new Set(fold(text).split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 3).map((w) => w.slice(0, 5)))];
  const has = (text: string, term: string) => fold(text).split(/[^\p{L}\p{N}]+/u).some((w) => w.startsWith(term));
  return {
    async search(query, opts = {}) {
      const asked = terms(query);
      if (!asked.length) return [];
      return entries
        .map((e, i) => {
          const matched = asked.filter((t) => has(`${e.title} ${e.body}`, t)).length;
          const inTitle = asked.some((t) => has(e.title, t));
          return { e, i, rank: matched / asked.length, inTitle };
        })
        .filter((r) => (!opts.language || r.e.language === opts.language) && r.inTitle && r.rank >= 0.5)
        .sort((a, b) => b.rank - a.rank || a.i - b.i)
        .slice(0, opts.limit ?? 3)
        .map((r) => ({ id: `k${r.i}`, title: r.e.title, answer: r.e.body, source: r.e.kind, rank: r.rank }));
    },
  };
}

/** Demo catalog with some products changed, e.g. `{ 'TENT-TB2': { priceMinor: 19_900 } }`. */
export function withChanges(changes: Record<string, Partial<Product>>): Product[] {
  return demoCatalog.map((p) => ({ ...p, ...changes[p.sku] }));
}

let messageCounter = 0;

export const customer = (text: string, at = '2025-05-01T10:00:00.000Z'): ChatMessage => ({ id: `m${++messageCounter}`, from: 'customer', text, at });
export const bot = (text: string, at = '2025-05-01T09:59:00.000Z'): ChatMessage => ({ id: `b${++messageCounter}`, from: 'bot', text, at });

/** One customer turn for the demo merchant in a fresh web-chat conversation; override anything. */
export function agentContext(
  text: string,
  overrides: Partial<Omit<AgentContext, 'message'>> & { playbook?: Playbook; catalog?: CatalogTool } = {},
): AgentContext {
  return {
    merchantId: 'demo',
    conversationId: 'lead:demo:webchat:t1',
    channel: 'webchat',
    language: 'en',
    stage: 'new',
    lead: emptyLeadProfile(),
    score: 0,
    summary: '',
    recent: [],
    message: { id: 'msg-1', from: 'customer', text, at: '2025-05-01T10:00:00.000Z' },
    objectionCount: 0,
    pendingPayment: null,
    playbook: demoPlaybook,
    catalog: memoryCatalog(),
    knowledge: emptyKnowledge,
    ...overrides,
  };
}
