/**
 * The lead conversation's public contract: the API, the worker, the tests and
 * support staff in the Temporal UI all speak these names. Argument objects are
 * plain JSON so a person can type them into the UI's signal form.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Channel, ChatMessage, PendingPayment } from '../domain/conversation';
import type { LineRequest } from '../domain/order-lines';
import type { Language } from '../domain/language';
import type { LeadProfile } from '../domain/lead';
import type { Stage } from '../domain/stage';

export const TASK_QUEUE_DEFAULT = 'autocloser';

export function leadWorkflowId(merchantId: string, channel: Channel, customerKey: string): string {
  return `lead:${merchantId}:${channel}:${customerKey}`;
}

export interface LeadWorkflowInput {
  merchantId: string;
  channel: Channel;
  customerKey: string;
  /** Present only when continuing as new. */
  carried?: LeadState;
  /** Tests lower this to force continue-as-new; production leaves it to Temporal's suggestion. */
  maxHistoryEvents?: number;
  /** Carried across continue-as-new: unanswered messages and recent ids for deduplication. */
  inbox?: InboundMessage[];
  seenMessageIds?: string[];
  /** Client ids of recent human replies, carried so an app's retried send stays one message. */
  seenReplyIds?: string[];
}

export interface InboundMessage {
  /** Provider (or web client) message id: the same id delivered twice is one message. */
  id: string;
  text: string;
  /** ISO-8601; when the customer sent it, as the channel reports it. */
  at: string;
  /** WhatsApp attachments to fetch and store (provider media ids or URLs). */
  media?: { providerMediaId?: string; url?: string; mimeType?: string; filename?: string }[];
}

export interface TakeOver {
  by: string;
}
export interface Release {
  by: string;
}
export interface AgentMessage {
  text: string;
  by: string;
  /** Chosen by the sending app; the same id sent again is the same reply. */
  clientId?: string;
}
export interface CloseLead {
  reason: string;
}
export interface PaymentResult {
  orderId: string;
  /** `out_of_stock`: the checkout could not hold the items (someone else bought the last ones), so no link was sent. */
  status: 'paid' | 'expired' | 'failed' | 'mismatch' | 'refunded' | 'disputed' | 'out_of_stock';
}

export type Mode = 'bot' | 'human';

export interface LeadState {
  merchantId: string;
  channel: Channel;
  customerKey: string;
  stage: Stage;
  mode: Mode;
  /** Who holds the lead while mode is human. */
  humanAgent: string | null;
  handOffReason: string | null;
  lead: LeadProfile;
  score: number;
  language: Language;
  summary: string;
  pendingPayment: PendingPayment | null;
  nextFollowUpAt: string | null;
  followUpsSent: number;
  objectionCount: number;
  /** A discount the agent agreed within the playbook's maximum; the next payment link charges it. */
  agreedDiscountPercent: number | null;
  buyingSignals: number;
  negativeTurns: number;
  lastMessages: ChatMessage[];
  /** WhatsApp: when the 24-hour customer-service window closes (null: closed or not WhatsApp). */
  windowClosesAt: string | null;
  /** Messages that could not be delivered, newest last (bounded); the merchant sees them. */
  deliveryFailures: DeliveryFailure[];
  /** Customer messages received but not yet answered, oldest first. */
  queued: number;
  closed: { reason: string; at: string } | null;
  /** Monotonic counters carried across continue-as-new so idempotency keys stay unique. */
  turns: number;
  outboundSeq: number;
  startedAt: string;
  lastCustomerMessageAt: string | null;
}

