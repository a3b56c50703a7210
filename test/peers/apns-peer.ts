/**
 * A local stand-in for the APNs provider API: HTTP/2 over TLS, answering as
 * Apple documents ("Handling notification responses from APNs"). It checks
 * what APNs checks: `POST /3/device/<hex token>`, a `bearer` ES256 provider
 * token whose `kid` names a known key and whose `iss` is that key's team,
 * signed with it and at most an hour old (403 ExpiredProviderToken past
 * that), the `apns-topic` of an app the team owns, `apns-push-type`, a JSON
 * body with an `aps` dictionary within 4 KB. Tokens marked unregistered get
 * 410 Unregistered. Deliveries are recorded.
 */
import { createSecureServer, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import { randomUUID, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { testCertificate } from '../support/tls';
import type { PushServicePeer } from './push-service';

export interface ApnsDelivery {
  deviceToken: string;
  headers: IncomingHttpHeaders;
  payload: { aps: { alert?: { title?: string; body?: string }; sound?: string; 'thread-id'?: string }; [key: string]: unknown };
  apnsId: string;
}

export interface ApnsPeer extends PushServicePeer<ApnsDelivery> {
  /** `https://127.0.0.1:<port>`, for ApnsConfig.origin. */
  origin: string;
  /** The peer's self-signed certificate, for ApnsConfig.ca. */
  ca: string;
  /** Every answer given, `<status> <reason>`, in order. */
  answers: string[];
  /** TLS connections clients opened since the last reset. */
  connections: () => number;
  /** Distinct provider tokens seen so far. */
  providerTokens: () => string[];
  unregister(deviceToken: string): void;
  /** Treat every provider token seen so far as older than an hour. */
  expireProviderTokens(): void;
}

export interface ApnsPeerOptions {
  teamId: string;
  keyId: string;
  /** The public half of the team's .p8 key. */
  publicKey: KeyObject;
  bundleId: string;
}

const reasons: Record<number, string> = { 429: 'TooManyRequests', 500: 'InternalServerError', 503: 'ServiceUnavailable' };

export async function startApnsPeer(options: ApnsPeerOptions): Promise<ApnsPeer> {
  const { key, cert } = await testCertificate();
  const deliveries: ApnsDelivery[] = [];
  const answers: string[] = [];
  const unregistered = new Set<string>();
  const seenTokens = new Set<string>();
  const failures: number[] = [];
  const expired = new Set<string>();

  const server: Http2Server = createSecureServer({ key, cert, allowHTTP1: false });

  function answer(stream: ServerHttp2Stream, status: number, reason?: string, apnsId: string = randomUUID()) {
    answers.push(`${status}${reason ? ` ${reason}` : ''}`);
    const headers = { ':status': status, 'apns-id': apnsId, ...(reason ? { 'content-type': 'application/json' } : {}) };
    stream.respond(headers);
    stream.end(reason ? JSON.stringify({ reason, ...(reason === 'Unregistered' ? { timestamp: Date.now() } : {}) }) : undefined);
  }

  async function handle(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, body: string) {
    if (headers[':method'] !== 'POST') return answer(stream, 405, 'MethodNotAllowed');
    const deviceToken = /^\/3\/device\/([^/]+)$/.exec(headers[':path'] ?? '')?.[1];
    if (!deviceToken) return answer(stream, 404, 'BadPath');

    const jwt = /^bearer (.+)$/.exec(String(headers.authorization ?? ''))?.[1];
    if (!jwt) return answer(stream, 403, 'MissingProviderToken');
    try {
      const header = decodeProtectedHeader(jwt);
      if (header.kid !== options.keyId) throw new Error('kid');
      const { payload } = await jwtVerify(jwt, options.publicKey, { algorithms: ['ES256'], issuer: options.teamId, requiredClaims: ['iat'] });
      seenTokens.add(jwt);
      if (expired.has(jwt) || payload.iat! < Date.now() / 1000 - 3600) return answer(stream, 403, 'ExpiredProviderToken');
    } catch {
      return answer(stream, 403, 'InvalidProviderToken');
    }

    if (headers['apns-topic'] !== options.bundleId) return answer(stream, 400, headers['apns-topic'] ? 'TopicDisallowed' : 'MissingTopic');
    if (!['alert', 'background', 'voip', 'complication', 'fileprovider', 'mdm', 'liveactivity', 'location', 'pushtotalk'].includes(String(headers['apns-push-type']))) {
      return answer(stream, 400, 'InvalidPushType');
    }
    const priority = headers['apns-priority'];
    if (priority !== undefined && !['5', '10', '1'].includes(String(priority))) return answer(stream, 400, 'BadPriority');
    const collapseId = headers['apns-collapse-id'];
    if (collapseId !== undefined && Buffer.byteLength(String(collapseId)) > 64) return answer(stream, 400, 'BadCollapseId');
    if (!/^[0-9a-f]{64}$/i.test(deviceToken)) return answer(stream, 400, 'BadDeviceToken');
    if (Buffer.byteLength(body) > 4096) return answer(stream, 413, 'PayloadTooLarge');
    let payload: ApnsDelivery['payload'];
    try {
      payload = JSON.parse(body) as ApnsDelivery['payload'];
      if (!payload || typeof payload.aps !== 'object') throw new Error('no aps');
    } catch {
      return answer(stream, 400, body ? 'BadPayload' : 'PayloadEmpty');
    }

    const failure = failures.shift();
    if (failure) return answer(stream, failure, reasons[failure] ?? 'InternalServerError');
    if (unregistered.has(deviceToken.toLowerCase())) return answer(stream, 410, 'Unregistered');
    const apnsId = typeof headers['apns-id'] === 'string' ? headers['apns-id'] : randomUUID();
    deliveries.push({ deviceToken, headers, payload, apnsId });
    answer(stream, 200, undefined, apnsId);
  }

  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => void handle(stream, headers, Buffer.concat(chunks).toString('utf8')));
    stream.on('error', () => {});
  });
  const sessions = new Set<ServerHttp2Session>();
  let opened = 0;
  server.on('session', (s) => {
    opened++;
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ca: cert,
    deliveries,
    answers,
    providerTokens: () => [...seenTokens],
    connections: () => opened,
    unregister: (t) => void unregistered.add(t.toLowerCase()),
    expireProviderTokens: () => seenTokens.forEach((t) => expired.add(t)),
    failNext: (...statuses) => void failures.push(...statuses),
    reset() {
      deliveries.length = 0;
      answers.length = 0;
      seenTokens.clear();
      failures.length = 0;
      opened = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const s of sessions) s.destroy();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
