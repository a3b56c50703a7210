/**
 * Meta's WhatsApp Cloud API (Graph API) on the wire. Meta ships no official
 * Node SDK for it, so this is a small typed client over Node's `fetch`: one
 * endpoint to send, two to fetch inbound media.
 */
import { z } from 'zod';
import { NonRetryableSendError, TemplateRequiredError } from './channel';
import type { OutboundContent, WhatsAppProviderClient, WhatsAppSendRequest } from './channel';

export const DEFAULT_GRAPH_BASE_URL = 'https://graph.facebook.com/v21.0';
const DEFAULT_TIMEOUT_MS = 15_000;
/** Meta's own cap for documents, the largest media kind it accepts. */
const DEFAULT_MAX_MEDIA_BYTES = 100 * 1024 * 1024;

export interface MetaCredentials {
  accessToken: string;
  phoneNumberId: string;
}

export interface MetaClientOptions {
  /** Graph API root including the version, without a trailing slash. */
  graphBaseUrl?: string;
  timeoutMs?: number;
}

export interface MetaMediaOptions extends MetaClientOptions {
  /** Larger media is refused before (when Meta states the size) or while downloading. */
  maxBytes?: number;
}

export interface MetaMedia {
  bytes: Buffer;
  mimeType: string;
  /** As Meta reports it for the file. */
  sha256: string;
}

/**
 * A Graph API failure as Meta described it. Sends throw it only when a retry
 * may help; media downloads throw it for every failure and say which via `retryable`.
 */
export class MetaGraphError extends Error {
  override name = 'MetaGraphError';
  constructor(
    message: string,
    readonly status: number,
    readonly code?: number,
    readonly subcode?: number,
    readonly fbtraceId?: string,
  ) {
    super(message);
  }

  get retryable(): boolean {
    return isRetryable(this.status, this.code);
  }
}

/** The media is larger than the caller accepts; downloading again will not shrink it. */
export class MediaTooLargeError extends Error {
  override name = 'MediaTooLargeError';
  constructor(
    readonly limit: number,
    readonly size: number,
  ) {
    super(`media is ${size} bytes, over the ${limit}-byte limit`);
  }
}

/** The request body of `POST /{phone-number-id}/messages` for the kinds this project sends. */
export type MetaMessageRequest = {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  to: string;
} & (
  | { type: 'text'; text: { body: string; preview_url: boolean } }
  | { type: 'image'; image: MetaMediaObject }
  | { type: 'document'; document: MetaMediaObject }
  | { type: 'audio'; audio: MetaMediaObject }
  | { type: 'video'; video: MetaMediaObject }
  | {
      type: 'interactive';
      interactive: {
        type: 'button';
        body: { text: string };
        action: { buttons: { type: 'reply'; reply: { id: string; title: string } }[] };
      };
    }
  | {
      type: 'template';
      template: {
        name: string;
        language: { code: string };
        components?: { type: 'body'; parameters: { type: 'text'; text: string }[] }[];
      };
    }
);

export interface MetaMediaObject {
  link: string;
  caption?: string;
  filename?: string;
}

const graphErrorEnvelope = z.object({
  error: z.object({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.number().optional(),
    error_subcode: z.number().optional(),
    error_data: z.unknown().optional(),
    fbtrace_id: z.string().optional(),
  }),
});

const sendResponse = z.object({
  messages: z.array(z.object({ id: z.string().min(1) })).min(1),
});

const mediaInfo = z.object({
  url: z.string().min(1),
  mime_type: z.string(),
  sha256: z.string(),
  // Documented as a string ("303833"); older versions send a number.
  file_size: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
});

/** Codes Meta documents as throttling: retry later. */
const RATE_LIMIT_CODES = new Set([4, 80007, 130429, 131048, 131056]);
/** Codes Meta documents as temporary on its side. */
const TRANSIENT_CODES = new Set([1, 2, 131000, 131016]);
/** Codes that name a problem with the request, recipient or account: the same request fails again. */
const PERMANENT_CODES = new Set([100, 190, 131009, 131026, 131051, 131052, 131053]);
const RE_ENGAGEMENT_CODE = 131047;

