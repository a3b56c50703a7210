import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../db/knex';
import { getOrder, setProviderStatus } from '../../db/queries/orders';
import { z } from 'zod';
import { WebhookPayloadError, WebhookSignatureError, type PaymentProvider } from './provider';

export const DemoEventSchema = z.object({
  id: z.string().min(1).max(200),
  type: z.enum(['payment.completed', 'payment.failed', 'payment.refunded']),
  orderId: z.uuid(),
  created: z.number().int(),
  amountMinor: z.number().int().positive().optional(),
});
export type DemoEvent = z.infer<typeof DemoEventSchema>;

/**
 * A stand-in payment provider that needs no account: its "hosted checkout" is
 * a page on our own API, and it reports results with a signed webhook through
 * the same path a real provider uses. Its side of the ledger is the order's
 * `provider_status` column.
 */
export function createDemoPaymentProvider(db: Db, publicBaseUrl: string, webhookSecret?: string): PaymentProvider {
  return {
    name: 'demo',
    async parseWebhook(raw, headers) {
      const header = headers[DEMO_SIGNATURE_HEADER];
      if (!webhookSecret || !verifyDemoWebhook(webhookSecret, raw.toString('utf8'), typeof header === 'string' ? header : undefined)) {
        throw new WebhookSignatureError(`Missing, stale or invalid ${DEMO_SIGNATURE_HEADER} header`);
      }
      let json: unknown;
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new WebhookPayloadError('Webhook body is not valid JSON');
      }
      const parsed = DemoEventSchema.safeParse(json);
      if (!parsed.success) {
        throw new WebhookPayloadError(`Invalid demo event: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      }
      const e = parsed.data;
      const type = e.type === 'payment.completed' ? 'completed' : e.type === 'payment.failed' ? 'failed' : 'refunded';
      return [{ provider: 'demo', eventId: e.id, type, providerRef: e.orderId, orderId: e.orderId, amountMinor: e.amountMinor ?? null }];
    },
    async refund(req) {
      await setProviderStatus(db, req.providerRef, 'refunded');
      return { refundRef: `demo_refund_${req.idempotencyKey}`, status: 'succeeded' };
    },
    async createCheckout(req) {
      return { url: `${publicBaseUrl}/pay/demo/${req.orderId}`, providerRef: req.orderId, expiresAt: req.expiresAt };
    },
    async fetchStatus(providerRef) {
      const order = await getOrder(db, providerRef);
      if (!order) throw new Error(`demo payment ${providerRef} not found`);
      const status = order.providerStatus === 'paid' || order.providerStatus === 'failed' || order.providerStatus === 'refunded' ? order.providerStatus : 'pending';
      return { status, amountMinor: order.amountMinor, currency: order.currency };
    },
  };
}

export const DEMO_SIGNATURE_HEADER = 'x-demo-signature';

export function signDemoWebhook(secret: string, body: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/** Stripe-style header: a timestamp bound into the MAC blocks replays of old events. */
export function verifyDemoWebhook(secret: string, body: string, header: string | undefined, now = Date.now(), toleranceSec = 300): boolean {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isFinite(timestamp) || !parts.v1) return false;
  if (Math.abs(now / 1000 - timestamp) > toleranceSec) return false;
  const expected = Buffer.from(signDemoWebhook(secret, body, timestamp).split('v1=')[1]!, 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
