import type { Knex } from 'knex';

/**
 * The merchant's knowledge: FAQ entries (title = question, body = answer) and
 * longer documents, each in one language. `search` is generated from the row
 * with the text search configuration of that language, so Turkish entries are
 * stemmed as Turkish and English ones as English; the title weighs more than
 * the body. A generated column cannot go stale the way a trigger-kept one can
 * when someone edits rows by hand.
 */
/** Turkish letters to their plain Latin forms; `translate` is immutable, so a generated column may use it. */
export const TURKISH_FOLD = (sql: string) => `translate(${sql}, 'çğıöşüÇĞİÖŞÜ', 'cgiosuCGIOSU')`;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('knowledge_entries', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.string('merchant_id', 64).notNullable().references('merchants.id').onDelete('CASCADE');
    t.enu('kind', ['faq', 'document']).notNullable();
    t.string('title', 300).notNullable();
    t.text('body').notNullable();
    t.enu('language', ['en', 'tr']).notNullable();
    t.specificType('topics', 'text[]').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['merchant_id', 'language']);
  });
  // The CASE keeps the expression immutable (a generated column requires it): the
  // configuration is a constant per branch, not looked up from a table. Turkish rows
  // also keep the unstemmed words ('simple'), without Turkish letters, since customers
  // often type "surer" for "sürer": the Turkish snowball stemmer cuts "günü" to "g"
  // and "iade" to "ia", so the fallback search matches these words' prefixes instead.
  const vector = (column: string) =>
    `case language when 'tr' then to_tsvector('turkish'::regconfig, ${column}) || to_tsvector('simple'::regconfig, ${TURKISH_FOLD(column)}) else to_tsvector('english'::regconfig, ${column}) end`;
  await knex.raw(`
    alter table knowledge_entries add column search tsvector generated always as (
      setweight(${vector('title')}, 'A') || setweight(${vector('body')}, 'B')
    ) stored
  `);
  await knex.raw('create index knowledge_entries_search_idx on knowledge_entries using gin (search)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('knowledge_entries');
}
