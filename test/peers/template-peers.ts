/**
 * Local stand-ins for the two template list APIs, paging a template set the
 * test controls the way the real services do:
 * - Meta: `GET /v21.0/{waba-id}/message_templates`, bearer token, Graph's
 *   `data` + `paging.cursors/next` envelope, `fields` honoured (`id` always).
 * - Twilio: `GET /v1/ContentAndApprovals` on the Content API host, Basic auth,
 *   `contents` + Twilio's `meta` block with absolute page URLs.
 * Every request is recorded with its query string.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GRAPH_VERSION, graphError, graphErrors } from './graph-peer';
import { listenOnLoopback, nextId, sendJson, type ScriptedResponse } from './scripted-peer';
import { twilioError } from './twilio-peer';

export interface PeerRequest {
  method: string;
  /** Path with its query string. */
  url: string;
  headers: IncomingMessage['headers'];
}

/** What tests read from either peer besides its URL and list. */
interface RecordingPeer {
  requests: PeerRequest[];
  close(): Promise<void>;
}

interface ListServer<Item> extends RecordingPeer {
  origin: string;
  /** Replaces the whole list the peer serves. */
  replace(items: Item[]): void;
}

/** Both services may return fewer entries than a client asks for. */
interface PageCap {
  /** Caps a page below what the client asks for, so a few entries still span pages. */
  maxPageSize?: number;
}

/**
 * Serves a list the test controls: one JSON answer per request from `answer`, given the list as it is now
 * and the URL parsed against the peer's own origin.
 */
async function startListServer<Item>(
  answer: (items: readonly Item[], req: IncomingMessage, url: URL, origin: string) => ScriptedResponse,
  headers: () => Record<string, string>,
): Promise<ListServer<Item>> {
  const requests: PeerRequest[] = [];
  let items: Item[] = [];
  let origin = '';
  const server = await listenOnLoopback((req: IncomingMessage, res: ServerResponse) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '/', headers: req.headers });
    sendJson(res, answer(items, req, new URL(req.url ?? '/', origin), origin), { 'content-type': 'application/json', ...headers() });
  });
  origin = server.origin;
  return { ...server, requests, replace: (next) => void (items = [...next]) };
}

/** Opaque page cursors, as both services hand out: the offset, encoded. */
const cursor = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64url');
function offsetOf(value: string | null): number | null {
  if (value === null) return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : null;
}

// ---------------------------------------------------------------------------
// Meta

/** A template as `message_templates` returns it with every field requested. */
export interface MetaTemplate {
  id: string;
  name: string;
  language: string;
  status: string;
  category: string;
  components: Record<string, unknown>[];
  [field: string]: unknown;
}

/** A template with a fresh numeric id, a BODY component for `body` and any extra components after it. */
export function metaTemplate(t: {
  name: string;
  language?: string;
  status?: string;
  category?: string;
  body?: string;
  components?: Record<string, unknown>[];
}): MetaTemplate {
  const components = t.components ?? (t.body === undefined ? [] : [{ type: 'BODY', text: t.body }]);
  return {
    id: String(10n ** 14n + BigInt(randomBytes(5).readUIntBE(0, 5))),
    name: t.name,
    language: t.language ?? 'en_US',
    status: t.status ?? 'APPROVED',
    category: t.category ?? 'UTILITY',
    components,
  };
}

export interface MetaTemplatesPeer extends RecordingPeer {
  /** `http://127.0.0.1:<port>/v21.0`, the client's Graph base URL. */
  graphBaseUrl: string;
  /** Replaces what the WhatsApp Business Account holds. */
  setTemplates(templates: MetaTemplate[]): void;
}

const GRAPH_DEFAULT_LIMIT = 25;

