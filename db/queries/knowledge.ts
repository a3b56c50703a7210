import type { KnowledgeEntry, KnowledgeEntryInput, KnowledgeHit, KnowledgeKind, KnowledgeTool, KnowledgeTopic } from '../../domain/knowledge';
import type { Language } from '../../domain/language';
import type { Db } from '../knex';
import { TURKISH_FOLD } from '../migrations/010_knowledge';
import { recordAudit, type AuditEntry } from './audit';

/** A row of `knowledge_entries` (without the generated `search` column, which is never read back). */
interface KnowledgeRow {
  id: string;
  merchantId: string;
  kind: KnowledgeKind;
  title: string;
  body: string;
  language: Language;
  topics: KnowledgeTopic[];
  createdAt: Date;
  updatedAt: Date;
}


const toEntry = (r: KnowledgeRow): KnowledgeEntry => ({
  id: r.id,
  kind: r.kind,
  title: r.title,
  body: r.body,
  language: r.language,
  topics: r.topics,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

const entries = (db: Db) => db<KnowledgeRow>('knowledge_entries');

/**
 * One lexeme of the fallback query as a term. The longer ones (every Turkish
 * one: "gün" must find "günü") match as prefixes; short English ones stay exact, or "go" would match every "good". `weight`
 * 'A' limits the term to titles. Built from lexemes and cast without
 * normalising again: stemming a stem can change it.
 */
const termSql = (lexeme: string, weight = '') => `(quote_literal(${lexeme}) || case when length(${lexeme}) >= 4 or lx.language = 'tr' then ':*' else ':' end || '${weight}')`;

/**
 * Below this a hit shares little more than a common word with the question; the agent must not answer from it.
 * Cover density falls with the distance between the words, so a right answer whose words sit far apart in a
 * FAQ ("Are you open on Sundays?" against the opening hours, "Kredi kartına taksit var mı?") ranks near 0.03.
 */
export const MIN_KNOWLEDGE_RANK = 0.02;
const MAX_ANSWER_CHARS = 1200;

interface HitRow {
  id: string;
  kind: KnowledgeKind;
  title: string;
  passage: string;
  rank: number;
}

/**
 * Ranked full-text search over one merchant's entries, each in its own
 * language's configuration (`ts_rank_cd`, titles weighing more than bodies).
 *
 * The AND query (websearch syntax: quotes, `or`, `-`) is tried first. Only
 * when no entry matches it, the question's lexemes are OR-ed, so "delivery
 * time?" still finds "How long does delivery take?". A loose hit must share
 * half of the question's words with one of them in its title, or two thirds
 * anywhere, and ranks by that share first: one common word ("number" in "your
 * order number") is not an answer to "what is your phone number?". Words of
 * one or two letters (Turkish question particles: "mu", "mı") do not count.
 * Turkish fallback terms are the first five letters of each word (not a stop
 * word, Turkish letters folded) as a prefix, matched against the unstemmed words stored beside the
 * stems (010_knowledge): the snowball stemmer cuts "günü" to "g" and "iade" to
 * "ia", while truncation to five letters is a known, effective stemmer for
 * Turkish retrieval (Can et al., "Information retrieval on Turkish texts",
 * JASIST 2008).
 *
 * A document answers with its best-matching paragraph, a FAQ with its answer.
 * `language` restricts to entries in that language, so an answer is never
 * given in a language the conversation is not in.
 */
export async function searchKnowledge(
  db: Db,
  merchantId: string,
  text: string,
  opts: { language?: Language; limit?: number; minRank?: number } = {},
): Promise<KnowledgeHit[]> {
  const limit = Math.min(Math.max(opts.limit ?? 3, 1), 20);
  const minRank = opts.minRank ?? MIN_KNOWLEDGE_RANK;
  // "doesn't" would become the lexeme 'doesn', which no entry contains; "does not" is two stop words.
  const trimmed = text.trim().slice(0, 500).replace(/n['’]t\b/gi, ' not');
  if (!trimmed) return [];
  const { rows } = (await db.raw(
    `
    with lx as (
      select v.language,
             websearch_to_tsquery(v.config, :text) as strict_query,
             case v.language
               when 'tr' then array(
                 select distinct left(w, 5) from unnest(tsvector_to_array(to_tsvector('simple', ${TURKISH_FOLD(':text')}))) as w
                 where length(w) >= 3 and to_tsvector('turkish', w) <> ''::tsvector
               )
               else array(select distinct l from unnest(tsvector_to_array(to_tsvector(v.config, :text))) as l where length(l) >= 3)
             end as lexemes
      from (values ('en', 'english'::regconfig), ('tr', 'turkish'::regconfig)) as v(language, config)
    ), scored as (
      select e.id, e.kind, e.title, e.body, e.language, e.search, lx.strict_query,
             e.search @@ lx.strict_query as strict,
             cardinality(lx.lexemes) as total,
             (select count(*) from unnest(lx.lexemes) as l where e.search @@ ${termSql('l')}::tsquery) as matched,
             (select count(*) from unnest(lx.lexemes) as l where e.search @@ ${termSql('l', 'A')}::tsquery) as in_title,
             (select coalesce(string_agg(${termSql('l')}, ' | '), '')::tsquery from unnest(lx.lexemes) as l) as loose_query
      from knowledge_entries e join lx on lx.language = e.language
      where e.merchant_id = :merchantId and (cast(:language as text) is null or e.language = cast(:language as text))
    ), candidates as (
      select s.*, case when s.strict then s.strict_query else s.loose_query end as used_query
      from scored s
      where s.strict or (
        not exists (select 1 from scored t where t.strict)
        and s.total > 0
        and ((s.matched * 2 >= s.total and s.in_title > 0) or s.matched * 3 >= s.total * 2)
      )
    )
    select c.id, c.kind, c.title,
           ts_rank_cd(c.search, c.used_query, 32) * (case when c.strict then 1 else c.matched::float / c.total end) as rank,
           case when c.kind = 'document' then coalesce((
             select p from regexp_split_to_table(c.body, '\\n\\s*\\n') as p
             where btrim(p) <> ''
             order by ts_rank_cd(case when c.language = 'tr' then to_tsvector('turkish', p) || to_tsvector('simple', ${TURKISH_FOLD('p')}) else to_tsvector('english', p) end, c.used_query) desc
             limit 1
           ), c.body) else c.body end as passage
    from candidates c
    order by c.strict desc, c.matched desc, rank desc, c.id
    limit :limit
    `,
    { merchantId, text: trimmed, language: opts.language ?? null, limit: 50 },
  )) as { rows: HitRow[] };
  return rows
    .map((r) => ({ ...r, rank: Number(r.rank) }))
    .filter((r) => r.rank >= minRank)
    .slice(0, limit)
    .map((r) => ({ id: r.id, title: r.title, answer: r.passage.trim().slice(0, MAX_ANSWER_CHARS), source: r.kind, rank: r.rank }));
}

/** What the agent sees: one merchant's knowledge, searched in Postgres. */
export function createDbKnowledge(db: Db, merchantId: string): KnowledgeTool {
  return {
    search: (query, opts = {}) => searchKnowledge(db, merchantId, query, opts),
  };
}

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export interface KnowledgeFilter {
  kind?: KnowledgeKind;
  topic?: KnowledgeTopic;
  language?: Language;
  q?: string;
  limit: number;
}

/**
 * The merchant's entries for the dashboard. `q` matches by full text (so
 * "deliveries" finds "delivery") or as a plain substring of title or body
 * (so a half-typed word finds something too); full-text matches come first.
 */
export async function listKnowledge(db: Db, merchantId: string, f: KnowledgeFilter): Promise<KnowledgeEntry[]> {
  const query = entries(db).select('*').where({ merchantId });
  if (f.kind) query.andWhere({ kind: f.kind });
  if (f.language) query.andWhere({ language: f.language });
  if (f.topic) query.andWhereRaw('? = any(topics)', [f.topic]);
  const q = f.q?.trim();
  if (q) {
    const tsquery = `websearch_to_tsquery(case language when 'tr' then 'turkish'::regconfig else 'english'::regconfig end, ?)`;
    query.andWhere((w) => w.whereRaw(`search @@ ${tsquery}`, [q]).orWhereILike('title', likePattern(q)).orWhereILike('body', likePattern(q)));
    query.orderByRaw(`ts_rank_cd(search, ${tsquery}) desc`, [q]);
  }
  const rows = await query.orderBy([{ column: 'updatedAt', order: 'desc' }, { column: 'id' }]).limit(f.limit);
  return rows.map(toEntry);
}

export async function getKnowledgeEntry(db: Db, merchantId: string, id: string): Promise<KnowledgeEntry | null> {
  const row = await entries(db).select('*').where({ merchantId, id }).first();
  return row ? toEntry(row) : null;
}

const toColumns = (input: KnowledgeEntryInput) => ({
  kind: input.kind,
  title: input.title,
  body: input.body,
  language: input.language,
  topics: [...new Set(input.topics)],
});

/** Creates an entry and records who did it, in one transaction. */
export async function createKnowledgeEntry(db: Db, merchantId: string, input: KnowledgeEntryInput, audit: AuditEntry): Promise<KnowledgeEntry> {
  return db.transaction(async (trx) => {
    const [row] = (await entries(trx)
      .insert({ merchantId, ...toColumns(input) })
      .returning('*')) as KnowledgeRow[];
    if (!row) throw new Error('insert into knowledge_entries returned no row');
    await recordAudit(trx, { ...audit, target: row.id });
    return toEntry(row);
  });
}

/** Replaces an entry's fields; null (and nothing recorded) when the merchant has no such entry. */
export async function updateKnowledgeEntry(
  db: Db,
  merchantId: string,
  id: string,
  input: KnowledgeEntryInput,
  audit: AuditEntry,
): Promise<KnowledgeEntry | null> {
  return db.transaction(async (trx) => {
    const [row] = (await entries(trx)
      .where({ merchantId, id })
      .update({ ...toColumns(input), updatedAt: trx.fn.now() })
      .returning('*')) as KnowledgeRow[];
    if (!row) return null;
    await recordAudit(trx, { ...audit, target: id });
    return toEntry(row);
  });
}

export async function deleteKnowledgeEntry(db: Db, merchantId: string, id: string, audit: AuditEntry): Promise<boolean> {
  return db.transaction(async (trx) => {
    if (!((await entries(trx).where({ merchantId, id }).delete()) > 0)) return false;
    await recordAudit(trx, { ...audit, target: id });
    return true;
  });
}

/**
 * Imports entries: one with the same language and title (ignoring case) as an
 * existing entry replaces it, so importing a corrected file twice does not
 * duplicate it; the rest are created. One transaction and one audit entry.
 */
export async function importKnowledge(
  db: Db,
  merchantId: string,
  list: KnowledgeEntryInput[],
  audit: AuditEntry,
): Promise<{ created: number; updated: number }> {
  return db.transaction(async (trx) => {
    let created = 0;
    let updated = 0;
    for (const input of list) {
      const existing = await entries(trx)
        .select('id')
        .where({ merchantId, language: input.language })
        .andWhereRaw('lower(title) = lower(?)', [input.title])
        .orderBy('createdAt')
        .first();
      if (existing) {
        await entries(trx)
          .where({ merchantId, id: existing.id })
          .update({ ...toColumns(input), updatedAt: trx.fn.now() });
        updated++;
      } else {
        await entries(trx).insert({ merchantId, ...toColumns(input) });
        created++;
      }
    }
    await recordAudit(trx, { ...audit, details: { created, updated, ...audit.details } });
    return { created, updated };
  });
}

/**
 * Seeds a knowledge base (the demo shop) once: only while the merchant has no
 * entries, so what the merchant edits or deletes stays as they left it across
 * restarts. The advisory lock keeps two processes starting together from both seeding.
 */
export async function seedKnowledge(db: Db, merchantId: string, list: KnowledgeEntryInput[]): Promise<void> {
  await db.transaction(async (trx) => {
    await trx.raw("select pg_advisory_xact_lock(hashtext('knowledge-seed:' || ?))", [merchantId]);
    if (await entries(trx).where({ merchantId }).first('id')) return;
    if (list.length) await entries(trx).insert(list.map((input) => ({ merchantId, ...toColumns(input) })));
  });
}
