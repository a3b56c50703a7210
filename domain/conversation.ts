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
  /** The first line's product (the only one in most orders). */
  sku: string;
  /** Product name as the catalog had it when the link was made. */
  name: string;
  quantity: number;
  amountMinor: number;
  currency: string;
  url: string;
  expiresAt: string;
  /**
   * Every line, when the order has several products; absent in state saved
   * before orders could have more than one line, and for a single line.
   */
  items?: OrderedLine[];
}

/** One line of an order as the customer sees it. */
export interface OrderedLine {
  sku: string;
  name: string;
  quantity: number;
}

/** What a payment is for, in the customer's words: "Trail tent", or "1 × Trail tent, 2 × Sleeping bag". */
export function orderLabel(p: Pick<PendingPayment, 'name' | 'items'>): string {
  return p.items && p.items.length > 1 ? p.items.map((i) => `${i.quantity} × ${i.name}`).join(', ') : p.name;
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
