import { getActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, h, type App } from 'vue';
import { createMemoryHistory, createRouter, RouterView } from 'vue-router';
import type { OrderDetail } from '../api/orders';
import { i18n } from '../i18n';
import { useAuthStore } from '../stores/auth';
import { freshStores, type FakeApi } from '../testing/stores';
import OrdersView from './OrdersView.vue';

const ORDER_ID = '0b6e6c1e-0000-4000-8000-0000000000c1';
const order = (extra: Partial<OrderDetail> = {}): OrderDetail => ({
  id: ORDER_ID,
  conversationId: 'm1:webchat:c1',
  sku: 'TENT-2P',
  quantity: 1,
  amountMinor: 15_900,
  discountPercent: 0,
  refundedMinor: 0,
  currency: 'TRY',
  status: 'paid',
  provider: 'iyzico',
  flagReason: null,
  checkoutUrl: null,
  paidAt: '2026-11-25T10:05:00Z',
  createdAt: '2026-11-25T10:00:00Z',
  platformFeeMinor: 318,
  platformFeeRefundedMinor: 0,
  netMinor: 15_582,
  dispute: null,
  customerName: 'Gül Işık',
  channel: 'webchat',
  items: [],
  refunds: [],
  timeline: [],
  ...extra,
});

describe('Orders → an order’s shipping address', () => {
  let api: FakeApi;
  let app: App | null = null;
  let root: HTMLElement;
  let served: OrderDetail;

  const $ = (testId: string) => root.querySelector<HTMLElement>(`[data-testid="${testId}"]`);

  async function mount(): Promise<void> {
    useAuthStore().user = { id: 'u1', email: 'agent@shop.test', name: 'Agent', role: 'agent', locale: 'en' } as never;
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/orders/:orderId?', name: 'orders', component: OrdersView },
        { path: '/c/:conversationId', name: 'conversation', component: { render: () => null } },
      ],
    });
    await router.push(`/orders/${ORDER_ID}`);
    root = document.createElement('div');
    document.body.append(root);
    app = createApp({ render: () => h(RouterView) });
    app.use(getActivePinia()!);
    app.use(i18n);
    app.use(router);
    app.mount(root);
    await router.isReady();
    await vi.waitFor(() => expect($('order-customer')?.textContent).toContain('Gül Işık'));
  }

  beforeEach(() => {
    i18n.global.locale.value = 'en';
    api = freshStores();
    api.on('get', '/api/v1/orders', () => ({ body: { items: [] } }));
    api.on('get', '/api/v1/orders/{orderId}', () => ({ body: served }));
  });

  afterEach(() => {
    app?.unmount();
    app = null;
    root.remove();
  });

  it('shows the address the checkout collected, line by line, with the country named', async () => {
    served = order({ shippingAddress: { name: 'Gül Işık', line1: 'İstiklal Cd. 12', line2: 'Daire 4', city: 'İstanbul', postalCode: '34430', state: null, country: 'TR' } });
    await mount();
    const lines = [...$('order-shipping-address')!.querySelectorAll('span')].map((s) => s.textContent);
    expect(lines).toEqual(['Gül Işık', 'İstiklal Cd. 12', 'Daire 4', '34430 İstanbul', new Intl.DisplayNames(['en'], { type: 'region' }).of('TR')]);
    expect(root.textContent).toContain('Ship to');
  });

  it('shows nothing about shipping when none was collected, or when the API leaves it out', async () => {
    served = order({ shippingAddress: null });
    await mount();
    expect($('order-shipping-address')).toBeNull();
    expect(root.textContent).not.toContain('Ship to');
    app!.unmount();
    root.remove();
    served = order();
    await mount();
    expect($('order-shipping-address')).toBeNull();
  });
});
