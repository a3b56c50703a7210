import type { RequestHandler } from 'express';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from 'pino';
import type { Db } from '../db/knex';
import { unansweredCustomers } from '../db/queries/metrics';
import { exposition } from '../observability/metrics';

export interface ApiMetricsOptions {
  db: Db;
  log: Logger;
  /** A customer counts as waiting after this many seconds without an answer (METRICS_UNANSWERED_AFTER_SECONDS). */
  unansweredAfterSeconds?: number;
}

/**
 * The API's own metrics (HTTP latency, process, the unanswered-customer queue
 * read from Postgres at scrape time), served after the business metrics of
 * `observability/metrics.ts`. One registry per app, so several apps in one
 * test process do not collide.
 */
export function createMetrics(opts: ApiMetricsOptions) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const afterSeconds = opts.unansweredAfterSeconds ?? 120;
  // Read once per scrape for both gauges; every API replica reports the same installation-wide numbers, so rules take max().
  let pending: Promise<Awaited<ReturnType<typeof unansweredCustomers>> | null> | null = null;
  const readQueue = () =>
    (pending ??= unansweredCustomers(opts.db, afterSeconds)
      .catch((err: unknown) => {
        opts.log.warn({ err }, 'unanswered-customer gauge could not be read');
        return null;
      })
      .finally(() => setTimeout(() => (pending = null), 1_000).unref()));
  new Gauge({
    name: 'autocloser_unanswered_customers',
    help: `Open conversations whose last message is the customer's and has waited over ${afterSeconds} s, by mode (bot or human)`,
    labelNames: ['mode'] as const,
    registers: [registry],
    async collect() {
      for (const row of (await readQueue()) ?? []) this.set({ mode: row.mode }, row.waiting);
    },
  });
  new Gauge({
    name: 'autocloser_unanswered_customer_oldest_wait_seconds',
    help: 'Seconds the longest-waiting unanswered customer has waited, by mode (0 when none waits past the threshold)',
    labelNames: ['mode'] as const,
    registers: [registry],
    async collect() {
      for (const row of (await readQueue()) ?? []) this.set({ mode: row.mode }, row.oldestSeconds);
    },
  });
  const middleware: RequestHandler = (req, res, next) => {
    const end = httpDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      // The matched route pattern, not the raw path, so ids do not explode label cardinality.
      const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      end({ route, status: String(res.statusCode) });
    });
    next();
  };
  return { registry, middleware, render: () => exposition(registry), contentType: registry.contentType };
}
