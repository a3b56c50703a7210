import type { IncomingMessage, Server } from 'node:http';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import type { ConversationEvent } from '../../db/events';
import type { Db } from '../../db/knex';
import { conversationSummary, merchantMessage } from '../../db/queries/conversations';
import { orderStatus } from '../../db/queries/orders';
import { getImport } from '../../db/queries/product-imports';
import type { Caller } from '../../domain/roles';

const PATH = '/api/v1/live';
const AUTH_TIMEOUT_MS = 10_000;
/** Re-checks membership this often, so a removed member stops hearing events without waiting for the token to expire. */
const RECHECK_MS = 60_000;

interface LiveAuth {
  fromToken(token: string): Promise<Caller | null>;
}

/**
 * The dashboards' live feed. Browsers cannot put headers on a WebSocket, and
 * a token in the URL would end up in access logs, so the access token comes as
 * the first message. Each socket hears its own merchant's events only.
 */
export function attachMerchantLiveSockets(server: Server, db: Db, auth: LiveAuth, log: Logger) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 8192 });
  const byMerchant = new Map<string, Set<WebSocket>>();

  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== PATH) return;
    wss.handleUpgrade(req, socket, head, (ws) => {
      let merchantId: string | null = null;
      const timers: NodeJS.Timeout[] = [setTimeout(() => ws.close(4401, 'send {"type":"auth","token":…} first'), AUTH_TIMEOUT_MS)];
      const leave = () => {
        timers.forEach(clearTimeout);
        timers.forEach(clearInterval);
        if (!merchantId) return;
        const set = byMerchant.get(merchantId);
        set?.delete(ws);
        if (set && !set.size) byMerchant.delete(merchantId);
      };
      ws.on('close', leave);
      ws.on('error', () => ws.terminate());
      ws.once('message', (data) => {
        void (async () => {
          let token = '';
          try {
            const parsed = JSON.parse(String(data)) as { type?: unknown; token?: unknown };
            if (parsed.type === 'auth' && typeof parsed.token === 'string') token = parsed.token;
          } catch {
            // falls through to the 4401 below
          }
          const caller = token ? await auth.fromToken(token) : null;
          if (!caller) {
            ws.close(4401, 'invalid or expired access token');
            return;
          }
          clearTimeout(timers[0]);
          merchantId = caller.merchantId;
          const set = byMerchant.get(merchantId) ?? new Set();
          set.add(ws);
          byMerchant.set(merchantId, set);
          timers.push(
            setInterval(() => ws.ping(), 25_000),
            setInterval(() => {
              void auth.fromToken(token).then((still) => {
                if (!still) ws.close(4401, 'access token expired; reconnect with a fresh one');
              });
            }, RECHECK_MS),
          );
          ws.send(JSON.stringify({ type: 'ready', merchantId }));
        })().catch((err: unknown) => {
          log.warn({ err }, 'live socket auth failed');
          ws.close(1011, 'internal error');
        });
      });
    });
  });

  const frameFor = async (event: ConversationEvent): Promise<Record<string, unknown> | null> => {
    switch (event.kind) {
      case 'message': {
        const message = await merchantMessage(db, event.merchantId, event.messageId);
        return message && { type: 'message', conversationId: event.conversationId, message };
      }
      case 'conversation': {
        const conversation = await conversationSummary(db, event.merchantId, event.conversationId);
        return conversation && { type: 'conversation', conversationId: event.conversationId, conversation };
      }
      case 'order': {
        const status = await orderStatus(db, event.merchantId, event.orderId);
        return status && { type: 'order', orderId: event.orderId, conversationId: event.conversationId, status };
      }
      case 'import': {
        const found = await getImport(db, event.merchantId, event.importId);
        return found && { type: 'import', import: found };
      }
      case 'playbook':
        return null;
    }
  };

  return {
    async onEvent(event: ConversationEvent): Promise<void> {
      const sockets = byMerchant.get(event.merchantId);
      if (!sockets?.size) return;
      const frame = await frameFor(event);
      if (!frame) return;
      const text = JSON.stringify(frame);
      for (const ws of sockets) if (ws.readyState === WebSocket.OPEN) ws.send(text);
    },
    close(): void {
      for (const set of byMerchant.values()) for (const ws of set) ws.close(1001, 'server shutting down');
      wss.close();
    },
  };
}
