/**
 * Brings a merchant's WhatsApp template registry in line with what the
 * provider holds: Meta's `message_templates` list for the WhatsApp Business
 * Account, or Twilio's Content API with its WhatsApp approvals. Provider
 * fields overwrite ours; the merchant's own `purpose` for a template stays.
 */
import twilio from 'twilio';
import { z } from 'zod';
import { DEFAULT_GRAPH_BASE_URL } from '../channels/meta';
import type { Db } from '../../db/knex';
import type { MerchantChannel, MetaCredentials, TwilioCredentials } from '../../db/queries/channels';
import { listTemplates, upsertTemplate, type Template } from '../../db/queries/templates';

export interface SyncTemplatesOptions {
  /** Replaces `https://graph.facebook.com/v21.0`, e.g. a local peer in tests. */
  graphBaseUrl?: string;
  /** Replaces Twilio domains; only `content` (`https://content.twilio.com`) is used. */
  twilioBaseUrls?: { content?: string };
}

export interface SyncTemplatesResult {
  upserted: number;
  skipped: { name: string; reason: string }[];
}

/** The provider refused the list request or answered something unusable. */
export class TemplateSyncError extends Error {
  override readonly name = 'TemplateSyncError';
  constructor(
    message: string,
    readonly provider: 'twilio' | 'meta',
    /** HTTP status, when the provider answered. */
    readonly status?: number,
    /** The provider's own error code (Graph `error.code`, Twilio `code`). */
    readonly code?: number,
  ) {
    super(message);
  }
}

const PAGE_SIZE = 100;
/** 2,000 templates: far above WhatsApp's per-account limits, low enough to stop a paging loop. */
const MAX_PAGES = 20;
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * WhatsApp's language codes (`en`, `pt_BR`, `fil`). Anything else could not
 * be matched against a conversation's language and is likely not WhatsApp's.
 */
const LANGUAGE_CODE = /^[a-z]{2,3}(_[A-Z]{2})?$/;
const NAME_MAX = 200;

type Category = Template['category'];
type Status = Template['status'];

/** One template as a provider lists it, before our checks. */
interface Listed {
  name: string;
  language: string;
  category: Category | null;
  status: Status;
  body: string | null;
  components: unknown[];
  providerId: string;
}

type Candidate = Listed | { skip: { name: string; reason: string } };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export async function syncTemplates(db: Db, channel: MerchantChannel, opts: SyncTemplatesOptions = {}): Promise<SyncTemplatesResult> {
  const candidates =
    channel.provider === 'meta'
      ? await listMetaTemplates(channel.credentials, opts.graphBaseUrl)
      : await listTwilioTemplates(channel.credentials, opts.twilioBaseUrls?.content);
  return store(db, channel.merchantId, channel.provider, candidates);
}

async function store(db: Db, merchantId: string, provider: 'twilio' | 'meta', candidates: Candidate[]): Promise<SyncTemplatesResult> {
  const skipped: SyncTemplatesResult['skipped'] = [];
  const chosen = new Map<string, Listed>();

  for (const candidate of candidates) {
    if ('skip' in candidate) {
      skipped.push(candidate.skip);
      continue;
    }
    const reason = unusable(candidate);
    if (reason) {
      skipped.push({ name: candidate.name || candidate.providerId, reason });
      continue;
    }
    // Twilio lets several Content resources share a name and language; one row can hold only one of them.
    const key = keyOf(candidate);
    const held = chosen.get(key);
    if (held && STATUS_RANK[held.status] >= STATUS_RANK[candidate.status]) {
      skipped.push({ name: candidate.name, reason: `duplicate of ${held.providerId} for ${candidate.language}` });
      continue;
    }
    if (held) skipped.push({ name: held.name, reason: `duplicate of ${candidate.providerId} for ${held.language}` });
    chosen.set(key, candidate);
  }

  const purposes = new Map((await listTemplates(db, merchantId)).filter((t) => t.provider === provider).map((t) => [keyOf(t), t.purpose]));
  for (const [key, t] of chosen) {
    await upsertTemplate(db, merchantId, {
      provider,
      name: t.name,
      language: t.language,
      category: t.category ?? 'utility',
      // upsertTemplate overwrites purpose on conflict, so the merchant's choice is passed back in.
      purpose: purposes.get(key) ?? null,
      body: t.body ?? '',
      components: t.components,
      variableCount: variableCount(t.body ?? ''),
      providerId: t.providerId,
      status: t.status,
    });
  }
  return { upserted: chosen.size, skipped };
}

