import type { Channel as ChannelName, Sender } from '../../domain/conversation';
import type { Usage } from '../../domain/decision';
import type { TemplatePurpose } from '../../domain/templates';

/** What goes to the customer. Plain text unless a channel-specific form is asked for. */
export type OutboundContent =
  | { kind: 'text'; text: string }
  | { kind: 'media'; url: string; mediaType: 'image' | 'document' | 'audio' | 'video'; caption?: string; filename?: string }
  /** Up to three quick-reply buttons (WhatsApp's limit). */
  | { kind: 'buttons'; text: string; buttons: { id: string; title: string }[] }
  /** An approved template: required outside WhatsApp's 24-hour customer-service window. */
  | { kind: 'template'; template: TemplateRef };

export interface TemplateRef {
  name: string;
  language: string;
  /** Provider's own id: Twilio Content SID (HX…); unused by Meta, which addresses templates by name + language. */
  providerId?: string | null;
  /** Body variables in order ({{1}}, {{2}}, …). */
  variables: string[];
}

export interface OutboundMessage {
  conversationId: string;
  merchantId: string;
  channel: ChannelName;
  customerKey: string;
  /** The transcript's text for this message (for a template: its rendered body). */
  text: string;
  /** Defaults to `{ kind: 'text', text }`. */
  content?: OutboundContent;
  sender: Exclude<Sender, 'customer'>;
  author?: string | null;
  /** Same on every attempt of one logical send; channels must not send twice under one key. */
  idempotencyKey: string;
  intent?: string | null;
  /** The objection a bot reply answered, for analytics. */
  objection?: string | null;
  confidence?: number | null;
  usage?: Usage | null;
  /**
   * When the customer message this reply answers arrived (ISO), for the
   * reply-latency metric; null for anything else the lead sends. Absent from
   * messages of runs that predate it.
   */
  answersAt?: string | null;
  /**
   * WhatsApp only: false when the workflow knows the customer-service window is
   * closed. Then, or when the provider says so, the channel sends the merchant's
   * approved template for `templateFallback.purpose` instead of free-form content.
   */
  windowOpen?: boolean;
  templateFallback?: { purpose: TemplatePurpose; variables: string[]; language: string };
}


export interface SendResult {
  messageId: string;
  providerMessageId: string;
  /** True when an earlier attempt already sent it. */
  duplicate: boolean;
}

/** Thrown for failures a retry cannot fix (unknown recipient, rejected content, blocked number). */
export class NonRetryableSendError extends Error {
  override name = 'NonRetryableSendError';
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The provider refused free-form content because the customer-service window is closed: send a template. */
export class TemplateRequiredError extends Error {
  override name = 'TemplateRequiredError';
}

export interface Channel {
  readonly name: ChannelName;
  send(msg: OutboundMessage): Promise<SendResult>;
}

/** Where a WhatsApp provider delivers one message: who it is from and to, in the provider's terms. */
export interface WhatsAppSendRequest {
  /** The customer's number in E.164 (`+905551112233`). */
  to: string;
  content: OutboundContent;
}

/**
 * A WhatsApp provider's wire client, one per merchant account. It only talks
 * to the provider; recording, idempotency and routing live in the channel
 * built on top of it (activities/channels/whatsapp.ts).
 */
export interface WhatsAppProviderClient {
  readonly provider: 'twilio' | 'meta';
  /** Returns the provider's message id. Throws NonRetryableSendError, TemplateRequiredError, or any other error for "retry". */
  send(req: WhatsAppSendRequest): Promise<{ providerMessageId: string }>;
}

/** An inbound WhatsApp event after signature checks and parsing, provider-neutral. */
export type WhatsAppInboundEvent =
  | {
      type: 'message';
      provider: 'twilio' | 'meta';
      /** Receiving business address: Twilio `To` (E.164, without the `whatsapp:` prefix), Meta `phone_number_id`. */
      businessAddress: string;
      /** The customer's number, E.164. */
      from: string;
      providerMessageId: string;
      at: Date;
      text: string;
      profileName?: string;
      media?: { providerMediaId?: string; url?: string; mimeType?: string; filename?: string; caption?: string }[];
      location?: { latitude: number; longitude: number; name?: string; address?: string };
      /** Interactive button / list reply id. */
      replyId?: string;
    }
  | {
      type: 'status';
      provider: 'twilio' | 'meta';
      businessAddress: string;
      providerMessageId: string;
      status: 'sent' | 'delivered' | 'read' | 'failed';
      at: Date;
      errorCode?: string;
      errorMessage?: string;
    };
