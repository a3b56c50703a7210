import type { ResponseOf } from './api/http';

type ConversationDetail = ResponseOf<'/api/v1/conversations/{conversationId}', 'get'>;
type ConversationSummary = ResponseOf<'/api/v1/conversations', 'get'>['items'][number];
type TranscriptMessage = ConversationDetail['messages'][number];
type ProductImport = ResponseOf<'/api/v1/products/imports/{importId}', 'get'>;

/** Events pushed over /api/v1/live (a WebSocket, outside the OpenAPI document), carrying the documented shapes. */
export type LiveEvent =
  | { type: 'ready' }
  | { type: 'conversation'; conversationId: string; conversation: ConversationSummary }
  | { type: 'message'; conversationId: string; message: TranscriptMessage }
  | { type: 'order'; orderId: string; conversationId: string; status: string }
  | { type: 'import'; import: ProductImport };

export type LiveStatus = 'off' | 'connecting' | 'live' | 'reconnecting';

export interface LiveFeedOptions {
  /** ws(s)://host/api/v1/live */
  url: () => string;
  /** An access token valid for a little longer, or null when there is none (the feed retries later). */
  token: () => Promise<string | null>;
  /** The server refused the token (close code 4401): the next `token()` should refresh it. */
  onTokenRefused?: () => void;
  onEvent: (event: LiveEvent) => void;
  onStatus?: (status: LiveStatus) => void;
}

export interface LiveFeed {
  start(): void;
  stop(): void;
  /** Reconnects now instead of waiting out the backoff (the network came back, the app came to the front). */
  nudge(): void;
}

const MAX_BACKOFF_MS = 30_000;
const UNAUTHORIZED = 4401;

export function liveUrl(loc: Pick<Location, 'protocol' | 'host'>): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/api/v1/live`;
}

/**
 * The merchant's live feed. The access token goes in the first message:
 * browsers cannot put headers on a WebSocket, and a token in the URL would end
 * up in access logs. Lost connections come back with jittered exponential
 * backoff so a restarted API is not hit by every client at once.
 */
export function createLiveFeed(options: LiveFeedOptions): LiveFeed {
  let socket: WebSocket | null = null;
  let wanted = false;
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  const status = (s: LiveStatus) => options.onStatus?.(s);

  function scheduleReconnect(): void {
    if (!wanted || retryTimer) return;
    status('reconnecting');
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempt) * (0.75 + Math.random() * 0.5);
    attempt++;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void connect();
    }, delay);
  }

  async function connect(): Promise<void> {
    if (!wanted || socket) return;
    status(attempt ? 'reconnecting' : 'connecting');
    const token = await options.token();
    if (!wanted || socket) return;
    if (!token) {
      scheduleReconnect();
      return;
    }
    let ws: WebSocket;
    try {
      ws = new WebSocket(options.url());
    } catch {
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.addEventListener('open', () => ws.send(JSON.stringify({ type: 'auth', token })));
    ws.addEventListener('message', (msg) => {
      let event: LiveEvent;
      try {
        event = JSON.parse(String(msg.data)) as LiveEvent;
      } catch {
        return;
      }
      if (event.type === 'ready') {
        attempt = 0;
        status('live');
      }
      options.onEvent(event);
    });
    ws.addEventListener('close', (ev) => {
      if (socket === ws) socket = null;
      if (!wanted) return;
      if (ev.code === UNAUTHORIZED) options.onTokenRefused?.();
      scheduleReconnect();
    });
  }

  return {
    start() {
      if (wanted) return;
      wanted = true;
      attempt = 0;
      void connect();
    },
    stop() {
      wanted = false;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      const ws = socket;
      socket = null;
      ws?.close(1000);
      status('off');
    },
    nudge() {
      if (!wanted || socket) return;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      attempt = 0;
      void connect();
    },
  };
}
