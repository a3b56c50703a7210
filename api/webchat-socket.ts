import type { IncomingMessage, Server } from 'node:http';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import type { ConversationEvent } from '../db/events';
import type { Db } from '../db/knex';
import { merchantExists } from '../db/queries/merchants';
import { messageById } from '../db/queries/messages';
import { leadWorkflowId } from '../workflows/contract';
import { SessionIdSchema } from './routes/webchat';

const PATH = /^\/api\/webchat\/([a-z0-9_-]{1,64})\/sessions\/([^/]+)\/ws$/;

/**
 * Pushes a web-chat session's new messages to its open widgets. Events come
 * from Postgres NOTIFY, so a reply written by any worker reaches a socket held
 * by any API replica.
 */
export function attachWebchatSockets(server: Server, db: Db, log: Logger) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const byConversation = new Map<string, Set<WebSocket>>();

  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    const match = PATH.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!match) return; // other upgrade handlers may claim it
    const [, merchantId, sessionId] = match as unknown as [string, string, string];
    void (async () => {
      if (!SessionIdSchema.safeParse(sessionId).success || !(await merchantExists(db, merchantId))) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const id = leadWorkflowId(merchantId, 'webchat', sessionId);
        const set = byConversation.get(id) ?? new Set();
        set.add(ws);
        byConversation.set(id, set);
        const alive = setInterval(() => ws.ping(), 25_000);
        ws.on('close', () => {
          clearInterval(alive);
          set.delete(ws);
          if (!set.size) byConversation.delete(id);
        });
        ws.on('error', () => ws.terminate());
      });
    })().catch((err) => {
      log.warn({ err }, 'websocket upgrade failed');
      socket.destroy();
    });
  });

  return {
    async onEvent(event: ConversationEvent): Promise<void> {
      if (event.kind !== 'message') return;
      const sockets = byConversation.get(event.conversationId);
      if (!sockets?.size) return;
      const message = await messageById(db, event.messageId);
      if (!message) return;
      const frame = JSON.stringify({ type: 'message', message });
      for (const ws of sockets) if (ws.readyState === WebSocket.OPEN) ws.send(frame);
    },
    close(): void {
      for (const set of byConversation.values()) for (const ws of set) ws.close(1001, 'server shutting down');
      wss.close();
    },
  };
}
