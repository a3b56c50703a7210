import type http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListeningServer {
  port: number;
  close(): Promise<void>;
}

/**
 * Starts a server for probes and scrapes: each request is short, so an idle
 * keep-alive connection must not hold the process open at shutdown.
 */
export async function listenShortLived(server: http.Server, port: number, host = '0.0.0.0'): Promise<ListeningServer> {
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
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
