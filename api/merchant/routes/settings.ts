import { z } from 'zod';
import { parseRoutes } from '../../../integrations/payments/registry';
import { syncTemplates, TemplateSyncError } from '../../../integrations/templates/sync';
import { activeChannelIds, channelById, deactivateChannel, listChannels, upsertChannel } from '../../../db/queries/channels';
import { merchantSettings, setPaymentRoutes, setShipping } from '../../../db/queries/merchants';
import { listTemplates, renderTemplate, TemplatePurposes, upsertTemplate } from '../../../db/queries/templates';
import { HttpError, notFound } from '../../errors';
import { audit, type MerchantApiDeps } from '../deps';
import { route, type RouteSpec } from '../route';

const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number like +14155238886');
const ConnectChannel = z.discriminatedUnion('provider', [
  z.strictObject({
    provider: z.literal('twilio'),
    address: E164,
    credentials: z.strictObject({
      accountSid: z.string().regex(/^AC[0-9a-f]{32}$/, 'must be a Twilio Account SID (AC…)'),
      authToken: z.string().min(16, 'must be the 32-character auth token'),
      messagingServiceSid: z.string().regex(/^MG[0-9a-f]{32}$/).optional(),
    }),
  }),
  z.strictObject({
    provider: z.literal('meta'),
    address: z.string().regex(/^\d{5,32}$/, 'must be the WhatsApp phone_number_id'),
    credentials: z.strictObject({ accessToken: z.string().min(16), wabaId: z.string().regex(/^\d+$/).optional() }),
  }),
]);
const ChannelView = z.object({ id: z.string(), provider: z.enum(['twilio', 'meta']), address: z.string(), active: z.boolean(), createdAt: z.string() });

const TemplateBody = z.strictObject({
  provider: z.enum(['twilio', 'meta']),
  name: z.string().regex(/^[a-z0-9_]{1,200}$/, 'must be lowercase letters, digits and underscores (as WhatsApp requires)'),
  language: z.string().regex(/^[a-z]{2}(_[A-Z]{2})?$/, 'must be a WhatsApp language code like en or en_US'),
  category: z.enum(['utility', 'marketing', 'authentication']),
  purpose: z.enum(TemplatePurposes).nullable().default(null),
  body: z.string().min(1).max(1024).transform((b, ctx) => {
    // Variables are numbered {{1}}…{{n}} without gaps, as WhatsApp requires.
    const numbers = [...b.matchAll(/\{\{(\d+)\}\}/g)].map((m) => Number(m[1]));
    const max = numbers.length ? Math.max(...numbers) : 0;
    for (let i = 1; i <= max; i++) {
      if (!numbers.includes(i)) {
        ctx.addIssue({ code: 'custom', message: `variable {{${i}}} is missing; number them {{1}}…{{${max}}}` });
        return z.NEVER;
      }
    }
    return { text: b, variableCount: max };
  }),
  components: z.array(z.unknown()).default([]),
  providerId: z.string().max(200).nullable().default(null),
  status: z.enum(['draft', 'pending', 'approved', 'rejected', 'paused']).default('draft'),
});

