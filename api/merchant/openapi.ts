import { z } from 'zod';
import { declaredResponses, ErrorSchema, type Outcome, type RouteDoc } from './route';

// zod 4 writes JSON Schema 2020-12, the dialect OpenAPI 3.1 uses, so no
// separate schema library is needed between the routes and the document.
// Recursive schemas (JSON values) come with local `$defs`, which a reference
// inside an OpenAPI document cannot reach; they move to `components.schemas`.
let shared: Record<string, unknown> = {};
const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _ignored, $defs, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  if (!$defs) return rest;
  let text = JSON.stringify(rest);
  const defs = Object.entries($defs as Record<string, unknown>);
  const names = new Map<string, string>();
  for (const [local, def] of defs) {
    const body = JSON.stringify(def);
    const existing = Object.entries(shared).find(([, d]) => JSON.stringify(d) === body.replaceAll(`#/$defs/${local}`, '#self'))?.[0];
    names.set(local, existing ?? (local.startsWith('__') ? (body.includes('"type":"null"') && body.includes('"type":"boolean"') ? 'JsonValue' : `Shared${Object.keys(shared).length}`) : local));
  }
  const rewrite = (s: string) => [...names].reduce((acc, [local, name]) => acc.replaceAll(`"#/$defs/${local}"`, `"#/components/schemas/${name}"`), s);
  text = rewrite(text);
  for (const [local, def] of defs) {
    const name = names.get(local)!;
    if (!(name in shared)) shared[name] = JSON.parse(rewrite(JSON.stringify(def)));
  }
  return JSON.parse(text) as Record<string, unknown>;
};

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

const defaultDescriptions: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No content', 303: 'Redirect (see Location)' };

/** The headers of every rate-limited answer (api/rate-limit.ts): IETF RateLimit fields, draft 8. */
const rateLimitHeaders = {
  'Retry-After': { description: 'Seconds until the limit resets', schema: { type: 'integer' } },
  RateLimit: { description: 'Per limit that applies: its name, requests remaining (`r`) and seconds until it resets (`t`)', schema: { type: 'string' } },
  'RateLimit-Policy': { description: 'Per limit that applies: its name, quota (`q`) and window in seconds (`w`)', schema: { type: 'string' } },
};

function responseFor(status: number, outcome: Outcome): unknown {
  if (status === 429 && typeof outcome === 'string') return { ...errorResponse(outcome), headers: rateLimitHeaders };
  if (typeof outcome === 'string') return errorResponse(outcome);
  const description = (outcome && 'description' in outcome && typeof outcome.description === 'string' ? outcome.description : undefined) ?? defaultDescriptions[status] ?? 'OK';
  if (outcome === null) return { description };
  if ('file' in outcome) return { description, content: { [outcome.file]: { schema: { type: 'string', ...(outcome.file.startsWith('text/') ? {} : { format: 'binary' }) } } } };
  return { description, content: { 'application/json': { schema: jsonSchema(outcome, 'output') } } };
}

/** Routes mounted under one prefix: `/api/v1` for merchants, `/api/webchat` for the widget, `''` for webhooks. */
export interface RouteGroup {
  base: string;
  routes: RouteDoc[];
  /** Prepended to derived operation ids, so groups cannot collide (`webchat` + `postMerchantMessages`). */
  operationPrefix?: string;
}

const camel = (method: string, path: string) => `${method}${path.replace(/[/:{}-](\w)/g, (_m, c: string) => c.toUpperCase()).replace(/\W/g, '')}`;

const operationIdOf = (spec: RouteDoc, group: RouteGroup) => {
  if (spec.operationId) return spec.operationId;
  const derived = camel(spec.method, spec.path);
  return group.operationPrefix ? group.operationPrefix + derived[0]!.toUpperCase() + derived.slice(1) : derived;
};

function operation(spec: RouteDoc, group: RouteGroup): Record<string, unknown> {
  const paramSchemas = spec.params ? ((jsonSchema(spec.params, 'input') as { properties?: Record<string, unknown> }).properties ?? {}) : {};
  const parameters: unknown[] = [...spec.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: paramSchemas[m[1]!] ?? { type: 'string' } }));
  if (spec.query) {
    const q = jsonSchema(spec.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(q.properties ?? {})) {
      parameters.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema });
    }
  }
  for (const [name, h] of Object.entries(spec.headers ?? {})) {
    parameters.push({ name, in: 'header', required: h.required ?? false, description: h.description, schema: { type: 'string' } });
  }
  const declared = declaredResponses(spec);
  const responses = Object.fromEntries(
    Object.keys(declared)
      .map(Number)
      .sort((a, b) => a - b)
      .map((status) => [String(status), responseFor(status, declared[status]!)]),
  );
  const security = spec.access === 'public' ? { security: [] } : spec.access === 'operator' ? { security: [{ adminToken: [] }] } : { 'x-required-role': spec.access };
  let requestBody: unknown;
  if (spec.body) {
    requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input'), ...(spec.example !== undefined ? { example: spec.example } : {}) } } };
  } else if (spec.contentType) {
    const schema = spec.contentSchema ? jsonSchema(spec.contentSchema, 'input') : { type: 'string' };
    requestBody = { required: true, content: { [spec.contentType]: { schema, ...(spec.example !== undefined ? { example: spec.example } : {}) } } };
  }
  return {
    tags: [spec.tag],
    summary: spec.summary,
    operationId: operationIdOf(spec, group),
    ...security,
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

const TAGS: Record<string, string> = {
  webchat: 'The chat widget on merchants\' sites: public, rate-limited per client address',
  webhooks: 'Calls from payment and WhatsApp providers, verified by their signatures before anything is stored',
  payments: 'Pages and callbacks a paying customer is sent to',
  platform: 'The installation operator (ADMIN_TOKEN): plans by hand and invoices',
  codec: "Temporal's remote codec protocol for the Temporal UI and CLI: decrypts history payloads for support staff (CODEC_AUTH_TOKEN or ADMIN_TOKEN)",
};

/** The OpenAPI 3.1 document for every public route, generated from the route specs themselves. */
export function openApiDocument(routes: RouteDoc[] | RouteGroup[], info: { version: string; serverUrl: string }): Record<string, unknown> {
  const groups: RouteGroup[] = routes.length && 'base' in routes[0]! ? (routes as RouteGroup[]) : [{ base: '/api/v1', routes: routes as RouteDoc[] }];
  shared = {};
  const paths: Record<string, Record<string, unknown>> = {};
  const tags: string[] = [];
  for (const group of groups) {
    for (const spec of group.routes) {
      const path = `${group.base}${spec.path.replace(/:(\w+)/g, '{$1}')}`;
      paths[path] ??= {};
      paths[path][spec.method] = operation(spec, group);
      if (!tags.includes(spec.tag)) tags.push(spec.tag);
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'AutoCloser API',
      version: info.version,
      description:
        'The merchant API (`/api/v1`) acts for the signed-in member\'s merchant; roles: viewer < agent < admin < owner. ' +
        'Also described: the web chat widget\'s routes, provider webhooks and callbacks, the demo payment pages and the operator API.',
    },
    servers: [{ url: info.serverUrl }],
    tags: tags.map((name) => ({ name, ...(TAGS[name] ? { description: TAGS[name] } : {}) })),
    security: [{ bearerAuth: [] }],
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        adminToken: { type: 'http', scheme: 'bearer', description: 'The installation\'s ADMIN_TOKEN' },
      },
      schemas: { Error: jsonSchema(ErrorSchema, 'output'), ...shared },
    },
    paths,
  };
}
