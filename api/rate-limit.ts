import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { Logger } from 'pino';
import { RateLimiterPostgres, RateLimiterRes, RLWrapperTimeouts } from 'rate-limiter-flexible';
import type { Db } from '../db/knex';
import { HttpError } from './errors';

/** Where the counters live: the app's own database, so every API replica counts against the same rows. */
export interface LimitStore {
  db: Db;
  /** Absent only where route specs are built for the document, which never serves a request. */
  log?: Logger;
  /** Keeps these counters apart from those of other apps on the same database (test suites run many). */
  rateLimitNamespace?: string;
}

export interface Limit {
  /** Names the counters in `rate_limits`; every replica must use the same name for the same limit. */
  name: string;
  perMinute: number;
  /** The part of the key beside the client address (the client address alone when absent). */
  key?: (req: Request) => string | Promise<string>;
  /** Replaces the client address in the key (e.g. a signed-in member counts wherever they connect from). */
  subject?: (req: Request) => Promise<string | null>;
}

const WINDOW_SECONDS = 60;
/** A limiter waits this long for the database before it lets the request through. */
const STORE_TIMEOUT_MS = 1_000;
/** One warning per limit and interval while the store fails, not one per request. */
const WARN_EVERY_MS = 60_000;

/** The client address, with IPv6 grouped by /56 so one host cannot rotate through its own block. */
export const clientAddress = (req: Request): string => ipKeyGenerator(req.ip ?? '');

/**
 * A fixed one-minute window per key, counted in Postgres (rate-limiter-flexible's
 * `RateLimiterPostgres` on the app's knex pool, table from migration 009), so
 * two replicas behind a load balancer enforce one limit rather than two.
 * Answers as the IETF RateLimit headers (draft 8) on every response and, once
 * over, a 429 with `Retry-After` in the API's own error shape.
 *
 * Fails open: when the database cannot be reached (or does not answer within a
 * second), the request goes through and a warning is logged. A limiter exists
 * to protect the API; it must never be the reason the API is down, and every
 * route behind it needs the same database anyway.
 */
export function rateLimit(store: LimitStore, limit: Limit): RequestHandler {
  // Built on first use: route specs are also built for the OpenAPI document, without a database.
  let limiter: RLWrapperTimeouts | undefined;
  const get = () =>
    (limiter ??= new RLWrapperTimeouts({
      timeoutMs: STORE_TIMEOUT_MS,
      limiter: new RateLimiterPostgres({
        storeClient: store.db,
        storeType: 'knex',
        tableName: 'rate_limits',
        tableCreated: true,
        keyPrefix: store.rateLimitNamespace ? `${store.rateLimitNamespace}:${limit.name}` : limit.name,
        points: limit.perMinute,
        duration: WINDOW_SECONDS,
      }),
    }));
  let lastWarning = 0;
  const policy = `"${limit.name}";q=${limit.perMinute};w=${WINDOW_SECONDS}`;

  const headers = (res: Response, r: RateLimiterRes) => {
    res.append('RateLimit-Policy', policy);
    res.append('RateLimit', `"${limit.name}";r=${Math.max(r.remainingPoints, 0)};t=${Math.ceil(r.msBeforeNext / 1000)}`);
  };

  return async (req, res, next) => {
    let key: string;
    try {
      const who = (await limit.subject?.(req)) ?? clientAddress(req);
      key = limit.key ? `${who}|${await limit.key(req)}` : who;
    } catch (err) {
      next(err);
      return;
    }
    try {
      headers(res, await get().consume(key));
      next();
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) {
        headers(res, outcome);
        const seconds = Math.max(1, Math.ceil(outcome.msBeforeNext / 1000));
        res.set('Retry-After', String(seconds));
        next(new HttpError(429, 'rate_limited', `Too many requests; try again in ${seconds} seconds`));
        return;
      }
      if (Date.now() - lastWarning > WARN_EVERY_MS) {
        lastWarning = Date.now();
        store.log?.warn({ err: outcome, limit: limit.name }, 'rate limit store unavailable: letting requests through unlimited');
      }
      next();
    }
  };
}