const isTemplateErrorCode = (code: number) => code >= 132000 && code <= 132016;

function isRetryable(status: number, code: number | undefined): boolean {
  if (status === 429 || (code !== undefined && (RATE_LIMIT_CODES.has(code) || TRANSIENT_CODES.has(code)))) return true;
  if (code !== undefined && (code === RE_ENGAGEMENT_CODE || PERMANENT_CODES.has(code) || isTemplateErrorCode(code))) return false;
  return status < 400 || status >= 500;
}

const BUTTON_LIMIT = 3;
const BUTTON_TITLE_LIMIT = 20;
const BUTTON_ID_LIMIT = 256;

/** E.164 without the plus, as the Cloud API wants `to`. */
function recipientDigits(to: string): string {
  const digits = to.startsWith('+') ? to.slice(1) : to;
  if (!/^[1-9]\d{6,14}$/.test(digits)) throw new NonRetryableSendError(`not an E.164 number: ${to}`, 'invalid_recipient');
  return digits;
}

function mediaObject(content: Extract<OutboundContent, { kind: 'media' }>): MetaMediaObject {
  const media: MetaMediaObject = { link: content.url };
  // Audio takes neither caption nor filename, and only documents carry a filename; Meta rejects the extra fields.
  if (content.caption && content.mediaType !== 'audio') media.caption = content.caption;
  if (content.filename && content.mediaType === 'document') media.filename = content.filename;
  return media;
}

function checkButtons(buttons: { id: string; title: string }[]) {
  if (buttons.length === 0 || buttons.length > BUTTON_LIMIT) {
    throw new NonRetryableSendError(`WhatsApp takes 1 to ${BUTTON_LIMIT} reply buttons, got ${buttons.length}`, 'invalid_buttons');
  }
  for (const { id, title } of buttons) {
    const length = [...title].length;
    if (length === 0 || length > BUTTON_TITLE_LIMIT) {
      throw new NonRetryableSendError(`button title must be 1 to ${BUTTON_TITLE_LIMIT} characters: "${title}"`, 'invalid_buttons');
    }
    if (id.length === 0 || id.length > BUTTON_ID_LIMIT) {
      throw new NonRetryableSendError(`button id must be 1 to ${BUTTON_ID_LIMIT} characters: "${id}"`, 'invalid_buttons');
    }
  }
}

/** The Graph request body for one outbound message. Exported so tests and peers share the shape. */
export function toMetaMessage(req: WhatsAppSendRequest): MetaMessageRequest {
  const head = { messaging_product: 'whatsapp', recipient_type: 'individual', to: recipientDigits(req.to) } as const;
  const { content } = req;
  switch (content.kind) {
    case 'text':
      return { ...head, type: 'text', text: { body: content.text, preview_url: true } };
    case 'media': {
      const media = mediaObject(content);
      switch (content.mediaType) {
        case 'image':
          return { ...head, type: 'image', image: media };
        case 'document':
          return { ...head, type: 'document', document: media };
        case 'audio':
          return { ...head, type: 'audio', audio: media };
        case 'video':
          return { ...head, type: 'video', video: media };
      }
      throw new NonRetryableSendError(`unsupported media type: ${String(content.mediaType)}`, 'invalid_media');
    }
    case 'buttons':
      checkButtons(content.buttons);
      return {
        ...head,
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: content.text },
          action: { buttons: content.buttons.map(({ id, title }) => ({ type: 'reply', reply: { id, title } })) },
        },
      };
    case 'template': {
      const { name, language, variables } = content.template;
      return {
        ...head,
        type: 'template',
        template: {
          name,
          language: { code: language },
          // An empty parameter list is itself a mismatch for a template without variables.
          ...(variables.length > 0
            ? { components: [{ type: 'body', parameters: variables.map((text) => ({ type: 'text', text })) }] }
            : {}),
        },
      };
    }
  }
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return null;
  }
}

