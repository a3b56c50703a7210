import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../db/knex';
import type { PaymentProvider } from './provider';

/**
 * A stand-in payment provider that needs no account: its "hosted checkout" is
 * a page on our own API, and it reports results with a signed webhook through
 * the same path a real provider uses. Its side of the ledger is the order's
 * `provider_status` column.
 */
export function createDemoPaymentProvider(db: Db, publicBaseUrl: string): PaymentProvider {
  return {
    name: 'demo',
    async createCheckout(req) {
      return { url: `${publicBaseUrl}/pay/demo/${req.orderId}`, providerRef: req.orderId, expiresAt: req.expiresAt };
    },
    async fetchStatus(providerRef) {
      const order = await db('orders').where({ id: providerRef }).first('provider_status', 'amount_minor', 'currency', 'expires_at');
      if (!order) throw new Error(`demo payment ${providerRef} not found`);
      const status = order.provider_status === 'paid' || order.provider_status === 'failed' ? order.provider_status : 'pending';
      return { status, amountMinor: order.amount_minor, currency: order.currency };
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
