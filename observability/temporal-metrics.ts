import net from 'node:net';
import type { MetricsExporterConfig } from '@temporalio/worker';

/**
 * Temporal's own worker metrics (workflow and activity task schedule-to-start
 * and execution latencies, sticky cache, pollers, slots) come from SDK Core's
 * Prometheus exporter. It has no authentication, so it listens on a loopback
 * port only and the worker's guarded `/metrics` serves its text after the
 * business metrics: one scrape target per worker, one token.
 */
export async function temporalMetricsExporter(): Promise<{ config: MetricsExporterConfig; scrape: () => Promise<string> }> {
  const address = `127.0.0.1:${await freeLoopbackPort()}`;
  return {
    config: {
      prometheus: {
        bindAddress: address,
        // Prometheus conventions: `_total` counters and latencies in seconds, as the business metrics and the alert rules use.
        countersTotalSuffix: true,
        useSecondsForDurations: true,
        unitSuffix: true,
      },
    },
    async scrape() {
      const res = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(5_000) });
      if (!res.ok) throw new Error(`Temporal's metrics exporter answered ${res.status}`);
      return res.text();
    },
  };
}

/** A port the OS just handed out; Core binds it right after, so a clash with another process is unlikely. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
