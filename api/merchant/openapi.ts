import { z } from 'zod';
import type { RouteSpec } from './route';

const ErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string().describe('What went wrong, in words a person can act on'),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

// zod 4 writes JSON Schema 2020-12, the dialect OpenAPI 3.1 uses, so no
// separate schema library is needed between the routes and the document.
const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return rest;
};

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

/** The OpenAPI 3.1 document for the merchant API, generated from the route specs themselves. */
export function openApiDocument(routes: RouteSpec[], info: { version: string; serverUrl: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routes) {
    const path = `/api/v1${spec.path.replace(/:(\w+)/g, '{$1}')}`;
    const parameters: unknown[] = [...spec.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    if (spec.query) {
      const q = jsonSchema(spec.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) {
        parameters.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema });
      }
    }
    const responses: Record<string, unknown> = {
      [String(spec.status ?? (spec.response ? 200 : 204))]: spec.response
        ? { description: 'Success', content: { 'application/json': { schema: jsonSchema(spec.response, 'output') } } }
        : { description: 'Success' },
      '400': errorResponse('The request is malformed; `details` names each bad field'),
      '429': errorResponse('Too many requests'),
    };
    if (spec.access !== 'public') {
      responses['401'] = errorResponse('No valid access token');
      responses['403'] = errorResponse(`Needs the ${spec.access} role or higher`);
      responses['404'] = errorResponse("Not found, or it belongs to another merchant");
    }
    paths[path] ??= {};
    paths[path][spec.method] = {
      tags: [spec.tag],
      summary: spec.summary,
      operationId: `${spec.method}${spec.path.replace(/[/:](\w)/g, (_m, c: string) => c.toUpperCase()).replace(/\W/g, '')}`,
      ...(spec.access === 'public' ? { security: [] } : { 'x-required-role': spec.access }),
      ...(parameters.length ? { parameters } : {}),
      ...(spec.body || spec.contentType
        ? {
            requestBody: {
              required: true,
              content: spec.contentType
                ? { [spec.contentType]: { schema: { type: 'string' } } }
                : { 'application/json': { schema: jsonSchema(spec.body!, 'input'), ...(spec.example ? { example: spec.example } : {}) } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'AutoCloser merchant API',
      version: info.version,
      description: 'Every route acts for the signed-in member\'s merchant. Roles: viewer < agent < admin < owner.',
    },
    servers: [{ url: info.serverUrl }],
    security: [{ bearerAuth: [] }],
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: jsonSchema(ErrorSchema, 'output') },
    },
    paths,
  };
}
