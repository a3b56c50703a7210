/**
 * Apple Push Notification service for iOS devices: HTTP/2 with a
 * token-based (ES256 JWT) provider authentication.
 *
 * No APNs library: the protocol is one POST per notification on a kept-open
 * HTTP/2 connection plus a JWT, which `node:http2` and `jose` cover; the
 * maintained libraries (@parse/node-apn, apns2) wrap exactly this and add
 * their own connection pools and retry loops that would hide the answers the
 * caller needs to see (Unregistered, rate limits).
 */
import { createHash, createPrivateKey } from 'node:crypto';
import http2, { type ClientHttp2Session } from 'node:http2';
import { SignJWT } from 'jose';
import { PushError, clipped, isRetryableStatus, type PushDevice, type PushNotification, type PushResult, type PushSender } from './sender';

export const APNS_ORIGINS = { production: 'https://api.push.apple.com', sandbox: 'https://api.sandbox.push.apple.com' } as const;

export interface ApnsConfig {
  /** The 10-character key id of the .p8 key (Certificates, Identifiers & Profiles → Keys). */
  keyId: string;
  teamId: string;
  /** The app's bundle id, sent as `apns-topic`. */
  bundleId: string;
  /** The .p8 key's PEM text (PKCS#8, P-256). */
  privateKey: string;
  /** `production`, `sandbox` (development builds), or an origin for tests. */
  origin?: keyof typeof APNS_ORIGINS | (string & {});
  /** Extra trusted CA (PEM) for a test origin. */
  ca?: string;
  timeoutMs?: number;
}

/**
 * Apple refuses a provider token older than an hour and answers
 * TooManyProviderTokenUpdates to one refreshed more often than every 20
 * minutes; 50 minutes sits safely between.
 */
export const PROVIDER_TOKEN_TTL_MS = 50 * 60_000;

/** APNs answers with `{ reason }` on every failure (developer.apple.com, "Handling notification responses from APNs"). */
const DEAD_REASONS = new Set(['Unregistered', 'BadDeviceToken', 'DeviceTokenNotForTopic']);

/** `apns-collapse-id` may not exceed 64 bytes; a longer key is hashed so distinct keys stay distinct. */
const collapseId = (key: string) => (Buffer.byteLength(key) <= 64 ? key : createHash('sha256').update(key).digest('base64url'));

export function createApnsSender(config: ApnsConfig): PushSender {
  const origin = config.origin === undefined ? APNS_ORIGINS.production : (APNS_ORIGINS[config.origin as keyof typeof APNS_ORIGINS] ?? config.origin);
  const timeoutMs = config.timeoutMs ?? 10_000;
  // Parsed now, so a damaged key is a start-up error rather than a failure on the first buzz.
  const signingKey = createPrivateKey(config.privateKey);
  if (signingKey.asymmetricKeyType !== 'ec' || signingKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('the APNs key must be the P-256 .p8 key Apple issued');
  }
  let provider: { jwt: string; issuedAt: number } | null = null;
  let session: ClientHttp2Session | null = null;
  let active = 0;

  async function providerToken(force = false): Promise<string> {
    if (!force && provider && Date.now() - provider.issuedAt < PROVIDER_TOKEN_TTL_MS) return provider.jwt;
    const issuedAt = Date.now();
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: config.keyId })
      .setIssuer(config.teamId)
      .setIssuedAt(Math.floor(issuedAt / 1000))
      .sign(signingKey);
    provider = { jwt, issuedAt };
    return jwt;
  }

  /** One connection, reopened after Apple closes it (GOAWAY, idle timeout) or it fails. */
  function connection(): ClientHttp2Session {
    if (session && !session.closed && !session.destroyed) return session;
    const s = http2.connect(origin, config.ca ? { ca: config.ca } : {});
    s.on('error', () => {}); // surfaced through the request that hits it
    s.on('close', () => {
      if (session === s) session = null;
    });
    s.on('goaway', () => {
      if (session === s) session = null;
    });
    // Idle, the connection must not keep a process alive; a request in flight refs it again.
    s.unref();
    session = s;
    return s;
  }

  function request(device: PushDevice, jwt: string, body: string, n: PushNotification): Promise<{ status: number; apnsId?: string; reason?: string }> {
    return new Promise((resolve, reject) => {
      const s = connection();
      if (active++ === 0) s.ref();
      const done = () => {
        if (--active === 0 && !s.destroyed) s.unref();
      };
      const req = s.request({
        ':method': 'POST',
        ':path': `/3/device/${device.token}`,
        authorization: `bearer ${jwt}`,
        'apns-topic': config.bundleId,
        'apns-push-type': 'alert',
        'apns-priority': '10',
        ...(n.collapseKey ? { 'apns-collapse-id': collapseId(n.collapseKey) } : {}),
        'content-type': 'application/json',
      });
      req.setTimeout(timeoutMs, () => req.close(http2.constants.NGHTTP2_CANCEL));
      let status = 0;
      let apnsId: string | undefined;
      const chunks: Buffer[] = [];
      req.on('response', (headers) => {
        status = Number(headers[':status']);
        apnsId = typeof headers['apns-id'] === 'string' ? headers['apns-id'] : undefined;
      });
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        done();
        const text = Buffer.concat(chunks).toString('utf8');
        let reason: string | undefined;
        try {
          reason = text ? (JSON.parse(text) as { reason?: string }).reason : undefined;
        } catch {
          reason = text.slice(0, 200);
        }
        if (!status) reject(new PushError('APNs closed the stream without an answer', true));
        else resolve({ status, ...(apnsId ? { apnsId } : {}), ...(reason ? { reason } : {}) });
      });
      req.on('error', (err) => {
        done();
        reject(new PushError(`APNs request failed: ${err.message}`, true, undefined, undefined, { cause: err }));
      });
      req.end(body);
    });
  }

  return {
    platform: 'ios',
    async send(device, n): Promise<PushResult> {
      // A device token is hex; anything else would not even make a valid path.
      if (!/^[0-9a-fA-F]{16,200}$/.test(device.token)) return { dead: true, reason: 'BadDeviceToken' };
      const body = JSON.stringify({
        aps: { alert: clipped(n), sound: 'default', 'thread-id': n.data.conversationId },
        conversationId: n.data.conversationId,
        kind: n.data.kind,
      });
      let answer = await request(device, await providerToken(), body, n);
      if (answer.status === 403 && answer.reason === 'ExpiredProviderToken') {
        answer = await request(device, await providerToken(true), body, n);
      }
      if (answer.status === 200) return { ok: true, ...(answer.apnsId ? { id: answer.apnsId } : {}) };
      if ((answer.status === 410 || answer.status === 400) && answer.reason && DEAD_REASONS.has(answer.reason)) return { dead: true, reason: answer.reason };
      throw new PushError(`APNs answered ${answer.status} ${answer.reason ?? ''}`.trim(), isRetryableStatus(answer.status), answer.status);
    },
    async close() {
      const s = session;
      session = null;
      if (s && !s.closed) await new Promise<void>((resolve) => s.close(resolve));
    },
  };
}
