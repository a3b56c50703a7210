/// <reference lib="WebWorker" />
/**
 * The dashboard's service worker, scope /app/: it only shows Web Push
 * notifications and opens their conversation on a tap. No caching: the
 * dashboard is an online tool, and a stale cached build would outlive a deploy.
 */
import { notificationFor, pathFor, windowToReuse, type OpenMessage, type PushData } from './push/notification';

declare let self: ServiceWorkerGlobalScope;

self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let payload: unknown;
  try {
    payload = event.data?.json();
  } catch {
    payload = event.data?.text() ?? null;
  }
  const { title, options } = notificationFor(payload);
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const path = pathFor(event.notification.data as PushData | null);
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = windowToReuse(windows);
      if (open) {
        // The open app navigates with its own router, keeping its session and live socket.
        open.postMessage({ type: 'autocloser:open', path } satisfies OpenMessage);
        await open.focus();
        return;
      }
      await self.clients.openWindow(path);
    })(),
  );
});
