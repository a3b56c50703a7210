import { randomUUID } from 'node:crypto';
import type { Product } from '../../domain/catalog';
import { publishConversationEvent } from '../events';
import type { Db } from '../knex';
import { recordAudit, type AuditEntry } from './audit';
import { importProducts } from './catalog';

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

/** A row of `product_imports`: one CSV import and its running totals. */
interface ImportRow {
  id: string;
  merchantId: string;
  status: ImportStatus;
  total: number;
  processed: number;
  imported: number;
  errors: ImportError[];
  createdAt: Date;
  finishedAt: Date | null;
}

const toImport = (r: ImportRow): ProductImport => ({
  id: r.id,
  status: r.status,
  total: r.total,
  processed: r.processed,
  imported: r.imported,
  errors: r.errors,
  createdAt: r.createdAt.toISOString(),
  finishedAt: r.finishedAt ? r.finishedAt.toISOString() : null,
});

const imports = (db: Db) => db<ImportRow>('product_imports');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Starts an import and records who started it; the audit entry's target is the new import's id. */
export async function createImport(db: Db, merchantId: string, total: number, audit: Omit<AuditEntry, 'target'>): Promise<ProductImport> {
  return db.transaction(async (trx) => {
    const [row] = (await imports(trx).insert({ id: randomUUID(), merchantId, status: 'running', total }).returning('*')) as ImportRow[];
    if (!row) throw new Error('insert into product_imports returned no row');
    await recordAudit(trx, { ...audit, target: row.id });
    return toImport(row);
  });
}

/** Null for another merchant's import and for ids that are not uuids, which Postgres would reject. */
export async function getImport(db: Db, merchantId: string, importId: string): Promise<ProductImport | null> {
  if (!UUID.test(importId)) return null;
  const row = await imports(db).where({ id: importId, merchantId }).first();
  return row ? toImport(row) : null;
}

/**
 * One batch of an import in one transaction: its products, its outcome added
 * to the running totals, and a live event for the dashboards watching.
 */
export async function importBatch(
  db: Db,
  merchantId: string,
  importId: string,
  batch: { products: Product[]; processed: number; errors: ImportError[] },
): Promise<void> {
  await db.transaction(async (trx) => {
    await importProducts(trx, merchantId, batch.products);
    await trx('product_imports')
      .where({ id: importId })
      .update({
        processed: trx.raw('processed + ?', [batch.processed]),
        imported: trx.raw('imported + ?', [batch.products.length]),
        errors: trx.raw('errors || ?::jsonb', [JSON.stringify(batch.errors)]),
      });
    await publishConversationEvent(trx, { kind: 'import', merchantId, importId });
  });
}

export async function finishImport(db: Db, merchantId: string, importId: string, status: Exclude<ImportStatus, 'running'>, errors: ImportError[] = []): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('product_imports')
      .where({ id: importId })
      .update({ status, finishedAt: trx.fn.now(), errors: trx.raw('errors || ?::jsonb', [JSON.stringify(errors)]) });
    await publishConversationEvent(trx, { kind: 'import', merchantId, importId });
  });
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
  if (opts.olderThanMs) query.andWhere('createdAt', '<', new Date(Date.now() - opts.olderThanMs));
  return query.update({ status: 'failed', finishedAt: db.fn.now(), errors: db.raw('errors || ?::jsonb', [JSON.stringify([error])]) });
}
