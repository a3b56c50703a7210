/**
 * Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload
 * encryption (RFC 8291), for the dashboard and the `/m/` app in browsers,
 * through the `web-push` library. The payload is what the service worker's
 * `push` event receives: `{ title, body, tag?, data: { conversationId, kind } }`.
 */
import { createHash } from 'node:crypto';
import https from 'node:https';
import webpush from 'web-push';
import { PushError, clipped, isRetryableStatus, parseRetryAfter, type PushDevice, type PushNotification, type PushResult, type PushSender } from './sender';

export interface WebPushConfig {
  /** VAPID keys as `web-push generate-vapid-keys` prints them (URL-safe base64). */
  publicKey: string;
  privateKey: string;
  /** `mailto:` or `https:` contact the push services may use (RFC 8292 `sub`). */
  subject: string;
  /** Extra trusted CA (PEM) for a test push service. */
  ca?: string;
  timeoutMs?: number;
  /** How long a push service keeps an undelivered message; a day, as a "needs a person" buzz later than that is noise. */
  ttlSeconds?: number;
}

interface Subscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

function parseSubscription(token: string): Subscription | null {
  try {
    const s = JSON.parse(token) as Partial<Subscription>;
    if (typeof s.endpoint !== 'string' || new URL(s.endpoint).protocol !== 'https:') return null;
    if (typeof s.keys?.p256dh !== 'string' || typeof s.keys.auth !== 'string') return null;
    return { endpoint: s.endpoint, keys: { p256dh: s.keys.p256dh, auth: s.keys.auth } };
  } catch {
    return null;
  }
}

/** `Topic` must be at most 32 URL-safe base64 characters (RFC 8030 §5.4), so any key is hashed into that shape. */
const topicFor = (collapseKey: string) => createHash('sha256').update(collapseKey).digest('base64url').slice(0, 32);

export function createWebPushSender(config: WebPushConfig): PushSender {
  const agent = config.ca ? new https.Agent({ ca: config.ca, keepAlive: true }) : undefined;
  const vapidDetails = { subject: config.subject, publicKey: config.publicKey, privateKey: config.privateKey };
  // Signing one header up front turns a malformed key or subject into a start-up error instead of a failure per send.
  webpush.getVapidHeaders('https://push.invalid', config.subject, config.publicKey, config.privateKey, 'aes128gcm');
  return {
    platform: 'web',
    async send(device: PushDevice, n: PushNotification): Promise<PushResult> {
      const subscription = parseSubscription(device.token);
      if (!subscription) return { dead: true, reason: 'InvalidSubscription' };
      const payload = JSON.stringify({ ...clipped(n), ...(n.collapseKey ? { tag: n.collapseKey } : {}), data: n.data });
      try {
        const res = await webpush.sendNotification(subscription, payload, {
          vapidDetails,
          TTL: config.ttlSeconds ?? 86_400,
          urgency: 'high',
          contentEncoding: 'aes128gcm',
          timeout: config.timeoutMs ?? 10_000,
          ...(n.collapseKey ? { topic: topicFor(n.collapseKey) } : {}),
          ...(agent ? { agent } : {}),
        });
        const location = res.headers.location;
        return { ok: true, ...(typeof location === 'string' ? { id: location } : {}) };
      } catch (err) {
        if (!(err instanceof webpush.WebPushError)) {
          throw new PushError(`Web Push to ${new URL(subscription.endpoint).origin} failed: ${(err as Error).message}`, true, undefined, undefined, { cause: err });
        }
        // 404 and 410: the browser unsubscribed or the subscription expired (RFC 8030 §7.3).
        if (err.statusCode === 404 || err.statusCode === 410) return { dead: true, reason: `HTTP ${err.statusCode}` };
        const retryAfter = err.headers['retry-after'];
        throw new PushError(
          `Web Push answered ${err.statusCode}: ${err.body.slice(0, 200)}`,
          isRetryableStatus(err.statusCode),
          err.statusCode,
          parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : undefined),
          { cause: err },
        );
      }
    },
    async close() {
      agent?.destroy();
    },
  };
}

/** A fresh VAPID key pair (P-256, URL-safe base64), as `web-push generate-vapid-keys` makes. */
export function generateVapidKeys(): { publicKey: string; privateKey: string } {
  return webpush.generateVAPIDKeys();
}