/** Turns a Graph error answer into the error class that tells the caller whether to retry. */
export function graphFailure(status: number, body: unknown): Error {
  const parsed = graphErrorEnvelope.safeParse(body);
  const error = parsed.success ? parsed.data.error : undefined;
  const code = error?.code;
  const message = error?.message ?? `Graph API answered HTTP ${status}`;
  const retryable = new MetaGraphError(message, status, code, error?.error_subcode, error?.fbtrace_id);

  if (code === RE_ENGAGEMENT_CODE) return new TemplateRequiredError(message);
  if (retryable.retryable) return retryable;
  return new NonRetryableSendError(message, String(code ?? status));
}

function timeoutSignal(timeoutMs: number | undefined) {
  return AbortSignal.timeout(timeoutMs ?? DEFAULT_TIMEOUT_MS);
}

export function createMetaClient(creds: MetaCredentials, opts: MetaClientOptions = {}): WhatsAppProviderClient {
  const base = (opts.graphBaseUrl ?? DEFAULT_GRAPH_BASE_URL).replace(/\/+$/, '');
  const endpoint = `${base}/${encodeURIComponent(creds.phoneNumberId)}/messages`;

  return {
    provider: 'meta',
    async send(req) {
      const body = toMetaMessage(req);
      // Network failures and timeouts propagate as they are: the caller retries them.
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${creds.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: timeoutSignal(opts.timeoutMs),
      });
      const json = await readJson(res);
      if (!res.ok) throw graphFailure(res.status, json);
      const parsed = sendResponse.safeParse(json);
      if (!parsed.success) throw new MetaGraphError('Graph API accepted the message but returned no message id', res.status);
      return { providerMessageId: parsed.data.messages[0]!.id };
    },
  };
}

function mediaFailure(status: number, body: unknown, what: string): Error {
  const parsed = graphErrorEnvelope.safeParse(body);
  const error = parsed.success ? parsed.data.error : undefined;
  return new MetaGraphError(error?.message ?? `${what} answered HTTP ${status}`, status, error?.code, error?.error_subcode, error?.fbtrace_id);
}

/** Reads a body to the end, giving up (MediaTooLargeError) as soon as it passes `limit`. */
export async function readLimited(res: Response, limit: number, abort: AbortController): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  if (!res.body) return Buffer.alloc(0);
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) {
      abort.abort();
      throw new MediaTooLargeError(limit, size);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks, size);
}

/**
 * Fetches an inbound media object: `GET /{media-id}` for a short-lived URL,
 * then that URL with the same bearer token (Meta refuses it without one).
 */
export async function downloadMetaMedia(
  creds: Pick<MetaCredentials, 'accessToken'>,
  mediaId: string,
  opts: MetaMediaOptions = {},
): Promise<MetaMedia> {
  const base = (opts.graphBaseUrl ?? DEFAULT_GRAPH_BASE_URL).replace(/\/+$/, '');
  const limit = opts.maxBytes ?? DEFAULT_MAX_MEDIA_BYTES;
  const authorization = `Bearer ${creds.accessToken}`;

  const infoRes = await fetch(`${base}/${encodeURIComponent(mediaId)}`, {
    headers: { authorization },
    signal: timeoutSignal(opts.timeoutMs),
  });
  const infoJson = await readJson(infoRes);
  if (!infoRes.ok) throw mediaFailure(infoRes.status, infoJson, 'Graph API');
  const info = mediaInfo.safeParse(infoJson);
  if (!info.success) throw new MetaGraphError(`unexpected media info for ${mediaId}`, infoRes.status);
  const { url, mime_type: mimeType, sha256, file_size: declared } = info.data;
  if (declared !== undefined && declared > limit) throw new MediaTooLargeError(limit, declared);

  const abort = new AbortController();
  const fileRes = await fetch(url, {
    headers: { authorization },
    signal: AbortSignal.any([abort.signal, timeoutSignal(opts.timeoutMs)]),
  });
  if (!fileRes.ok) throw mediaFailure(fileRes.status, await readJson(fileRes), 'media download');
  const length = Number(fileRes.headers.get('content-length') ?? NaN);
  if (Number.isFinite(length) && length > limit) {
    abort.abort();
    throw new MediaTooLargeError(limit, length);
  }
  const bytes = await readLimited(fileRes, limit, abort);
  return { bytes, mimeType, sha256 };
}
