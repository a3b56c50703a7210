import { Router } from 'express';
import { z } from 'zod';
import { syncTemplates, TemplateSyncError, type SyncTemplatesOptions } from '../../activities/templates/sync';
import type { SecretBox } from '../../config/secrets';
import type { Db } from '../../db/knex';
import { channelById } from '../../db/queries/channels';
import { merchantExists } from '../../db/queries/merchants';
import { listTemplates, renderTemplate, TemplatePurposes, upsertTemplate } from '../../db/queries/templates';
import { notFound, parseOr400 } from '../errors';

const TemplateBody = z.strictObject({
  merchantId: z.string().min(1),
  provider: z.enum(['twilio', 'meta']),
  name: z.string().regex(/^[a-z0-9_]{1,200}$/, 'must be lowercase letters, digits and underscores (as WhatsApp requires)'),
  language: z.string().regex(/^[a-z]{2}(_[A-Z]{2})?$/, 'must be a WhatsApp language code like en or en_US'),
  category: z.enum(['utility', 'marketing', 'authentication']),
  purpose: z.enum(TemplatePurposes).nullable().default(null),
  body: z.string().min(1).max(1024),
  components: z.array(z.unknown()).default([]),
  providerId: z.string().max(200).nullable().default(null),
  status: z.enum(['draft', 'pending', 'approved', 'rejected', 'paused']).default('draft'),
});

/** Variables are numbered {{1}}…{{n}} without gaps, as WhatsApp requires. */
function variableCount(body: string): number {
  const numbers = [...body.matchAll(/\{\{(\d+)\}\}/g)].map((m) => Number(m[1]));
  const max = numbers.length ? Math.max(...numbers) : 0;
  for (let i = 1; i <= max; i++) if (!numbers.includes(i)) throw new Error(`variable {{${i}}} is missing; number them {{1}}…{{${max}}}`);
  return max;
}

/** The merchant's template registry, used outside WhatsApp's 24-hour window. */
export function templateRoutes(deps: { db: Db; box: SecretBox; providerUrls?: SyncTemplatesOptions }): Router {
  const router = Router();
  // Pulls every connected number's templates (names, languages, approval status) from its provider.
  router.post('/templates/sync', async (req, res) => {
    const { merchantId } = parseOr400(z.strictObject({ merchantId: z.string().min(1) }), req.body);
    const rows = await deps.db('merchant_channels').where({ merchant_id: merchantId, active: true }).select('id');
    if (!rows.length) throw notFound(`connected WhatsApp number for merchant "${merchantId}"`);
    const results = [];
    for (const { id } of rows) {
      const channel = (await channelById(deps.db, deps.box, id))!;
      try {
        results.push({ channelId: id, provider: channel.provider, ...(await syncTemplates(deps.db, channel, deps.providerUrls)) });
      } catch (err) {
        if (!(err instanceof TemplateSyncError)) throw err;
        results.push({ channelId: id, provider: channel.provider, error: err.message });
      }
    }
    res.json({ results });
  });
  router.get('/templates', async (req, res) => {
    const { merchantId } = parseOr400(z.object({ merchantId: z.string().min(1, 'is required') }), req.query, 'query');
    const items = await listTemplates(deps.db, merchantId);
    res.json({ items: items.map((t) => ({ ...t, preview: renderTemplate(t.body, Array.from({ length: t.variableCount }, (_, i) => `{{${i + 1}}}`)) })) });
  });
  router.put('/templates', async (req, res) => {
    const body = parseOr400(TemplateBody, req.body);
    const count = parseOr400(
      z.string().transform((b, ctx) => {
        try {
          return variableCount(b);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
          return z.NEVER;
        }
      }),
      body.body,
      'body.body',
    );
    if (!(await merchantExists(deps.db, body.merchantId))) throw notFound(`merchant "${body.merchantId}"`);
    const { merchantId, ...template } = body;
    res.json(await upsertTemplate(deps.db, merchantId, { ...template, variableCount: count }));
  });
  return router;
}