export const inboundSignal = defineSignal<[InboundMessage]>('inbound');
/** A provider reported that one of our messages could not be delivered. */
export interface DeliveryFailure {
  /** The message's idempotency key (its id in `lastMessages`). */
  messageId: string;
  reason: string;
  at: string;
  /** The provider refused free-form content outside the 24-hour window: resend as a template. */
  templateRequired?: boolean;
}
export const deliveryFailedSignal = defineSignal<[DeliveryFailure]>('deliveryFailed');
export const takeOverSignal = defineSignal<[TakeOver]>('takeOver');
export const releaseSignal = defineSignal<[Release]>('release');
export const agentMessageSignal = defineSignal<[AgentMessage]>('agentMessage');
export const closeLeadSignal = defineSignal<[CloseLead]>('closeLead');
/** The merchant changed the playbook: the lead reloads its settings (follow-up cadence, hand-off rules, languages). */
export const settingsChangedSignal = defineSignal('settingsChanged');
/** One broadcast per merchant: a newer change restarts it, so every conversation hears the latest. */
export const settingsBroadcastId = (merchantId: string): string => `settings:${merchantId}`;

export const stateQuery = defineQuery<LeadState>('state');

/** Why an update was refused, as the failure's type: the API passes it on for clients to act on. */
export const Refusals = { closed: 'lead_closed', heldByColleague: 'held_by_colleague' } as const;

export const takeOverUpdate = defineUpdate<LeadState, [TakeOver]>('takeOverLead');
export const releaseUpdate = defineUpdate<LeadState, [Release]>('releaseLead');
export const agentMessageUpdate = defineUpdate<LeadState, [AgentMessage]>('sendAgentMessage');
export const closeLeadUpdate = defineUpdate<LeadState, [CloseLead]>('closeLeadNow');

/** The checkout child workflow's contract. */
export interface CheckoutInput {
  orderId: string;
  merchantId: string;
  conversationId: string;
  channel: Channel;
  customerKey: string;
  language: Language;
  /** The first (usually only) line. */
  sku: string;
  quantity: number;
  /** Every line when the customer ordered several products in one go; `sku` and `quantity` repeat the first. */
  items?: LineRequest[];
  /** Percent off the catalog price, agreed in the conversation. */
  discountPercent?: number;
  /** How long before expiry the customer gets a reminder. */
  remindBeforeMs: number;
}
export interface PaymentEvent {
  /** Provider event id, for deduplication. */
  eventId: string;
  type: 'completed' | 'failed' | 'expired';
}
export const paymentEventSignal = defineSignal<[PaymentEvent]>('paymentEvent');
export const checkoutWorkflowId = (orderId: string): string => `checkout:${orderId}`;

/** Sent by a checkout child to its lead: the child outlives continue-as-new of the parent. */
export const checkoutOpenedSignal = defineSignal<[PendingPayment]>('checkoutOpened');
export const paymentResultSignal = defineSignal<[PaymentResult]>('paymentResult');

/** Search attributes of a lead: the Temporal UI and the API's lists filter on them. No phone numbers or message text. */
export const merchantIdKey = defineSearchAttributeKey('MerchantId', SearchAttributeType.KEYWORD);
export const leadStageKey = defineSearchAttributeKey('LeadStage', SearchAttributeType.KEYWORD);
export const leadScoreKey = defineSearchAttributeKey('LeadScore', SearchAttributeType.INT);
export const channelKey = defineSearchAttributeKey('Channel', SearchAttributeType.KEYWORD);
export const needsHumanKey = defineSearchAttributeKey('NeedsHuman', SearchAttributeType.BOOL);

/** Delivers one stored notification (push and email) to the members who want it: `notification-<id>`. */
export const deliverNotificationWorkflowType = 'deliverNotification';
export interface DeliverNotificationInput {
  notificationId: number;
}
export const notificationWorkflowId = (notificationId: number): string => `notification-${notificationId}`;
/**
 * Start options for a notification's delivery: starting it again while it
 * runs, or after it finished, changes nothing; only a delivery that failed
 * outright may run again.
 */
export const deliverNotificationStart = (notificationId: number, taskQueue: string) => ({
  workflowId: notificationWorkflowId(notificationId),
  taskQueue,
  args: [{ notificationId }] as [DeliverNotificationInput],
  workflowIdConflictPolicy: 'USE_EXISTING' as const,
  workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' as const,
});
