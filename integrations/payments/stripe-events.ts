import Stripe from 'stripe';
import { z } from 'zod';
import { WebhookPayloadError, WebhookSignatureError } from './provider';

/** A Stripe id that may come expanded into its object. */
export const expandable = z.union([z.string(), z.object({ id: z.string() })]).nullish();

export function idOf(ref: string | { id: string } | null | undefined): string | null {
  return typeof ref === 'string' ? ref : (ref?.id ?? null);
}

const eventSchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  created: z.number().int(),
  /** Set on events of a connected account, delivered to the platform's Connect endpoint. */
  account: z.string().nullish(),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});
export type StripeEvent = z.infer<typeof eventSchema>;

/** Parses a Stripe object; `Failure` says whose fault a mismatch is (the webhook sender's, or ours on a fetch). */
export function parseStripe<T extends z.ZodType>(schema: T, value: unknown, what: string, Failure: new (message: string) => Error = WebhookPayloadError): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new Failure(`unexpected Stripe ${what} payload: ${z.prettifyError(result.error)}`);
  return result.data;
}

/**
 * Checks the Stripe-Signature header over the raw bytes (with Stripe's own
 * tolerance for replays) before anything in the body is believed. Payments and
 * billing each have their own endpoint secret, so both come here.
 */
export function verifyStripeEvent(stripe: Stripe, secret: string, rawBody: Buffer, header: string | string[] | undefined): StripeEvent {
  const signature = Array.isArray(header) ? (header.length === 1 ? header[0] : undefined) : header;
  if (!signature) throw new WebhookSignatureError('missing or repeated Stripe-Signature header');
  let event: unknown;
  try {
    event = stripe.webhooks.constructEvent(rawBody, signature, secret);
  } catch (err) {
    if (err instanceof Stripe.errors.StripeSignatureVerificationError) throw new WebhookSignatureError(err.message);
    throw new WebhookPayloadError(`Stripe webhook body is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseStripe(eventSchema, event, 'event');
}