/** When two listings share a name and language, the more usable one wins. */
const STATUS_RANK: Record<Status, number> = { approved: 4, pending: 3, paused: 2, rejected: 1, draft: 0 };

const keyOf = (t: { name: string; language: string }) => `${t.name}\u0000${t.language}`;

function unusable(t: Listed): string | null {
  if (!t.name) return 'no name';
  if (t.name.length > NAME_MAX) return `name longer than ${NAME_MAX} characters`;
  if (!LANGUAGE_CODE.test(t.language)) return `unsupported language code "${t.language}"`;
  if (!t.body?.trim()) return 'no body text';
  // Sending fills {{1}}…{{n}} by position; a template with named parameters could never be filled.
  if (/\{\{\s*[^}\d\s][^}]*\}\}/.test(t.body)) return 'named variables are not supported';
  return null;
}

/** The highest `{{n}}` in the body: WhatsApp numbers variables from 1 without gaps. */
export function variableCount(body: string): number {
  return Math.max(0, ...[...body.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => Number(m[1])));
}

// ---------------------------------------------------------------------------
// Meta

const META_STATUS: Record<string, Status> = {
  APPROVED: 'approved',
  PENDING: 'pending',
  IN_APPEAL: 'pending',
  REJECTED: 'rejected',
  PAUSED: 'paused',
  DISABLED: 'paused',
};

const META_CATEGORY: Record<string, Category> = { UTILITY: 'utility', MARKETING: 'marketing', AUTHENTICATION: 'authentication' };

const GraphTemplate = z.object({
  id: z.string().min(1),
  name: z.string(),
  language: z.string(),
  status: z.string(),
  category: z.string(),
  components: z.array(z.unknown()).default([]),
});

const GraphPage = z.object({
  data: z.array(z.unknown()),
  paging: z.object({ next: z.string().optional() }).optional(),
});

const GraphErrorBody = z.object({
  error: z.object({ message: z.string().optional(), type: z.string().optional(), code: z.number().optional() }),
});

