import type { ShippingAddress, ShippingSettings } from '../../domain/shipping';

export interface CheckoutItem {
  sku: string;
  name: string;
  quantity: number;
  unitAmountMinor: number;
}

/** Who pays. Chat leads rarely give all of it; providers that require more fill documented defaults and say so. */
export interface Buyer {
  id: string;
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  /** ISO 3166-1 alpha-2. */
  country?: string | null;
  city?: string | null;
  address?: string | null;
  ip?: string | null;
}

export interface CheckoutRequest {
  orderId: string;
  merchantId: string;
  amountMinor: number;
  /** ISO 4217, upper case. */
  currency: string;
  description: string;
  items?: CheckoutItem[];
  buyer?: Buyer;
  /** Where the provider sends the customer afterwards. */
  successUrl?: string;
  cancelUrl?: string;
  expiresAt: Date;
  /** Same on every attempt for one order: providers that support it create one checkout, not several. */
  idempotencyKey?: string;
  /** The merchant ships goods: the checkout asks for a delivery address in these countries (Stripe's shipping address collection). */
  shipping?: ShippingSettings;
  /**
   * The platform's fee from the merchant's plan, when the checkout is for a
   * merchant's own account: the provider keeps it for the platform (Stripe's
   * application fee, iyzico's split) and pays the rest to the merchant.
   */
  platformFeeMinor?: number;
}

export interface CheckoutSession {
  url: string;
  providerRef: string;
  expiresAt: Date;
}

export interface PaymentStatus {
  status: 'pending' | 'paid' | 'failed' | 'expired' | 'refunded' | 'partially_refunded';
  amountMinor: number;
  currency: string;
  /** Provider's payment id (Stripe PaymentIntent, iyzico paymentId, PayU orderId), when paid. */
  paymentRef?: string | null;
  /** The delivery address the customer gave on the provider's checkout, when it collects one. */
  shippingAddress?: ShippingAddress | null;
}

export interface RefundRequest {
  providerRef: string;
  /** Provider's payment id if the provider needs it to refund (see PaymentStatus.paymentRef). */
  paymentRef?: string | null;
  amountMinor: number;
  currency: string;
  reason?: string;
  idempotencyKey: string;
  /** A merchant account's refund also gives back the platform's fee (in proportion), as the merchant's plan says. */
  refundPlatformFee?: boolean;
}

export interface RefundResult {
  refundRef: string;
  status: 'succeeded' | 'pending' | 'failed';
}

/** A verified provider webhook, provider-neutral. */
export interface PaymentWebhookEvent {
  provider: string;
  /** Unique per provider event: the deduplication key. */
  eventId: string;
  type: 'completed' | 'failed' | 'expired' | 'refunded' | 'disputed' | 'dispute_closed';
  /** Matches CheckoutSession.providerRef. */
  providerRef: string;
  /** Our order id when the provider echoes it (metadata / conversation id / extOrderId). */
  orderId?: string | null;
  amountMinor?: number | null;
  currency?: string | null;
  /** For a dispute: when the provider stops taking the merchant's evidence. */
  disputeDueBy?: Date | null;
  /** For a closed dispute: won (the merchant keeps the money) or lost (it went back to the customer). */
  disputeOutcome?: 'won' | 'lost' | null;
}

/** Signature missing, forged or stale: answer 401/403 and change nothing. */
export class WebhookSignatureError extends Error {
  override name = 'WebhookSignatureError';
}
/** Signed but not understood: answer 400 with this message. */
export class WebhookPayloadError extends Error {
  override name = 'WebhookPayloadError';
}

/** A webhook body that must be one JSON object; anything else is the sender's mistake (400). */
export function jsonObjectBody(raw: Buffer, what: string): Record<string, unknown> {
  let payload: unknown;
  try {
    payload = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new WebhookPayloadError(`${what} is not JSON`);
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new WebhookPayloadError(`${what} is not a JSON object`);
  return payload as Record<string, unknown>;
}

export interface PaymentProvider {
  readonly name: string;
  /** Set when this provider acts for a merchant's own account (`payment_accounts.id`); orders remember it. */
  readonly accountId?: string;
  createCheckout(req: CheckoutRequest): Promise<CheckoutSession>;
  /** The provider's authoritative view; webhooks only tell us when to ask. */
  fetchStatus(providerRef: string): Promise<PaymentStatus>;
  refund?(req: RefundRequest): Promise<RefundResult>;
  /** Verifies a webhook over its raw bytes and parses it. Throws WebhookSignatureError / WebhookPayloadError. */
  parseWebhook?(rawBody: Buffer, headers: Record<string, string | string[] | undefined>, url: string): Promise<PaymentWebhookEvent[]>;
  /**
   * For providers that hold the merchant's share of a verified payment until
   * the platform releases it (iyzico's marketplace: each basket item must be
   * approved). Safe to call again: items released before count as released.
   * Providers that pay the merchant without it leave it out.
   */
  settlePaid?(payment: { orderId: string; providerRef: string }): Promise<PaidSettlement>;
}

/** What `settlePaid` did with a payment's items. */
export interface PaidSettlement {
  /** True when every item is released to the merchant; false when they wait for a person to release them. */
  released: boolean;
  /** One per item the provider holds (iyzico: `paymentTransactionId` and the basket item id). */
  items: Array<{ ref: string; itemId: string | null; state: 'approved' | 'already_approved' | 'awaiting_approval' }>;
}
