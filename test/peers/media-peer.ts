/**
 * A local stand-in for Twilio's inbound media URLs
 * (`GET /2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{MediaSid}`).
 * Like the real API it wants HTTP Basic auth with AccountSid:AuthToken and
 * answers with a redirect to a signed URL on a separate storage host. That
 * host behaves like S3 serving a presigned URL: it checks the signature in
 * the query and refuses a request that also carries an Authorization header.
 * Every request to either host is recorded.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback } from './scripted-peer';

export interface TwilioMediaItem {
  bytes: Buffer;
  /** Served as Content-Type; null serves none. */
  contentType: string | null;
  /** Send the bytes without `content-length`, so only counting the stream finds the size. */
  chunked?: boolean;
}

export interface MediaPeerRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

export interface TwilioMediaPeer {
  /** Replaces `https://api.twilio.com`. */
  apiBaseUrl: string;
  /** Registers a media item and returns its URL as a webhook's `MediaUrl0` would carry it. */
  addMedia(item: TwilioMediaItem): string;
  /** Answers the next media request with this status and Twilio's error body instead. */
  failNext(status: number, code?: number): void;
  /** Requests to the API host. */
  apiRequests: MediaPeerRequest[];
  /** Requests to the storage host. */
  storageRequests: MediaPeerRequest[];
  close(): Promise<void>;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

function s3Error(res: ServerResponse, status: number, code: string, message: string) {
  res
    .writeHead(status, { 'content-type': 'application/xml' })
    .end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

export async function startTwilioMediaPeer(options: { accountSid: string; authToken: string }): Promise<TwilioMediaPeer> {
  const expectedAuth = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  const media = new Map<string, TwilioMediaItem>();
  /** Storage object name → the signature its URL carries. */
  const signatures = new Map<string, string>();
  const apiRequests: MediaPeerRequest[] = [];
  const storageRequests: MediaPeerRequest[] = [];
  const failures: { status: number; code: number }[] = [];
  const mediaPath = new RegExp(`^/2010-04-01/Accounts/${options.accountSid}/Messages/(MM[0-9a-f]{32})/Media/(ME[0-9a-f]{32})$`);

  const storage = await listenOnLoopback((req, res) => {
    const url = new URL(req.url ?? '/', 'http://storage.local');
    storageRequests.push({ method: req.method ?? '', path: url.pathname + url.search, headers: req.headers });
    const name = url.pathname.split('/').pop() ?? '';
    const item = media.get(name);
    if (req.headers.authorization) {
      return s3Error(res, 400, 'InvalidArgument', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified');
    }
    if (!item || url.searchParams.get('X-Amz-Signature') !== signatures.get(name)) {
      return s3Error(res, 403, 'AccessDenied', 'Access Denied');
    }
    const headers: Record<string, string> = {};
    if (item.contentType !== null) headers['content-type'] = item.contentType;
    if (!item.chunked) headers['content-length'] = String(item.bytes.length);
    res.writeHead(200, headers);
    // Two writes so a chunked answer really arrives in pieces.
    const half = Math.ceil(item.bytes.length / 2);
    res.write(item.bytes.subarray(0, half));
    res.end(item.bytes.subarray(half));
  });

  const api = await listenOnLoopback((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    apiRequests.push({ method: req.method ?? '', path, headers: req.headers });
    const twilioError = (status: number, code: number, message: string) =>
      res
        .writeHead(status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));

    if (req.headers.authorization !== expectedAuth) return twilioError(401, 20003, 'Authenticate');
    const failure = failures.shift();
    if (failure) return twilioError(failure.status, failure.code, `Error ${failure.code}`);
    const mediaSid = mediaPath.exec(path)?.[2];
    if (req.method !== 'GET' || !mediaSid || !media.has(mediaSid)) {
      return twilioError(404, 20404, `The requested resource ${path} was not found`);
    }
    // Twilio's media host hands out a short-lived signed storage URL.
    const signature = hex(16);
    signatures.set(mediaSid, signature);
    const query = new URLSearchParams({ 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256', 'X-Amz-Expires': '14400', 'X-Amz-Signature': signature });
    res.writeHead(307, { location: `${storage.origin}/media.twiliocdn.com/${options.accountSid}/${mediaSid}?${query}` }).end();
  });

  return {
    apiBaseUrl: api.origin,
    addMedia(item) {
      const mediaSid = `ME${hex(16)}`;
      media.set(mediaSid, item);
      return `${api.origin}/2010-04-01/Accounts/${options.accountSid}/Messages/MM${hex(16)}/Media/${mediaSid}`;
    },
    failNext: (status, code = status === 404 ? 20404 : 20500) => void failures.push({ status, code }),
    apiRequests,
    storageRequests,
    close: async () => {
      await Promise.all([api.close(), storage.close()]);
    },
  };
}
