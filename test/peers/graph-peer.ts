/**
 * A local stand-in for Meta's Graph API as the WhatsApp Cloud API uses it:
 * `POST /v21.0/{phone-number-id}/messages` answered from a per-test script
 * after the checks the real API makes (token, body shape), `GET /v21.0/{media-id}`
 * for registered media, and a separate media host (Meta serves the bytes from
 * another domain) that wants the same bearer token. Every request is recorded.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MetaMessageRequest } from '../../integrations/channels/meta';
import { listenOnLoopback, nextId, startScriptedPeer } from './scripted-peer';
import type { RecordedRequest, ScriptedPeer, ScriptedResponse } from './scripted-peer';

export const GRAPH_VERSION = 'v21.0';

export interface GraphMedia {
  bytes: Buffer;
  mimeType: string;
  /** Defaults to the hex SHA-256 of `bytes`. */
  sha256?: string;
  /** What `GET /{media-id}` reports as `file_size`; defaults to the real length. Set it lower to model a lying header. */
  declaredSize?: number | null;
  /** Send the bytes without `content-length`, so only counting the stream finds the size. */
  chunked?: boolean;
}

export interface GraphPeer extends ScriptedPeer<MetaMessageRequest> {
  /** Base URL for the client, `http://127.0.0.1:<port>/v21.0`. */
  graphBaseUrl: string;
  /** Send requests only (401s and 400s included). */
  messages(): RecordedRequest<MetaMessageRequest>[];
  /** Makes `GET /v21.0/{id}` answer for this media and the media host serve its bytes. */
  addMedia(id: string, media: GraphMedia): void;
  /** Requests to the media host. */
  downloads: RecordedRequest<null>[];
}

/** Graph's error envelope, as every failing endpoint answers it. */
export function graphError(
  status: number,
  code: number,
  message: string,
  extra: { type?: string; error_subcode?: number; error_data?: unknown } = {},
): ScriptedResponse {
  return {
    status,
    body: { error: { message, type: extra.type ?? 'OAuthException', code, ...extra, fbtrace_id: nextId('A') } },
  };
}

/** A WhatsApp error, which carries its explanation in `error_data.details`. */
const whatsAppError = (status: number, code: number, message: string, details: string) =>
  graphError(status, code, message, { error_data: { messaging_product: 'whatsapp', details } });

/** Errors the Cloud API documents, shaped as it returns them. */
export const graphErrors = {
  reEngagement: () =>
    whatsAppError(400, 131047, '(#131047) Re-engagement message', 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.'),
  undeliverable: () => whatsAppError(400, 131026, '(#131026) Message Undeliverable', 'Message Undeliverable.'),
  templateMissing: () => whatsAppError(404, 132001, '(#132001) Template name does not exist in the translation', 'template name (order_update) does not exist in en'),
  rateLimited: () => whatsAppError(400, 130429, '(#130429) Rate limit hit', 'Cloud API message throughput has been reached.'),
  spamRateLimited: () => graphError(400, 131048, '(#131048) Spam rate limit hit'),
  somethingWentWrong: () => graphError(500, 131000, '(#131000) Something went wrong'),
  serverError: () => graphError(500, 1, 'An unknown error occurred', { type: 'OAuthException' }),
  tooManyRequests: () => graphError(429, 80007, '(#80007) Rate limit issues'),
  invalidToken: () => graphError(401, 190, 'Invalid OAuth access token - Cannot parse access token'),
};

/** The answer for an accepted send; `to` is echoed back as the API does. */
export function graphAccepted(to: string, id = nextId('wamid.HBgM')): ScriptedResponse {
  const digits = to.replace(/^\+/, '');
  return { status: 200, body: { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: digits }], messages: [{ id }] } };
}

const MEDIA_TYPES = ['image', 'document', 'audio', 'video'] as const;
const MESSAGE_TYPES = new Set<string>([...MEDIA_TYPES, 'text', 'interactive', 'template', 'sticker', 'location', 'contacts', 'reaction']);

const missing = (param: string) => graphError(400, 100, `(#100) The parameter ${param} is required.`);
const invalid = (message: string) => graphError(400, 100, `(#100) ${message}`);
const invalidValue = (details: string) =>
  graphError(400, 131009, '(#131009) Parameter value is not valid', { error_data: { messaging_product: 'whatsapp', details } });

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The checks the real API makes on a send before anything is delivered. */
function checkMessage(body: unknown): ScriptedResponse | null {
  if (!isObject(body)) return invalid('Invalid JSON for postbody');
  if (body.messaging_product === undefined) return missing('messaging_product');
  if (body.messaging_product !== 'whatsapp') return invalid(`Param messaging_product must be one of {WHATSAPP} - got "${String(body.messaging_product)}".`);
  if (typeof body.to !== 'string' || !body.to) return missing('to');
  const type = body.type ?? 'text';
  if (typeof type !== 'string' || !MESSAGE_TYPES.has(type)) return invalid(`Param type must be one of {${[...MESSAGE_TYPES].join(', ').toUpperCase()}}.`);
  const content = body[type];
  if (!isObject(content)) return missing(type);

  if (type === 'text' && typeof content.body !== 'string') return missing("text['body']");
  if ((MEDIA_TYPES as readonly string[]).includes(type)) {
    if (typeof content.link !== 'string' && typeof content.id !== 'string') return invalid(`Param ${type} must contain either id or link.`);
    if (type === 'audio' && content.caption !== undefined) return invalid("Param audio['caption'] is not a valid parameter.");
    if (type !== 'document' && content.filename !== undefined) return invalid(`Param ${type}['filename'] is not a valid parameter.`);
  }
  if (type === 'interactive') {
    if (!isObject(content.body) || typeof content.body.text !== 'string') return missing("interactive['body']['text']");
    const buttons = isObject(content.action) ? content.action.buttons : undefined;
    if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) return invalidValue('Buttons count invalid. Min: 1, Max: 3');
    for (const button of buttons) {
      const reply = isObject(button) && button.type === 'reply' && isObject(button.reply) ? button.reply : null;
      if (!reply || typeof reply.id !== 'string' || typeof reply.title !== 'string') return missing("interactive['action']['buttons'][0]['reply']");
      if (reply.title.length < 1 || reply.title.length > 20) return invalidValue('Button title length invalid. Min length: 1, Max length: 20');
    }
  }
  if (type === 'template') {
    if (typeof content.name !== 'string') return missing("template['name']");
    if (!isObject(content.language) || typeof content.language.code !== 'string') return missing("template['language']['code']");
  }
  return null;
}

