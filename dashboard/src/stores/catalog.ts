import { defineStore } from 'pinia';
import { ref, toRef } from 'vue';
import * as catalogApi from '../api/catalog';
import type { Product, ProductDraft, ProductImport } from '../api/catalog';
import { useRequest } from '../composables/useRequest';

export const useCatalogStore = defineStore('catalog', () => {
  const products = ref<Product[]>([]);
  const currentImport = ref<ProductImport | null>(null);
  let pollTimer: ReturnType<typeof setTimeout> | null = null;

  const list = useRequest((q?: string) => catalogApi.listProducts(q ? { q } : {}), {
    onSuccess(page) {
      products.value = page.items;
    },
  });

  async function save(product: ProductDraft): Promise<Product> {
    const { sku, ...body } = product;
    const row = await catalogApi.saveProduct(sku, body);
    const i = products.value.findIndex((p) => p.sku === row.sku);
    if (i >= 0) products.value.splice(i, 1, row);
    else products.value.push(row);
    products.value.sort((a, b) => a.sku.localeCompare(b.sku));
    return row;
  }

  async function remove(sku: string): Promise<void> {
    await catalogApi.deleteProduct(sku);
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
      void list.run();
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
        applyImport(await catalogApi.getImport(id));
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
    const started = await catalogApi.startImport(text);
    currentImport.value = started;
    if (started.status === 'running') poll(started.id);
    else void list.run();
    return started;
  }

  function clearImport(): void {
    stopPolling();
    currentImport.value = null;
  }

  return { products, loading: toRef(list, 'busy'), error: toRef(list, 'error'), currentImport, load: list.run, save, remove, startImport, applyImport, clearImport };
});
