import { randomUUID } from 'node:crypto';
import type { Db } from '../knex';

export interface ImportError {
  /** The CSV line the row starts on (1 is the header); 0 for problems with the import as a whole. */
  line: number;
  message: string;
}

export type ImportStatus = 'running' | 'done' | 'failed';

export interface ProductImport {
  id: string;
  status: ImportStatus;
  total: number;
  processed: number;
  imported: number;
  errors: ImportError[];
  createdAt: string;
  finishedAt: string | null;
}

interface ImportRow {
  id: string;
  status: ImportStatus;
  total: number;
  processed: number;
  imported: number;
  errors: ImportError[];
  created_at: Date | string;
  finished_at: Date | string | null;
}

const toImport = (r: ImportRow): ProductImport => ({
  id: r.id,
  status: r.status,
  total: r.total,
  processed: r.processed,
  imported: r.imported,
  errors: r.errors,
  createdAt: new Date(r.created_at).toISOString(),
  finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function createImport(db: Db, merchantId: string, total: number): Promise<ProductImport> {
  const [row] = (await db('product_imports')
    .insert({ id: randomUUID(), merchant_id: merchantId, status: 'running', total })
    .returning('*')) as ImportRow[];
  if (!row) throw new Error('insert into product_imports returned no row');
  return toImport(row);
}

/** Null for another merchant's import and for ids that are not uuids, which Postgres would reject. */
export async function getImport(db: Db, merchantId: string, importId: string): Promise<ProductImport | null> {
  if (!UUID.test(importId)) return null;
  const row = (await db('product_imports').where({ id: importId, merchant_id: merchantId }).first()) as ImportRow | undefined;
  return row ? toImport(row) : null;
}

/** Adds one batch's outcome to the running totals. */
export async function recordImportBatch(db: Db, importId: string, batch: { processed: number; imported: number; errors: ImportError[] }): Promise<void> {
  await db('product_imports')
    .where({ id: importId })
    .update({
      processed: db.raw('processed + ?', [batch.processed]),
      imported: db.raw('imported + ?', [batch.imported]),
      errors: db.raw('errors || ?::jsonb', [JSON.stringify(batch.errors)]),
    });
}

export async function finishImport(db: Db, importId: string, status: Exclude<ImportStatus, 'running'>, errors: ImportError[] = []): Promise<void> {
  await db('product_imports')
    .where({ id: importId })
    .update({ status, finished_at: db.fn.now(), errors: db.raw('errors || ?::jsonb', [JSON.stringify(errors)]) });
}

/**
 * Imports run inside the API process, so one still 'running' at start-up was
 * cut off by a restart; say so rather than leave the dashboard waiting. With
 * several API replicas another one may be mid-import: pass `olderThanMs`
 * (a 10,000-row import takes seconds) so only abandoned imports are failed.
 */
export async function failInterruptedImports(db: Db, opts: { olderThanMs?: number } = {}): Promise<number> {
  const error: ImportError = { line: 0, message: 'The server restarted during the import; upload the file again (rows already imported are kept)' };
  const query = db('product_imports').where({ status: 'running' });
  if (opts.olderThanMs) query.andWhere('created_at', '<', new Date(Date.now() - opts.olderThanMs));
  return query.update({ status: 'failed', finished_at: db.fn.now(), errors: db.raw('errors || ?::jsonb', [JSON.stringify([error])]) });
}
