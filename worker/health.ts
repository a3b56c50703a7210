import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { State } from '@temporalio/worker';

export interface WorkerHealth {
  port: number;
  close(): Promise<void>;
}

/**
 * A plain HTTP endpoint for orchestrators: 200 while the worker polls its task
 * queue, 503 otherwise (starting, draining after SIGTERM, stopped or failed), so
 * a probe or a load balancer stops counting a worker that is on its way out.
 * Any path answers, `/healthz` and `/readyz` included.
 */
export async function startWorkerHealth(opts: { port: number; host?: string; state: () => State }): Promise<WorkerHealth> {
  const server = http.createServer((req, res) => {
    const state = opts.state();
    const ok = state === 'RUNNING';
    res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ ok, state }));
  });
  // A probe is one short request; no connection should keep the process alive once the worker is done.
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
