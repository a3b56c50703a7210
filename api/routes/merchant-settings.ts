import { Router } from 'express';
import { z } from 'zod';
import { parseRoutes, type PaymentRegistry } from '../../activities/payments/registry';
import type { Db } from '../../db/knex';
import { notFound, parseOr400 } from '../errors';

const PaymentSettings = z.strictObject({
  /** e.g. `TRY:iyzico,stripe;*:stripe`; null goes back to the installation's routes. */
  routes: z.string().trim().min(3).max(500).nullable(),
});

/** The merchant's own choice of payment providers per currency, with fallbacks. */
export function merchantSettingsRoutes(deps: { db: Db; payments: PaymentRegistry }): Router {
  const router = Router();
  router.put('/merchants/:id/settings/payments', async (req, res) => {
    const { routes } = parseOr400(PaymentSettings, req.body);
    if (routes) {
      const parsed = parseOr400(
        z.string().transform((v, ctx) => {
          try {
            return parseRoutes(v);
          } catch (err) {
            ctx.addIssue({ code: 'custom', message: (err as Error).message });
            return z.NEVER;
          }
        }),
        routes,
        'routes',
      );
      const unknown = [...parsed.values()].flat().filter((name) => !deps.payments.byName(name));
      if (unknown.length) parseOr400(z.never({ error: `not configured on this installation: ${unknown.join(', ')}` }), routes, 'routes');
    }
    const merchant = await deps.db('merchants').where({ id: req.params.id }).first('settings');
    if (!merchant) throw notFound(`merchant "${req.params.id}"`);
    const settings = { ...(merchant.settings ?? {}), paymentRoutes: routes };
    await deps.db('merchants').where({ id: req.params.id }).update({ settings: JSON.stringify(settings) });
    res.json({ paymentRoutes: routes, available: deps.payments.names() });
  });
  return router;
}
