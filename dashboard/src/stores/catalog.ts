import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api } from '../api';
import type { Product, ProductImport } from '../types';

export const useCatalogStore = defineStore('catalog', () => {
  const products = ref<Product[]>([]);
  const loading = ref(false);
  const error = ref<unknown>(null);
  const currentImport = ref<ProductImport | null>(null);
  let pollTimer: ReturnType<typeof setTimeout> | null = null;

  async function load(q?: string): Promise<void> {
    loading.value = true;
    error.value = null;
    try {
      products.value = (await api.get<{ items: Product[] }>('/products', { q })).items;
    } catch (err) {
      error.value = err;
    } finally {
      loading.value = false;
    }
  }

  async function save(product: Product): Promise<Product> {
    const { sku, ...body } = product;
    const saved = await api.put<Product>(`/products/${encodeURIComponent(sku)}`, body);
    const row = saved && typeof saved === 'object' && 'sku' in saved ? saved : product;
    const i = products.value.findIndex((p) => p.sku === row.sku);
    if (i >= 0) products.value.splice(i, 1, row);
    else products.value.push(row);
    products.value.sort((a, b) => a.sku.localeCompare(b.sku));
    return row;
  }

  async function remove(sku: string): Promise<void> {
    await api.del(`/products/${encodeURIComponent(sku)}`);
    products.value = products.value.filter((p) => p.sku !== sku);
  }

  function applyImport(update: ProductImport): void {
    if (currentImport.value && currentImport.value.id !== update.id) return;
    // Live events and polling race: never step progress backwards.
    if (currentImport.value && currentImport.value.status !== 'running' && update.status === 'running') return;
    if (currentImport.value && update.processed < currentImport.value.processed && update.status === 'running') return;
    const finished = update.status !== 'running' && currentImport.value?.status === 'running';
    currentImport.value = update;
    if (finished) {
      stopPolling();
      void load();
    }
  }

  function stopPolling(): void {
    if (pollTimer) clearTimeout(pollTimer);
    pollTimer = null;
  }

  function poll(id: string): void {
    stopPolling();
    pollTimer = setTimeout(async () => {
      try {
        applyImport(await api.get<ProductImport>(`/products/imports/${encodeURIComponent(id)}`));
      } catch {
        // A missed poll is retried on the next tick; live events may also arrive.
      }
      if (currentImport.value?.id === id && currentImport.value.status === 'running') poll(id);
    }, 1000);
  }

  async function startImport(file: File | Blob): Promise<ProductImport> {
    stopPolling();
    currentImport.value = null;
    const text = await file.text();
    const started = await api.post<ProductImport>('/products/imports', undefined, { rawBody: { data: text, contentType: 'text/csv' } });
    currentImport.value = { ...started, errors: started.errors ?? [] };
    if (started.status === 'running') poll(started.id);
    else void load();
    return started;
  }

  function clearImport(): void {
    stopPolling();
    currentImport.value = null;
  }

  return { products, loading, error, currentImport, load, save, remove, startImport, applyImport, clearImport };
});
