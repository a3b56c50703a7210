import http from 'node:http';
import { listenShortLived } from './listen';
import type { MetricsVerdict } from './metrics-access';
import { EXPOSITION_CONTENT_TYPE } from './metrics';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * `/metrics` on a port of its own, for a process without an HTTP server (the
 * worker). Guarded like the API's: the same bearer token.
 */
export async function startMetricsServer(opts: {
  port: number;
  host?: string;
  access: (authorization: string | undefined) => MetricsVerdict;
  render: () => Promise<string>;
  onError?: (err: unknown) => void;
}): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics');
      return;
    }
    const verdict = opts.access(req.headers.authorization);
    if (!verdict.ok) {
      res.writeHead(verdict.status, { 'content-type': 'text/plain', ...(verdict.status === 401 ? { 'www-authenticate': 'Bearer' } : {}) }).end(verdict.message);
      return;
    }
    opts.render().then(
      (body) => res.writeHead(200, { 'content-type': EXPOSITION_CONTENT_TYPE, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body),
      (err: unknown) => {
        opts.onError?.(err);
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics could not be collected');
      },
    );
  });
  return listenShortLived(server, opts.port, opts.host);
}
