import type { ErrorBody, ResponseOf } from '@client/api/http';
import type { paths } from '@client/api/schema';
import { vi } from 'vitest';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Route = keyof paths;
type MethodOf<P extends Route> = Extract<
  {
    [M in Method]: paths[P][M] extends undefined ? never : M;
  }[Method],
  keyof paths[P]
>;

/** What a handler answers: a body of the route's documented type, or an error. */
export type Reply<B> = { status?: number; body?: B; headers?: Record<string, string> } | { status: number; error: ErrorBody['error'] };

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: string;
}

type Handler = (call: Call, params: Record<string, string>) => Reply<unknown> | Promise<Reply<unknown>>;

/**
 * The merchant API at the network edge: `fetch` is replaced, and each route
 * answers with the JSON the real API sends, typed by the generated schema, so
 * the stores' own code (client, refresh, merging) is what the specs exercise.
 */
export function fakeApi() {
  const routes: { method: string; pattern: RegExp; names: string[]; handler: Handler }[] = [];
  const calls: Call[] = [];

  function on<P extends Route, M extends MethodOf<P>>(
    method: M,
    path: P,
    handler: (call: Call, params: Record<string, string>) => Reply<ResponseOf<P, M>> | Promise<Reply<ResponseOf<P, M>>>,
  ): void {
    const names: string[] = [];
    const pattern = new RegExp(
      `^${path.replace(/\{(\w+)\}/g, (_m, name: string) => {
        names.push(name);
        return '([^/]+)';
      })}$`,
    );
    // Later registrations win, so a spec can replace a route set up in beforeEach.
    routes.unshift({ method: method.toUpperCase(), pattern, names, handler: handler as Handler });
  }

  const fetch = vi.fn(async (input: Request | string, init?: RequestInit): Promise<Response> => {
    const request = typeof input === 'string' ? new Request(new URL(input, location.href), init) : input;
    const url = new URL(request.url);
    const call: Call = {
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body: await request.text(),
    };
    calls.push(call);
    for (const route of routes) {
      const match = route.method === call.method ? route.pattern.exec(call.path) : null;
      if (!match) continue;
      const params = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
      const reply = await route.handler(call, params);
      if ('error' in reply) return Response.json({ error: reply.error }, { status: reply.status });
      if (reply.body === undefined) return new Response(null, { status: reply.status ?? 204, headers: reply.headers });
      return Response.json(reply.body, { status: reply.status ?? 200, headers: reply.headers });
    }
    return Response.json({ error: { code: 'not_found', message: `no fake for ${call.method} ${call.path}` } }, { status: 404 });
  });

  vi.stubGlobal('fetch', fetch);
  return { on, calls, fetch, callsTo: (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path) };
}

export const unauthorized: Reply<never> = { status: 401, error: { code: 'unauthorized', message: 'No valid access token' } };
