import type { Language } from './language';
import type { LeadProfile } from './lead';
import type { Stage } from './stage';

export const Channels = ['webchat', 'whatsapp'] as const;
export type Channel = (typeof Channels)[number];

export type Sender = 'customer' | 'bot' | 'human';

/** A message as the customer sees it; `at` is an ISO-8601 timestamp. */
export interface ChatMessage {
  id: string;
  from: Sender;
  text: string;
  at: string;
}

export interface PendingPayment {
  orderId: string;
  sku: string;
  /** Product name as the catalog had it when the link was made. */
  name: string;
  quantity: number;
  amountMinor: number;
  currency: string;
  url: string;
  expiresAt: string;
}

/** What the agent sees for one turn: compact, so tokens stay flat as a conversation grows. */
export interface AgentInput {
  merchantId: string;
  conversationId: string;
  channel: Channel;
  language: Language;
  stage: Stage;
  lead: LeadProfile;
  score: number;
  /** Running summary of what fell out of the recent window. */
  summary: string;
  /** The last few messages before `message`, oldest first. */
  recent: ChatMessage[];
  /** The customer message to answer. */
  message: ChatMessage;
  objectionCount: number;
  pendingPayment: PendingPayment | null;
}
