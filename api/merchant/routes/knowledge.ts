import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import {
  createKnowledgeEntry,
  deleteKnowledgeEntry,
  getKnowledgeEntry,
  importKnowledge,
  listKnowledge,
  updateKnowledgeEntry,
} from '../../../db/queries/knowledge';
import { KnowledgeKindSchema, KnowledgeTopics, KnowledgeTopicSchema, type KnowledgeEntryInput, type KnowledgeTopic } from '../../../domain/knowledge';
import { LanguageSchema, type Language } from '../../../domain/language';
import { HttpError, notFound } from '../../errors';
import { auditEntry, type MerchantApiDeps } from '../deps';
import { route, type RouteSpec } from '../route';

const MAX_TITLE = 300;
const MAX_BODY = 20_000;
const MAX_IMPORT_ENTRIES = 500;
// The JSON body limit of the API (64 kB) bounds it too; this keeps the message about the file.
const MAX_IMPORT_CHARS = 60_000;
const TOPIC_LIST = KnowledgeTopics.join(', ');

const Topic = z.enum(KnowledgeTopics, { error: `must be one of ${TOPIC_LIST}` });

const KnowledgeBody = z.strictObject({
  kind: KnowledgeKindSchema.describe('faq: title is the question and body the answer; document: a longer text, searched paragraph by paragraph'),
  title: z.string().trim().min(1, 'must not be empty').max(MAX_TITLE, `must be at most ${MAX_TITLE} characters`),
  body: z.string().trim().min(1, 'must not be empty').max(MAX_BODY, `must be at most ${MAX_BODY} characters`),
  language: LanguageSchema.describe('The language the entry is written in; it is searched with that language\'s stemming and only answers conversations in it'),
  topics: z.array(Topic).max(KnowledgeTopics.length).default([]),
});

const KnowledgeEntrySchema = z.object({
  id: z.uuid(),
  kind: KnowledgeKindSchema,
  title: z.string(),
  body: z.string(),
  language: LanguageSchema,
  topics: z.array(KnowledgeTopicSchema),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

const KnowledgeQuery = z.object({
  kind: KnowledgeKindSchema.optional(),
  topic: Topic.optional(),
  language: LanguageSchema.optional(),
  q: z.string().max(200, 'must be at most 200 characters').optional().describe('Full-text search over title and body (also matches plain substrings)'),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

const EntryParams = z.object({ entryId: z.uuid('must be an entry id (a UUID)') });

const ImportBody = z.strictObject({
  format: z.enum(['csv', 'markdown']).describe('csv: a header row naming question, answer and optionally topic; markdown: every "## heading" starts an entry'),
  content: z.string().min(1, 'must not be empty').max(MAX_IMPORT_CHARS, `must be at most ${MAX_IMPORT_CHARS} characters; split the file`),
  language: LanguageSchema,
  topic: Topic.optional().describe('Given to entries whose row names no topic'),
});

const ImportError = z.object({ line: z.number().int().describe('Line of the file the entry starts on'), message: z.string() });
const ImportResultSchema = z.object({
  created: z.number().int(),
  updated: z.number().int().describe('Entries with the same language and title (ignoring case) that were replaced'),
  errors: z.array(ImportError).describe('Rows that were skipped, and why'),
});

type ParsedRow = { line: number; entry: KnowledgeEntryInput } | { line: number; message: string };

const EXAMPLE_CSV = 'question,answer,topic\nHow long does delivery take?,Delivery takes 2-4 business days within Turkey.,shipping\n';

/** Problems with an entry's text, phrased for a row of an import. */
function checkText(title: string, body: string, titleName: string, bodyName: string): string[] {
  const problems: string[] = [];
  if (!title) problems.push(`${titleName}: is empty`);
  else if (title.length > MAX_TITLE) problems.push(`${titleName}: is longer than ${MAX_TITLE} characters`);
  if (!body) problems.push(`${bodyName}: is empty`);
  else if (body.length > MAX_BODY) problems.push(`${bodyName}: is longer than ${MAX_BODY} characters`);
  return problems;
}

function topicsOf(cell: string, fallback: KnowledgeTopic | undefined): { topics: KnowledgeTopic[] } | { error: string } {
  const names = [...new Set(cell.split('|').map((t) => t.trim().toLowerCase()).filter(Boolean))];
  if (!names.length) return { topics: fallback ? [fallback] : [] };
  const unknown = names.find((n) => !(KnowledgeTopics as readonly string[]).includes(n));
  if (unknown) return { error: `topic: "${unknown}" is not one of ${TOPIC_LIST}` };
  return { topics: names as KnowledgeTopic[] };
}

/** Spreadsheets in comma-decimal locales (Turkish Excel among them) save CSV with ";" between fields. */
function delimiterOf(text: string): string {
  const header = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/, 1)[0] ?? '';
  for (const d of [',', ';', '\t']) if (header.includes(d)) return d;
  return ',';
}

const newlines = (field: string) => field.match(/\r\n|\n|\r/g)?.length ?? 0;
const CSV_COLUMNS = ['question', 'answer', 'topic'];

/** FAQ rows from CSV: a header naming question and answer (and optionally topic), in any order. */
export function parseKnowledgeCsv(text: string, language: Language, topic?: KnowledgeTopic): ParsedRow[] {
  const delimiter = delimiterOf(text);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, delimiter, relax_column_count: true, skip_empty_lines: true, info: true }) as unknown as typeof records;
  } catch (err) {
    throw new HttpError(400, 'invalid_request', `The CSV file could not be read: ${(err as Error).message}`, [{ path: 'content', message: (err as Error).message }]);
  }
  records = records.filter((r) => r.record.some((f) => f.trim() !== ''));
  const [header, ...data] = records;
  const names = header?.record.map((h) => h.trim().toLowerCase()) ?? [];
  const unknown = names.find((n) => !CSV_COLUMNS.includes(n));
  const missing = ['question', 'answer'].filter((c) => !names.includes(c));
  if (!header || unknown !== undefined || missing.length || new Set(names).size !== names.length) {
    const why = !header ? 'is empty' : unknown !== undefined ? `names an unknown column "${unknown}"` : missing.length ? `lacks ${missing.join(' and ')}` : 'names a column twice';
    const message = `The first row of the CSV file ${why}; it must name the columns question, answer and optionally topic`;
    throw new HttpError(400, 'invalid_request', message, [{ path: 'content', message }]);
  }
  return data.map(({ record, info }) => {
    // csv-parse reports the line a record ends on; quoted fields may span lines.
    const line = info.lines - record.reduce((n, f) => n + newlines(f), 0);
    if (record.length !== names.length) {
      return { line, message: `has ${record.length} fields but the header has ${names.length}; put values that contain "${delimiter}" in double quotes` };
    }
    const cell = (c: string) => (names.includes(c) ? (record[names.indexOf(c)] ?? '').trim() : '');
    const question = cell('question');
    const answer = cell('answer');
    const problems = checkText(question, answer, 'question', 'answer');
    const topics = topicsOf(cell('topic'), topic);
    if ('error' in topics) problems.push(topics.error);
    if (problems.length || 'error' in topics) return { line, message: problems.join('; ') };
    return { line, entry: { kind: 'faq', title: question, body: answer, language, topics: topics.topics } };
  });
}

