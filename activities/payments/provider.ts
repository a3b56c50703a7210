export interface CheckoutRequest {
  orderId: string;
  merchantId: string;
  amountMinor: number;
  currency: string;
  description: string;
  expiresAt: Date;
}

export interface CheckoutSession {
  url: string;
  providerRef: string;
  expiresAt: Date;
}

export interface PaymentStatus {
  status: 'pending' | 'paid' | 'failed' | 'expired';
  amountMinor: number;
  currency: string;
}

export interface PaymentProvider {
  readonly name: string;
  createCheckout(req: CheckoutRequest): Promise<CheckoutSession>;
  /** The provider's authoritative view; webhooks only tell us when to ask. */
  fetchStatus(providerRef: string): Promise<PaymentStatus>;
}
