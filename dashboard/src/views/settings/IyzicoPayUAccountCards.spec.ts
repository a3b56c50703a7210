import { getActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, h, type App, type Component } from 'vue';
import type { IyzicoAccountState, PayUAccountState } from '../../api/iyzico-payu-accounts';
import { i18n } from '../../i18n';
import { useAuthStore } from '../../stores/auth';
import { freshStores, type FakeApi } from '../../testing/stores';
import type { Role } from '../../types';
import IyzicoAccountCard from './IyzicoAccountCard.vue';
import PayUAccountCard from './PayUAccountCard.vue';

type Account = NonNullable<IyzicoAccountState['account']>;
const ACCOUNT_ID = '6f1c2a9e-0000-4000-8000-0000000000a1';
const account = (extra: Partial<Account> = {}): Account => ({
  id: ACCOUNT_ID,
  provider: 'iyzico',
  kind: 'own_keys',
  externalRef: null,
  status: 'active',
  details: { keyHint: '…0001' },
  createdAt: '2026-11-25T10:00:00Z',
  updatedAt: '2026-11-25T10:00:00Z',
  ...extra,
});
const webhookUrl = `https://shop.example/webhooks/payments/${ACCOUNT_ID}`;

describe('Settings → Payments → iyzico and PayU', () => {
  let api: FakeApi;
  let app: App | null = null;
  let root: HTMLElement;
  let iyzico: IyzicoAccountState;
  let payu: PayUAccountState;

  const $ = (testId: string) => root.querySelector<HTMLElement>(`[data-testid="${testId}"]`);
  const type = (testId: string, value: string) => {
    const input = $(testId) as HTMLInputElement;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  };

  function mount(role: Role, component: Component): void {
    useAuthStore().user = { id: 'u1', email: 'owner@shop.test', name: 'Owner', role, locale: 'en' } as never;
    root = document.createElement('div');
    document.body.append(root);
    app = createApp({ render: () => h(component) });
    app.use(getActivePinia()!);
    app.use(i18n);
    app.mount(root);
  }

  beforeEach(() => {
    i18n.global.locale.value = 'en';
    api = freshStores();
    iyzico = { account: null, webhookUrl: null, subMerchants: true, ownKeys: true };
    payu = { account: null, webhookUrl: null, available: true };
    api.on('get', '/api/v1/payment-accounts/iyzico', () => ({ body: iyzico }));
    api.on('get', '/api/v1/payment-accounts/payu', () => ({ body: payu }));
  });

  afterEach(() => {
    app?.unmount();
    app = null;
    root.remove();
  });

  it('connects own iyzico keys: sends them once, clears the secret, then shows only the hint and the notification URL', async () => {
    api.on('put', '/api/v1/payment-accounts/iyzico', () => {
      iyzico = { ...iyzico, account: account(), webhookUrl };
      return { body: { account: account(), webhookUrl } };
    });
    mount('admin', IyzicoAccountCard);
    await vi.waitFor(() => expect($('iyzico-form')).not.toBeNull());
    ($('iyzico-kind-own') as HTMLInputElement).click();
    type('iyzico-api-key', 'sandbox-shop-a-api-key-0001');
    type('iyzico-secret-key', 'sandbox-shop-a-secret');
    await vi.waitFor(() => expect(($('iyzico-submit') as HTMLButtonElement).disabled).toBe(false));
    $('iyzico-submit')!.click();
    await vi.waitFor(() => expect($('iyzico-key-hint')?.textContent).toBe('…0001'));
    expect(JSON.parse(api.callsTo('PUT', '/api/v1/payment-accounts/iyzico')[0]!.body)).toEqual({
      kind: 'own_keys',
      apiKey: 'sandbox-shop-a-api-key-0001',
      secretKey: 'sandbox-shop-a-secret',
    });
    expect($('iyzico-webhook-url')!.textContent).toBe(webhookUrl);
    expect(root.innerHTML).not.toContain('sandbox-shop-a-secret');
    expect($('iyzico-form')).toBeNull();
  });

  it('shows iyzico’s refusal of the keys and keeps the form', async () => {
    api.on('put', '/api/v1/payment-accounts/iyzico', () => ({ status: 422, error: { code: 'invalid_credentials', message: 'iyzico refused these keys (1000): Geçersiz imza' } }));
    mount('owner', IyzicoAccountCard);
    await vi.waitFor(() => expect($('iyzico-form')).not.toBeNull());
    ($('iyzico-kind-own') as HTMLInputElement).click();
    type('iyzico-api-key', 'sandbox-wrong-key');
    type('iyzico-secret-key', 'sandbox-wrong-secret');
    await vi.waitFor(() => expect(($('iyzico-submit') as HTMLButtonElement).disabled).toBe(false));
    $('iyzico-submit')!.click();
    await vi.waitFor(() => expect(root.textContent).toContain('Geçersiz imza'));
    expect($('iyzico-form')).not.toBeNull();
  });

  it('registers a company as a sub-merchant with the fields its type needs', async () => {
    api.on('put', '/api/v1/payment-accounts/iyzico', () => ({
      body: {
        account: account({ kind: 'sub_merchant', externalRef: 'subKey', details: { subMerchantType: 'LIMITED_OR_JOINT_STOCK_COMPANY', name: 'Seramik', ibanHint: '…2315' } }),
        webhookUrl: null,
      },
    }));
    mount('admin', IyzicoAccountCard);
    await vi.waitFor(() => expect($('iyzico-form')).not.toBeNull());
    ($('iyzico-kind-sub') as HTMLInputElement).click();
    await vi.waitFor(() => expect($('iyzico-type')).not.toBeNull());
    const select = $('iyzico-type') as HTMLSelectElement;
    select.value = 'LIMITED_OR_JOINT_STOCK_COMPANY';
    select.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect($('iyzico-taxNumber')).not.toBeNull());
    expect($('iyzico-identityNumber')).toBeNull();
    const form = $('iyzico-form')!;
    const inputs = [...form.querySelectorAll<HTMLInputElement>('input.input')];
    const values = ['Seramik', 'shop@seramik.example', '+905350000000', 'TR18 0006 2001 1900 0006 6723 15', 'Moda, Kadıköy', 'Kadıköy', '1234567890', 'Seramik A.Ş.'];
    inputs.forEach((input, i) => {
      input.value = values[i]!;
      input.dispatchEvent(new Event('input'));
    });
    await vi.waitFor(() => expect(($('iyzico-submit') as HTMLButtonElement).disabled).toBe(false));
    $('iyzico-submit')!.click();
    await vi.waitFor(() => expect($('iyzico-seller')?.textContent).toContain('…2315'));
    const sent = JSON.parse(api.callsTo('PUT', '/api/v1/payment-accounts/iyzico')[0]!.body) as Record<string, unknown>;
    expect(sent).toMatchObject({
      kind: 'sub_merchant',
      type: 'LIMITED_OR_JOINT_STOCK_COMPANY',
      taxOffice: 'Kadıköy',
      taxNumber: '1234567890',
      legalCompanyTitle: 'Seramik A.Ş.',
      currency: 'TRY',
    });
    expect(sent.identityNumber).toBeUndefined();
  });

  it('connects a PayU POS and a viewer sees it without buttons', async () => {
    const payuAccount = { ...account({ provider: 'payu', externalRef: '411222', details: { keyHint: '…1222' } }) };
    api.on('put', '/api/v1/payment-accounts/payu', () => {
      payu = { ...payu, account: payuAccount, webhookUrl };
      return { body: { account: payuAccount, webhookUrl } };
    });
    mount('admin', PayUAccountCard);
    await vi.waitFor(() => expect($('payu-form')).not.toBeNull());
    type('payu-pos-id', '411222');
    type('payu-client-id', '411222');
    type('payu-client-secret', 'c0ffeec0ffeec0ffeec0ffeec0ffee42');
    type('payu-second-key', '0f1e2d3c4b5a69788796a5b4c3d2e1f0');
    await vi.waitFor(() => expect(($('payu-submit') as HTMLButtonElement).disabled).toBe(false));
    $('payu-submit')!.click();
    await vi.waitFor(() => expect($('payu-pos')?.textContent).toBe('411222'));
    expect(JSON.parse(api.callsTo('PUT', '/api/v1/payment-accounts/payu')[0]!.body)).toEqual({
      posId: '411222',
      clientId: '411222',
      clientSecret: 'c0ffeec0ffeec0ffeec0ffeec0ffee42',
      secondKey: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
    });
    expect(root.innerHTML).not.toContain('c0ffeec0ffee');

    app!.unmount();
    root.remove();
    mount('viewer', PayUAccountCard);
    await vi.waitFor(() => expect($('payu-status')?.textContent).toBe('Active'));
    expect($('payu-form')).toBeNull();
    expect($('payu-disconnect')).toBeNull();
  });
});
