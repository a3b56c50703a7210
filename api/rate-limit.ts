import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { HttpError } from './errors';

/** A per-minute limit answered in the API's own error shape. */
export function perMinute(limit: number, key: (req: Request) => string = () => ''): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? '')}|${key(req)}`,
    handler: (_req, _res, next, options) =>
      next(new HttpError(429, 'rate_limited', `Too many requests; try again in ${Math.ceil(options.windowMs / 1000)} seconds`)),
  });
}
