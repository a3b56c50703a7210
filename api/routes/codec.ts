import { timingSafeEqual } from 'node:crypto';
import type { PayloadCodec } from '@temporalio/common';
import { JSONToPayload, payloadToJSON, type JSONPayload } from '@temporalio/common/lib/proto-utils';
import cors from 'cors';
import express, { Router, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import { PayloadKeyError } from '../../temporal/payload-codec';
import { HttpError } from '../errors';
import { mountRoutes, route, type RouteSpec } from '../merchant/route';
import { rateLimit, type LimitStore } from '../rate-limit';

/**
 * Temporal's remote codec protocol (used by the Temporal UI and `temporal
 * --codec-endpoint`): `POST …/encode` and `POST …/decode` with the Payloads
 * message as protobuf JSON, `{ payloads: [{ metadata: { k: base64 }, data: base64 }] }`.
 * Support staff read encrypted conversations through it; it holds the keys,
 * so it answers only to a bearer token (ADMIN_TOKEN or CODEC_AUTH_TOKEN) and
 * only the Temporal UI's origin gets a CORS grant.
 */
export interface CodecDeps {
  /** The payload codec (PAYLOAD_KEYS); without one, payloads are not encrypted and pass through unchanged. */
  codec: PayloadCodec | null;
  namespace: string;
  adminToken: string;
  /** CODEC_AUTH_TOKEN: a token for support staff that opens only this endpoint. */
  codecToken?: string;
  /** Temporal UI origins that may call from a browser (CODEC_CORS_ORIGINS). */
  corsOrigins: string[];
  /**
   * Development only (CODEC_TRUST_LOCAL_UI, set by `npm start`): a browser page of an allowed origin calling from
   * this machine needs no token, because the dev server's UI cannot send one. Anything running locally can read
   * the development keys in `.data/` anyway, and another site's page cannot forge the Origin header.
   */
  trustLocalUi?: boolean;
  rateLimitPerMinute?: number;
}

const Base64 = z.base64('must be base64');
const JsonPayload = z.strictObject({
  metadata: z.record(z.string().max(256), Base64).optional(),
  data: Base64.optional(),
});
const Payloads = z.strictObject({ payloads: z.array(JsonPayload).max(1_000) });
const PayloadsOut = z.object({ payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() })) });

const NAMESPACE_HEADER = 'x-namespace';
const headers = {
  'X-Namespace': { description: "The namespace the payloads belong to, as the Temporal UI and CLI send it; when given it must be this installation's" },
};
const example = { payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('{"text":"hello"}').toString('base64') }] };

const UNAUTHORIZED = 'No or wrong token: send "Authorization: Bearer <CODEC_AUTH_TOKEN or ADMIN_TOKEN>"';

export function codecRouteSpecs(deps: Pick<CodecDeps, 'codec' | 'namespace'>): RouteSpec[] {
  const run = (op: 'encode' | 'decode') => async ({ body, req }: { body: z.infer<typeof Payloads>; req: Request }) => {
    const namespace = req.get(NAMESPACE_HEADER);
    if (namespace !== undefined && namespace !== deps.namespace) {
      throw new HttpError(400, 'invalid_request', `This codec serves namespace "${deps.namespace}", not "${namespace.slice(0, 100)}"`, [{ path: 'X-Namespace', message: 'is not this installation\'s namespace' }]);
    }
    let payloads = body.payloads.map((p) => JSONToPayload(p as JSONPayload));
    if (deps.codec) {
      try {
        payloads = op === 'encode' ? await deps.codec.encode(payloads) : await deps.codec.decode(payloads);
      } catch (err) {
        // An unknown key id, or data altered or sealed with other key material: the caller's payload, not our failure.
        if (err instanceof PayloadKeyError) throw new HttpError(400, 'undecryptable', err.message);
        // A payload whose decrypted bytes are not a protobuf Payload was not written by this codec.
        if (err instanceof Error && /invalid wire type|index out of range|illegal/i.test(err.message)) throw new HttpError(400, 'undecryptable', 'A payload is not one this codec wrote');
        throw err;
      }
    }
    return { status: 200 as const, body: { payloads: payloads.map((p) => payloadToJSON(p) as z.infer<typeof PayloadsOut>['payloads'][number]) } };
  };
  const responses = {
    200: PayloadsOut,
    400: 'The body is not a Payloads message, X-Namespace names another namespace, or a payload cannot be decrypted (an unknown key id or altered data)',
    401: UNAUTHORIZED,
  };
  return [
    route({
      method: 'post', path: '/encode', tag: 'codec', access: 'operator', operationId: 'codecEncode',
      summary: 'Encrypt payloads under the current payload key (what a person types into the Temporal UI: signal arguments, queries)',
      headers, body: Payloads, example, responses, handle: run('encode'),
    }),
    route({
      method: 'post', path: '/decode', tag: 'codec', access: 'operator', operationId: 'codecDecode',
      summary: "Decrypt payloads from Temporal's history so the UI and CLI show them; payloads that are not encrypted come back unchanged",
      headers, body: Payloads, example, responses, handle: run('decode'),
    }),
  ];
}

const bearerOf = (req: Request) => /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '';
const sameSecret = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};
const isLoopback = (address: string | undefined) => address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';

function requireCodecAccess(deps: CodecDeps): RequestHandler {
  const tokens = [deps.adminToken, ...(deps.codecToken ? [deps.codecToken] : [])];
  return (req, _res, next) => {
    const given = bearerOf(req);
    // Every token is compared, so the time taken does not say which one nearly matched.
    const matched = tokens.map((t) => sameSecret(given, t)).some(Boolean);
    const origin = req.get('origin');
    const localUi = Boolean(deps.trustLocalUi && origin && deps.corsOrigins.includes(origin) && isLoopback(req.socket.remoteAddress));
    if (matched || localUi) next();
    else next(new HttpError(401, 'unauthorized', UNAUTHORIZED));
  };
}

/**
 * `/codec/k/<token>/decode` is `/codec/decode` with `Authorization: Bearer <token>`: a Temporal UI server without
 * its own sign-in cannot send a header, but its codec endpoint setting can carry the token. Whoever can open that
 * UI can read its settings and act on every workflow anyway; the token keeps everyone else out.
 */
const tokenInPath: RequestHandler = (req, _res, next) => {
  const m = /^\/k\/([\w.~-]+)(\/(?:encode|decode))$/.exec(req.path);
  if (m) {
    req.headers.authorization = `Bearer ${m[1]!}`;
    req.url = m[2]!;
  }
  next();
};

/** Mounted at `/codec`: CORS for the Temporal UI only, a rate limit, the JSON body, then the two routes. */
export function codecRoutes(deps: CodecDeps & LimitStore): Router {
  const router = Router();
  router.use(
    tokenInPath,
    cors({ origin: deps.corsOrigins, methods: ['POST'], allowedHeaders: ['authorization', 'content-type', NAMESPACE_HEADER], credentials: true, maxAge: 600 }),
    // After CORS, so preflights are not counted. A page of history is a handful of requests.
    rateLimit(deps, { name: 'codec', perMinute: deps.rateLimitPerMinute ?? 600 }),
    // A long history's payloads can be large; a thousand of them is the cap the schema sets.
    express.json({ limit: '4mb' }),
  );
  mountRoutes(router, codecRouteSpecs(deps), null, { operator: requireCodecAccess(deps) });
  return router;
}
