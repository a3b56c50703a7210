/**
 * A local stand-in for Firebase Cloud Messaging's HTTP v1 API and Google's
 * OAuth 2.0 token endpoint. It makes the checks the real services make:
 * the token endpoint verifies the service account's RS256 assertion against
 * the account's public key (issuer, audience = the token URL, scope, an
 * expiry at most an hour after issue) and issues hour-long bearer tokens;
 * `messages:send` accepts only such a token for the right project, checks
 * the message's shape (one target, string-only data, a known Android
 * priority) and answers with Google's error bodies. Deliveries are recorded.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { jwtVerify } from 'jose';
import { listenOnLoopback, readRequest, sendJson } from './scripted-peer';
import type { PushServicePeer } from './push-service';

export interface FcmDelivery {
  token: string;
  notification?: { title?: string; body?: string };
  data?: Record<string, string>;
  android?: { priority?: string; collapse_key?: string };
  /** The message id the peer answered with. */
  name: string;
}

export interface FcmPeer extends PushServicePeer<FcmDelivery> {
  /** For FcmConfig.baseUrl. */
  baseUrl: string;
  /** Goes into the service-account key as `token_uri`. */
  tokenUri: string;
  /** Successful token exchanges so far. */
  tokenExchanges: () => number;
  /** Rejected exchanges and sends, with the reason, for tests that expect none. */
  rejections: string[];
  /** The app was uninstalled: the token now gets 404 UNREGISTERED. */
  unregister(token: string): void;
  /** Revoke every issued access token, as Google does when a key is disabled or a token is revoked. */
  revokeAccessTokens(): void;
}

export interface FcmPeerOptions {
  projectId: string;
  clientEmail: string;
  /** The service account's public key; the peer trusts assertions it verifies. */
  publicKey: KeyObject;
}

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const statusNames: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE' };
const fcmCodes: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'THIRD_PARTY_AUTH_ERROR', 403: 'SENDER_ID_MISMATCH', 404: 'UNREGISTERED', 429: 'QUOTA_EXCEEDED', 500: 'INTERNAL', 503: 'UNAVAILABLE' };

function googleError(status: number, message: string, extra: object[] = []) {
  return {
    status,
    body: {
      error: {
        code: status,
        message,
        status: statusNames[status] ?? 'UNKNOWN',
        details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: fcmCodes[status] ?? 'UNSPECIFIED_ERROR' }, ...extra],
      },
    },
  };
}

/** Real registration tokens are long strings of URL-safe characters with a colon; anything short or with spaces is refused. */
const plausibleToken = (t: unknown): t is string => typeof t === 'string' && /^[\w:-]{20,4096}$/.test(t);

