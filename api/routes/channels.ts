import { Router } from 'express';
import { z } from 'zod';
import type { SecretBox } from '../../config/secrets';
import type { Db } from '../../db/knex';
import { upsertChannel } from '../../db/queries/channels';
import { merchantExists } from '../../db/queries/merchants';
import { notFound, parseOr400 } from '../errors';

const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number like +14155238886');
const ConnectChannel = z.discriminatedUnion('provider', [
  z.strictObject({
    merchantId: z.string().min(1),
    provider: z.literal('twilio'),
    address: E164,
    credentials: z.strictObject({
      accountSid: z.string().regex(/^AC[0-9a-f]{32}$/, 'must be a Twilio Account SID (AC…)'),
      authToken: z.string().min(16),
      messagingServiceSid: z.string().regex(/^MG[0-9a-f]{32}$/).optional(),
    }),
  }),
  z.strictObject({
    merchantId: z.string().min(1),
    provider: z.literal('meta'),
    address: z.string().regex(/^\d{5,32}$/, 'must be the WhatsApp phone_number_id'),
    credentials: z.strictObject({ accessToken: z.string().min(16), wabaId: z.string().regex(/^\d+$/).optional() }),
  }),
]);

/** Connecting a WhatsApp number. Credentials are write-only: sealed on the way in, never returned. */
export function channelRoutes(deps: { db: Db; box: SecretBox }): Router {
  const router = Router();
  router.post('/channels', async (req, res) => {
    const body = parseOr400(ConnectChannel, req.body);
    if (!(await merchantExists(deps.db, body.merchantId))) throw notFound(`merchant "${body.merchantId}"`);
    const id = await upsertChannel(deps.db, deps.box, body);
    res.status(201).json({ id, merchantId: body.merchantId, provider: body.provider, address: body.address });
  });
  router.get('/channels', async (req, res) => {
    const { merchantId } = parseOr400(z.object({ merchantId: z.string().min(1, 'is required') }), req.query, 'query');
    const rows = await deps.db('merchant_channels').where({ merchant_id: merchantId }).select('id', 'provider', 'address', 'active', 'created_at');
    res.json({ items: rows.map((r) => ({ id: r.id, provider: r.provider, address: r.address, active: r.active, createdAt: r.created_at })) });
  });
  return router;
}
