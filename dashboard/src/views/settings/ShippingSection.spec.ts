import { getActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, h, type App } from 'vue';
import { createMemoryHistory, createRouter, RouterView } from 'vue-router';
import type { PaymentSettings } from '../../api/settings';
import { i18n } from '../../i18n';
import { useAuthStore } from '../../stores/auth';
import { freshStores, type FakeApi } from '../../testing/stores';
import type { Role } from '../../types';
import PaymentsTab from './PaymentsTab.vue';

const API_COUNTRY_ERROR = 'Invalid body: shipping.countries.0: must be an ISO 3166-1 alpha-2 code like TR or DE';

describe('Settings → Payments → Shipping', () => {
  let api: FakeApi;
  let app: App | null = null;
  let root: HTMLElement;
  let stored: PaymentSettings;

  const $ = <E extends HTMLElement = HTMLElement>(testId: string) => root.querySelector<E>(`[data-testid="${testId}"]`);
  const section = () => $('shipping-settings')!;
  const type = (testId: string, value: string) => {
    const input = $<HTMLInputElement>(testId)!;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  };
  const puts = () => api.callsTo('PUT', '/api/v1/settings/payments').map((c) => JSON.parse(c.body) as Record<string, unknown>);

  /** The whole tab, as the settings page shows it, so the section is seen beside the routes form it shares the PUT with. */
  async function mount(role: Role): Promise<void> {
    useAuthStore().user = { id: 'u1', email: 'owner@shop.test', name: 'Owner', role, locale: 'en' } as never;
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/settings/:tab?', component: PaymentsTab }] });
    await router.push('/settings/payments');
    root = document.createElement('div');
    document.body.append(root);
    app = createApp({ render: () => h(RouterView) });
    app.use(getActivePinia()!);
    app.use(i18n);
    app.use(router);
    app.mount(root);
    await router.isReady();
    await vi.waitFor(() => expect($<HTMLInputElement>('payment-routes')?.value).toBe(stored.routes ?? ''));
  }

  beforeEach(() => {
    i18n.global.locale.value = 'en';
    api = freshStores();
    stored = { routes: 'TRY:iyzico,stripe;*:stripe', available: ['iyzico', 'stripe'], shipping: null };
    api.on('get', '/api/v1/settings/payments', () => ({ body: stored }));
    // The same rules as the API: each code two capital letters; absent shipping leaves it unchanged.
    api.on('put', '/api/v1/settings/payments', (call) => {
      const body = JSON.parse(call.body) as { routes: string | null; shipping?: { countries: string[] } | null };
      if (body.shipping?.countries.some((c) => !/^[A-Z]{2}$/.test(c))) {
        return {
          status: 400,
          error: { code: 'invalid_request', message: API_COUNTRY_ERROR, details: [{ path: 'shipping.countries.0', message: 'must be an ISO 3166-1 alpha-2 code like TR or DE' }] },
        };
      }
      stored = { ...stored, routes: body.routes, ...(body.shipping !== undefined ? { shipping: body.shipping } : {}) };
      return { body: stored };
    });
    api.on('get', '/api/v1/payment-accounts', () => ({ body: { items: [], stripeConnect: false } }));
    api.on('get', '/api/v1/payment-accounts/iyzico', () => ({ body: { account: null, webhookUrl: null, subMerchants: false, ownKeys: false } }));
    api.on('get', '/api/v1/payment-accounts/payu', () => ({ body: { account: null, webhookUrl: null, available: false } }));
  });

  afterEach(() => {
    app?.unmount();
    app = null;
    root.remove();
  });

  it('turns shipping on with the countries typed, saved through the PUT with the routes as stored', async () => {
    await mount('admin');
    expect($<HTMLInputElement>('shipping-enabled')!.checked).toBe(false);
    expect($('shipping-countries')).toBeNull();
    expect(section().textContent).toContain('We ship goods: ask the customer for a shipping address at checkout');

    // An edit of the routes that is not saved yet must survive saving shipping.
    type('payment-routes', '*:stripe');
    $<HTMLInputElement>('shipping-enabled')!.click();
    await vi.waitFor(() => expect($('shipping-countries')).not.toBeNull());
    type('shipping-countries', 'tr, de ,NL nl');
    await vi.waitFor(() => expect($('shipping-country-chips')?.textContent).toMatch(/TR.*DE.*NL/));
    expect($('shipping-country-chips')!.querySelectorAll('.badge')).toHaveLength(3);
    $('shipping-save')!.click();

    await vi.waitFor(() => expect(section().textContent).toContain('Saved.'));
    expect(puts()).toEqual([{ routes: 'TRY:iyzico,stripe;*:stripe', shipping: { countries: ['TR', 'DE', 'NL'] } }]);
    expect(stored.shipping).toEqual({ countries: ['TR', 'DE', 'NL'] });
    expect($<HTMLInputElement>('payment-routes')!.value).toBe('*:stripe');
  });

  it('checks the codes before sending: a three-letter code or an empty list is refused in place', async () => {
    stored.shipping = { countries: ['TR'] };
    await mount('owner');
    await vi.waitFor(() => expect($<HTMLInputElement>('shipping-countries')?.value).toBe('TR'));
    expect($<HTMLInputElement>('shipping-enabled')!.checked).toBe(true);

    type('shipping-countries', 'TR, TUR, D3');
    await vi.waitFor(() => expect(section().querySelector('.field-error')?.textContent).toBe('Not a two-letter country code: TUR, D3'));
    expect($('shipping-countries')!.getAttribute('aria-invalid')).toBe('true');
    $('shipping-save')!.click();

    // Once a save was tried, an emptied list says so as it happens.
    type('shipping-countries', ' , ');
    await vi.waitFor(() => expect(section().querySelector('.field-error')?.textContent).toBe('Enter at least one country.'));
    $('shipping-save')!.click();
    expect(puts()).toEqual([]);
  });

  it("shows the API's 400 message when it refuses the list", async () => {
    await mount('admin');
    $<HTMLInputElement>('shipping-enabled')!.click();
    await vi.waitFor(() => expect($('shipping-countries')).not.toBeNull());
    // Switched on with nothing typed: no error shown before the first save.
    expect(section().querySelector('.field-error')).toBeNull();
    $('shipping-save')!.click();
    await vi.waitFor(() => expect(section().querySelector('.field-error')?.textContent).toBe('Enter at least one country.'));
    expect(puts()).toEqual([]);
    // A code the dashboard lets through but this API refuses: its own words are what the merchant reads.
    api.on('put', '/api/v1/settings/payments', () => ({ status: 400, error: { code: 'invalid_request', message: API_COUNTRY_ERROR } }));
    type('shipping-countries', 'DE');
    $('shipping-save')!.click();
    await vi.waitFor(() => expect(section().querySelector('[role="alert"]')?.textContent).toBe(API_COUNTRY_ERROR));
    expect(section().textContent).not.toContain('Saved.');
  });

  it('turning it off sends null and keeps the routes', async () => {
    stored.shipping = { countries: ['TR', 'DE'] };
    await mount('admin');
    await vi.waitFor(() => expect($<HTMLInputElement>('shipping-enabled')?.checked).toBe(true));
    $<HTMLInputElement>('shipping-enabled')!.click();
    await vi.waitFor(() => expect($('shipping-countries')).toBeNull());
    expect(section().textContent).toContain('Checkouts ask for no address.');
    $('shipping-save')!.click();
    await vi.waitFor(() => expect(section().textContent).toContain('Saved.'));
    expect(puts()).toEqual([{ routes: 'TRY:iyzico,stripe;*:stripe', shipping: null }]);
    expect(stored).toMatchObject({ routes: 'TRY:iyzico,stripe;*:stripe', shipping: null });
  });

  it('saving the routes does not touch shipping', async () => {
    stored.shipping = { countries: ['TR'] };
    await mount('admin');
    type('payment-routes', '*:stripe');
    $('payment-save')!.click();
    await vi.waitFor(() => expect(puts()).toHaveLength(1));
    expect(puts()[0]).toEqual({ routes: '*:stripe' });
    expect(stored.shipping).toEqual({ countries: ['TR'] });
  });

  it('agents and viewers see the setting but cannot change it', async () => {
    stored.shipping = { countries: ['TR', 'DE'] };
    for (const role of ['viewer', 'agent'] as const) {
      await mount(role);
      await vi.waitFor(() => expect($<HTMLInputElement>('shipping-countries')?.value).toBe('TR, DE'));
      expect($<HTMLInputElement>('shipping-enabled')!.disabled).toBe(true);
      expect($<HTMLInputElement>('shipping-countries')!.disabled).toBe(true);
      expect($('shipping-save')).toBeNull();
      app!.unmount();
      app = null;
      root.remove();
    }
    root = document.createElement('div');
  });
});
