/** A merchant that ships goods: the checkout collects a delivery address in one of these countries. */
export interface ShippingSettings {
  /** ISO 3166-1 alpha-2, upper case. */
  countries: string[];
}

/**
 * Where the customer wants the goods, as the checkout collected it. Customer
 * data: sealed with the credential box wherever it is stored.
 */
export interface ShippingAddress {
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  postalCode: string | null;
  state: string | null;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

/**
 * Providers whose own checkout asks the customer for a delivery address
 * (Stripe's `shipping_address_collection`). For the others (iyzico's
 * Checkout Form and PayU take an address from us but never ask the customer
 * for one; the demo page has no form) the link goes to our address page
 * first (`api/routes/shipping-address.ts`).
 */
export const COLLECTS_SHIPPING_ADDRESS: ReadonlySet<string> = new Set(['stripe']);

/** The page that asks for the delivery address of an order, on the installation's public URL. */
export const shippingAddressPath = (orderId: string): string => `/pay/address/${orderId}`;
