import type { Session } from './types';

const BASE = '/api/v1';

export interface ApiErrorDetail {
  path: string;
  message: string;
}

/** An error answer from the API, carrying its `error.message` for people to read. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ApiErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface AuthHooks {
  token(): string | null;
  /** A new session from a refresh: the store keeps the access token in memory. */
  onSession(session: Session): void;
  /** The refresh failed: the session is over. */
  onExpired(): void;
}

let hooks: AuthHooks = { token: () => null, onSession: () => {}, onExpired: () => {} };

export function configureAuth(next: AuthHooks): void {
  hooks = next;
}

async function errorFrom(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // Not JSON (a proxy's HTML error page): fall back to the status text.
  }
  const err = (body as { error?: { code?: string; message?: string; details?: ApiErrorDetail[] } } | null)?.error;
  return new ApiError(res.status, err?.code ?? 'http_error', err?.message ?? `${res.status} ${res.statusText || 'Request failed'}`, err?.details ?? []);
}

let refreshing: Promise<Session> | null = null;

/**
 * Trades the HttpOnly refresh cookie for a new session. Single-flight: refresh
 * tokens rotate, and presenting one twice revokes the whole login, so concurrent
 * callers share one request.
 */
export function refreshSession(): Promise<Session> {
  refreshing ??= (async () => {
    try {
      const res = await fetch(`${BASE}/auth/refresh`, {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      if (!res.ok) throw await errorFrom(res);
      const session = (await res.json()) as Session;
      hooks.onSession(session);
      return session;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Sent as is with this content type instead of JSON. */
  rawBody?: { data: BodyInit; contentType: string };
  headers?: Record<string, string>;
  /** Public routes (auth/*) skip the bearer token and the refresh retry. */
  public?: boolean;
  signal?: AbortSignal;
}

export function buildUrl(path: string, query?: Query): string {
  const url = `${BASE}${path}`;
  if (!query) return url;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${url}?${qs}` : url;
}

async function send(method: string, path: string, opts: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  let body: BodyInit | undefined;
  if (opts.rawBody) {
    headers['content-type'] = opts.rawBody.contentType;
    body = opts.rawBody.data;
  } else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const token = hooks.token();
  if (!opts.public && token) headers.authorization = `Bearer ${token}`;
  return fetch(buildUrl(path, opts.query), { method, headers, body, credentials: 'include', signal: opts.signal });
}

/** A request with the bearer token; on 401 the session is refreshed once and the request retried. */
export async function rawRequest(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
  let res = await send(method, path, opts);
  if (res.status === 401 && !opts.public) {
    try {
      await refreshSession();
    } catch {
      hooks.onExpired();
      throw await errorFrom(res);
    }
    res = await send(method, path, opts);
    if (res.status === 401) hooks.onExpired();
  }
  if (!res.ok) throw await errorFrom(res);
  return res;
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await rawRequest(method, path, opts);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string, query?: Query, opts: RequestOptions = {}) => request<T>('GET', path, { ...opts, query }),
  post: <T>(path: string, body: unknown = {}, opts: RequestOptions = {}) => request<T>('POST', path, { ...opts, body }),
  put: <T>(path: string, body: unknown, opts: RequestOptions = {}) => request<T>('PUT', path, { ...opts, body }),
  patch: <T>(path: string, body: unknown, opts: RequestOptions = {}) => request<T>('PATCH', path, { ...opts, body }),
  del: <T = void>(path: string, opts: RequestOptions = {}) => request<T>('DELETE', path, opts),
  /** Authenticated downloads (invoice PDFs): links cannot carry the bearer token. */
  async blob(path: string): Promise<Blob> {
    return (await rawRequest('GET', path, { headers: { accept: '*/*' } })).blob();
  },
};

/** Readable text for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
