import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema';

/** The body of every error answer: `{ error: { code, message, details } }`. */
export type ErrorBody = components['schemas']['Error'];
export type ApiErrorDetail = NonNullable<ErrorBody['error']['details']>[number];

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : undefined;
type Success<O> = O extends { responses: infer R } ? R[Extract<keyof R, 200 | 201 | 202 | 204>] : never;
type Operation<P extends keyof paths, M extends keyof paths[P]> = paths[P][M];

/** The JSON a route answers with on success, e.g. `ResponseOf<'/api/v1/me', 'get'>`. */
export type ResponseOf<P extends keyof paths, M extends keyof paths[P]> = JsonOf<Success<Operation<P, M>>>;
/** The JSON body a route accepts. */
export type BodyOf<P extends keyof paths, M extends keyof paths[P]> = Operation<P, M> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
/** The query parameters a route accepts. */
export type QueryOf<P extends keyof paths, M extends keyof paths[P]> = Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export type Session = ResponseOf<'/api/v1/auth/login', 'post'>;

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

async function errorFrom(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.clone().json();
  } catch {
    // Not JSON (a proxy's HTML error page): fall back to the status text.
  }
  const err = (body as Partial<ErrorBody> | null)?.error;
  return new ApiError(res.status, err?.code ?? 'http_error', err?.message ?? `${res.status} ${res.statusText || 'Request failed'}`, err?.details ?? []);
}

export interface AuthHooks {
  token(): string | null;
  /** A new session from a refresh: the app keeps the access token in memory. */
  onSession(session: Session): void;
  /** The refresh failed: the session is over. */
  onExpired(): void;
  /** Apps without cookies (the mobile app) send the refresh token in the body; browsers leave it to the HttpOnly cookie. */
  refreshToken?(): string | null;
}

export interface ApiClientOptions {
  /** Where the API lives; '' for the page's own origin. Paths in the document already start with `/api/v1`. */
  baseUrl?: string;
  /** The network edge; `globalThis.fetch` at call time when unset. */
  fetch?: (request: Request) => Promise<Response>;
}

// Only the merchant API takes the member's token. Sign-in, sign-up, refresh and sign-out, and the
// public routes (web chat, webhooks), carry none and are never retried after a refresh.
const isPublic = (url: string) => {
  const path = new URL(url, 'http://x').pathname;
  return !path.startsWith('/api/v1/') || path.startsWith('/api/v1/auth/');
};

export interface ApiClient {
  /** The typed client: every path, parameter and body comes from `schema.d.ts`. Non-2xx answers reject with `ApiError`. */
  http: Client<paths>;
  configureAuth(hooks: AuthHooks): void;
  /** Trades the refresh token (the HttpOnly cookie, scoped to `/api/v1/auth`) for a new session. */
  refreshSession(): Promise<Session>;
}

export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const edge = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  let hooks: AuthHooks = { token: () => null, onSession: () => {}, onExpired: () => {} };
  let refreshing: Promise<Session> | null = null;

  const send = (request: Request): Promise<Response> => {
    const token = hooks.token();
    if (token && !isPublic(request.url)) request.headers.set('authorization', `Bearer ${token}`);
    return edge(request);
  };

  /** A request with the bearer token; on 401 the session is refreshed once and the request retried. */
  async function authorised(request: Request): Promise<Response> {
    const retry = request.clone();
    let res = await send(request);
    if (res.status === 401 && !isPublic(request.url)) {
      try {
        await refreshSession();
      } catch {
        hooks.onExpired();
        throw await errorFrom(res);
      }
      res = await send(retry);
      if (res.status === 401) hooks.onExpired();
    }
    if (!res.ok) throw await errorFrom(res);
    return res;
  }

  const http = createClient<paths>({ baseUrl: options.baseUrl ?? '', fetch: authorised, credentials: 'include' });

  /**
   * Single-flight: refresh tokens rotate, and presenting one twice revokes the
   * whole login, so concurrent callers share one request.
   */
  function refreshSession(): Promise<Session> {
    refreshing ??= (async () => {
      try {
        const refreshToken = hooks.refreshToken?.();
        const session = await data(http.POST('/api/v1/auth/refresh', { body: refreshToken ? { refreshToken } : {} }));
        hooks.onSession(session);
        return session;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  return {
    http,
    configureAuth: (next) => {
      hooks = next;
    },
    refreshSession,
  };
}

/**
 * The body of a successful answer. Errors never reach here: the client rejects
 * with `ApiError` on any non-2xx status, so `data` is set unless the route
 * answers 204.
 */
export async function data<T>(call: Promise<{ data?: T; response: Response }>): Promise<T> {
  return (await call).data as T;
}

/** Readable text for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The fields the server named in a 400 (`details`), or none. */
export function errorDetails(err: unknown): ApiErrorDetail[] {
  return err instanceof ApiError ? err.details : [];
}
