/**
 * Response shapes used by more than one route. Exact: the route layer
 * refuses (in tests) any field a schema does not name, so a database column
 * cannot leak into an answer unnoticed, and the generated client's types are
 * the server's.
 */
import { z } from 'zod';
import { InvoiceStatuses, SubscriptionProviders, SubscriptionStatuses } from '../../domain/billing';
import { Channels } from '../../domain/conversation';
import { LanguageSchema } from '../../domain/language';
import { Stages } from '../../domain/stage';
import type { LeadState } from '../../workflows/contract';

const Iso = z.string().describe('ISO 8601 timestamp');

export const LeadProfileView = z.object({
  name: z.string().nullable(),
  need: z.string().nullable(),
  budget: z.string().nullable(),
  timeline: z.string().nullable(),
  decisionMaker: z.string().nullable(),
  interestedIn: z.array(z.string()),
});

export const LeadStateView = z
  .object({
    merchantId: z.string(),
    channel: z.enum(Channels),
    customerKey: z.string(),
    stage: z.enum(Stages),
    mode: z.enum(['bot', 'human']),
    humanAgent: z.string().nullable().describe('Who holds the lead while mode is human'),
    handOffReason: z.string().nullable(),
    lead: LeadProfileView,
    score: z.number(),
    language: LanguageSchema,
    summary: z.string(),
    pendingPayment: z
      .object({
        orderId: z.string(),
        sku: z.string(),
        name: z.string(),
        quantity: z.number(),
        amountMinor: z.number(),
        currency: z.string(),
        url: z.string(),
        expiresAt: Iso,
        items: z.array(z.object({ sku: z.string(), name: z.string(), quantity: z.number() })).optional().describe('Every line, when the order has several products'),
      })
      .nullable(),
    nextFollowUpAt: Iso.nullable(),
    followUpsSent: z.number(),
    objectionCount: z.number(),
    agreedDiscountPercent: z.number().nullable().describe('A discount agreed with the agent; the next payment link charges it'),
    buyingSignals: z.number(),
    negativeTurns: z.number(),
    lastMessages: z.array(z.object({ id: z.string(), from: z.enum(['customer', 'bot', 'human']), text: z.string(), at: Iso })),
    windowClosesAt: Iso.nullable().describe("WhatsApp: when the 24-hour customer-service window closes"),
    deliveryFailures: z.array(z.object({ messageId: z.string(), reason: z.string(), at: Iso, templateRequired: z.boolean().optional() })),
    queued: z.number().describe('Customer messages received but not yet answered'),
    closed: z.object({ reason: z.string(), at: Iso }).nullable(),
    turns: z.number(),
    outboundSeq: z.number(),
    startedAt: Iso,
    lastCustomerMessageAt: Iso.nullable(),
  })
  .describe('The live workflow state (the `state` query)');

// A field added to LeadState must be added here too, or this stops compiling.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _stateCovered: Same<keyof z.output<typeof LeadStateView>, keyof LeadState> = true;
void _stateCovered;

export const OrderView = z.object({
  id: z.string(),
  conversationId: z.string(),
  sku: z.string(),
  quantity: z.number(),
  amountMinor: z.number(),
  discountPercent: z.number().describe('Agreed with the agent; amountMinor already has it taken off'),
  refundedMinor: z.number(),
  currency: z.string(),
  status: z.string(),
  provider: z.string(),
  flagReason: z.string().nullable(),
  checkoutUrl: z.string().nullable(),
  paidAt: Iso.nullable(),
  createdAt: Iso,
  platformFeeMinor: z.number().nullable().describe("The platform's marketplace fee, fixed when the order is paid"),
  platformFeeRefundedMinor: z.number().describe("The part of the platform's fee given back on refunds, when the plan gives it back"),
  netMinor: z.number().describe("What the merchant keeps: amount − refunded − (platform fee − fee given back)"),
  dispute: z
    .object({ status: z.enum(['open', 'closed']), openedAt: Iso, dueBy: Iso.nullable().describe("The provider's deadline for the merchant's evidence") })
    .nullable(),
});

export const OrderEventView = z.object({
  at: Iso,
  kind: z.string().describe('created, link_sent, paid, failed, expired, mismatch, refund_requested, refund_failed, refunded, partially_refunded, disputed, dispute_closed, items_approved, approval_pending, approval_failed'),
  providerEventId: z.string().nullable().describe("The provider's webhook event, when one caused it"),
  amountMinor: z.number().nullable(),
  details: z.record(z.string(), z.unknown()),
});

export const RefundView = z.object({
  id: z.string(),
  amountMinor: z.number(),
  currency: z.string(),
  status: z.string().describe('requested, pending, succeeded or failed'),
  reason: z.string().nullable(),
  requestedBy: z.string().nullable(),
  providerRef: z.string().nullable(),
  createdAt: Iso,
});

export const PlanView = z.object({
  code: z.string(),
  name: z.string(),
  priceMinor: z.number(),
  currency: z.string(),
  conversationQuota: z.number(),
  gracePercent: z.number(),
  marketplaceFeeBps: z.number().describe('Basis points of each customer payment the platform keeps'),
  refundsPlatformFee: z.boolean().describe('Whether the platform gives back its fee on the refunded part of an order, in proportion'),
  active: z.boolean(),
});

export const SubscriptionView = z.object({
  merchantId: z.string(),
  planCode: z.string(),
  status: z.enum(SubscriptionStatuses),
  provider: z.enum(SubscriptionProviders),
  providerRef: z.string().nullable(),
  currentPeriodStart: Iso,
  currentPeriodEnd: Iso,
  cancelAtPeriodEnd: z.boolean(),
  updatedAt: Iso,
});

export const QuotaView = z.object({
  state: z.enum(['ok', 'grace', 'exceeded']).describe('What happens to the next new conversation'),
  remaining: z.number(),
  graceRemaining: z.number(),
  message: z.string(),
  planCode: z.string(),
  limit: z.number(),
  used: z.number(),
  period: z.object({ start: Iso, end: Iso }),
});

export const InvoiceView = z.object({
  id: z.string(),
  merchantId: z.string(),
  number: z.string(),
  sequence: z.number(),
  periodStart: Iso,
  periodEnd: Iso,
  currency: z.string(),
  subtotalMinor: z.number(),
  totalMinor: z.number(),
  status: z.enum(InvoiceStatuses),
  providerInvoiceId: z.string().nullable(),
  issuedAt: Iso,
  paidAt: Iso.nullable(),
  pdfUrl: z.string(),
});

export const InvoiceLineView = z.object({ description: z.string(), quantity: z.number(), unitMinor: z.number(), amountMinor: z.number() });
