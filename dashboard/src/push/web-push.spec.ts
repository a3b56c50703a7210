import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Device, PushConfig } from '../api/push';
import { fakePushBrowser } from '../testing/push-browser';
import { freshStores, type FakeApi } from '../testing/stores';
import { base64UrlToBytes, browserLabel, disableWebPush, enableWebPush, webPushState } from './web-push';

// A P-256 public key as a VAPID key is: 65 bytes, unpadded base64url.
const VAPID_KEY = 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM';
const OTHER_KEY = 'BAAAdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM';

describe('web push subscription', () => {
  let api: FakeApi;
  let browser: ReturnType<typeof fakePushBrowser>;
  let config: PushConfig;
  let devices: Device[];

  beforeEach(() => {
    localStorage.clear();
    api = freshStores();
    config = { webPushPublicKey: VAPID_KEY, platforms: { android: false, ios: false, web: true } };
    devices = [];
    api.on('get', '/api/v1/push/config', () => ({ body: config }));
    api.on('get', '/api/v1/devices', () => ({ body: { items: devices } }));
    api.on('post', '/api/v1/devices', (call) => {
      const body = JSON.parse(call.body) as { platform: 'web'; label?: string };
      const device = { id: `dev-${devices.length + 1}`, platform: body.platform, label: body.label ?? null, createdAt: '2026-11-25T10:00:00Z' } satisfies Device;
      devices.push(device);
      return { status: 201, body: device };
    });
    api.on('delete', '/api/v1/devices/{deviceId}', (_call, { deviceId }) => {
      if (!devices.some((d) => d.id === deviceId)) return { status: 404, error: { code: 'not_found', message: 'Not found' } };
      devices = devices.filter((d) => d.id !== deviceId);
      return { status: 204 };
    });
    browser = fakePushBrowser();
  });
  afterEach(() => browser.restore());

  it('asks, subscribes with the server key through the /app/ worker, and registers the subscription as a web device', async () => {
    expect(await webPushState()).toBe('off');
    expect(await enableWebPush('Dashboard · Firefox')).toBe('on');

    expect(browser.notification.requestPermission).toHaveBeenCalledOnce();
    expect(browser.registered).toHaveLength(1);
    expect(browser.registered[0]!.url).toMatch(/^\/app\/(sw\.js|dev-sw\.js\?dev-sw)$/);
    expect(browser.registered[0]!.options?.scope).toBe('/app/');
    expect(browser.pushManager.subscribed).toHaveLength(1);
    expect(browser.pushManager.subscribed[0]!.userVisibleOnly).toBe(true);
    expect([...browser.pushManager.subscribed[0]!.applicationServerKey]).toEqual([...base64UrlToBytes(VAPID_KEY)]);
    expect(browser.pushManager.subscribed[0]!.applicationServerKey).toHaveLength(65);

    const posted = api.callsTo('POST', '/api/v1/devices');
    expect(posted).toHaveLength(1);
    const body = JSON.parse(posted[0]!.body) as { platform: string; token: string; label: string };
    expect(body.platform).toBe('web');
    expect(body.label).toBe('Dashboard · Firefox');
    // The token is the subscription as the browser serialises it: what the server needs to encrypt and send.
    const endpoint = browser.pushManager.current!.endpoint;
    expect(JSON.parse(body.token)).toEqual({ endpoint, expirationTime: null, keys: { p256dh: `p256dh-of-${endpoint}`, auth: `auth-of-${endpoint}` } });

    expect(await webPushState()).toBe('on');
  });

  it('reads as off once the server has dropped the device (a sign-out), and turning on again reuses the subscription', async () => {
    await enableWebPush('Dashboard · Chrome');
    const endpoint = browser.pushManager.current!.endpoint;
    devices = [];
    expect(await webPushState()).toBe('off');

    expect(await enableWebPush('Dashboard · Chrome')).toBe('on');
    expect(browser.pushManager.subscribed).toHaveLength(1);
    const [, second] = api.callsTo('POST', '/api/v1/devices');
    expect((JSON.parse(JSON.parse(second!.body).token as string) as { endpoint: string }).endpoint).toBe(endpoint);
  });

  it('replaces a subscription made with another VAPID key', async () => {
    const earlier = browser.subscribeBefore(base64UrlToBytes(OTHER_KEY));
    browser.notification.permission = 'granted';
    expect(await enableWebPush('Dashboard · Chrome')).toBe('on');
    expect(earlier.unsubscribed).toBe(true);
    expect([...browser.pushManager.subscribed[0]!.applicationServerKey]).toEqual([...base64UrlToBytes(VAPID_KEY)]);
    const token = JSON.parse(JSON.parse(api.callsTo('POST', '/api/v1/devices')[0]!.body).token as string) as { endpoint: string };
    expect(token.endpoint).not.toBe(earlier.endpoint);
  });

  it('turns off: the device is deleted and the browser unsubscribed', async () => {
    await enableWebPush('Dashboard · Chrome');
    const subscription = browser.pushManager.current!;
    expect(await disableWebPush()).toBe('off');
    expect(api.callsTo('DELETE', '/api/v1/devices/dev-1')).toHaveLength(1);
    expect(subscription.unsubscribed).toBe(true);
    expect(devices).toEqual([]);
    expect(await webPushState()).toBe('off');
  });

  it('turns off even when the server already removed the device', async () => {
    await enableWebPush('Dashboard · Chrome');
    devices = [];
    expect(await disableWebPush()).toBe('off');
    expect(browser.pushManager.current).toBeNull();
  });

  it('says web push is off on the server without asking the member anything', async () => {
    config = { webPushPublicKey: null, platforms: { android: true, ios: true, web: false } };
    expect(await webPushState()).toBe('server-off');
    expect(await enableWebPush('x')).toBe('server-off');
    expect(browser.notification.requestPermission).not.toHaveBeenCalled();
    expect(api.callsTo('POST', '/api/v1/devices')).toHaveLength(0);
  });

  it('reports a refused prompt as blocked, and registers nothing', async () => {
    browser.restore();
    browser = fakePushBrowser({ answer: 'denied' });
    expect(await enableWebPush('x')).toBe('blocked');
    expect(browser.pushManager.subscribed).toHaveLength(0);
    expect(api.callsTo('POST', '/api/v1/devices')).toHaveLength(0);
    expect(await webPushState()).toBe('blocked');
  });

  it('keeps it off when the prompt is dismissed', async () => {
    browser.restore();
    browser = fakePushBrowser({ answer: 'default' });
    expect(await enableWebPush('x')).toBe('off');
    expect(api.callsTo('POST', '/api/v1/devices')).toHaveLength(0);
  });

  it('knows a browser without the Push API', async () => {
    browser.restore();
    expect(await webPushState()).toBe('unsupported');
  });

  it('names the browser for the device list', () => {
    expect(browserLabel('Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0')).toBe('Dashboard · Firefox');
    expect(browserLabel('Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36 Edg/140.0')).toBe('Dashboard · Edge');
    expect(browserLabel('Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15')).toBe('Dashboard · Safari');
  });
});
