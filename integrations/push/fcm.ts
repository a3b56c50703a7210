/**
 * Firebase Cloud Messaging, HTTP v1 API, for Android devices. Authenticates
 * as a service account the way Google's own client libraries do: an RS256
 * JWT assertion signed with the account's key is exchanged at the key file's
 * `token_uri` for an hour-long access token, which is reused until shortly
 * before it expires. firebase-admin would do the same with a much larger
 * dependency tree; the exchange is one request.
 */
import { createPrivateKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { PushError, clipped, isRetryableStatus, parseRetryAfter, type PushDevice, type PushNotification, type PushResult, type PushSender } from './sender';

/** The fields of a service-account key file (the JSON Firebase lets you download) that the API needs. */
export interface ServiceAccountKey {
  project_id: string;
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri: string;
}

export interface FcmConfig {
  serviceAccount: ServiceAccountKey;
  /** `https://fcm.googleapis.com` unless a test points elsewhere. */
  baseUrl?: string;
  timeoutMs?: number;
}

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
/** Refresh this long before the token expires, as Google's auth libraries do, so a send never carries a token that lapses in flight. */
const EAGER_REFRESH_MS = 5 * 60_000;

export function parseServiceAccount(json: string): ServiceAccountKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('the FCM service account is not JSON');
  }
  const key = parsed as Partial<Record<keyof ServiceAccountKey, unknown>>;
  const missing = (['project_id', 'client_email', 'private_key', 'token_uri'] as const).filter((f) => typeof key[f] !== 'string' || !key[f]);
  if (missing.length) throw new Error(`the FCM service account lacks ${missing.join(', ')}`);
  return {
    project_id: key.project_id as string,
    client_email: key.client_email as string,
    private_key: key.private_key as string,
    token_uri: key.token_uri as string,
    ...(typeof key.private_key_id === 'string' ? { private_key_id: key.private_key_id } : {}),
  };
}

/** Google's error body (google.rpc.Status) with FCM's own error code among the details. */
interface GoogleError {
  error?: {
    code?: number;
    message?: string;
    status?: string;
    details?: { '@type'?: string; errorCode?: string; fieldViolations?: { field?: string; description?: string }[] }[];
  };
}

export function createFcmSender(config: FcmConfig): PushSender {
  const account = config.serviceAccount;
  const baseUrl = (config.baseUrl ?? 'https://fcm.googleapis.com').replace(/\/$/, '');
  const timeoutMs = config.timeoutMs ?? 10_000;
  const sendUrl = `${baseUrl}/v1/projects/${encodeURIComponent(account.project_id)}/messages:send`;
  // Parsed now, so a damaged key is a start-up error rather than a failure on the first buzz.
  const signingKey = createPrivateKey(account.private_key);
  if (signingKey.asymmetricKeyType !== 'rsa') throw new Error('the FCM service account key must be an RSA key');
  let cached: { token: string; refreshAt: number } | null = null;
  let inFlight: Promise<string> | null = null;

  async function exchange(): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({ scope: FCM_SCOPE })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(account.private_key_id ? { kid: account.private_key_id } : {}) })
      .setIssuer(account.client_email)
      .setAudience(account.token_uri)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(signingKey);
    let res: Response;
    try {
      res = await fetch(account.token_uri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new PushError(`FCM token exchange failed: ${(err as Error).message}`, true, undefined, undefined, { cause: err });
    }
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
    if (!res.ok || !body.access_token) {
      // invalid_grant and friends mean the key is wrong or revoked: retrying will not fix it.
      throw new PushError(
        `FCM token exchange answered ${res.status}: ${body.error ?? ''} ${body.error_description ?? ''}`.trim(),
        isRetryableStatus(res.status),
        res.status,
        parseRetryAfter(res.headers.get('retry-after')),
      );
    }
    const lifetimeMs = (body.expires_in ?? 3600) * 1000;
    cached = { token: body.access_token, refreshAt: Date.now() + Math.max(lifetimeMs - EAGER_REFRESH_MS, lifetimeMs / 2) };
    return body.access_token;
  }

  /** One exchange at a time: concurrent sends at start-up wait for the same token. */
  function accessToken(): Promise<string> {
    if (cached && Date.now() < cached.refreshAt) return Promise.resolve(cached.token);
    inFlight ??= exchange().finally(() => (inFlight = null));
    return inFlight;
  }

  function message(device: PushDevice, n: PushNotification) {
    return {
      message: {
        token: device.token,
        notification: clipped(n),
        // FCM takes string values only.
        data: { conversationId: n.data.conversationId, kind: n.data.kind },
        // High priority wakes a dozing phone; FCM allows it for messages the user sees.
        android: { priority: 'high', ...(n.collapseKey ? { collapse_key: n.collapseKey } : {}) },
      },
    };
  }

  async function post(token: string, body: string): Promise<Response> {
    try {
      return await fetch(sendUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new PushError(`FCM send failed: ${(err as Error).message}`, true, undefined, undefined, { cause: err });
    }
  }

  return {
    platform: 'android',
    async send(device, notification): Promise<PushResult> {
      const body = JSON.stringify(message(device, notification));
      let res = await post(await accessToken(), body);
      if (res.status === 401) {
        // A token revoked or expired early: one fresh exchange, then the answer stands.
        cached = null;
        res = await post(await accessToken(), body);
      }
      const answer = (await res.json().catch(() => ({}))) as GoogleError & { name?: string };
      if (res.ok) return { ok: true, ...(answer.name ? { id: answer.name } : {}) };

      const error = answer.error ?? {};
      const fcmCode = error.details?.find((d) => d['@type']?.endsWith('google.firebase.fcm.v1.FcmError'))?.errorCode;
      const violations = error.details?.flatMap((d) => d.fieldViolations ?? []) ?? [];
      const reason = fcmCode ?? error.status ?? `HTTP ${res.status}`;
      if (fcmCode === 'UNREGISTERED' || (res.status === 404 && error.status === 'NOT_FOUND')) return { dead: true, reason: 'UNREGISTERED' };
      // Only an invalid *token* is a dead device; INVALID_ARGUMENT about the payload is our bug.
      const tokenInvalid = violations.some((v) => v.field === 'message.token') || /registration token/i.test(error.message ?? '');
      if (res.status === 400 && tokenInvalid) return { dead: true, reason: 'INVALID_ARGUMENT' };
      // The token belongs to another Firebase project: it will never work with this key.
      if (fcmCode === 'SENDER_ID_MISMATCH') return { dead: true, reason: fcmCode };
      throw new PushError(`FCM answered ${res.status} ${reason}: ${error.message ?? ''}`.trim(), isRetryableStatus(res.status), res.status, parseRetryAfter(res.headers.get('retry-after')));
    },
  };
}
