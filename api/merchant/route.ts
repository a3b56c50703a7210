import type { CookieOptions, Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { atLeast, type Caller, type Role } from '../../domain/roles';
import { HttpError, parseOr400 } from '../errors';

/** Every error leaves the API in this shape (see errors.ts). */
export const ErrorSchema = z.strictObject({
  error: z.strictObject({
    code: z.string(),
    message: z.string().describe('What went wrong, in words a person can act on'),
    details: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
  }),
});

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;
/** Who may call a route: a member with at least this role, anyone, or the installation's operator (ADMIN_TOKEN). */
export type Access = Role | 'public' | 'operator';

export interface RouteContext<A extends Access, Q, B> {
  caller: A extends Role ? Caller : null;
  params: Record<string, string>;
  query: Q;
  body: B;
  /** Read-only: headers, cookies, the client address. The response is the handler's return value. */
  req: Request;
}

/**
 * What one status carries:
 * - a zod schema: a JSON body of that shape (checked against it in tests);
 * - `null`: no body;
 * - `{ file }`: bytes of that content type;
 * - a string: the API's error shape, `{ error: { code, message, details? } }`; the string says when.
 */
export type Outcome = z.ZodType | null | { file: string; description: string } | string;
export type Responses = Partial<Record<number, Outcome>>;

export type CookieChange = { name: string; value: string; options: CookieOptions } | { name: string; clear: true; options: CookieOptions };

/** A handler's answer, as data: the route layer writes it, so nothing can overwrite a status afterwards. */
export interface Reply<S extends number = number> {
  status: S;
  /** JSON for schema outcomes; a Buffer for file outcomes; absent for `null` ones. */
  body?: unknown;
  headers?: Record<string, string>;
  cookies?: CookieChange[];
}

/** The part of a route the OpenAPI document describes; routes that need raw bodies (signed webhooks) are described by this alone. */
export interface RouteDoc<A extends Access = Access, QS extends z.ZodType | undefined = z.ZodType | undefined, BS extends z.ZodType | undefined = z.ZodType | undefined> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express syntax; parameter names say what they are (`:conversationId`), which the docs and the tenancy tests rely on. */
  path: string;
  tag: string;
  summary: string;
  /** Kept stable: generated clients name their functions after it. Derived from method and path when absent. */
  operationId?: string;
  access: A;
  /** Path parameter formats, where they have one (the document says "string" otherwise). */
  params?: z.ZodType;
  query?: QS;
  /** Headers the route reads, such as a webhook's signature. */
  headers?: Record<string, { description: string; required?: boolean }>;
  body?: BS;
  /** A body the route accepts: shown in the docs and used by the tests that walk every route. */
  example?: unknown;
  /** Non-JSON bodies (CSV imports, provider forms, raw signed webhooks), with their schema when it says anything. */
  contentType?: string;
  contentSchema?: z.ZodType;
  /** Every status the route itself can answer; 400, 401, 403, 404, 413, 415 and 429 are added where they apply (see `impliedResponses`). */
  responses: Responses;
}

/**
 * One API route: its contract (schemas, least role, every status) and its
 * handler. The same object mounts the route and writes its OpenAPI entry, so
 * the published document cannot drift from what the server enforces.
 */
export interface RouteSpec<A extends Access = Access, QS extends z.ZodType | undefined = z.ZodType | undefined, BS extends z.ZodType | undefined = z.ZodType | undefined, RS extends Responses = Responses>
  extends RouteDoc<A, QS, BS> {
  responses: RS;
  /** Middleware that runs before the role check, such as a rate limit. */
  before?: RequestHandler[];
  handle(ctx: RouteContext<A, Out<QS>, Out<BS>>): Promise<Reply<Extract<keyof RS, number>>>;
}

// The spec is erased to `RouteSpec` once defined; the generics only type the handler.
export const route = <A extends Access, QS extends z.ZodType | undefined = undefined, BS extends z.ZodType | undefined = undefined, const RS extends Responses = Responses>(
  spec: RouteSpec<A, QS, BS, RS>,
): RouteSpec => spec as unknown as RouteSpec;

export interface Authenticator {
  /** Resolves the bearer token to a caller, or throws a 401. */
  authenticate(req: Request): Promise<Caller>;
}

export const RATE_LIMITED = 'Too many requests; `Retry-After` says in how many seconds to try again';

/** Statuses the route layer itself answers, so every route declares them without repeating them. */
export function impliedResponses(spec: RouteDoc): Record<number, string> {
  const implied: Record<number, string> = { 400: 'The request is malformed; `details` names each bad field' };
  if (spec.access === 'operator') implied[401] = 'No or wrong operator token (ADMIN_TOKEN)';
  else if (spec.access !== 'public') {
    implied[401] = 'No valid access token';
    implied[403] = `Needs the ${spec.access} role or higher`;
    implied[404] = 'Not found, or it belongs to another merchant';
  }
  if (spec.body || spec.contentType) {
    implied[413] = 'The body is larger than this route accepts';
    implied[415] = `The body must be ${spec.contentType ?? 'application/json'}`;
  }
  // Every prefix the API serves is rate limited (api/app.ts), so every route can answer 429.
  implied[429] = RATE_LIMITED;
  return implied;
}

export const declaredResponses = (spec: RouteDoc): Responses => ({ ...impliedResponses(spec), ...spec.responses });

// Tests and development check every answer against its declaration and fail loudly; production trusts them.
const checking = () => process.env.NODE_ENV === 'test' || process.env.NODE_ENV === 'development';

class ContractViolation extends Error {}

