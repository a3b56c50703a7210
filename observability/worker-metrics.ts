import type { Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { Env } from '../config/env';
import { exposition } from './metrics';
import { metricsAccess } from './metrics-access';
import { startMetricsServer, type MetricsServer } from './metrics-server';

/** The worker's `/metrics` on WORKER_METRICS_PORT: business metrics, the process's, then Temporal's (`scrapeTemporal`), behind METRICS_TOKEN. */
export async function startWorkerMetrics(env: Pick<Env, 'WORKER_METRICS_PORT' | 'METRICS_TOKEN' | 'NODE_ENV'>, scrapeTemporal: (() => Promise<string>) | null, log: Logger): Promise<MetricsServer | null> {
  if (!env.WORKER_METRICS_PORT) return null;
  if (env.NODE_ENV === 'production' && !env.METRICS_TOKEN) log.warn('METRICS_TOKEN is not set: the worker refuses every /metrics request in production');
  // Memory, CPU and event-loop lag, as the API reports them.
  const processRegistry = new Registry();
  collectDefaultMetrics({ register: processRegistry });
  const server = await startMetricsServer({
    port: env.WORKER_METRICS_PORT,
    access: metricsAccess({ token: env.METRICS_TOKEN, production: env.NODE_ENV === 'production' }),
    render: () => exposition(processRegistry, ...(scrapeTemporal ? [() => scrapeTemporal().catch(temporalUnavailable)] : [])),
    onError: (err) => log.warn({ err }, 'metrics scrape failed'),
  });
  log.info({ port: server.port }, 'worker metrics endpoint listening');
  // The business metrics still go out; the missing pollers then fire AutoCloserNoWorkerPolling, which is the truth.
  function temporalUnavailable(err: unknown): string {
    log.warn({ err }, "Temporal's metrics exporter did not answer");
    return '';
  }
  return server;
}
