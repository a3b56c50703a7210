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
}

export interface RefundRequest {
  providerRef: string;
  /** Provider's payment id if the provider needs it to refund (see PaymentStatus.paymentRef). */
  paymentRef?: string | null;
  amountMinor: number;
  currency: string;
  reason?: string;
  idempotencyKey: string;
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
  type: 'completed' | 'failed' | 'expired' | 'refunded' | 'disputed';
  /** Matches CheckoutSession.providerRef. */
  providerRef: string;
  /** Our order id when the provider echoes it (metadata / conversation id / extOrderId). */
  orderId?: string | null;
  amountMinor?: number | null;
  currency?: string | null;
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
  createCheckout(req: CheckoutRequest): Promise<CheckoutSession>;
  /** The provider's authoritative view; webhooks only tell us when to ask. */
  fetchStatus(providerRef: string): Promise<PaymentStatus>;
  refund?(req: RefundRequest): Promise<RefundResult>;
  /** Verifies a webhook over its raw bytes and parses it. Throws WebhookSignatureError / WebhookPayloadError. */
  parseWebhook?(rawBody: Buffer, headers: Record<string, string | string[] | undefined>, url: string): Promise<PaymentWebhookEvent[]>;
}
