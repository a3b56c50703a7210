import type { CatalogTool, Product } from '../../domain/catalog';
import type { Db } from '../knex';
import { recordAudit, type AuditEntry } from './audit';

/** A row of `products`: the merchant's catalog, which the agent quotes from and checkouts price from. */
interface ProductRow {
  merchantId: string;
  sku: string;
  name: string;
  description: string;
  priceMinor: number;
  currency: string;
  stock: number;
  /** Held by open checkouts (order_items with a `held` reservation). */
  reserved: number;
  tags: string[];
  active: boolean;
  updatedAt: Date;
}

/** A catalog entry as the merchant manages it: the agent's `Product` plus whether it is offered. */
export interface CatalogItem extends Product {
  active: boolean;
  updatedAt: string;
  /** Held by open payment links; `available` = stock − reserved is what can still be sold. */
  reserved: number;
  available: number;
}

const toProduct = (r: ProductRow): Product => ({
  sku: r.sku,
  name: r.name,
  description: r.description,
  priceMinor: r.priceMinor,
  currency: r.currency,
  // The agent and the checkout see what can still be sold: items held by open payment links are not offered again.
  stock: Math.max(0, r.stock - (r.reserved ?? 0)),
  tags: r.tags,
});

const toItem = (r: ProductRow): CatalogItem => ({
  ...toProduct(r),
  stock: r.stock,
  reserved: r.reserved ?? 0,
  available: Math.max(0, r.stock - (r.reserved ?? 0)),
  active: r.active,
  updatedAt: r.updatedAt.toISOString(),
});

const products = (db: Db) => db<ProductRow>('products');

/** What the agent sees: offered products only. */
export function createDbCatalog(db: Db, merchantId: string): CatalogTool {
  const base = () => products(db).where({ merchantId, active: true });
  return {
    async search(query, limit = 5) {
      const words = query.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 2);
      if (!words.length) return (await base().orderBy('name').limit(limit)).map(toProduct);
      // Any word may match name, description or a tag; rank by how many words matched.
      const rows = (await base()
        .select('*')
        .select(
          db.raw(
            `(${words.map(() => `(CASE WHEN lower(name || ' ' || description || ' ' || tags::text) LIKE ? THEN 1 ELSE 0 END)`).join(' + ')}) AS hits`,
            words.map((w) => `%${w}%`),
          ),
        )
        .orderBy([{ column: 'hits', order: 'desc' }, 'name'])
        .limit(50)) as (ProductRow & { hits: number })[];
      return rows
        .filter((r) => r.hits > 0)
        .slice(0, limit)
        .map(toProduct);
    },
    async get(sku) {
      const row = await base().where({ sku }).first();
      return row ? toProduct(row) : null;
    },
    async list() {
      return (await base().orderBy('name')).map(toProduct);
    },
  };
}

const toInsert = (db: Db, merchantId: string, p: Product & { active: boolean }) => ({
  merchantId,
  sku: p.sku,
  name: p.name,
  description: p.description,
  priceMinor: p.priceMinor,
  currency: p.currency,
  stock: p.stock,
  tags: JSON.stringify(p.tags),
  active: p.active,
  updatedAt: db.fn.now(),
});

/**
 * Seeds products (the demo shop, tests, the bench): replaces their fields but
 * leaves whether they are offered and when they changed as they were.
 */
export async function upsertProducts(db: Db, merchantId: string, list: Product[]): Promise<void> {
  if (!list.length) return;
  await db('products')
    .insert(list.map((p) => ({ merchantId, sku: p.sku, name: p.name, description: p.description, priceMinor: p.priceMinor, currency: p.currency, stock: p.stock, tags: JSON.stringify(p.tags) })))
    .onConflict(['merchantId', 'sku'])
    .merge();
}

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function listProducts(db: Db, merchantId: string, opts: { q?: string; limit: number; includeInactive: boolean }): Promise<CatalogItem[]> {
  const query = products(db).where({ merchantId });
  if (!opts.includeInactive) query.andWhere({ active: true });
  const q = opts.q?.trim();
  if (q) {
    const pattern = likePattern(q);
    query.andWhere((w) => w.whereILike('sku', pattern).orWhereILike('name', pattern).orWhereILike('description', pattern));
  }
  const rows = await query.orderBy([{ column: 'name' }, { column: 'sku' }]).limit(opts.limit);
  return rows.map(toItem);
}

/**
 * Creates or replaces one product and records who did it, in one
 * transaction; `created` tells the two apart (Postgres leaves xmax at 0 on a
 * fresh insert) and is added to the audit entry's details.
 */
export async function saveProduct(
  db: Db,
  merchantId: string,
  product: Product & { active: boolean },
  audit: AuditEntry,
): Promise<{ product: CatalogItem; created: boolean }> {
  return db.transaction(async (trx) => {
    const [row] = (await trx('products')
      .insert(toInsert(trx, merchantId, product))
      .onConflict(['merchantId', 'sku'])
      .merge()
      .returning(['*', trx.raw('(xmax = 0) as created')])) as (ProductRow & { created: boolean })[];
    if (!row) throw new Error('upsert into products returned no row');
    await recordAudit(trx, { ...audit, details: { created: row.created, ...audit.details } });
    return { product: toItem(row), created: row.created };
  });
}

/** Deletes the product and records who did it; false (and nothing recorded) when it does not exist. */
export async function deleteProduct(db: Db, merchantId: string, sku: string, audit: AuditEntry): Promise<boolean> {
  return db.transaction(async (trx) => {
    if (!((await products(trx).where({ merchantId, sku }).delete()) > 0)) return false;
    await recordAudit(trx, audit);
    return true;
  });
}

/**
 * Bulk upsert for imports. Unlike `upsertProducts` it also marks the rows as
 * offered again and stamps `updatedAt`, so importing a file means "these are
 * what we sell". Skus must be unique within one call.
 */
export async function importProducts(db: Db, merchantId: string, list: Product[]): Promise<void> {
  if (!list.length) return;
  await db('products')
    .insert(list.map((p) => toInsert(db, merchantId, { ...p, active: true })))
    .onConflict(['merchantId', 'sku'])
    .merge();
}
