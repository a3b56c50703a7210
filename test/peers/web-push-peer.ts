/**
 * A local push service (RFC 8030), as a browser vendor runs one, over HTTPS.
 * `subscribe()` plays the browser: it makes the P-256 key pair and auth
 * secret a PushSubscription carries and returns the subscription JSON the
 * app would post to the server. A push is accepted (201 + Location) only
 * with a valid VAPID `Authorization: vapid t=<jwt>, k=<key>` (RFC 8292: ES256
 * signed by k, `aud` = this origin, `exp` within 24 hours, `sub` a mailto: or
 * https: contact, k the application server key the subscription was made
 * with), a `TTL` header and an aes128gcm body (RFC 8291), which the peer
 * decrypts with the subscription's private key so tests see the exact payload.
 */
import { createECDH, randomBytes, randomUUID, type ECDH } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { importJWK, jwtVerify } from 'jose';
import { testCertificate } from '../support/tls';
import type { PushServicePeer } from './push-service';

/** The part of http_ece (web-push's own encryption library) the peer uses to decrypt. */
interface HttpEce {
  decrypt(buffer: Buffer, params: { version: 'aes128gcm'; privateKey: ECDH; authSecret: Buffer }): Buffer;
}
const ece = createRequire(import.meta.url)('http_ece') as HttpEce;

export interface WebPushDelivery {
  subscriptionId: string;
  headers: IncomingMessage['headers'];
  /** The decrypted payload, as the service worker's push event would get it. */
  payload: string;
  /** The VAPID JWT's claims. */
  claims: { aud: string; exp: number; sub: string };
}

export interface WebPushPeer extends PushServicePeer<WebPushDelivery> {
  origin: string;
  /** The peer's self-signed certificate, for WebPushConfig.ca. */
  ca: string;
  /** Every answer given, `<status> <why>`, in order. */
  answers: string[];
  /** A new browser subscription for this application server key; returns the JSON an app posts as its device token. */
  subscribe(applicationServerKey: string): { id: string; json: string };
  /** The user revoked permission or the subscription expired: pushes now get 410 Gone. */
  expire(id: string): void;
}

interface Subscription {
  ecdh: ECDH;
  auth: Buffer;
  applicationServerKey: string;
  expired: boolean;
}

export async function startWebPushPeer(): Promise<WebPushPeer> {
  const { key, cert } = await testCertificate();
  const subscriptions = new Map<string, Subscription>();
  const deliveries: WebPushDelivery[] = [];
  const answers: string[] = [];
  const failures: number[] = [];
  let origin = '';

  const answer = (res: ServerResponse, status: number, why: string, headers: Record<string, string> = {}) => {
    answers.push(`${status} ${why}`);
    res.writeHead(status, { 'content-type': 'text/plain', ...headers });
    res.end(why);
  };

  async function verifyVapid(header: string | undefined, applicationServerKey: string): Promise<WebPushDelivery['claims']> {
    const params = Object.fromEntries(
      (/^vapid (.+)$/i.exec(header ?? '')?.[1] ?? '').split(',').map((p) => {
        const [name, ...rest] = p.trim().split('=');
        return [name, rest.join('=')];
      }),
    ) as { t?: string; k?: string };
    if (!params.t || !params.k) throw new Error('no vapid credentials');
    if (params.k !== applicationServerKey) throw new Error('k is not the key the subscription was made with');
    const point = Buffer.from(params.k, 'base64url');
    if (point.length !== 65 || point[0] !== 4) throw new Error('k is not an uncompressed P-256 point');
    const publicKey = await importJWK({ kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') }, 'ES256');
    const { payload } = await jwtVerify(params.t, publicKey, { algorithms: ['ES256'], audience: origin, requiredClaims: ['exp', 'sub'] });
    if (payload.exp! > Date.now() / 1000 + 24 * 3600) throw new Error('exp more than 24 hours ahead');
    if (!/^(mailto:|https:)/.test(String(payload.sub))) throw new Error(`sub ${String(payload.sub)}`);
    return { aud: String(payload.aud), exp: payload.exp!, sub: String(payload.sub) };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const id = /^\/push\/([\w-]+)$/.exec(req.url ?? '')?.[1];
    const subscription = id ? subscriptions.get(id) : undefined;
    if (req.method !== 'POST' || !id || !subscription) return answer(res, 404, 'no such subscription');

    let claims: WebPushDelivery['claims'];
    try {
      claims = await verifyVapid(req.headers.authorization, subscription.applicationServerKey);
    } catch (err) {
      return answer(res, 403, `vapid: ${(err as Error).message}`);
    }
    if (!/^\d+$/.test(String(req.headers.ttl ?? ''))) return answer(res, 400, 'missing TTL');
    if (req.headers.urgency && !['very-low', 'low', 'normal', 'high'].includes(req.headers.urgency as string)) return answer(res, 400, 'bad Urgency');
    if (req.headers.topic && !/^[\w-]{1,32}$/.test(req.headers.topic as string)) return answer(res, 400, 'bad Topic');
    if (req.headers['content-encoding'] !== 'aes128gcm') return answer(res, 415, `content-encoding ${req.headers['content-encoding']}`);
    if (body.length > 4096) return answer(res, 413, 'payload too large');

    const failure = failures.shift();
    if (failure) return answer(res, failure, 'scripted failure', { 'retry-after': '11' });
    if (subscription.expired) return answer(res, 410, 'subscription expired');

    let payload: string;
    try {
      payload = ece.decrypt(body, { version: 'aes128gcm', privateKey: subscription.ecdh, authSecret: subscription.auth }).toString('utf8');
    } catch (err) {
      return answer(res, 400, `cannot decrypt: ${(err as Error).message}`);
    }
    deliveries.push({ subscriptionId: id, headers: req.headers, payload, claims });
    answer(res, 201, 'created', { location: `${origin}/message/${randomUUID()}` });
  }

  const server = createServer({ key, cert }, (req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    ca: cert,
    deliveries,
    answers,
    subscribe(applicationServerKey) {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      const id = randomUUID();
      subscriptions.set(id, { ecdh, auth, applicationServerKey, expired: false });
      const json = JSON.stringify({
        endpoint: `${origin}/push/${id}`,
        expirationTime: null,
        keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
      });
      return { id, json };
    },
    expire(id) {
      const s = subscriptions.get(id);
      if (s) s.expired = true;
    },
    failNext: (...statuses) => void failures.push(...statuses),
    reset() {
      deliveries.length = 0;
      answers.length = 0;
      failures.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
