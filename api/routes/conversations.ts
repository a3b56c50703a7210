import { timingSafeEqual } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/knex';
import { conversationMerchant, listConversations } from '../../db/queries/conversations';
import { transcript } from '../../db/queries/messages';
import { Stages } from '../../domain/stage';
import { agentMessageUpdate, closeLeadUpdate, releaseUpdate, stateQuery, takeOverUpdate } from '../../workflows/contract';
import { HttpError, notFound, parseOr400 } from '../errors';

/**
 * Until merchant accounts exist these routes sit behind one operator token;
 * comparing in constant time keeps the token from leaking through timing.
 */
export function requireAdminToken(token: string): RequestHandler {
  const expected = Buffer.from(token);
  return (req, _res, next) => {
    const given = Buffer.from(/^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      next(new HttpError(401, 'unauthorized', 'Send "Authorization: Bearer <ADMIN_TOKEN>"'));
      return;
    }
    next();
  };
}

const ListQuery = z.strictObject({
  merchantId: z.string().min(1, 'is required'),
  stage: z.enum(Stages).optional(),
  channel: z.enum(['webchat', 'whatsapp']).optional(),
  needsHuman: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  minScore: z.coerce.number().int().min(0).max(100).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().max(200).optional(),
});

const By = z.strictObject({ by: z.string().trim().min(1, 'must name who is acting').max(200) });
const Reply = z.strictObject({ text: z.string().trim().min(1, 'must not be empty').max(4000), by: z.string().trim().min(1).max(200) });
const Close = z.strictObject({ reason: z.string().trim().min(1, 'must not be empty').max(200) });

export function conversationRoutes(deps: { db: Db; temporal: Client; adminToken: string }): Router {
  const router = Router();
  const { db, temporal } = deps;
  router.use(requireAdminToken(deps.adminToken));

  router.get('/', async (req, res) => {
    const query = parseOr400(ListQuery, req.query, 'query');
    const items = await listConversations(db, query);
    const last = items.at(-1);
    res.json({ items, nextCursor: items.length === query.limit && last ? `${last.updatedAt}|${last.id}` : null });
  });

  const existing = async (id: string) => {
    if (!(await conversationMerchant(db, id))) throw notFound(`conversation "${id}"`);
    return temporal.workflow.getHandle(id);
  };

  router.get('/:id', async (req, res) => {
    const handle = await existing(req.params.id);
    const [state, messages] = await Promise.all([handle.query(stateQuery), transcript(db, req.params.id)]);
    res.json({ id: req.params.id, state, messages });
  });

  // Steering goes through workflow updates: validated by the workflow, answered with the new state.
  const steer = <T extends z.ZodType>(path: string, schema: T, run: (h: Awaited<ReturnType<typeof existing>>, body: z.infer<T>) => Promise<unknown>) =>
    router.post(`/:id/${path}`, async (req, res) => {
      const body = parseOr400(schema, req.body);
      const handle = await existing(req.params.id as string);
      try {
        res.json({ state: await run(handle, body) });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) throw new HttpError(409, 'rejected', err.cause?.message ?? err.message);
        if (err instanceof WorkflowNotFoundError) throw new HttpError(409, 'not_running', 'This conversation is no longer running');
        throw err;
      }
    });
  steer('takeover', By, (h, b) => h.executeUpdate(takeOverUpdate, { args: [b] }));
  steer('release', By, (h, b) => h.executeUpdate(releaseUpdate, { args: [b] }));
  steer('messages', Reply, (h, b) => h.executeUpdate(agentMessageUpdate, { args: [b] }));
  steer('close', Close, (h, b) => h.executeUpdate(closeLeadUpdate, { args: [b] }));

  return router;
}
