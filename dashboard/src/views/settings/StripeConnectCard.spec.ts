import { getActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, h, type App } from 'vue';
import { createMemoryHistory, createRouter, RouterView, type Router } from 'vue-router';
import type { PaymentAccountItem, PaymentAccounts } from '../../api/stripe-connect';
import { i18n } from '../../i18n';
import { useAuthStore } from '../../stores/auth';
import { freshStores, type FakeApi } from '../../testing/stores';
import type { Role } from '../../types';
import StripeConnectCard from './StripeConnectCard.vue';

const account = (extra: Partial<PaymentAccountItem> = {}): PaymentAccountItem => ({
  id: '6f1c2a9e-0000-4000-8000-000000000001',
  provider: 'stripe',
  kind: 'connect',
  externalRef: 'acct_1Merchant000000',
  status: 'pending',
  details: { chargesEnabled: false, payoutsEnabled: false, requirements: { currentlyDue: ['external_account'], pastDue: [], disabledReason: null, deadline: null } },
  createdAt: '2026-11-25T10:00:00Z',
  updatedAt: '2026-11-25T10:00:00Z',
  ...extra,
});

describe('Settings → Payments → Stripe', () => {
  let api: FakeApi;
  let app: App | null = null;
  let root: HTMLElement;
  let router: Router;
  let listed: PaymentAccounts;
  let assign: ReturnType<typeof vi.fn<(url: string | URL) => void>>;

  const $ = (testId: string) => root.querySelector<HTMLElement>(`[data-testid="${testId}"]`);

  async function mount(role: Role, path = '/settings/payments'): Promise<void> {
    useAuthStore().user = { id: 'u1', email: 'owner@shop.test', name: 'Owner', role, locale: 'en' } as never;
    router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/settings/:tab?', component: StripeConnectCard }] });
    await router.push(path);
    root = document.createElement('div');
    document.body.append(root);
    app = createApp({ render: () => h(RouterView) });
    app.use(getActivePinia()!);
    app.use(i18n);
    app.use(router);
    app.mount(root);
    await router.isReady();
  }

  beforeEach(() => {
    i18n.global.locale.value = 'en';
    api = freshStores();
    listed = { items: [], stripeConnect: true };
    api.on('get', '/api/v1/payment-accounts', () => ({ body: listed }));
    api.on('post', '/api/v1/payment-accounts/stripe/connect', () => {
      listed = { ...listed, items: [account()] };
      return { body: { account: account(), url: 'https://connect.stripe.com/setup/e/acct_1Merchant000000/abc', expiresAt: '2026-11-25T10:05:00Z' } };
    });
    api.on('delete', '/api/v1/payment-accounts/stripe', () => {
      listed = { ...listed, items: [account({ status: 'disabled' })] };
      return { status: 204 };
    });
    assign = vi.fn<(url: string | URL) => void>();
    vi.spyOn(window.location, 'assign').mockImplementation(assign);
  });

  afterEach(() => {
    app?.unmount();
    app = null;
    root.remove();
  });

  it('connects: asks the API for an onboarding link on the click and opens it', async () => {
    await mount('admin');
    await vi.waitFor(() => expect($('stripe-connect-open')?.textContent).toContain('Connect Stripe'));
    $('stripe-connect-open')!.click();
    await vi.waitFor(() => expect(assign).toHaveBeenCalledWith('https://connect.stripe.com/setup/e/acct_1Merchant000000/abc'));
    expect(api.callsTo('POST', '/api/v1/payment-accounts/stripe/connect')).toHaveLength(1);
  });

  it('shows a restricted account with what Stripe still needs, and offers to continue', async () => {
    listed.items = [
      account({
        status: 'restricted',
        details: {
          chargesEnabled: false,
          payoutsEnabled: false,
          requirements: {
            currentlyDue: ['individual.verification.document'],
            pastDue: ['individual.verification.document'],
            disabledReason: 'requirements.past_due',
            deadline: null,
          },
        },
      }),
    ];
    await mount('owner');
    await vi.waitFor(() => expect($('stripe-connect-status')?.textContent).toBe('Restricted'));
    expect($('stripe-connect-past-due')!.textContent).toContain('individual.verification.document');
    expect($('stripe-connect-missing')!.textContent).toContain('individual.verification.document');
    expect($('stripe-connect-open')!.textContent).toContain('Continue Stripe setup');
  });

  it('disconnects after confirming, then offers to reconnect', async () => {
    listed.items = [account({ status: 'active', details: { chargesEnabled: true, payoutsEnabled: true, requirements: { currentlyDue: [], pastDue: [] } } })];
    await mount('admin');
    await vi.waitFor(() => expect($('stripe-connect-status')?.textContent).toBe('Active'));
    expect($('stripe-connect-open')).toBeNull();
    $('stripe-connect-disconnect')!.click();
    await vi.waitFor(() => expect(document.querySelector('dialog, [role="dialog"]')).not.toBeNull());
    const confirm = [...document.querySelectorAll<HTMLButtonElement>('dialog button, [role="dialog"] button')].find((b) => b.textContent?.trim() === 'Disconnect');
    confirm!.click();
    await vi.waitFor(() => expect($('stripe-connect-status')?.textContent).toBe('Disconnected'));
    expect(api.callsTo('DELETE', '/api/v1/payment-accounts/stripe')).toHaveLength(1);
    expect($('stripe-connect-open')!.textContent).toContain('Reconnect Stripe');
  });

  it('says when the merchant is back from Stripe, once', async () => {
    listed.items = [account({ status: 'active', details: { chargesEnabled: true, payoutsEnabled: true, requirements: {} } })];
    await mount('admin', '/settings/payments?stripe=return');
    await vi.waitFor(() => expect(root.textContent).toContain('Welcome back from Stripe'));
    await vi.waitFor(() => expect(router.currentRoute.value.query).toEqual({}));
  });

  it('a viewer sees the status but no buttons; without Connect on the installation it says so', async () => {
    listed.items = [account()];
    await mount('viewer');
    await vi.waitFor(() => expect($('stripe-connect-status')?.textContent).toBe('Setup not finished'));
    expect($('stripe-connect-open')).toBeNull();
    expect($('stripe-connect-disconnect')).toBeNull();
    app!.unmount();
    root.remove();
    listed = { items: [], stripeConnect: false };
    await mount('owner');
    await vi.waitFor(() => expect($('stripe-connect-unavailable')).not.toBeNull());
    expect($('stripe-connect-open')).toBeNull();
  });
});
