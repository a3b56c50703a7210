/**
 * What the dashboard's service worker does with a Web Push, as plain
 * functions the specs can call: the notification it shows, and where a tap
 * takes the member. The server sends `{ title, body, tag?, data: { conversationId, kind } }`.
 */

/** The app's base path; the service worker's scope and the router's history base. */
export const APP_BASE = '/app/';

export interface PushData {
  conversationId?: string;
  kind?: string;
}

export interface ShownNotification {
  title: string;
  options: NotificationOptions & { data: PushData };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value : undefined);

/**
 * The notification for a push message's JSON (or raw text when it is not
 * JSON): the server's words, and its data kept for the tap.
 */
export function notificationFor(payload: unknown, fallbackTitle = 'AutoCloser'): ShownNotification {
  const p = (payload && typeof payload === 'object' ? payload : { body: text(payload) }) as Record<string, unknown>;
  const raw = (p.data && typeof p.data === 'object' ? p.data : {}) as Record<string, unknown>;
  const data: PushData = {};
  const conversationId = text(raw.conversationId);
  const kind = text(raw.kind);
  if (conversationId) data.conversationId = conversationId;
  if (kind) data.kind = kind;
  // One notification per conversation: a newer buzz about the same lead replaces the older one.
  const tag = text(p.tag) ?? (conversationId ? `conversation:${conversationId}` : undefined);
  return {
    title: text(p.title) ?? fallbackTitle,
    options: { body: text(p.body) ?? '', data, ...(tag ? { tag } : {}) },
  };
}

/** The dashboard path a tap opens: the conversation in the inbox (router: `/inbox/:conversationId`), or the inbox. */
export function pathFor(data: PushData | null | undefined): string {
  return data?.conversationId ? `${APP_BASE}inbox/${encodeURIComponent(data.conversationId)}` : `${APP_BASE}inbox`;
}

/** The message a service worker posts to an open dashboard window so its router shows the conversation. */
export interface OpenMessage {
  type: 'autocloser:open';
  path: string;
}

export const isOpenMessage = (value: unknown): value is OpenMessage =>
  !!value && typeof value === 'object' && (value as OpenMessage).type === 'autocloser:open' && typeof (value as OpenMessage).path === 'string';

/**
 * The dashboard window a tap should reuse: a focused one first, then any
 * under the app's path; none means opening a new window.
 */
export function windowToReuse<W extends { url: string; focused: boolean }>(windows: readonly W[]): W | undefined {
  const ours = windows.filter((w) => new URL(w.url).pathname.startsWith(APP_BASE));
  return ours.find((w) => w.focused) ?? ours[0];
}
