import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { type z } from 'zod';

/** Every error leaves the API in one shape: `{ error: { code, message, details? } }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);

/** Parses with zod and turns failures into a 400 that names each bad field. */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, where = 'body'): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((i) => ({ path: i.path.join('.') || where, message: i.message }));
  throw new HttpError(400, 'invalid_request', `Invalid ${where}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
}

export const unknownRoute: RequestHandler = (req, _res, next) => next(new HttpError(404, 'not_found', `No route for ${req.method} ${req.path}`));

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } });
      return;
    }
    // body-parser's own errors carry a status and a type.
    const status = typeof err?.status === 'number' ? err.status : 500;
    if (err?.type === 'entity.too.large') {
      res.status(413).json({ error: { code: 'payload_too_large', message: `Request body is larger than the ${err.limit} byte limit` } });
      return;
    }
    if (err?.type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'invalid_json', message: 'Request body is not valid JSON' } });
      return;
    }
    if (status >= 400 && status < 500) {
      res.status(status).json({ error: { code: 'bad_request', message: err.message ?? 'Bad request' } });
      return;
    }
    log.error({ err, path: req.path }, 'request failed');
    res.status(500).json({ error: { code: 'internal', message: 'Something went wrong on our side; please retry.' } });
  };
}
