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
  close(): Promise<void>;
}

/** The HTTP server, its WebSockets and the event subscription, started and stopped together. */
export async function startApi(deps: AppDeps & { databaseUrl: string; port: number; host?: string }): Promise<RunningApi> {
  const app = createApp(deps);
  const server = http.createServer(app);
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
    async close() {
      for (const s of sockets) s.close();
      await events.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type { Client, Db, Logger };
