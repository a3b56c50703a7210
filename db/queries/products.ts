import type { Product } from '../../domain/catalog';
import type { Db } from '../knex';
import { toProduct, type ProductRow } from './catalog';

/** A catalog entry as the merchant manages it: the agent's `Product` plus whether it is offered. */
export interface CatalogItem extends Product {
  active: boolean;
  updatedAt: string;
}

type ManagedRow = ProductRow & { active: boolean; updated_at: Date | string };

const toItem = (r: ManagedRow): CatalogItem => ({ ...toProduct(r), active: r.active, updatedAt: new Date(r.updated_at).toISOString() });

const toRow = (db: Db, merchantId: string, p: Product & { active: boolean }) => ({
  merchant_id: merchantId,
  sku: p.sku,
  name: p.name,
  description: p.description,
  price_minor: p.priceMinor,
  currency: p.currency,
  stock: p.stock,
  tags: JSON.stringify(p.tags),
  active: p.active,
  updated_at: db.fn.now(),
});

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function listProducts(db: Db, merchantId: string, opts: { q?: string; limit: number; includeInactive: boolean }): Promise<CatalogItem[]> {
  const query = db('products').where({ merchant_id: merchantId });
  if (!opts.includeInactive) query.andWhere({ active: true });
  const q = opts.q?.trim();
  if (q) {
    const pattern = likePattern(q);
    query.andWhere((w) => w.whereILike('sku', pattern).orWhereILike('name', pattern).orWhereILike('description', pattern));
  }
  const rows = (await query.orderBy([{ column: 'name' }, { column: 'sku' }]).limit(opts.limit)) as ManagedRow[];
  return rows.map(toItem);
}


/** Creates or replaces one product; `created` tells the two apart (Postgres leaves xmax at 0 on a fresh insert). */
export async function saveProduct(db: Db, merchantId: string, product: Product & { active: boolean }): Promise<{ product: CatalogItem; created: boolean }> {
  const [row] = (await db('products')
    .insert(toRow(db, merchantId, product))
    .onConflict(['merchant_id', 'sku'])
    .merge()
    .returning(['*', db.raw('(xmax = 0) as created')])) as (ManagedRow & { created: boolean })[];
  if (!row) throw new Error('upsert into products returned no row');
  return { product: toItem(row), created: row.created };
}

export async function deleteProduct(db: Db, merchantId: string, sku: string): Promise<boolean> {
  return (await db('products').where({ merchant_id: merchantId, sku }).delete()) > 0;
}

/**
 * Bulk upsert for imports. Unlike the demo seeding helper it also marks the
 * rows as offered again and stamps `updated_at`, so importing a file means
 * "these are what we sell". Skus must be unique within one call.
 */
export async function importProducts(db: Db, merchantId: string, products: Product[]): Promise<void> {
  if (!products.length) return;
  await db('products')
    .insert(products.map((p) => toRow(db, merchantId, { ...p, active: true })))
    .onConflict(['merchant_id', 'sku'])
    .merge();
}
