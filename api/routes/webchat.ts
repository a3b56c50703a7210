import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { merchantExists } from '../../db/queries/merchants';
import { transcript, UnknownMerchantError } from '../../db/queries/messages';
import { leadWorkflowId } from '../../workflows/contract';
import { notFound } from '../errors';
import { deliverInbound, type InboundDeps } from '../inbound';
import { mountRoutes, route, type RouteSpec } from '../merchant/route';
import { rateLimit, type LimitStore } from '../rate-limit';

export const SessionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, 'must be 8-128 letters, digits, "-" or "_"');
const MerchantId = z.string().regex(/^[a-z0-9_-]{1,64}$/, 'must be a merchant id');

const PostMessage = z.strictObject({
  sessionId: SessionIdSchema,
  text: z.string().trim().min(1, 'must not be empty').max(2000, 'must be at most 2000 characters'),
  clientMessageId: z.string().regex(/^[A-Za-z0-9_:.-]{1,128}$/, 'must be 1-128 letters, digits or -_:.').optional(),
});

const ChatMessageView = z.object({ id: z.string(), from: z.enum(['customer', 'bot', 'human']), text: z.string(), at: z.string() });

export type WebchatDeps = InboundDeps & LimitStore & { rateLimitPerMinute: number };

/** The widget's two calls: public, and limited per client address so one visitor cannot flood a merchant's agent. */
export function webchatRouteSpecs(deps: WebchatDeps): RouteSpec[] {
  const { db } = deps;
  const requireMerchant = async (id: string): Promise<string> => {
    if (!(await merchantExists(db, id))) throw notFound(`merchant "${id}"`);
    return id;
  };
  const limiter = rateLimit(deps, { name: 'webchat', perMinute: deps.rateLimitPerMinute });

  return [
    route({
      method: 'post', path: '/:merchant/messages', tag: 'webchat', access: 'public', operationId: 'webchatPostMessage', before: [limiter],
      summary: "A customer's message to the merchant's agent; the reply arrives on the session's WebSocket",
      params: z.object({ merchant: MerchantId }),
      body: PostMessage, example: { sessionId: 'session-0001', text: 'Do you have a two-person tent?' },
      responses: {
        202: z.object({ accepted: z.literal(true), duplicate: z.boolean(), messageId: z.string(), conversationId: z.string() }),
        404: 'No such merchant',
      },
      async handle({ params, body }) {
        // No read before the write: an unknown merchant is refused by the conversation's foreign key.
        const merchantId = params.merchant!;
        const conversationId = leadWorkflowId(merchantId, 'webchat', body.sessionId);
        const clientMessageId = body.clientMessageId ?? randomUUID();
        const { duplicate } = await deliverInbound(
          deps,
          { conversationId, merchantId, channel: 'webchat', customerKey: body.sessionId },
          { providerMessageId: clientMessageId, text: body.text, at: new Date() },
        ).catch((err: unknown) => {
          throw err instanceof UnknownMerchantError ? notFound(`merchant "${merchantId}"`) : err;
        });
        return { status: 202, body: { accepted: true as const, duplicate, messageId: clientMessageId, conversationId } };
      },
    }),
    route({
      method: 'get', path: '/:merchant/sessions/:sessionId/messages', tag: 'webchat', access: 'public', operationId: 'webchatTranscript',
      summary: "The session's messages so far, oldest first (the widget reloads them after a page change)",
      params: z.object({ merchant: MerchantId, sessionId: SessionIdSchema }),
      responses: { 200: z.array(ChatMessageView), 404: 'No such merchant' },
      async handle({ params }) {
        const merchantId = await requireMerchant(params.merchant!);
        return { status: 200, body: await transcript(db, leadWorkflowId(merchantId, 'webchat', params.sessionId!)) };
      },
    }),
  ];
}

export function webchatRoutes(deps: WebchatDeps): Router {
  const router = Router();
  mountRoutes(router, webchatRouteSpecs(deps), null);
  return router;
}
