/**
 * Push notifications to a merchant's devices, one sender per platform. A
 * sender makes one delivery attempt: it answers delivered, or dead (the
 * provider says the token will never work again, so the caller removes it),
 * or throws a `PushError` whose `retryable` says whether a later attempt can
 * succeed. Retrying and de-duplication belong to the caller's durable step.
 */
export type PushPlatform = 'android' | 'ios' | 'web';

export interface PushDevice {
  platform: PushPlatform;
  /**
   * FCM registration token (android), APNs device token in hex (ios), or a
   * browser's PushSubscription as JSON (web): `{"endpoint":..,"keys":{"p256dh":..,"auth":..}}`.
   */
  token: string;
}

/** What happened, as an app opening from a notification needs to know. */
export type PushKind = 'needs_human' | 'customer_message' | 'payment_received' | 'payment_failed' | 'new_lead';

export interface PushNotification {
  title: string;
  body: string;
  /** Tapping the notification opens this conversation. */
  data: { conversationId: string; kind: PushKind };
  /** A newer notification with the same key replaces an undelivered or shown older one, e.g. one per conversation. */
  collapseKey?: string;
}

export type PushResult = { ok: true; id?: string } | { dead: true; reason: string };

export class PushError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    /** The provider's `Retry-After`, when it sent one. */
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'PushError';
  }
}

export interface PushSender {
  readonly platform: PushPlatform;
  send(device: PushDevice, notification: PushNotification): Promise<PushResult>;
  close?(): Promise<void>;
}

/** `Retry-After` in seconds or as an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** 429 and 5xx pass with time; other refusals are about the request and will not. */
export const isRetryableStatus = (status: number) => status === 429 || status >= 500;

/**
 * Keeps a notification's text within what every platform shows and accepts
 * (APNs and Web Push refuse payloads over 4 KB); a phone shows a few lines anyway.
 */
export function clipped(n: PushNotification): { title: string; body: string } {
  const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
  return { title: clip(n.title, 120), body: clip(n.body, 1000) };
}
