import { getPlaybook, replacePlaybook } from '../../../db/queries/merchants';
import { starterPlaybook } from '../../../db/starter-playbook';
import { PlaybookSchema } from '../../../domain/playbook';
import { settingsBroadcastId } from '../../../workflows/contract';
import { HttpError } from '../../errors';
import { auditEntry, type MerchantApiDeps } from '../deps';
import { route, unknownKeys, type RouteSpec } from '../route';

const PlaybookBody = PlaybookSchema.superRefine((p, ctx) => {
  if (!p.languages.includes(p.defaultLanguage)) {
    ctx.addIssue({ code: 'custom', path: ['defaultLanguage'], message: `must be one of languages (${p.languages.join(', ')})` });
  }
  if (new Set(p.languages).size !== p.languages.length) {
    ctx.addIssue({ code: 'custom', path: ['languages'], message: 'must not repeat a language' });
  }
});


export function playbookRoutes(deps: MerchantApiDeps): RouteSpec[] {
  const { db, temporal } = deps;

  /** Open conversations reload their settings; a broadcast still running for an older change starts over. */
  const tellOpenConversations = async (merchantId: string) => {
    try {
      await temporal.workflow.start('broadcastSettings', {
        workflowId: settingsBroadcastId(merchantId),
        taskQueue: deps.taskQueue,
        args: [{ merchantId }],
        workflowIdConflictPolicy: 'TERMINATE_EXISTING',
      });
    } catch (err) {
      deps.log.warn({ err, merchantId }, 'playbook saved, but open conversations could not be told');
      throw new HttpError(503, 'temporal_unavailable', 'The playbook was saved, but open conversations could not be told about it. Send it again.');
    }
  };
  return [
    route({
      method: 'get', path: '/playbook', tag: 'playbook', access: 'viewer',
      summary: "How the agent sells for this merchant: tone, languages, scripts, follow-ups and hand-off rules",
      responses: { 200: PlaybookSchema },
      async handle({ caller }) {
        return { status: 200, body: await getPlaybook(db, caller.merchantId) };
      },
    }),
    route({
      method: 'put', path: '/playbook', tag: 'playbook', access: 'admin',
      summary: 'Replace the playbook; open conversations switch to it at their next step',
      body: PlaybookBody, responses: { 200: PlaybookSchema, 503: 'Saved, but open conversations could not be told; sending it again is harmless' }, example: starterPlaybook('Acme Outdoor', 'en'),
      async handle({ caller, body, req }) {
        // The domain schema drops keys it does not know, which would silently lose a misspelt field ("greting").
        const extra = unknownKeys(req.body, body);
        if (extra.length) {
          const details = extra.map((path) => ({ path, message: 'is not a playbook field' }));
          throw new HttpError(400, 'invalid_request', `Invalid body: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
        }
        await replacePlaybook(db, caller.merchantId, body, auditEntry(caller, req, 'playbook.update', null));
        await tellOpenConversations(caller.merchantId);
        return { status: 200, body };
      },
    }),
  ];
}
