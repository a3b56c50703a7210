/**
 * Fetches one inbound WhatsApp attachment from the merchant's provider and
 * stores it. Anything a retry cannot change (a type we do not take, a file
 * over the limit, a file the provider no longer has or will not hand out)
 * comes back as `{ rejected }` with a reason for the merchant; failures a
 * retry may fix (network, timeouts, 5xx, 429) are thrown for the activity
 * to retry.
 */
import { downloadMetaMedia, MediaTooLargeError, MetaGraphError, readLimited } from '../channels/meta';
import type { MerchantChannel, TwilioCredentials } from '../../db/queries/channels';
import { mediaKey, mimeEssence, mimeTypeForFilename, sha256Hex } from './store';
import type { MediaStore, StoredMedia } from './store';

export const DEFAULT_MAX_MEDIA_BYTES = 16 * 1024 * 1024;
export const DEFAULT_TWILIO_API_BASE_URL = 'https://api.twilio.com';
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;

export const DEFAULT_ALLOWED_MEDIA_TYPES: readonly string[] = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'audio/ogg',
  'audio/mpeg',
  'audio/mp4',
  'audio/aac',
  'audio/amr',
  'video/mp4',
  'video/3gpp',
  'application/pdf',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'text/plain',
];

export interface FetchMediaDeps {
  store: MediaStore;
  /** Meta's Graph API root with version; defaults to the real one. */
  graphBaseUrl?: string;
  /** Twilio's API origin; Basic credentials are only ever sent here. */
  twilioApiBaseUrl?: string;
  /** Defaults to 16 MiB, WhatsApp's own limit for audio and video. */
  maxBytes?: number;
  /** MIME types without parameters; defaults to DEFAULT_ALLOWED_MEDIA_TYPES. */
  allowedTypes?: string[];
  /** Per request; defaults to 30 s. */
  timeoutMs?: number;
}

export interface InboundMediaRef {
  providerMediaId?: string;
  url?: string;
  mimeType?: string;
  filename?: string;
}

export interface MediaRejection {
  rejected: string;
}

export const isMediaRejection = (result: StoredMedia | MediaRejection): result is MediaRejection => 'rejected' in result;

class Rejection extends Error {}

function formatBytes(bytes: number): string {
  const mib = 1024 * 1024;
  if (bytes >= mib) return `${Number((bytes / mib).toFixed(1))} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/** `size` only when it is the file's real size, not a count cut short at the limit. */
const tooLarge = (limit: number, size?: number) =>
  new Rejection(
    size === undefined
      ? `The customer sent a file larger than the ${formatBytes(limit)} limit, so it was not saved.`
      : `The customer sent a file of ${formatBytes(size)}, over the ${formatBytes(limit)} limit, so it was not saved.`,
  );

const GENERIC_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream']);

/** The most specific of what the provider served, what the webhook said and what the file name suggests. */
function resolveMimeType(...candidates: (string | null | undefined)[]): string {
  for (const candidate of candidates) {
    const type = candidate ? mimeEssence(candidate) : '';
    if (!GENERIC_TYPES.has(type)) return type;
  }
  return 'application/octet-stream';
}

function checkType(mimeType: string, allowed: readonly string[]) {
  if (allowed.includes(mimeType)) return;
  throw new Rejection(
    `The customer sent a file of type ${mimeType}, which is not accepted (accepted: images, voice notes and audio, videos, PDF, office documents and plain text), so it was not saved.`,
  );
}

async function fromMeta(
  deps: FetchMediaDeps,
  accessToken: string,
  media: InboundMediaRef,
  limits: { maxBytes: number; allowed: readonly string[] },
): Promise<{ bytes: Buffer; mimeType: string }> {
  if (!media.providerMediaId) throw new TypeError('Meta media needs providerMediaId');
  // The webhook already names the type: no need to download what will be refused.
  if (media.mimeType) checkType(resolveMimeType(media.mimeType), limits.allowed);
  try {
    const { bytes, mimeType } = await downloadMetaMedia({ accessToken }, media.providerMediaId, {
      graphBaseUrl: deps.graphBaseUrl,
      maxBytes: limits.maxBytes,
      timeoutMs: deps.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
    return { bytes, mimeType: resolveMimeType(mimeType, media.mimeType, media.filename && mimeTypeForFilename(media.filename)) };
  } catch (err) {
    // The error does not say whether its size was declared or counted part way, so the size stays out.
    if (err instanceof MediaTooLargeError) throw tooLarge(err.limit);
    if (err instanceof MetaGraphError && !err.retryable) {
      if (err.status === 401 || err.code === 190) {
        throw new Rejection("WhatsApp refused to hand out the customer's file: the channel's access token was not accepted.");
      }
      throw new Rejection("WhatsApp no longer has the customer's file (media is kept for a limited time), so it was not saved.");
    }
    throw err;
  }
}

const isRedirect = (status: number) => [301, 302, 303, 307, 308].includes(status);

/** Non-retryable Twilio answers, in the merchant's terms; null for those a retry may fix. */
function twilioRejection(status: number): Rejection | null {
  if (status === 401 || status === 403) {
    return new Rejection("Twilio refused to hand out the customer's file: the channel's Account SID or Auth Token was not accepted.");
  }
  if (status === 404 || status === 410) return new Rejection("Twilio no longer has the customer's file, so it was not saved.");
  if (status === 408 || status === 429 || status >= 500) return null;
  if (status >= 400) return new Rejection(`Twilio would not hand out the customer's file (HTTP ${status}), so it was not saved.`);
  return null;
}


