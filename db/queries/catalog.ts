import type { CatalogTool, Product } from '../../domain/catalog';
import type { Db } from '../knex';

export interface ProductRow {
  sku: string;
  name: string;
  description: string;
  price_minor: number;
  currency: string;
  stock: number;
  tags: string[];
}

export const toProduct = (r: ProductRow): Product => ({
  sku: r.sku,
  name: r.name,
  description: r.description,
  priceMinor: r.price_minor,
  currency: r.currency,
  stock: r.stock,
  tags: r.tags,
});

export function createDbCatalog(db: Db, merchantId: string): CatalogTool {
  const base = () => db('products').where({ merchant_id: merchantId, active: true });
  return {
    async search(query, limit = 5) {
      const words = query.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 2);
      if (!words.length) return (await base().orderBy('name').limit(limit)).map(toProduct);
      // Any word may match name, description or a tag; rank by how many words matched.
      const rows = await base()
        .select('*')
        .select(
          db.raw(
            `(${words.map(() => `(CASE WHEN lower(name || ' ' || description || ' ' || tags::text) LIKE ? THEN 1 ELSE 0 END)`).join(' + ')}) AS hits`,
            words.map((w) => `%${w}%`),
          ),
        )
        .orderBy([{ column: 'hits', order: 'desc' }, 'name'])
        .limit(50);
      return (rows as (ProductRow & { hits: number })[])
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

export async function upsertProducts(db: Db, merchantId: string, products: Product[]): Promise<void> {
  if (!products.length) return;
  await db('products')
    .insert(
      products.map((p) => ({
        merchant_id: merchantId,
        sku: p.sku,
        name: p.name,
        description: p.description,
        price_minor: p.priceMinor,
        currency: p.currency,
        stock: p.stock,
        tags: JSON.stringify(p.tags),
      })),
    )
    .onConflict(['merchant_id', 'sku'])
    .merge();
}
