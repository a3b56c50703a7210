import type { Channel as ChannelName, Sender } from '../../domain/conversation';
import type { Usage } from '../../domain/decision';

export interface OutboundMessage {
  conversationId: string;
  merchantId: string;
  channel: ChannelName;
  customerKey: string;
  text: string;
  sender: Exclude<Sender, 'customer'>;
  author?: string | null;
  /** Same on every attempt of one logical send; channels must not send twice under one key. */
  idempotencyKey: string;
  intent?: string | null;
  confidence?: number | null;
  usage?: Usage | null;
}

export interface SendResult {
  messageId: string;
  providerMessageId: string;
  /** True when an earlier attempt already sent it. */
  duplicate: boolean;
}

/** Thrown for failures a retry cannot fix (unknown recipient, rejected content). */
export class NonRetryableSendError extends Error {
  override name = 'NonRetryableSendError';
}

export interface Channel {
  readonly name: ChannelName;
  send(msg: OutboundMessage): Promise<SendResult>;
}