export async function startMetaTemplatesPeer(options: { accessToken: string; wabaId: string } & PageCap): Promise<MetaTemplatesPeer> {
  const listPath = `/${GRAPH_VERSION}/${options.wabaId}/message_templates`;

  const answer = (templates: readonly MetaTemplate[], req: IncomingMessage, url: URL, origin: string): ScriptedResponse => {
    if (req.headers.authorization !== `Bearer ${options.accessToken}`) return graphErrors.invalidToken();
    if (req.method !== 'GET' || url.pathname !== listPath) {
      const id = url.pathname.split('/')[2] ?? url.pathname;
      return graphError(
        400,
        100,
        `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
        { type: 'GraphMethodException', error_subcode: 33 },
      );
    }
    const limit = Number(url.searchParams.get('limit') ?? GRAPH_DEFAULT_LIMIT);
    if (!Number.isInteger(limit) || limit < 1) return graphError(400, 100, '(#100) Param limit must be a positive integer');
    const offset = offsetOf(url.searchParams.get('after'));
    if (offset === null) return graphError(400, 100, '(#100) Invalid cursor');
    const size = Math.min(limit, options.maxPageSize ?? limit);

    const requested = url.searchParams.get('fields')?.split(',').map((f) => f.trim()).filter(Boolean);
    // Without `fields` Graph answers with its default set; `id` comes back either way.
    const fields = new Set(['id', ...(requested ?? ['name', 'language', 'status', 'category'])]);
    const page = templates.slice(offset, offset + size).map((t) => Object.fromEntries(Object.entries(t).filter(([k]) => fields.has(k))));
    if (page.length === 0) return { status: 200, body: { data: [] } };

    const end = offset + page.length;
    const link = (after: string | null, before: string | null) => {
      const next = new URL(url.pathname, origin);
      for (const [k, v] of url.searchParams) if (k !== 'after' && k !== 'before') next.searchParams.set(k, v);
      if (after) next.searchParams.set('after', after);
      if (before) next.searchParams.set('before', before);
      return next.toString();
    };
    const paging: Record<string, unknown> = { cursors: { before: cursor(offset), after: cursor(end) } };
    if (end < templates.length) paging.next = link(cursor(end), null);
    if (offset > 0) paging.previous = link(null, cursor(offset));
    return { status: 200, body: { data: page, paging } };
  };

  const server = await startListServer(answer, () => ({ 'x-fb-trace-id': nextId('A'), 'x-fb-rev': '1' }));
  return { graphBaseUrl: `${server.origin}/${GRAPH_VERSION}`, requests: server.requests, setTemplates: server.replace, close: server.close };
}

// ---------------------------------------------------------------------------
// Twilio

/** A Content resource as `ContentAndApprovals` lists it. */
export interface TwilioContent {
  sid: string;
  account_sid: string;
  friendly_name: string;
  language: string;
  variables: Record<string, string>;
  types: Record<string, Record<string, unknown>>;
  /** The WhatsApp approval; an empty object when the content was never submitted. */
  approval_requests: Record<string, unknown>;
  date_created: string;
  date_updated: string;
}

/** A Content resource with a fresh `HX` SID; `approval` is the WhatsApp approval request, if one was made. */
export function twilioContent(
  accountSid: string,
  c: {
    friendlyName: string;
    language?: string;
    types: Record<string, Record<string, unknown>>;
    variables?: Record<string, string>;
    approval?: { status: string; category: string; name?: string; rejectionReason?: string };
  },
): TwilioContent {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const contentType = Object.keys(c.types)[0] ?? 'twilio/text';
  return {
    sid: `HX${randomBytes(16).toString('hex')}`,
    account_sid: accountSid,
    friendly_name: c.friendlyName,
    language: c.language ?? 'en',
    variables: c.variables ?? {},
    types: c.types,
    approval_requests: c.approval
      ? {
          name: c.approval.name ?? c.friendlyName,
          category: c.approval.category,
          content_type: contentType,
          status: c.approval.status,
          rejection_reason: c.approval.rejectionReason ?? '',
          allow_category_change: true,
        }
      : {},
    date_created: now,
    date_updated: now,
  };
}

export interface TwilioContentPeer extends RecordingPeer {
  /** Replaces `https://content.twilio.com` for the SDK's `content` domain. */
  contentBaseUrl: string;
  setContents(contents: TwilioContent[]): void;
}

const TWILIO_DEFAULT_PAGE_SIZE = 50;
const TWILIO_MAX_PAGE_SIZE = 1000;

export async function startTwilioContentPeer(options: { accountSid: string; authToken: string } & PageCap): Promise<TwilioContentPeer> {
  const expectedAuth = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  const listPath = '/v1/ContentAndApprovals';

  const answer = (contents: readonly TwilioContent[], req: IncomingMessage, url: URL, origin: string): ScriptedResponse => {
    if (req.headers.authorization !== expectedAuth) {
      return { ...twilioError(401, 20003), headers: { 'www-authenticate': 'Basic realm="Twilio API"' } };
    }
    if (req.method !== 'GET' || url.pathname !== listPath) {
      return twilioError(404, 20404, `The requested resource ${url.pathname} was not found`);
    }
    const pageSize = Number(url.searchParams.get('PageSize') ?? TWILIO_DEFAULT_PAGE_SIZE);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > TWILIO_MAX_PAGE_SIZE) {
      return twilioError(400, 20001, `Invalid PageSize: must be between 1 and ${TWILIO_MAX_PAGE_SIZE}`);
    }
    const page = Number(url.searchParams.get('Page') ?? 0);
    const offset = offsetOf(url.searchParams.get('PageToken'));
    if (offset === null || !Number.isInteger(page) || page < 0) return twilioError(400, 20001, 'Invalid PageToken');
    const size = Math.min(pageSize, options.maxPageSize ?? pageSize);
    const slice = contents.slice(offset, offset + size);

    const pageUrl = (n: number, token: string | null) => {
      const u = new URL(listPath, origin);
      u.searchParams.set('PageSize', String(pageSize));
      u.searchParams.set('Page', String(n));
      if (token) u.searchParams.set('PageToken', token);
      return u.toString();
    };
    const end = offset + slice.length;
    return {
      status: 200,
      body: {
        contents: slice,
        meta: {
          page,
          page_size: pageSize,
          first_page_url: pageUrl(0, null),
          previous_page_url: page > 0 ? pageUrl(page - 1, cursor(Math.max(0, offset - size))) : null,
          url: pageUrl(page, url.searchParams.get('PageToken')),
          next_page_url: end < contents.length ? pageUrl(page + 1, cursor(end)) : null,
          key: 'contents',
        },
      },
    };
  };

  const server = await startListServer(answer, () => ({ 'twilio-request-id': `RQ${randomBytes(16).toString('hex')}`, 'twilio-request-duration': '0.014' }));
  return { contentBaseUrl: server.origin, requests: server.requests, setContents: server.replace, close: server.close };
}
