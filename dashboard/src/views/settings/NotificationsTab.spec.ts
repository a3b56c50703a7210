import { getActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, type App } from 'vue';
import type { Device, NotificationPreferences, PushConfig } from '../../api/push';
import { i18n } from '../../i18n';
import { fakePushBrowser } from '../../testing/push-browser';
import { freshStores, type FakeApi } from '../../testing/stores';
import NotificationsTab from './NotificationsTab.vue';

const VAPID_KEY = 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM';

describe('Settings → Notifications', () => {
  let api: FakeApi;
  let browser: ReturnType<typeof fakePushBrowser>;
  let app: App | null = null;
  let root: HTMLElement;
  let config: PushConfig;
  let prefs: NotificationPreferences;
  let devices: Device[];

  const $ = <E extends Element = HTMLElement>(testId: string) => root.querySelector<E>(`[data-testid="${testId}"]`);

  function mount(): void {
    root = document.createElement('div');
    document.body.append(root);
    app = createApp(NotificationsTab);
    app.use(getActivePinia()!);
    app.use(i18n);
    app.mount(root);
  }

  beforeEach(() => {
    localStorage.clear();
    i18n.global.locale.value = 'en';
    api = freshStores();
    config = { webPushPublicKey: VAPID_KEY, platforms: { android: true, ios: true, web: true } };
    prefs = { push: { needs_human: true, customer_message: true, payment_received: true, payment_failed: true, new_lead: false }, email: { needs_human: false } };
    devices = [];
    api.on('get', '/api/v1/push/config', () => ({ body: config }));
    api.on('get', '/api/v1/devices', () => ({ body: { items: devices } }));
    api.on('post', '/api/v1/devices', () => {
      const device = { id: 'dev-1', platform: 'web', label: 'Dashboard · Browser', createdAt: '2026-11-25T10:00:00Z' } satisfies Device;
      devices = [device];
      return { status: 201, body: device };
    });
    api.on('delete', '/api/v1/devices/{deviceId}', () => {
      devices = [];
      return { status: 204 };
    });
    api.on('get', '/api/v1/me/notification-preferences', () => ({ body: prefs }));
    api.on('put', '/api/v1/me/notification-preferences', (call) => {
      prefs = JSON.parse(call.body) as NotificationPreferences;
      return { body: prefs };
    });
    browser = fakePushBrowser();
  });

  afterEach(() => {
    app?.unmount();
    app = null;
    root.remove();
    browser.restore();
  });

  it('says web push is off on the server instead of offering the button', async () => {
    config = { webPushPublicKey: null, platforms: { android: true, ios: false, web: false } };
    mount();
    await vi.waitFor(() => expect($('web-push-server-off')).not.toBeNull());
    expect($('web-push-server-off')!.textContent).toContain('not set up on this installation');
    expect($('web-push-enable')).toBeNull();
  });

  it('turns this browser on and off', async () => {
    mount();
    await vi.waitFor(() => expect($('web-push-enable')).not.toBeNull());
    $('web-push-enable')!.click();
    await vi.waitFor(() => expect($('web-push-on')).not.toBeNull());
    expect(browser.notification.requestPermission).toHaveBeenCalledOnce();
    const [posted] = api.callsTo('POST', '/api/v1/devices');
    expect(JSON.parse(posted!.body)).toMatchObject({ platform: 'web' });

    $('web-push-disable')!.click();
    await vi.waitFor(() => expect($('web-push-off')).not.toBeNull());
    expect(api.callsTo('DELETE', '/api/v1/devices/dev-1')).toHaveLength(1);
    expect(browser.pushManager.current).toBeNull();
  });

  it('shows the member’s choices and saves a change', async () => {
    mount();
    await vi.waitFor(() => expect($('notification-preferences')).not.toBeNull());
    const newLead = $<HTMLInputElement>('pref-push-new_lead')!;
    const needsHuman = $<HTMLInputElement>('pref-push-needs_human')!;
    expect(newLead.checked).toBe(false);
    expect(needsHuman.checked).toBe(true);
    expect($<HTMLButtonElement>('preferences-save')!.disabled).toBe(true);

    newLead.click();
    $<HTMLInputElement>('pref-email-needs_human')!.click();
    await vi.waitFor(() => expect($<HTMLButtonElement>('preferences-save')!.disabled).toBe(false));
    $<HTMLFormElement>('notification-preferences')!.requestSubmit();

    await vi.waitFor(() => expect(api.callsTo('PUT', '/api/v1/me/notification-preferences')).toHaveLength(1));
    expect(prefs).toEqual({
      push: { needs_human: true, customer_message: true, payment_received: true, payment_failed: true, new_lead: true },
      email: { needs_human: true },
    });
    await vi.waitFor(() => expect(root.textContent).toContain('Saved.'));
  });
});