/**
 * Twilio answers the media URL with a redirect to a signed storage URL. The
 * redirects are followed by hand so the Basic credentials go to Twilio's
 * origin only: the storage host must not see the Auth Token, and S3 refuses
 * a request that carries both a signature and an Authorization header.
 */
async function fromTwilio(
  deps: FetchMediaDeps,
  creds: TwilioCredentials,
  media: InboundMediaRef,
  limits: { maxBytes: number; allowed: readonly string[] },
): Promise<{ bytes: Buffer; mimeType: string }> {
  if (!media.url) throw new TypeError('Twilio media needs url');
  const twilioOrigin = new URL(deps.twilioApiBaseUrl ?? DEFAULT_TWILIO_API_BASE_URL).origin;
  let url = new URL(media.url);
  if (url.origin !== twilioOrigin) {
    throw new Rejection(`The customer's file link does not point at Twilio (${url.origin}), so it was not fetched.`);
  }
  if (media.mimeType) checkType(resolveMimeType(media.mimeType), limits.allowed);

  const authorization = `Basic ${Buffer.from(`${creds.accountSid}:${creds.authToken}`).toString('base64')}`;
  const abort = new AbortController();
  const signal = AbortSignal.any([abort.signal, AbortSignal.timeout(deps.timeoutMs ?? DEFAULT_TIMEOUT_MS)]);

  for (let hop = 0; ; hop++) {
    const res = await fetch(url, {
      headers: url.origin === twilioOrigin ? { authorization } : {},
      redirect: 'manual',
      signal,
    });
    if (isRedirect(res.status)) {
      await res.body?.cancel();
      const location = res.headers.get('location');
      if (!location) throw new Error(`Twilio media answered HTTP ${res.status} without a Location`);
      if (hop >= MAX_REDIRECTS) throw new Error(`Twilio media redirected more than ${MAX_REDIRECTS} times`);
      url = new URL(location, url);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`Twilio media redirected to ${url.protocol}`);
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw twilioRejection(res.status) ?? new Error(`Twilio media answered HTTP ${res.status}`);
    }

    const mimeType = resolveMimeType(res.headers.get('content-type'), media.mimeType, media.filename && mimeTypeForFilename(media.filename));
    try {
      checkType(mimeType, limits.allowed);
      const length = Number(res.headers.get('content-length') ?? NaN);
      if (Number.isFinite(length) && length > limits.maxBytes) throw tooLarge(limits.maxBytes, length);
    } catch (err) {
      abort.abort();
      throw err;
    }
    try {
      return { bytes: await readLimited(res, limits.maxBytes, abort), mimeType };
    } catch (err) {
      // Cut off mid-stream: the true size is unknown, only that it passed the limit.
      if (err instanceof MediaTooLargeError) throw tooLarge(err.limit);
      throw err;
    }
  }
}

/**
 * Downloads one attachment of an inbound WhatsApp message through the
 * merchant's channel and stores it as `<merchantId>/<sha256>.<ext>`.
 */
export async function fetchInboundMedia(
  deps: FetchMediaDeps,
  channel: MerchantChannel,
  merchantId: string,
  media: InboundMediaRef,
): Promise<StoredMedia | MediaRejection> {
  const limits = {
    maxBytes: deps.maxBytes ?? DEFAULT_MAX_MEDIA_BYTES,
    allowed: (deps.allowedTypes ?? DEFAULT_ALLOWED_MEDIA_TYPES).map(mimeEssence),
  };
  try {
    const { bytes, mimeType } =
      channel.provider === 'meta'
        ? await fromMeta(deps, channel.credentials.accessToken, media, limits)
        : await fromTwilio(deps, channel.credentials, media, limits);
    checkType(mimeType, limits.allowed);
    // Each provider path already caps what it reads; this holds the limit whatever a path misses.
    if (bytes.length > limits.maxBytes) throw tooLarge(limits.maxBytes, bytes.length);
    return await deps.store.put(mediaKey(merchantId, sha256Hex(bytes), mimeType), bytes, mimeType);
  } catch (err) {
    if (err instanceof Rejection) return { rejected: err.message };
    throw err;
  }
}
