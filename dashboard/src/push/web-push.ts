/**
 * Browser notifications for the dashboard: the member allows them, this
 * browser subscribes with the server's VAPID key through the dashboard's
 * service worker (scope /app/), and the subscription is registered as a
 * `web` device. The id of that device is remembered in this browser, so the
 * page can tell whether *this* browser is on and turn it off again.
 */
import { ApiError } from '@client/api/http';
import { getPushConfig, listDevices, registerDevice, removeDevice } from '../api/push';
import { APP_BASE } from './notification';

export type WebPushState =
  /** No service workers or Push API here (or not a secure context). */
  | 'unsupported'
  /** The server has no VAPID keys: Web Push is off on this installation. */
  | 'server-off'
  /** The member refused notifications for this site; only the browser's site settings can undo that. */
  | 'blocked'
  | 'off'
  | 'on';

/** The registered device for this browser's subscription. */
interface Remembered {
  deviceId: string;
  endpoint: string;
}

const STORAGE_KEY = 'autocloser.webPush';

// `npm run dev` serves the worker as an ES module under its own name; the build emits a classic /app/sw.js.
const workerUrl = import.meta.env.DEV ? `${APP_BASE}dev-sw.js?dev-sw` : `${APP_BASE}sw.js`;
const workerType: WorkerType = import.meta.env.DEV ? 'module' : 'classic';

function supported(): boolean {
  return window.isSecureContext && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

function remembered(): Remembered | null {
  try {
    const value = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as Partial<Remembered> | null;
    return typeof value?.deviceId === 'string' && typeof value.endpoint === 'string' ? { deviceId: value.deviceId, endpoint: value.endpoint } : null;
  } catch {
    return null;
  }
}

/** VAPID keys travel as unpadded base64url; `subscribe` wants the raw bytes. */
export function base64UrlToBytes(value: string): Uint8Array<ArrayBuffer> {
  const base64 = value.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (value.length % 4)) % 4);
  const raw = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

function sameKey(a: ArrayBuffer | null | undefined, b: Uint8Array): boolean {
  if (!a || a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a);
  return x.every((v, i) => v === b[i]);
}

async function currentSubscription(): Promise<PushSubscription | null> {
  const registration = await navigator.serviceWorker.getRegistration(APP_BASE);
  return (await registration?.pushManager.getSubscription()) ?? null;
}

/** Web Push as the server offers it, before asking the browser anything. */
async function serverState(): Promise<{ key: string } | { state: WebPushState }> {
  if (!supported()) return { state: 'unsupported' };
  const config = await getPushConfig();
  if (!config.platforms.web || !config.webPushPublicKey) return { state: 'server-off' };
  if (Notification.permission === 'denied') return { state: 'blocked' };
  return { key: config.webPushPublicKey };
}

/**
 * Whether this browser gets the member's notifications now: subscribed, and
 * its device still on the server (signing out, or the push service reporting
 * the subscription gone, removes it there).
 */
export async function webPushState(): Promise<WebPushState> {
  const server = await serverState();
  if ('state' in server) return server.state;
  const mine = remembered();
  const subscription = await currentSubscription();
  if (!mine || !subscription || subscription.endpoint !== mine.endpoint) return 'off';
  const { items } = await listDevices();
  return items.some((d) => d.id === mine.deviceId) ? 'on' : 'off';
}

/**
 * Asks for permission (call it from a click: browsers allow the prompt only
 * then), subscribes and registers this browser. Answers the resulting state:
 * `blocked` when refused, `off` when the prompt was dismissed.
 */
export async function enableWebPush(label: string): Promise<WebPushState> {
  const server = await serverState();
  if ('state' in server) return server.state;
  const permission = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
  if (permission === 'denied') return 'blocked';
  if (permission !== 'granted') return 'off';

  await navigator.serviceWorker.register(workerUrl, { scope: APP_BASE, type: workerType });
  // subscribe() needs an active worker; `ready` waits for the one controlling /app/, which is ours.
  const registration = await navigator.serviceWorker.ready;
  const key = base64UrlToBytes(server.key);
  let subscription = await registration.pushManager.getSubscription();
  if (subscription && !sameKey(subscription.options.applicationServerKey, key)) {
    // The installation's VAPID key changed: the old subscription can no longer be sent to.
    await subscription.unsubscribe();
    subscription = null;
  }
  subscription ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });

  const device = await registerDevice({ platform: 'web', token: JSON.stringify(subscription), label });
  localStorage.setItem(STORAGE_KEY, JSON.stringify({ deviceId: device.id, endpoint: subscription.endpoint } satisfies Remembered));
  return 'on';
}

/** Stops notifications to this browser: the device goes from the server, the subscription from the push service. */
export async function disableWebPush(): Promise<WebPushState> {
  const mine = remembered();
  if (mine) {
    try {
      await removeDevice(mine.deviceId);
    } catch (err) {
      // Already gone on the server (a sign-out elsewhere, a dead subscription): nothing left to remove.
      if (!(err instanceof ApiError && err.status === 404)) throw err;
    }
  }
  if (supported()) await (await currentSubscription())?.unsubscribe();
  localStorage.removeItem(STORAGE_KEY);
  return 'off';
}

/** A name for this browser in the member's device list, e.g. "Dashboard · Firefox". */
export function browserLabel(userAgent: string): string {
  const name = /Edg\//.test(userAgent)
    ? 'Edge'
    : /OPR\//.test(userAgent)
      ? 'Opera'
      : /Firefox\//.test(userAgent)
        ? 'Firefox'
        : /Chrome\//.test(userAgent)
          ? 'Chrome'
          : /Safari\//.test(userAgent)
            ? 'Safari'
            : 'Browser';
  return `Dashboard · ${name}`;
}
