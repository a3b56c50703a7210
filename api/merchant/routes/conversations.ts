import { ApplicationFailure, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { z } from 'zod';
import { closedReasonOf, conversationDetail, conversationSummary, listConversations } from '../../../db/queries/conversations';
import { emptyLeadProfile, LeadProfileSchema, type LeadProfile } from '../../../domain/lead';
import { Stages } from '../../../domain/stage';
import { agentMessageUpdate, closeLeadUpdate, Refusals, releaseUpdate, stateQuery, takeOverUpdate, type LeadState } from '../../../workflows/contract';
import { HttpError, notFound } from '../../errors';
import { audit, type MerchantApiDeps } from '../deps';
import { LeadProfileView, LeadStateView, OrderView } from '../schemas';
import { route, type RouteContext, type RouteSpec } from '../route';

const ListQuery = z.strictObject({
  stage: z.enum(Stages).optional(),
  channel: z.enum(['webchat', 'whatsapp']).optional(),
  needsHuman: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  minScore: z.coerce.number().int().min(0).max(100).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z
    .string()
    .max(200)
    .regex(/^[^|]+\|[^|]+$/, 'must be the nextCursor of an earlier page')
    .refine((c) => !Number.isNaN(Date.parse(c.split('|')[0]!)) && /^\d{4}-/.test(c), 'must be the nextCursor of an earlier page')
    .optional()
    .describe('The nextCursor of the previous page'),
});

const Summary = z.object({
  id: z.string(),
  channel: z.string(),
  stage: z.enum(Stages),
  mode: z.enum(['bot', 'human']),
  needsHuman: z.boolean(),
  score: z.number(),
  language: z.string(),
  lead: LeadProfileView,
  messageCount: z.number(),
  lastMessagePreview: z.string().nullable(),
  lastMessageAt: z.string().nullable(),
  updatedAt: z.string(),
});
const Message = z.object({
  id: z.string(),
  from: z.enum(['customer', 'bot', 'human']),
  text: z.string(),
  at: z.string(),
  confidence: z.number().nullable(),
  intent: z.string().nullable(),
  author: z.string().nullable(),
  status: z.string(),
});
const StateResponse = z.object({ state: LeadStateView });
const Refused = z
  .object({ error: z.object({ code: z.enum([...Object.values(Refusals), 'conversation_ended', 'rejected']), message: z.string() }) })
  .describe('Not done, and `error.code` says why: `lead_closed`, `held_by_colleague` (another member holds the lead), `conversation_ended` (its workflow is gone), or `rejected`');

/** The workflow's reason for refusing an update, when it gave one clients can act on. */
function refusalCode(err: WorkflowUpdateFailedError): string {
  const type = err.cause instanceof ApplicationFailure ? err.cause.type : undefined;
  return type && (Object.values(Refusals) as string[]).includes(type) ? type : 'rejected';
}

/** A conversation projected before its first turn stores `{}`; clients always get every field. */
const fullLead = (stored: unknown): LeadProfile => ({ ...emptyLeadProfile(), ...(LeadProfileSchema.safeParse(stored ?? {}).data ?? {}) });
const withFullLead = <T extends { lead: unknown }>(s: T) => ({ ...s, lead: fullLead(s.lead) });

/** The inbox and the conversation view: the projection for lists, the workflow itself for live state. */
export function conversationRoutes(deps: MerchantApiDeps): RouteSpec[] {
  const { db, temporal } = deps;

  const handleFor = async (merchantId: string, id: string) => {
    if (!(await conversationSummary(db, merchantId, id))) throw notFound(`conversation "${id}"`);
    return temporal.workflow.getHandle(id);
  };

  // Steering goes through workflow updates: validated by the workflow, answered with the new state.
  const steer = <B extends z.ZodType>(
    path: string,
    summary: string,
    schema: B,
    example: z.input<B>,
    run: (h: Awaited<ReturnType<typeof handleFor>>, by: string, body: z.output<B>) => Promise<LeadState>,
  ) =>
    route({
      method: 'post', path: `/conversations/:conversationId/${path}`, tag: 'conversations', access: 'agent', summary, body: schema, example,
      responses: { 200: StateResponse, 409: Refused },
      async handle({ caller, params, body, req }: RouteContext<'agent', undefined, unknown>) {
        const parsed = body as z.output<B>;
        const handle = await handleFor(caller.merchantId, params.conversationId!);
        // Who acted is the signed-in member, never a name from the request.
        const by = caller.name ? `${caller.name} <${caller.email}>` : caller.email;
        try {
          const state = await run(handle, by, parsed);
          await audit(db, caller, req, `conversation.${path}`, params.conversationId, path === 'messages' ? {} : (parsed as Record<string, unknown>));
          return { status: 200 as const, body: { state } };
        } catch (err) {
          if (err instanceof WorkflowUpdateFailedError) throw new HttpError(409, refusalCode(err), err.cause?.message ?? err.message);
          if (err instanceof WorkflowNotFoundError) {
            // A closed lead's workflow finishes soon after: the reason a client can show is still that it was closed.
            const closed = await closedReasonOf(db, caller.merchantId, params.conversationId!);
            if (closed) throw new HttpError(409, Refusals.closed, `lead is closed (${closed})`);
            throw new HttpError(409, 'conversation_ended', 'This conversation has ended; it can no longer be steered');
          }
          throw err;
        }
      },
    });

  return [
    route({
      method: 'get', path: '/conversations', tag: 'conversations', access: 'viewer', query: ListQuery,
      summary: 'List conversations, newest activity first, with filters',
      responses: { 200: z.object({ items: z.array(Summary), nextCursor: z.string().nullable() }) },
      async handle({ caller, query }) {
        const items = await listConversations(db, { ...query, merchantId: caller.merchantId });
        const last = items.at(-1);
        return { status: 200, body: { items: items.map(withFullLead), nextCursor: items.length === query.limit && last ? `${last.updatedAt}|${last.id}` : null } };
      },
    }),
    route({
      method: 'get', path: '/conversations/:conversationId', tag: 'conversations', access: 'viewer',
      summary: 'One conversation: live workflow state, transcript, stage timeline and orders',
      responses: {
        200: z.object({
          id: z.string(),
          summary: Summary,
          state: LeadStateView.nullable().describe('null when the workflow has been removed from Temporal'),
          messages: z.array(Message),
          timeline: z.array(z.object({ kind: z.string(), from: z.string().nullable(), to: z.string().nullable(), at: z.string() })),
          orders: z.array(OrderView),
        }),
      },
      async handle({ caller, params }) {
        const id = params.conversationId!;
        const detail = await conversationDetail(db, caller.merchantId, id);
        if (!detail) throw notFound(`conversation "${id}"`);
        const state = await temporal.workflow
          .getHandle(id)
          .query(stateQuery)
          .catch((err: unknown) => {
            if (err instanceof WorkflowNotFoundError) return null;
            throw err;
          });
        return { status: 200, body: { id, ...detail, summary: withFullLead(detail.summary), state } };
      },
    }),
    steer('takeover', 'Take the conversation over from the bot', z.strictObject({}), {}, (h, by) => h.executeUpdate(takeOverUpdate, { args: [{ by }] })),
    steer('release', 'Give the conversation back to the bot', z.strictObject({}), {}, (h, by) => h.executeUpdate(releaseUpdate, { args: [{ by }] })),
    steer(
      'messages',
      'Reply to the customer as a person (the conversation must be taken over)',
      z.strictObject({
        text: z.string().trim().min(1, 'must not be empty').max(4000),
        clientId: z
          .string()
          .regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8 to 64 letters, digits, "-" or "_"')
          .optional()
          .describe('Chosen by the client for this reply; sending it again with the same id is the same one message'),
      }),
      { text: 'Hi, this is Ayşe from the shop. Happy to help!', clientId: '3f1c9a7e-2b4d-4e8f-9a61-0c5d7e8f9a10' },
      // The update id makes a retry that races the first attempt join it; the workflow remembers the id past that.
      (h, by, b) =>
        h.executeUpdate(agentMessageUpdate, { args: [{ text: b.text, by, ...(b.clientId ? { clientId: b.clientId } : {}) }], ...(b.clientId ? { updateId: `reply:${b.clientId}` } : {}) }),
    ),
    steer(
      'close',
      'Close the conversation',
      z.strictObject({ reason: z.string().trim().min(1, 'must not be empty').max(200) }),
      { reason: 'bought in store' },
      (h, _by, b) => h.executeUpdate(closeLeadUpdate, { args: [{ reason: b.reason }] }),
    ),
  ];
}