function bearerMatches(headers: IncomingMessage['headers'], accessToken: string) {
  return headers.authorization === `Bearer ${accessToken}`;
}

/** Meta's media host, on its own port as the real one is on its own domain. */
async function startMediaHost(accessToken: string, media: Map<string, GraphMedia>, downloads: RecordedRequest<null>[]) {
  return listenOnLoopback((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://media.local');
    downloads.push({ method: req.method ?? '', path: url.pathname + url.search, headers: req.headers, raw: '', body: null });
    const item = media.get(url.searchParams.get('mid') ?? '');
    if (!bearerMatches(req.headers, accessToken)) {
      const { status, body } = graphErrors.invalidToken();
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    if (req.method !== 'GET' || url.pathname !== '/whatsapp_business/attachments/' || !item) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    const headers: Record<string, string> = { 'content-type': item.mimeType };
    if (!item.chunked) headers['content-length'] = String(item.bytes.length);
    res.writeHead(200, headers);
    // Two writes so a chunked answer really arrives in pieces.
    const half = Math.ceil(item.bytes.length / 2);
    res.write(item.bytes.subarray(0, half));
    res.end(item.bytes.subarray(half));
  });
}

export async function startGraphPeer(options: { accessToken: string; phoneNumberId: string }): Promise<GraphPeer> {
  const media = new Map<string, GraphMedia>();
  const downloads: RecordedRequest<null>[] = [];
  const mediaHost = await startMediaHost(options.accessToken, media, downloads);
  const mediaPath = new RegExp(`^/${GRAPH_VERSION.replace('.', '\\.')}/([^/]+)$`);
  let recorded: RecordedRequest<MetaMessageRequest>[] = [];
  // The request being answered: `validate` and then `exhausted` run back to back for it.
  let current: MetaMessageRequest | null = null;

  function unknownObject(id: string) {
    return graphError(
      400,
      100,
      `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
      { type: 'GraphMethodException', error_subcode: 33 },
    );
  }

  // The scripted peer serves the send endpoint; everything else lands here, where the media lookup lives.
  function otherRoute(method: string, path: string): ScriptedResponse {
    const id = mediaPath.exec(path)?.[1];
    if (method !== 'GET' || !id) return unknownObject(path.split('/').pop() ?? path);
    // The request was recorded just before this runs, in the same tick.
    const request = recorded.at(-1);
    if (!request || !bearerMatches(request.headers, options.accessToken)) return graphErrors.invalidToken();
    const item = media.get(decodeURIComponent(id));
    if (!item) return unknownObject(id);
    const query = new URLSearchParams({ mid: id, ext: String(Date.now()), hash: 'ATtest' });
    return {
      status: 200,
      body: {
        messaging_product: 'whatsapp',
        url: `${mediaHost.origin}/whatsapp_business/attachments/?${query}`,
        mime_type: item.mimeType,
        sha256: item.sha256 ?? createHash('sha256').update(item.bytes).digest('hex'),
        ...(item.declaredSize === null ? {} : { file_size: String(item.declaredSize ?? item.bytes.length) }),
        id,
      },
    };
  }

  const { origin, routed, close, ...peer } = await startScriptedPeer<MetaMessageRequest>({
    route: { method: 'POST', path: `/${GRAPH_VERSION}/${options.phoneNumberId}/messages` },
    responseHeaders: () => ({ 'x-fb-trace-id': nextId('A'), 'x-fb-rev': '1' }),
    notFound: otherRoute,
    authorize: (headers) => (bearerMatches(headers, options.accessToken) ? null : graphErrors.invalidToken()),
    validate: ({ body }) => {
      const invalid = checkMessage(body);
      current = invalid ? null : body;
      return invalid;
    },
    // With nothing scripted the peer accepts valid messages, as the real API does.
    exhausted: () => (current ? graphAccepted(current.to) : graphError(500, 2, 'graph peer: no scripted response left', { type: 'OAuthException' })),
  });
  recorded = peer.requests;

  return {
    ...peer,
    graphBaseUrl: `${origin}/${GRAPH_VERSION}`,
    messages: routed,
    addMedia: (id, item) => void media.set(id, item),
    downloads,
    close: async () => {
      await Promise.all([close(), mediaHost.close()]);
    },
  };
}
