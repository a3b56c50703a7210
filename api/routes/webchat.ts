import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { merchantExists } from '../../db/queries/merchants';
import { transcript } from '../../db/queries/messages';
import { leadWorkflowId } from '../../workflows/contract';
import { notFound, parseOr400 } from '../errors';
import { deliverInbound, type InboundDeps } from '../inbound';
import { perMinute } from '../rate-limit';

export const SessionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, 'must be 8-128 letters, digits, "-" or "_"');
const MerchantParam = z.object({ merchant: z.string().regex(/^[a-z0-9_-]{1,64}$/, 'must be a merchant id') });

const PostMessage = z.strictObject({
  sessionId: SessionIdSchema,
  text: z.string().trim().min(1, 'must not be empty').max(2000, 'must be at most 2000 characters'),
  clientMessageId: z.string().regex(/^[A-Za-z0-9_:.-]{1,128}$/, 'must be 1-128 letters, digits or -_:.').optional(),
});

export function webchatRoutes(deps: InboundDeps & { rateLimitPerMinute: number }): Router {
  const router = Router();
  const { db } = deps;

  const requireMerchant = async (merchant: unknown): Promise<string> => {
    const { merchant: id } = parseOr400(MerchantParam, { merchant }, 'path');
    if (!(await merchantExists(db, id))) throw notFound(`merchant "${id}"`);
    return id;
  };

  // Public and unauthenticated: limit per client address so one visitor cannot flood a merchant's agent.
  const limiter = perMinute(deps.rateLimitPerMinute);

  router.post('/:merchant/messages', limiter, async (req, res) => {
    const merchantId = await requireMerchant(req.params.merchant);
    const body = parseOr400(PostMessage, req.body);
    const conversationId = leadWorkflowId(merchantId, 'webchat', body.sessionId);
    const clientMessageId = body.clientMessageId ?? randomUUID();
    const { duplicate } = await deliverInbound(
      deps,
      { conversationId, merchantId, channel: 'webchat', customerKey: body.sessionId },
      { providerMessageId: clientMessageId, text: body.text, at: new Date() },
    );
    res.status(202).json({ accepted: true, duplicate, messageId: clientMessageId, conversationId });
  });

  router.get('/:merchant/sessions/:sessionId/messages', async (req, res) => {
    const merchantId = await requireMerchant(req.params.merchant);
    const sessionId = parseOr400(SessionIdSchema, req.params.sessionId, 'sessionId');
    res.json(await transcript(db, leadWorkflowId(merchantId, 'webchat', sessionId)));
  });

  return router;
}
