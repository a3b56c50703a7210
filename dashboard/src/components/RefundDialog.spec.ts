import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, h, type App } from 'vue';
import { i18n } from '../i18n';
import { freshStores, type FakeApi } from '../testing/stores';
import RefundDialog from './RefundDialog.vue';

describe('the refund dialog', () => {
  let api: FakeApi;
  let app: App | null = null;
  const refunded = vi.fn();
  const order = { id: '7d3c1c36-1d7c-4c2f-9d59-4f3f1f0f1a01', amountMinor: 18_900, refundedMinor: 3_000, currency: 'USD' };
  const $ = <E extends Element = HTMLElement>(testId: string) => document.body.querySelector<E>(`[data-testid="${testId}"]`);
  const type = (testId: string, value: string) => {
    const el = $<HTMLInputElement | HTMLTextAreaElement>(testId)!;
    el.value = value;
    el.dispatchEvent(new Event('input'));
  };

  function mount(): void {
    const root = document.createElement('div');
    document.body.append(root);
    app = createApp({ render: () => h(RefundDialog, { order, onRefunded: refunded }) });
    app.use(i18n);
    app.mount(root);
  }
  const refundCalls = () => api.callsTo('POST', `/api/v1/orders/${order.id}/refunds`);

  beforeEach(() => {
    i18n.global.locale.value = 'en';
    api = freshStores();
    refunded.mockReset();
  });
  afterEach(() => {
    app?.unmount();
    app = null;
    document.body.innerHTML = '';
  });

  it('sends nothing without a reason or with more than is left, then refunds the partial amount', async () => {
    let answer = 0;
    api.on('post', '/api/v1/orders/{orderId}/refunds', (call) => {
      answer++;
      const body = JSON.parse(call.body) as { amountMinor?: number; reason: string };
      return {
        body: {
          refund: {
            id: 'r1',
            amountMinor: body.amountMinor ?? 15_900,
            currency: 'USD',
            status: 'succeeded',
            reason: body.reason,
            requestedBy: 'me',
            providerRef: 'x',
            createdAt: new Date().toISOString(),
          },
          duplicate: answer > 1,
        },
      };
    });
    mount();
    $<HTMLInputElement>('refund-partial')!.click();
    await vi.waitFor(() => expect($('refund-amount')).not.toBeNull());
    type('refund-amount', '160');
    $<HTMLButtonElement>('refund-confirm')!.click();
    await vi.waitFor(() => expect(document.body.textContent).toContain('At most $159.00 can be refunded.'));
    expect(document.body.textContent).toContain('Required.');
    expect(refundCalls()).toHaveLength(0);

    type('refund-amount', '12.5');
    type('refund-reason', 'Late delivery');
    await vi.waitFor(() => expect($('refund-confirm')!.textContent).toBe('Refund $12.50'));
    $<HTMLButtonElement>('refund-confirm')!.click();
    await vi.waitFor(() => expect(refunded).toHaveBeenCalledWith(1_250));
    expect(JSON.parse(refundCalls()[0]!.body)).toEqual({ amountMinor: 1_250, reason: 'Late delivery' });
  });

  it('a retry after a failure carries the same Idempotency-Key; a new dialog a new one', async () => {
    let fail = true;
    api.on('post', '/api/v1/orders/{orderId}/refunds', () =>
      fail
        ? { status: 502, error: { code: 'refund_refused', message: 'demo refused the refund; nothing was refunded' } }
        : {
            body: {
              refund: {
                id: 'r2',
                amountMinor: 15_900,
                currency: 'USD',
                status: 'succeeded',
                reason: 'x',
                requestedBy: 'me',
                providerRef: 'x',
                createdAt: new Date().toISOString(),
              },
              duplicate: false,
            },
          },
    );
    mount();
    type('refund-reason', 'Returned');
    $<HTMLButtonElement>('refund-confirm')!.click();
    await vi.waitFor(() => expect(document.body.textContent).toContain('nothing was refunded'));
    fail = false;
    $<HTMLButtonElement>('refund-confirm')!.click();
    await vi.waitFor(() => expect(refunded).toHaveBeenCalledWith(15_900));
    const keys = refundCalls().map((c) => c.headers.get('idempotency-key'));
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
    expect(JSON.parse(refundCalls()[0]!.body)).toEqual({ reason: 'Returned' });

    app!.unmount();
    document.body.innerHTML = '';
    mount();
    type('refund-reason', 'Another one');
    $<HTMLButtonElement>('refund-confirm')!.click();
    await vi.waitFor(() => expect(refundCalls()).toHaveLength(3));
    expect(refundCalls()[2]!.headers.get('idempotency-key')).not.toBe(keys[0]);
  });
});