const TemplateView = z.object({
  id: z.string(),
  merchantId: z.string(),
  provider: z.enum(['twilio', 'meta']),
  name: z.string(),
  language: z.string(),
  category: z.enum(['utility', 'marketing', 'authentication']),
  purpose: z.enum(TemplatePurposes).nullable(),
  body: z.string(),
  components: z.array(z.json()).describe("The provider's own template components"),
  variableCount: z.number(),
  providerId: z.string().nullable(),
  status: z.enum(['draft', 'pending', 'approved', 'rejected', 'paused']),
  updatedAt: z.string(),
});
const SyncResult = z.object({
  channelId: z.string(),
  provider: z.enum(['twilio', 'meta']),
  upserted: z.number().optional(),
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })).optional(),
  error: z.string().optional().describe('Why this number could not be synced; the others still were'),
});
const Shipping = z
  .strictObject({ countries: z.array(z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code like TR or DE')).min(1).max(50) })
  .describe('The merchant ships goods: checkouts ask for a delivery address in one of these countries');
const PaymentSettingsView = z.object({ routes: z.string().nullable(), available: z.array(z.string()), shipping: Shipping.nullable() });

const PaymentSettings = z.strictObject({
  /** e.g. `TRY:iyzico,stripe;*:stripe`; null goes back to the installation's routes. */
  routes: z.string().trim().min(3).max(500).nullable(),
  /** null: no goods are shipped; absent: unchanged. */
  shipping: Shipping.nullable().optional(),
});

/** Channels, payment routing and WhatsApp templates. Credentials are write-only: sealed on the way in, never returned. */
export function settingsRoutes(deps: MerchantApiDeps): RouteSpec[] {
  const { db, box } = deps;
  const paymentSettings = async (merchantId: string) => {
    const settings = await merchantSettings(db, merchantId);
    return { routes: settings?.paymentRoutes ?? null, available: deps.payments.names(), shipping: settings?.shipping ?? null };
  };

  return [
    route({
      method: 'get', path: '/channels', tag: 'settings', access: 'viewer', summary: 'Connected WhatsApp numbers',
      responses: { 200: z.object({ items: z.array(ChannelView) }) },
      async handle({ caller }) {
        return { status: 200, body: { items: await listChannels(db, caller.merchantId) } };
      },
    }),
    route({
      method: 'post', path: '/channels', tag: 'settings', access: 'admin', summary: 'Connect a WhatsApp number (Twilio or Meta Cloud API)',
      body: ConnectChannel,
      responses: { 201: ChannelView.omit({ active: true, createdAt: true }), 409: 'The number is connected to another merchant' },
      example: { provider: 'meta', address: '109876543210', credentials: { accessToken: 'EAAG-example-access-token-0000' } },
      async handle({ caller, body, req }) {
        const id = await upsertChannel(db, box, { ...body, merchantId: caller.merchantId });
        if (!id) throw new HttpError(409, 'conflict', `${body.address} is connected to another account; disconnect it there first`);
        await audit(db, caller, req, 'channel.connect', `${body.provider}:${body.address}`);
        return { status: 201, body: { id, provider: body.provider, address: body.address } };
      },
    }),
    route({
      method: 'delete', path: '/channels/:channelId', tag: 'settings', access: 'admin', summary: 'Disconnect a number (its credentials are deleted)',
      responses: { 204: null },
      async handle({ caller, params, req }) {
        const id = params.channelId!;
        // Conversations keep pointing at the row for history; the secret itself goes.
        const row = z.uuid().safeParse(id).success ? await deactivateChannel(db, box, caller.merchantId, id) : null;
        if (!row) throw notFound(`channel "${id}"`);
        await audit(db, caller, req, 'channel.disconnect', `${row.provider}:${row.address}`);
        return { status: 204 };
      },
    }),
    route({
      method: 'get', path: '/settings/payments', tag: 'settings', access: 'viewer', summary: 'Payment providers per currency, and which this installation offers',
      responses: { 200: PaymentSettingsView },
      async handle({ caller }) {
        return { status: 200, body: await paymentSettings(caller.merchantId) };
      },
    }),
    route({
      method: 'put', path: '/settings/payments', tag: 'settings', access: 'admin', summary: 'Choose payment providers per currency, with fallbacks',
      body: PaymentSettings, example: { routes: '*:demo' }, responses: { 200: PaymentSettingsView },
      async handle({ caller, body, req }) {
        if (body.routes) {
          let parsed: Map<string, string[]>;
          try {
            parsed = parseRoutes(body.routes);
          } catch (err) {
            throw new HttpError(400, 'invalid_request', `Invalid body: routes: ${(err as Error).message}`, [{ path: 'routes', message: (err as Error).message }]);
          }
          const unknown = [...parsed.values()].flat().filter((name) => !deps.payments.names().includes(name));
          if (unknown.length) {
            const message = `not configured on this installation: ${unknown.join(', ')} (available: ${deps.payments.names().join(', ')})`;
            throw new HttpError(400, 'invalid_request', `Invalid body: routes: ${message}`, [{ path: 'routes', message }]);
          }
        }
        await setPaymentRoutes(db, caller.merchantId, body.routes);
        if (body.shipping !== undefined) await setShipping(db, caller.merchantId, body.shipping);
        await audit(db, caller, req, 'settings.payments', null, { routes: body.routes, ...(body.shipping !== undefined ? { shipping: body.shipping } : {}) });
        return { status: 200, body: await paymentSettings(caller.merchantId) };
      },
    }),
    route({
      method: 'get', path: '/templates', tag: 'templates', access: 'viewer', summary: 'WhatsApp templates, used outside the 24-hour window',
      responses: { 200: z.object({ items: z.array(TemplateView.extend({ preview: z.string().describe('The body with its variables shown as {{n}}') })) }) },
      async handle({ caller }) {
        const items = await listTemplates(db, caller.merchantId);
        return { status: 200, body: { items: items.map((t) => ({ ...t, preview: renderTemplate(t.body, Array.from({ length: t.variableCount }, (_, i) => `{{${i + 1}}}`)) })) } };
      },
    }),
    route({
      method: 'put', path: '/templates', tag: 'templates', access: 'admin', summary: 'Create or update a template by name and language',
      body: TemplateBody, responses: { 200: TemplateView },
      example: { provider: 'meta', name: 'order_reminder', language: 'en', category: 'utility', purpose: 'payment_reminder', body: 'Hi {{1}}, your link for {{2}} is still open.' },
      async handle({ caller, body, req }) {
        const saved = await upsertTemplate(db, caller.merchantId, { ...body, body: body.body.text, variableCount: body.body.variableCount });
        await audit(db, caller, req, 'template.save', `${body.name}:${body.language}`);
        return { status: 200, body: saved };
      },
    }),
    route({
      method: 'post', path: '/templates/sync', tag: 'templates', access: 'admin', summary: "Pull every connected number's templates and approval status from its provider",
      responses: { 200: z.object({ results: z.array(SyncResult) }), 409: 'No WhatsApp number is connected' },
      async handle({ caller }) {
        const ids = await activeChannelIds(db, caller.merchantId);
        if (!ids.length) throw new HttpError(409, 'no_channel', 'Connect a WhatsApp number first; templates come from its provider');
        const results = [];
        for (const id of ids) {
          const channel = (await channelById(db, box, id))!;
          try {
            results.push({ channelId: id, provider: channel.provider, ...(await syncTemplates(db, channel, deps.providerUrls)) });
          } catch (err) {
            // One number's provider failing (or unreachable) must not hide the others' results.
            if (!(err instanceof TemplateSyncError)) deps.log.warn({ err, channelId: id }, 'template sync failed');
            results.push({ channelId: id, provider: channel.provider, error: err instanceof TemplateSyncError ? err.message : `could not reach ${channel.provider}: ${(err as Error).message}` });
          }
        }
        return { status: 200, body: { results } };
      },
    }),
  ];
}
