import type { Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import { atLeast, type Caller, type Role } from '../../domain/roles';
import { HttpError, parseOr400 } from '../errors';

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;
type Access = Role | 'public';

export interface RouteContext<A extends Access, Q, B> {
  caller: A extends 'public' ? null : Caller;
  params: Record<string, string>;
  query: Q;
  body: B;
  req: Request;
  res: Response;
}

/**
 * One merchant API route: its contract (schemas, least role, status) and its
 * handler. The same object mounts the route and writes its OpenAPI entry, so
 * the published document cannot drift from what the server enforces.
 */
export interface RouteSpec<A extends Access = Access, QS extends z.ZodType | undefined = z.ZodType | undefined, BS extends z.ZodType | undefined = z.ZodType | undefined> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express syntax; parameter names say what they are (`:conversationId`), which the docs and the tenancy tests rely on. */
  path: string;
  tag: string;
  summary: string;
  access: A;
  query?: QS;
  body?: BS;
  /** A body the route accepts: shown in the docs and used by the tests that walk every route. */
  example?: unknown;
  /** Non-JSON bodies, parsed before the route (CSV imports). */
  contentType?: string;
  status?: number;
  response?: z.ZodType;
  /** Middleware that runs before the role check, such as a rate limit. */
  before?: RequestHandler[];
  handle(ctx: RouteContext<A, Out<QS>, Out<BS>>): Promise<unknown>;
}

// The spec is erased to `RouteSpec` once defined; the generics only type the handler.
export const route = <A extends Access, QS extends z.ZodType | undefined = undefined, BS extends z.ZodType | undefined = undefined>(
  spec: RouteSpec<A, QS, BS>,
): RouteSpec => spec as unknown as RouteSpec;

export interface Authenticator {
  /** Resolves the bearer token to a caller, or throws a 401. */
  authenticate(req: Request): Promise<Caller>;
}

export function mountRoutes(router: Router, routes: RouteSpec[], auth: Authenticator): void {
  for (const spec of routes) {
    const handler: RequestHandler = async (req, res) => {
      let caller: Caller | null = null;
      if (spec.access !== 'public') {
        caller = await auth.authenticate(req);
        if (!atLeast(caller.role, spec.access)) {
          throw new HttpError(403, 'forbidden', `This needs the ${spec.access} role or higher; you are ${caller.role}`);
        }
      }
      const query = spec.query ? parseOr400(spec.query, req.query, 'query') : undefined;
      const body = spec.body ? parseOr400(spec.body, req.body) : undefined;
      const result = await spec.handle({ caller, params: req.params as Record<string, string>, query, body, req, res } as RouteContext<Access, unknown, unknown>);
      if (res.headersSent) return;
      if (result === undefined) res.status(204).end();
      else res.status(spec.status ?? 200).json(result);
    };
    router[spec.method](spec.path, ...(spec.before ?? []), handler);
  }
}
