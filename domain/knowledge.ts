import { z } from 'zod';
import { LanguageSchema, type Language } from './language';

/**
 * What the merchant knows and the catalog does not: shipping, returns,
 * warranty, payment, opening hours, stores. The agent answers such questions
 * only from these entries, so a policy is never invented.
 */
export const KnowledgeKindSchema = z.enum(['faq', 'document']);
export type KnowledgeKind = z.infer<typeof KnowledgeKindSchema>;

export const KnowledgeTopics = ['shipping', 'returns', 'warranty', 'payment', 'hours', 'locations', 'other'] as const;
export const KnowledgeTopicSchema = z.enum(KnowledgeTopics);
export type KnowledgeTopic = z.infer<typeof KnowledgeTopicSchema>;

/**
 * An entry as the merchant writes it. For a FAQ `title` is the question and
 * `body` the answer; for a document `title` names it and `body` is the longer
 * text, split into passages when searched.
 */
export const KnowledgeEntryInputSchema = z
  .object({
    kind: KnowledgeKindSchema,
    title: z.string().trim().min(1).max(300),
    body: z.string().trim().min(1).max(20_000),
    language: LanguageSchema,
    topics: z.array(KnowledgeTopicSchema).max(KnowledgeTopics.length).default([]),
  })
  .strict();
export type KnowledgeEntryInput = z.infer<typeof KnowledgeEntryInputSchema>;

export interface KnowledgeEntry extends KnowledgeEntryInput {
  id: string;
  createdAt: string;
  updatedAt: string;
}

/** One search result: a FAQ's answer, or the best passage of a document. */
export interface KnowledgeHit {
  id: string;
  title: string;
  answer: string;
  source: KnowledgeKind;
  rank: number;
}

/** How agents read the merchant's knowledge; providers call it as a tool, the offline playbook directly. */
export interface KnowledgeTool {
  search(query: string, opts?: { language?: Language; limit?: number }): Promise<KnowledgeHit[]>;
}

/** A knowledge base with nothing in it, for contexts with no merchant data (tests of other parts, benches). */
export const emptyKnowledge: KnowledgeTool = { search: async () => [] };
