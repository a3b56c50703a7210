/**
 * A local Sentry ingest: `POST /api/<project>/envelope/` speaking Sentry's
 * envelope protocol (https://develop.sentry.dev/sdk/data-model/envelopes/):
 * a JSON header line, then items, each a JSON item header and a payload of
 * `length` bytes (or up to the next newline), gzip-encoded when the SDK
 * compresses. Like Sentry, it refuses an envelope for another project or
 * without the DSN's public key (`X-Sentry-Auth` or the `sentry_key` query).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';

export interface EnvelopeItem {
  header: { type?: string; length?: number; [key: string]: unknown };
  /** Parsed JSON when the payload is JSON, else the raw text. */
  payload: unknown;
}

export interface ReceivedEnvelope {
  header: Record<string, unknown>;
  items: EnvelopeItem[];
  /** The decompressed body, byte for byte: what a test searches for anything that should not have left. */
  raw: string;
}

export interface RunningSentryPeer {
  /** A DSN pointing here: `http://<key>@127.0.0.1:<port>/<project>`. */
  dsn: string;
  envelopes: ReceivedEnvelope[];
  /** Error events (items of type `event`) received so far. */
  events(): Record<string, unknown>[];
  /** Requests refused for a wrong key or project. */
  refused: number;
  close(): Promise<void>;
}

export function parseEnvelope(raw: Buffer): Omit<ReceivedEnvelope, 'raw'> {
  let at = raw.indexOf(0x0a);
  if (at === -1) at = raw.length;
  const header = JSON.parse(raw.subarray(0, at).toString('utf8')) as Record<string, unknown>;
  const items: EnvelopeItem[] = [];
  let pos = at + 1;
  while (pos < raw.length) {
    let end = raw.indexOf(0x0a, pos);
    if (end === -1) end = raw.length;
    const line = raw.subarray(pos, end).toString('utf8').trim();
    pos = end + 1;
    if (!line) continue;
    const itemHeader = JSON.parse(line) as EnvelopeItem['header'];
    let payloadBytes: Buffer;
    if (typeof itemHeader.length === 'number') {
      payloadBytes = raw.subarray(pos, pos + itemHeader.length);
      pos += itemHeader.length + 1;
    } else {
      let stop = raw.indexOf(0x0a, pos);
      if (stop === -1) stop = raw.length;
      payloadBytes = raw.subarray(pos, stop);
      pos = stop + 1;
    }
    const text = payloadBytes.toString('utf8');
    let payload: unknown = text;
    try {
      payload = JSON.parse(text);
    } catch {
      // Attachments and other binary items stay raw.
    }
    items.push({ header: itemHeader, payload });
  }
  return { header, items };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const encoding = req.headers['content-encoding'];
  if (encoding === 'gzip') return gunzipSync(raw);
  if (encoding === 'deflate') return inflateSync(raw);
  return raw;
}

function publicKey(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers['x-sentry-auth'];
  const fromHeader = typeof auth === 'string' ? /sentry_key=([^,\s]+)/.exec(auth)?.[1] : undefined;
  return fromHeader ?? url.searchParams.get('sentry_key') ?? undefined;
}

export async function startSentryPeer(opts: { project?: string; key?: string } = {}): Promise<RunningSentryPeer> {
  const project = opts.project ?? '4242';
  const key = opts.key ?? 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const envelopes: ReceivedEnvelope[] = [];
  const peer = { refused: 0 };
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://sentry.local');
      const match = /^\/api\/([^/]+)\/envelope\/?$/.exec(url.pathname);
      if (req.method !== 'POST' || !match) {
        res.writeHead(404).end();
        return;
      }
      const body = await readBody(req);
      if (match[1] !== project || publicKey(req, url) !== key) {
        peer.refused++;
        res.writeHead(match[1] !== project ? 404 : 401, { 'content-type': 'application/json' }).end('{"detail":"invalid project or key"}');
        return;
      }
      try {
        envelopes.push({ ...parseEnvelope(body), raw: body.toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: envelopes.at(-1)!.header.event_id ?? null }));
      } catch (err) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: String(err) }));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    dsn: `http://${key}@127.0.0.1:${port}/${project}`,
    envelopes,
    events: () => envelopes.flatMap((e) => e.items.filter((i) => i.header.type === 'event').map((i) => i.payload as Record<string, unknown>)),
    get refused() {
      return peer.refused;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
