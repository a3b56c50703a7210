/// <reference lib="WebWorker" />
/**
 * The /m/ service worker: the app shell precached so /m/ opens without a
 * network, Web Push shown as notifications, and a tap opening the conversation.
 */
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare let self: ServiceWorkerGlobalScope;

interface PushPayload {
  title?: string;
  body?: string;
  data?: { conversationId?: string; kind?: string };
  conversationId?: string;
  kind?: string;
}

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// Every page of the app is the same index.html; the API is never answered from here.
registerRoute(new NavigationRoute(createHandlerBoundToURL(`${import.meta.env.BASE_URL}index.html`), { allowlist: [new RegExp(`^${import.meta.env.BASE_URL}`)] }));

self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let payload: PushPayload;
  try {
    payload = (event.data?.json() ?? {}) as PushPayload;
  } catch {
    payload = { body: event.data?.text() };
  }
  const data = { conversationId: payload.data?.conversationId ?? payload.conversationId, kind: payload.data?.kind ?? payload.kind };
  event.waitUntil(
    self.registration.showNotification(payload.title ?? 'AutoCloser', {
      body: payload.body ?? '',
      icon: `${import.meta.env.BASE_URL}icons/icon-192.png`,
      badge: `${import.meta.env.BASE_URL}icons/badge-96.png`,
      // One notification per conversation: a second message replaces the first instead of stacking.
      tag: data.conversationId ? `conversation:${data.conversationId}` : undefined,
      data,
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const data = event.notification.data as PushPayload['data'];
  const path = data?.conversationId ? `c/${encodeURIComponent(data.conversationId)}` : 'notifications';
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = windows.find((w) => new URL(w.url).pathname.startsWith(import.meta.env.BASE_URL));
      if (open) {
        open.postMessage({ type: 'open-notification', data });
        await open.focus();
        return;
      }
      await self.clients.openWindow(`${import.meta.env.BASE_URL}${path}`);
    })(),
  );
});
