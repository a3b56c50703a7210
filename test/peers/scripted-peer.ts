/**
 * The HTTP plumbing shared by the local API stand-ins: one JSON route,
 * answers popped from a per-test script, every request recorded. Each
 * provider's peer supplies what differs on the wire: credentials, error
 * envelopes, response headers and the checks the real API makes.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest<Body> {
  method: string;
  path: string;
  /** The query string's parameters, for APIs that route or version by them. */
  query?: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Raw body as received, for size comparisons. */
  raw: string;
  /** Parsed JSON, typed as what a client is supposed to send; null when it did not parse. */
  body: Body | null;
}

export interface ScriptedResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Wait before answering, e.g. to let a client abort. */
  delayMs?: number;
}

/** What tests use of any peer; each provider adds its SDK base URL and a filter for its endpoint. */
export interface ScriptedPeer<Body> {
  requests: RecordedRequest<Body>[];
  enqueue: (...responses: ScriptedResponse[]) => void;
  pending: () => number;
  close: () => Promise<void>;
}

export interface RunningScriptedPeer<Body> extends ScriptedPeer<Body> {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  origin: string;
  /** Requests to the served route, rejected ones included. */
  routed: () => RecordedRequest<Body>[];
}

export interface ScriptedPeerOptions<Body> {
  /** The one endpoint the peer serves; anything else gets `notFound`. */
  route: { method: string; path: string };
  /** Headers every answer carries unless the script overrides them; evaluated per answer so ids stay fresh. */
  responseHeaders: () => Record<string, string>;
  notFound: (method: string, path: string) => ScriptedResponse;
  /** The rejection for missing or wrong credentials, or null to let the request through. */
  authorize: (headers: IncomingMessage['headers']) => ScriptedResponse | null;
  /** The rejection the real API gives a malformed request before a model sees it, or null. */
  validate: (request: RecordedRequest<Body>) => ScriptedResponse | null;
  /** The answer once the script has run out, so a test expecting fewer calls fails loudly. */
  exhausted: () => ScriptedResponse;
}

export interface ListeningPeer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  origin: string;
  close: () => Promise<void>;
}

/** Serves a peer on a free loopback port; `close` drops kept-alive sockets so a test ends at once. */
export async function listenOnLoopback(handler: RequestListener): Promise<ListeningPeer> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** The request line and the whole body as text, which signature checks need byte for byte. */
export async function readRequest(req: IncomingMessage): Promise<{ method: string; path: string; raw: string }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return { method: req.method ?? '', path: (req.url ?? '').split('?')[0] ?? '', raw: Buffer.concat(chunks).toString('utf8') };
}

export function sendJson(res: ServerResponse, response: ScriptedResponse, headers: Record<string, string> = { 'content-type': 'application/json' }): void {
  res.writeHead(response.status, { ...headers, ...response.headers });
  res.end(JSON.stringify(response.body));
}

let sequence = 0;
export const nextId = (prefix: string) => `${prefix}${Date.now().toString(36)}${(sequence++).toString(36).padStart(4, '0')}`;

function parseJson<T>(raw: string): T | null {
  try {
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

export async function startScriptedPeer<Body>(options: ScriptedPeerOptions<Body>): Promise<RunningScriptedPeer<Body>> {
  const queue: ScriptedResponse[] = [];
  const requests: RecordedRequest<Body>[] = [];

  const send = (res: ServerResponse, response: ScriptedResponse) => sendJson(res, response, { 'content-type': 'application/json', ...options.responseHeaders() });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const { method, path, raw } = await readRequest(req);
    const query = new URL(req.url ?? '/', 'http://peer').searchParams;
    const request: RecordedRequest<Body> = { method, path, query, headers: req.headers, raw, body: parseJson<Body>(raw) };
    requests.push(request);

    if (method !== options.route.method || path !== options.route.path) return send(res, options.notFound(method, path));
    const rejection = options.authorize(req.headers) ?? options.validate(request);
    if (rejection) return send(res, rejection);

    const next = queue.shift();
    if (!next) return send(res, options.exhausted());
    if (next.delayMs) {
      const timer = setTimeout(() => send(res, next), next.delayMs);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    send(res, next);
  }

  const server = await listenOnLoopback((req, res) => void handle(req, res));
  return {
    ...server,
    requests,
    routed: () => requests.filter((r) => r.path === options.route.path),
    enqueue: (...responses) => void queue.push(...responses),
    pending: () => queue.length,
  };
}
