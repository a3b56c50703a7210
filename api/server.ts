import http from 'node:http';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { subscribeConversationEvents } from '../db/events';
import type { Db } from '../db/knex';
import { createApp, type AppDeps } from './app';
import { attachWebchatSockets } from './webchat-socket';
import { createAuthenticator } from './auth/authenticator';
import { attachMerchantLiveSockets } from './merchant/live-socket';

export interface RunningApi {
  url: string;
  /**
   * Stops accepting connections, closes the WebSockets with 1001 (going away) so clients reconnect to
   * another replica, and waits up to `graceMs` (default 0: no waiting) for in-flight requests to finish
   * before cutting what is left.
   */
  close(opts?: { graceMs?: number }): Promise<void>;
}

/** The HTTP server, its WebSockets and the event subscription, started and stopped together. */
export async function startApi(deps: AppDeps & { databaseUrl: string; port: number; host?: string }): Promise<RunningApi> {
  const app = createApp(deps);
  const server = http.createServer(app);
  let draining = false;
  const inFlight = new Set<http.ServerResponse>();
  server.on('request', (_req, res: http.ServerResponse) => {
    // A request that arrives on a kept-alive connection while draining is served, and that connection ends with it.
    if (draining) res.setHeader('connection', 'close');
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });
  const sockets = [attachWebchatSockets(server, deps.db, deps.log), attachMerchantLiveSockets(server, deps.db, createAuthenticator(deps.db, deps.tokens), deps.log)];
  const events = subscribeConversationEvents(
    deps.databaseUrl,
    (event) => {
      for (const s of sockets) void s.onEvent(event).catch((err) => deps.log.warn({ err }, 'push failed'));
    },
    // 57P01: the database is shutting down (a restart or Ctrl-C); the subscription reconnects on its own.
    (err) => (err as { code?: string }).code !== '57P01' && deps.log.warn({ err }, 'event subscription error'),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port, deps.host ?? '0.0.0.0', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : deps.port;
  return {
    url: `http://127.0.0.1:${port}`,
    async close(opts = {}) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
      for (const s of sockets) s.close();
      // Keep-alive connections go as soon as they are idle; the last one to finish lets close() resolve.
      const idle = setInterval(() => server.closeIdleConnections(), 100);
      const cut = setTimeout(() => server.closeAllConnections(), opts.graceMs ?? 0);
      server.closeIdleConnections();
      try {
        await closed;
      } finally {
        clearInterval(idle);
        clearTimeout(cut);
      }
      await events.close();
    },
  };
}

export type { Client, Db, Logger };
