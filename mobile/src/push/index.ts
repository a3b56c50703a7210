import { PushNotifications } from '@capacitor/push-notifications';
import type { Router } from 'vue-router';
import { pushConfig, registerDevice, type PushData } from '../api/push';
import { isNative, platform } from '../platform';

export type PushStatus = 'on' | 'unavailable' | 'blocked' | 'prompt';

/** The route a notification opens: its conversation, or the notifications list. */
export function routeFor(data: PushData | undefined): string {
  return data?.conversationId ? `/c/${encodeURIComponent(data.conversationId)}` : '/notifications';
}

let nativeListeners = false;

/** Taps open the conversation; registration tokens go to the server. Set up once, at start, so a tap that launched the app is not missed. */
export function listenForPushes(router: Router): void {
  if (isNative) {
    if (nativeListeners) return;
    nativeListeners = true;
    void PushNotifications.addListener('registration', (token) => {
      void registerDevice({ platform, token: token.value, label: `${platform} app` }).catch(() => {});
    });
    void PushNotifications.addListener('pushNotificationActionPerformed', (action) => {
      void router.push(routeFor(action.notification.data as PushData | undefined));
    });
    return;
  }
  // The service worker asks an open window to show the conversation rather than opening a second one.
  navigator.serviceWorker?.addEventListener('message', (event: MessageEvent<{ type?: string; data?: PushData }>) => {
    if (event.data?.type === 'open-notification') void router.push(routeFor(event.data.data));
  });
}

function base64UrlToBytes(value: string): Uint8Array<ArrayBuffer> {
  const padded = value.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (value.length % 4)) % 4);
  const raw = atob(padded);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/**
 * Turns on notifications for this device and tells the server where to send
 * them. `ask` shows the system prompt; without it only a permission already
 * given is used (browsers allow the prompt only after a tap).
 */
export async function enablePush(ask: boolean): Promise<PushStatus> {
  if (isNative) {
    let perm = await PushNotifications.checkPermissions();
    if (perm.receive === 'prompt' || perm.receive === 'prompt-with-rationale') {
      if (!ask) return 'prompt';
      perm = await PushNotifications.requestPermissions();
    }
    if (perm.receive !== 'granted') return 'blocked';
    // The token arrives in the 'registration' listener.
    await PushNotifications.register();
    return 'on';
  }
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) return 'unavailable';
  const config = await pushConfig();
  if (!config.webPushPublicKey || !config.platforms.web) return 'unavailable';
  let permission = Notification.permission;
  if (permission === 'default') {
    if (!ask) return 'prompt';
    permission = await Notification.requestPermission();
  }
  if (permission !== 'granted') return 'blocked';
  const registration = await navigator.serviceWorker.ready;
  const subscription =
    (await registration.pushManager.getSubscription()) ??
    (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(config.webPushPublicKey) }));
  await registerDevice({ platform: 'web', token: JSON.stringify(subscription), label: 'Browser' });
  return 'on';
}