const FENCE = /^\s{0,3}(```|~~~)/;
const HEADING = /^\s{0,3}##[ \t]+(.*?)[ \t]*#*[ \t]*$/;

/**
 * Entries from Markdown: every level-two heading starts one, its section (up
 * to the next `##`) is the body, kept as Markdown. A heading that asks ("…?")
 * becomes a FAQ entry, any other a document. Text before the first `##` (a
 * `#` title, an introduction) belongs to no entry.
 *
 * No Markdown library: only ATX `##` lines outside fenced code blocks matter
 * here, which is a line scan; a parser would build a whole syntax tree to
 * answer the same question and would not keep the body's own Markdown as written.
 */
export function parseKnowledgeMarkdown(text: string, language: Language, topic?: KnowledgeTopic): ParsedRow[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const sections: { line: number; title: string; body: string[] }[] = [];
  let fenced = false;
  lines.forEach((raw, i) => {
    if (FENCE.test(raw)) fenced = !fenced;
    const heading = fenced ? null : HEADING.exec(raw);
    if (heading) sections.push({ line: i + 1, title: (heading[1] ?? '').trim(), body: [] });
    else sections.at(-1)?.body.push(raw);
  });
  if (!sections.length) {
    const message = 'The Markdown file has no "## " headings; each entry starts with a line "## Title" followed by its text';
    throw new HttpError(400, 'invalid_request', message, [{ path: 'content', message }]);
  }
  return sections.map(({ line, title, body }) => {
    const text = body.join('\n').trim();
    const problems = checkText(title, text, 'heading', 'section');
    if (problems.length) return { line, message: problems.join('; ') };
    return { line, entry: { kind: title.endsWith('?') ? 'faq' : 'document', title, body: text, language, topics: topic ? [topic] : [] } };
  });
}

export function knowledgeRoutes(deps: MerchantApiDeps): RouteSpec[] {
  const { db } = deps;

  return [
    route({
      method: 'get', path: '/knowledge', tag: 'knowledge', access: 'viewer',
      summary: 'List the knowledge base (FAQ entries and documents the agent answers from), newest first or best match first with q',
      query: KnowledgeQuery, responses: { 200: z.object({ items: z.array(KnowledgeEntrySchema) }) },
      async handle({ caller, query }) {
        return { status: 200, body: { items: await listKnowledge(db, caller.merchantId, query) } };
      },
    }),
    route({
      method: 'post', path: '/knowledge', tag: 'knowledge', access: 'admin',
      summary: 'Add a FAQ entry or a document',
      body: KnowledgeBody, responses: { 201: KnowledgeEntrySchema },
      example: { kind: 'faq', title: 'How long does delivery take?', body: 'Delivery takes 2-4 business days within Turkey.', language: 'en', topics: ['shipping'] },
      async handle({ caller, body, req }) {
        const entry = await createKnowledgeEntry(db, caller.merchantId, body, auditEntry(caller, req, 'knowledge.create', null, { kind: body.kind, language: body.language }));
        return { status: 201, body: entry };
      },
    }),
    route({
      method: 'post', path: '/knowledge/import', tag: 'knowledge', access: 'admin',
      summary: `Import entries from CSV (question,answer[,topic]) or Markdown (every "## heading" an entry); an entry with the same language and title replaces the old one. At most ${MAX_IMPORT_ENTRIES} entries.`,
      body: ImportBody,
      responses: { 200: ImportResultSchema, 400: 'The file could not be read, or no entry in it is valid; `details` lists each row\'s problem' },
      example: { format: 'csv', content: EXAMPLE_CSV, language: 'en' },
      async handle({ caller, body, req }) {
        const rows = body.format === 'csv' ? parseKnowledgeCsv(body.content, body.language, body.topic) : parseKnowledgeMarkdown(body.content, body.language, body.topic);
        if (rows.length > MAX_IMPORT_ENTRIES) {
          throw new HttpError(400, 'invalid_request', `The file has ${rows.length} entries; one import takes at most ${MAX_IMPORT_ENTRIES}, so split it`);
        }
        // A title repeated in the file would replace itself; the later row is reported instead.
        const seen = new Map<string, number>();
        const checked = rows.map((r): ParsedRow => {
          if (!('entry' in r)) return r;
          const key = r.entry.title.toLowerCase();
          const first = seen.get(key);
          if (first !== undefined) return { line: r.line, message: `repeats the title on line ${first}` };
          seen.set(key, r.line);
          return r;
        });
        const entries = checked.flatMap((r) => ('entry' in r ? [r.entry] : []));
        const errors = checked.flatMap((r) => ('message' in r ? [{ line: r.line, message: r.message }] : []));
        if (!entries.length) {
          const message = rows.length ? 'No entry in the file is valid; nothing was imported' : 'The file has no entries';
          throw new HttpError(400, 'invalid_request', message, errors.map((e) => ({ path: `content:line ${e.line}`, message: e.message })));
        }
        const counts = await importKnowledge(
          db,
          caller.merchantId,
          entries,
          auditEntry(caller, req, 'knowledge.import', null, { format: body.format, language: body.language, skipped: errors.length }),
        );
        return { status: 200, body: { ...counts, errors } };
      },
    }),
    route({
      method: 'get', path: '/knowledge/:entryId', tag: 'knowledge', access: 'viewer',
      summary: 'One knowledge entry',
      params: EntryParams, responses: { 200: KnowledgeEntrySchema },
      async handle({ caller, params }) {
        const entry = await getKnowledgeEntry(db, caller.merchantId, params.entryId!);
        if (!entry) throw notFound('Knowledge entry');
        return { status: 200, body: entry };
      },
    }),
    route({
      method: 'put', path: '/knowledge/:entryId', tag: 'knowledge', access: 'admin',
      summary: 'Replace a knowledge entry',
      params: EntryParams, body: KnowledgeBody, responses: { 200: KnowledgeEntrySchema },
      example: { kind: 'faq', title: 'How long does delivery take?', body: 'Delivery takes 1-3 business days within Turkey.', language: 'en', topics: ['shipping'] },
      async handle({ caller, params, body, req }) {
        const entry = await updateKnowledgeEntry(db, caller.merchantId, params.entryId!, body, auditEntry(caller, req, 'knowledge.update', params.entryId));
        if (!entry) throw notFound('Knowledge entry');
        return { status: 200, body: entry };
      },
    }),
    route({
      method: 'delete', path: '/knowledge/:entryId', tag: 'knowledge', access: 'admin',
      summary: 'Delete a knowledge entry',
      params: EntryParams, responses: { 204: null },
      async handle({ caller, params, req }) {
        if (!(await deleteKnowledgeEntry(db, caller.merchantId, params.entryId!, auditEntry(caller, req, 'knowledge.delete', params.entryId)))) throw notFound('Knowledge entry');
        return { status: 204 };
      },
    }),
  ];
}
