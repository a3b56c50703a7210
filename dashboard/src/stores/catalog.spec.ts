import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Product, ProductImport } from '../api/catalog';
import { freshStores, type FakeApi } from '../testing/stores';
import { useCatalogStore } from './catalog';

const product = (sku: string, over: Partial<Product> = {}): Product => ({
  sku,
  name: `Product ${sku}`,
  description: '',
  priceMinor: 1999,
  currency: 'USD',
  stock: 3,
  reserved: 0,
  available: 3,
  tags: [],
  active: true,
  updatedAt: '2026-11-25T10:00:00.000Z',
  ...over,
});
const progress = (status: ProductImport['status'], processed: number): ProductImport => ({
  id: '7b0e2f8a-1c3d-4e5f-8a9b-0c1d2e3f4a5b',
  status,
  total: 200,
  processed,
  imported: processed,
  errors: [],
  createdAt: '2026-11-25T10:00:00.000Z',
  finishedAt: status === 'running' ? null : '2026-11-25T10:00:05.000Z',
});

describe('catalog store', () => {
  let api: FakeApi;
  let stored: Product[];
  beforeEach(() => {
    api = freshStores();
    stored = [product('b-boot'), product('d-sock')];
    api.on('get', '/api/v1/products', () => ({ body: { items: stored } }));
    api.on('put', '/api/v1/products/{sku}', (call, { sku }) => {
      const saved = { ...product(sku!), ...(JSON.parse(call.body) as Partial<Product>), updatedAt: '2026-11-25T11:00:00.000Z' };
      stored = [...stored.filter((p) => p.sku !== sku), saved];
      return { body: saved };
    });
  });
  afterEach(() => {
    useCatalogStore().clearImport();
    vi.useRealTimers();
  });

  it('saves a product under its SKU and keeps the list in SKU order', async () => {
    const store = useCatalogStore();
    await store.load();
    const saved = await store.save({
      sku: 'a/hat',
      name: 'Hat',
      description: 'Warm',
      priceMinor: 1500,
      currency: 'EUR',
      stock: 7,
      tags: ['winter'],
    });
    expect(api.callsTo('PUT', '/api/v1/products/a%2Fhat')).toHaveLength(1);
    expect(JSON.parse(api.callsTo('PUT', '/api/v1/products/a%2Fhat')[0]!.body)).not.toHaveProperty('sku');
    expect(saved.updatedAt).toBe('2026-11-25T11:00:00.000Z');
    expect(store.products.map((p) => p.sku)).toEqual(['a/hat', 'b-boot', 'd-sock']);

    await store.save({ ...product('d-sock'), name: 'Wool sock' });
    expect(store.products.map((p) => p.name)).toEqual(['Hat', 'Product b-boot', 'Wool sock']);
  });

  it('removes a product only after the server deleted it', async () => {
    const store = useCatalogStore();
    await store.load();
    api.on('delete', '/api/v1/products/{sku}', () => ({ status: 404, error: { code: 'not_found', message: 'No such product' } }));
    await expect(store.remove('b-boot')).rejects.toMatchObject({ status: 404 });
    expect(store.products).toHaveLength(2);
    api.on('delete', '/api/v1/products/{sku}', () => ({ status: 204 }));
    await store.remove('b-boot');
    expect(store.products.map((p) => p.sku)).toEqual(['d-sock']);
  });

  it('sends a CSV import as text/csv and never steps progress backwards', async () => {
    vi.useFakeTimers();
    const store = useCatalogStore();
    api.on('post', '/api/v1/products/imports', () => ({ status: 202, body: progress('running', 0) }));
    api.on('get', '/api/v1/products/imports/{importId}', () => ({ body: progress('running', 50) }));

    await store.startImport(new Blob(['sku,name,price,currency\nz-cap,Cap,9.99,USD\n']));
    const upload = api.callsTo('POST', '/api/v1/products/imports')[0]!;
    expect(upload.headers.get('content-type')).toBe('text/csv');
    expect(upload.body).toContain('z-cap,Cap');

    store.applyImport(progress('running', 120));
    store.applyImport(progress('running', 80));
    expect(store.currentImport?.processed).toBe(120);
    // The poll answers with older progress than the live event: ignored.
    await vi.advanceTimersByTimeAsync(1000);
    expect(store.currentImport?.processed).toBe(120);

    stored = [...stored, product('z-cap')];
    store.applyImport(progress('done', 200));
    store.applyImport(progress('running', 150));
    expect(store.currentImport?.status).toBe('done');
    // Finishing re-reads the catalog.
    await vi.waitFor(() => expect(store.products.map((p) => p.sku)).toContain('z-cap'));
  });

  it('ignores progress for another import', async () => {
    const store = useCatalogStore();
    api.on('post', '/api/v1/products/imports', () => ({ status: 202, body: progress('running', 10) }));
    await store.startImport(new Blob(['sku\n']));
    store.applyImport({ ...progress('done', 200), id: '00000000-0000-4000-8000-000000000000' });
    expect(store.currentImport?.status).toBe('running');
  });
});