/** A NUL character cannot be stored (Postgres refuses it in text), so it is refused at the door with the field's name. */
export function findNul(value: unknown, path: string[] = []): string | null {
  if (typeof value === 'string') return value.includes('\0') ? path.join('.') : null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = findNul(v, [...path, String(i)]);
      if (found !== null) return found;
    }
  } else if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [k, v] of Object.entries(value)) {
      const found = findNul(k, [...path, k]) ?? findNul(v, [...path, k]);
      if (found !== null) return found;
    }
  }
  return null;
}

function refuseNul(where: string, value: unknown): void {
  const path = findNul(value);
  if (path === null) return;
  const field = path || where;
  throw new HttpError(400, 'invalid_request', `Invalid ${where}: ${field}: must not contain a NUL character`, [{ path: field, message: 'must not contain a NUL character' }]);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Keys present in `sent` but not in `parsed`, at any depth: zod objects drop
 * keys they do not know, so comparing the input with the parsed value finds
 * exactly those (a misspelt request field, or a response leaking a column).
 */
export function unknownKeys(sent: unknown, parsed: unknown, path: string[] = []): string[] {
  if (Array.isArray(sent) && Array.isArray(parsed)) return sent.flatMap((v, i) => unknownKeys(v, parsed[i], [...path, String(i)]));
  if (!isPlainObject(sent) || !isPlainObject(parsed)) return [];
  return Object.keys(sent).flatMap((k) => (k in parsed ? unknownKeys(sent[k], parsed[k], [...path, k]) : [[...path, k].join('.')]));
}

function checkReply(spec: RouteSpec, reply: Reply, outcome: Outcome | undefined): void {
  const where = `${spec.method.toUpperCase()} ${spec.path}`;
  if (outcome === undefined) throw new ContractViolation(`${where} answered ${reply.status}, which its spec does not declare`);
  if (typeof outcome === 'string') outcome = ErrorSchema;
  if (outcome === null) {
    if (reply.body !== undefined) throw new ContractViolation(`${where} answered ${reply.status} with a body its spec does not declare`);
    return;
  }
  if ('file' in outcome) {
    if (!Buffer.isBuffer(reply.body)) throw new ContractViolation(`${where} answered ${reply.status} without the file its spec declares`);
    return;
  }
  // Checked as the client will see it: after JSON serialisation (dates become strings).
  const json: unknown = JSON.parse(JSON.stringify(reply.body ?? null));
  const parsed = outcome.safeParse(json);
  if (!parsed.success) {
    throw new ContractViolation(`${where} answered ${reply.status} with a body that does not match its schema: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`);
  }
  const extra = unknownKeys(json, parsed.data);
  if (extra.length) throw new ContractViolation(`${where} answered ${reply.status} with fields its schema does not declare: ${extra.join(', ')}`);
}

function write(res: Response, reply: Reply, outcome: Outcome | undefined): void {
  for (const c of reply.cookies ?? []) {
    if ('clear' in c) res.clearCookie(c.name, c.options);
    else res.cookie(c.name, c.value, c.options);
  }
  if (reply.headers) res.set(reply.headers);
  res.status(reply.status);
  if (outcome && typeof outcome === 'object' && 'file' in outcome) res.type(outcome.file).send(reply.body);
  else if (reply.body === undefined) res.end();
  else res.json(reply.body);
}

export interface MountOptions {
  /** Compared in constant time by the caller-supplied check; required when any route has `access: 'operator'`. */
  operator?: RequestHandler;
}

export function mountRoutes(router: Router, routes: RouteSpec[], auth: Authenticator | null, opts: MountOptions = {}): void {
  for (const spec of routes) {
    const responses = declaredResponses(spec);
    const handler: RequestHandler = async (req, res) => {
      let caller: Caller | null = null;
      try {
        if (spec.access !== 'public' && spec.access !== 'operator') {
          if (!auth) throw new Error(`${spec.method} ${spec.path} needs an authenticator`);
          caller = await auth.authenticate(req);
          if (!atLeast(caller.role, spec.access)) {
            throw new HttpError(403, 'forbidden', `This needs the ${spec.access} role or higher; you are ${caller.role}`);
          }
        }
        refuseNul('path', req.params);
        refuseNul('query', req.query);
        const params = spec.params ? parseOr400(spec.params, req.params, 'path') : req.params;
        const query = spec.query ? parseOr400(spec.query, req.query, 'query') : undefined;
        let body: unknown;
        if (spec.body || spec.contentType) {
          const type = spec.contentType ?? 'application/json';
          // req.is is null without a body; a body of another type would otherwise reach zod as `undefined`.
          if (req.is(type) === false) throw new HttpError(415, 'unsupported_media_type', `Send the body with content-type ${type}`);
          refuseNul('body', req.body);
          body = spec.body ? parseOr400(spec.body, req.body) : req.body;
        }
        const reply = await spec.handle({ caller, params: params as Record<string, string>, query, body, req } as RouteContext<Access, unknown, unknown>);
        if (checking()) checkReply(spec, reply, responses[reply.status]);
        write(res, reply, responses[reply.status]);
      } catch (err) {
        if (err instanceof HttpError && responses[err.status] === undefined && checking()) {
          throw new ContractViolation(`${spec.method.toUpperCase()} ${spec.path} answered ${err.status} (${err.code}), which its spec does not declare`, { cause: err });
        }
        throw err;
      }
    };
    const guard = spec.access === 'operator' ? [opts.operator ?? missingOperatorCheck] : [];
    router[spec.method](spec.path, ...guard, ...(spec.before ?? []), handler);
  }
}

const missingOperatorCheck: RequestHandler = () => {
  throw new Error('operator routes mounted without an operator check');
};
