import { createHash, timingSafeEqual } from 'node:crypto';

export type MetricsVerdict = { ok: true } | { ok: false; status: 401 | 403; message: string };

/**
 * Who may read `/metrics`. With `METRICS_TOKEN` set, only a request carrying
 * `Authorization: Bearer <token>`. Without it, anyone outside production (as
 * before, for development), and nobody in production: the numbers describe the
 * business and are not for the public internet.
 */
export function metricsAccess(opts: { token?: string; production: boolean }): (authorization: string | undefined) => MetricsVerdict {
  // Compared as SHA-256 digests: equal lengths for timingSafeEqual, and no early exit that leaks the token's length.
  const expected = opts.token ? digest(opts.token) : null;
  return (authorization) => {
    if (!expected) {
      return opts.production ? { ok: false, status: 403, message: 'metrics are off: set METRICS_TOKEN to scrape them in production' } : { ok: true };
    }
    const presented = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    if (presented && timingSafeEqual(digest(presented), expected)) return { ok: true };
    return { ok: false, status: 401, message: 'metrics need Authorization: Bearer <METRICS_TOKEN>' };
  };
}

const digest = (s: string) => createHash('sha256').update(s).digest();