async function listMetaTemplates(creds: MetaCredentials, graphBaseUrl?: string): Promise<Candidate[]> {
  if (!creds.wabaId) {
    throw new TemplateSyncError(
      'this Meta channel has no wabaId: the WhatsApp Business Account id is needed to list its message templates',
      'meta',
    );
  }
  const base = (graphBaseUrl ?? DEFAULT_GRAPH_BASE_URL).replace(/\/+$/, '');
  const first = new URL(`${base}/${encodeURIComponent(creds.wabaId)}/message_templates`);
  first.searchParams.set('fields', 'name,language,status,category,components');
  first.searchParams.set('limit', String(PAGE_SIZE));

  const candidates: Candidate[] = [];
  let next: string | undefined = first.toString();
  for (let page = 0; next && page < MAX_PAGES; page++) {
    // The access token goes wherever `paging.next` points, so it must stay on the Graph host.
    if (new URL(next).origin !== first.origin) {
      throw new TemplateSyncError(`Graph API paging.next leaves ${first.origin}: ${next}`, 'meta');
    }
    const res = await fetch(next, {
      headers: { authorization: `Bearer ${creds.accessToken}`, accept: 'application/json' },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok) throw graphFailure(res.status, json);
    const parsed = GraphPage.safeParse(json);
    if (!parsed.success) throw new TemplateSyncError('Graph API answered the template list without a data array', 'meta', res.status);
    candidates.push(...parsed.data.data.map(fromGraph));
    next = parsed.data.paging?.next;
  }
  return candidates;
}

function graphFailure(status: number, body: unknown): TemplateSyncError {
  const parsed = GraphErrorBody.safeParse(body);
  const error = parsed.success ? parsed.data.error : undefined;
  const detail = error ? `${error.type ?? 'error'}${error.code === undefined ? '' : ` (${error.code})`}: ${error.message ?? ''}` : 'no error body';
  return new TemplateSyncError(`Graph API template list failed with HTTP ${status}, ${detail}`, 'meta', status, error?.code);
}

function fromGraph(entry: unknown): Candidate {
  const parsed = GraphTemplate.safeParse(entry);
  if (!parsed.success) {
    const name = isRecord(entry) && typeof entry.name === 'string' ? entry.name : '(unnamed)';
    return { skip: { name, reason: 'malformed template entry' } };
  }
  const t = parsed.data;
  const category = META_CATEGORY[t.category.toUpperCase()];
  if (!category) return { skip: { name: t.name, reason: `unsupported category "${t.category}"` } };
  const body = t.components.find((c) => isRecord(c) && String(c.type).toUpperCase() === 'BODY');
  return {
    name: t.name,
    language: t.language,
    category,
    // Deleted, archived and over-limit templates cannot be sent either: hold them as paused.
    status: META_STATUS[t.status.toUpperCase()] ?? 'paused',
    body: isRecord(body) && typeof body.text === 'string' ? body.text : null,
    components: t.components,
    providerId: t.id,
  };
}

// ---------------------------------------------------------------------------
// Twilio

/** Content types in the order their text is the message a customer reads. */
const TEXT_TYPES = [
  'twilio/text',
  'twilio/quick-reply',
  'twilio/call-to-action',
  'twilio/list-picker',
  'twilio/media',
  'whatsapp/card',
  'twilio/card',
];

/** WhatsApp approval statuses as Twilio reports them (lower case). */
const TWILIO_STATUS: Record<string, Status> = {
  approved: 'approved',
  received: 'pending',
  pending: 'pending',
  in_appeal: 'pending',
  rejected: 'rejected',
  paused: 'paused',
  disabled: 'paused',
};

interface TwilioListed {
  sid: string;
  friendlyName: string;
  language: string;
  types: Record<string, object> | null;
  approvalRequests: Record<string, object> | null;
}

async function listTwilioTemplates(creds: TwilioCredentials, contentBaseUrl?: string): Promise<Candidate[]> {
  // Retries belong to whoever runs the sync; the SDK's own stays off.
  const client = twilio(creds.accountSid, creds.authToken, { autoRetry: false, timeout: REQUEST_TIMEOUT_MS });
  // The Content resources resolve their URL from the `content` domain on every request.
  if (contentBaseUrl) client.content.baseUrl = contentBaseUrl;

  let contents: TwilioListed[];
  try {
    contents = await client.content.v1.contentAndApprovals.list({ pageSize: PAGE_SIZE, limit: PAGE_SIZE * MAX_PAGES });
  } catch (err) {
    throw twilioFailure(err);
  }
  return contents.map(fromTwilio);
}

function twilioFailure(err: unknown): Error {
  if (!(err instanceof Error)) return new Error(String(err));
  const { status, code } = err as Error & { status?: unknown; code?: unknown };
  if (typeof status !== 'number') return err;
  const numericCode = typeof code === 'number' ? code : undefined;
  return new TemplateSyncError(
    `Twilio Content API template list failed with HTTP ${status}${numericCode ? ` (${numericCode})` : ''}: ${err.message}`,
    'twilio',
    status,
    numericCode,
  );
}

/** The WhatsApp approval: listed flat on ContentAndApprovals, under `whatsapp` on the per-content approval fetch. */
function whatsappApproval(requests: Record<string, object> | null): Record<string, unknown> {
  if (!requests) return {};
  return isRecord(requests.whatsapp) ? requests.whatsapp : requests;
}

function textOf(types: Record<string, unknown>): string | null {
  const text = (type: string) => {
    const content = types[type];
    if (!isRecord(content)) return null;
    const value = type === 'twilio/card' ? content.title : content.body;
    return typeof value === 'string' && value.trim() ? value : null;
  };
  for (const type of [...TEXT_TYPES, ...Object.keys(types)]) {
    const found = text(type);
    if (found) return found;
  }
  return null;
}

function fromTwilio(c: TwilioListed): Candidate {
  const types: Record<string, unknown> = isRecord(c.types) ? c.types : {};
  const approval = whatsappApproval(c.approvalRequests);
  const status = typeof approval.status === 'string' ? approval.status.toLowerCase() : '';
  const category = typeof approval.category === 'string' ? META_CATEGORY[approval.category.toUpperCase()] : undefined;
  return {
    name: c.friendlyName ?? '',
    language: c.language ?? '',
    // Never submitted to WhatsApp (or an unknown status): usable by nobody until it is approved.
    status: TWILIO_STATUS[status] ?? 'draft',
    category: category ?? (types['whatsapp/authentication'] ? 'authentication' : null),
    body: textOf(types),
    components: Object.entries(types).map(([type, content]) => ({ type, ...(isRecord(content) ? content : {}) })),
    providerId: c.sid,
  };
}