export async function startFcmPeer(options: FcmPeerOptions): Promise<FcmPeer> {
  const accessTokens = new Map<string, number>();
  const unregistered = new Set<string>();
  const failures: number[] = [];
  const deliveries: FcmDelivery[] = [];
  const rejections: string[] = [];
  let exchanges = 0;
  let tokenUri = '';

  const reject = (res: ServerResponse, why: string, response: { status: number; body: unknown }) => {
    rejections.push(why);
    sendJson(res, response);
  };

  async function token(req: IncomingMessage, res: ServerResponse, raw: string) {
    if (!/^application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) {
      return reject(res, 'token: not form-encoded', { status: 400, body: { error: 'invalid_request', error_description: 'Invalid content type' } });
    }
    const form = new URLSearchParams(raw);
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      return reject(res, `token: grant_type ${form.get('grant_type')}`, { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' } });
    }
    try {
      const { payload } = await jwtVerify(form.get('assertion') ?? '', options.publicKey, {
        algorithms: ['RS256'],
        issuer: options.clientEmail,
        audience: tokenUri,
        requiredClaims: ['iat', 'exp'],
      });
      if (typeof payload.scope !== 'string' || !payload.scope.split(' ').includes(SCOPE)) throw new Error(`scope ${String(payload.scope)}`);
      if (payload.exp! - payload.iat! > 3600) throw new Error('expiry more than an hour after issue');
      if (payload.iat! > Date.now() / 1000 + 300) throw new Error('issued in the future');
    } catch (err) {
      return reject(res, `token: ${(err as Error).message}`, { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } });
    }
    exchanges++;
    const accessToken = `ya29.${randomBytes(32).toString('base64url')}`;
    accessTokens.set(accessToken, Date.now() + 3600_000);
    sendJson(res, { status: 200, body: { access_token: accessToken, expires_in: 3599, token_type: 'Bearer' } });
  }

  function send(req: IncomingMessage, res: ServerResponse, path: string, raw: string) {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const expiry = bearer ? accessTokens.get(bearer) : undefined;
    if (!expiry || expiry < Date.now()) {
      return reject(res, 'send: no valid access token', {
        status: 401,
        body: { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } },
      });
    }
    const project = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(path)?.[1];
    if (project !== options.projectId) {
      return reject(res, `send: project ${project}`, { status: 403, body: { error: { code: 403, message: 'Permission denied.', status: 'PERMISSION_DENIED' } } });
    }
    let message: Record<string, unknown> | undefined;
    try {
      message = (JSON.parse(raw) as { message?: Record<string, unknown> }).message;
    } catch {
      return reject(res, 'send: body is not JSON', googleError(400, 'Invalid JSON payload received.'));
    }
    if (!message || typeof message !== 'object') return reject(res, 'send: no message', googleError(400, 'Invalid JSON payload received. Unknown name'));
    const targets = ['token', 'topic', 'condition'].filter((k) => k in message);
    if (targets.length !== 1) return reject(res, `send: targets ${targets.join(',')}`, googleError(400, 'Exactly one of token, topic or condition must be set.'));
    const data = message.data as Record<string, unknown> | undefined;
    const nonString = Object.entries(data ?? {}).find(([, v]) => typeof v !== 'string');
    if (nonString) return reject(res, `send: data.${nonString[0]} is not a string`, googleError(400, `Invalid value at 'message.data[0].value' (TYPE_STRING)`));
    const android = message.android as FcmDelivery['android'] | undefined;
    if (android?.priority !== undefined && !['high', 'normal', 'HIGH', 'NORMAL'].includes(android.priority)) {
      return reject(res, `send: android.priority ${android.priority}`, googleError(400, `Invalid value at 'message.android.priority'`));
    }
    if (!plausibleToken(message.token)) {
      return reject(
        res,
        'send: malformed registration token',
        googleError(400, 'The registration token is not a valid FCM registration token', [
          { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'message.token', description: 'Invalid registration token' }] },
        ]),
      );
    }
    const failure = failures.shift();
    if (failure) return sendJson(res, { ...googleError(failure, 'The service is currently unavailable.'), headers: failure === 429 || failure === 503 ? { 'retry-after': '7' } : {} });
    if (unregistered.has(message.token)) return sendJson(res, googleError(404, 'Requested entity was not found.'));
    const name = `projects/${options.projectId}/messages/0:${Date.now()}%${randomBytes(8).toString('hex')}`;
    deliveries.push({ ...(message as Omit<FcmDelivery, 'name'>), token: message.token, name });
    sendJson(res, { status: 200, body: { name } });
  }

  const peer = await listenOnLoopback((req, res) => {
    void (async () => {
      const { method, path, raw } = await readRequest(req);
      if (method === 'POST' && path === '/token') return token(req, res, raw);
      if (method === 'POST' && path.endsWith('/messages:send')) return send(req, res, path, raw);
      sendJson(res, { status: 404, body: { error: { code: 404, message: `${method} ${path} not found`, status: 'NOT_FOUND' } } });
    })();
  });
  tokenUri = `${peer.origin}/token`;

  return {
    baseUrl: peer.origin,
    tokenUri,
    deliveries,
    rejections,
    tokenExchanges: () => exchanges,
    unregister: (t) => void unregistered.add(t),
    failNext: (...statuses) => void failures.push(...statuses),
    revokeAccessTokens: () => accessTokens.clear(),
    reset() {
      deliveries.length = 0;
      rejections.length = 0;
      failures.length = 0;
    },
    close: peer.close,
  };
}
