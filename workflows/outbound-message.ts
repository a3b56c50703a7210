/**
 * What the lead asks the channel to send. Pure: the workflow fixes every
 * field, including the idempotency key, before the activity runs.
 */
import type { Activities } from '../activities';
import type { TemplatePurpose } from '../domain/templates';
import type { Decision } from '../domain/decision';
import type { LeadState } from './contract';
import { windowOpen } from './deadlines';

export type OutboundMessage = Parameters<Activities['sendMessage']>[0];
export type Speaker = 'bot' | 'human';

/** What a message carries besides its text: who wrote it, what the agent made of the turn, which template stands in for it. */
export interface SayMeta {
  author?: string;
  intent?: string;
  objection?: string | null;
  confidence?: number;
  usage?: Decision['usage'];
  purpose?: TemplatePurpose;
  variables?: string[];
  /** The customer message's time, on the first reply to it. */
  answersAt?: string;
}

/** The agent's reading of the turn, stored beside its reply for analytics. */
export function replyMeta(decision: Decision): SayMeta {
  return { intent: decision.intent, objection: decision.objection, confidence: decision.confidence, usage: decision.usage };
}

/** `<workflowId>:<firstExecutionRunId>:out:<seq>`: unique across continue-as-new and across a lead restarted later. */
export function outboundKey(conversationId: string, firstRunId: string, seq: number): string {
  return `${conversationId}:${firstRunId}:out:${seq}`;
}

export function outboundMessage(
  state: LeadState,
  m: { conversationId: string; idempotencyKey: string; text: string; sender: Speaker; meta: SayMeta; now: number },
): OutboundMessage {
  const { meta, sender, text } = m;
  return {
    conversationId: m.conversationId,
    merchantId: state.merchantId,
    channel: state.channel,
    customerKey: state.customerKey,
    text,
    sender,
    author: meta.author ?? null,
    idempotencyKey: m.idempotencyKey,
    intent: meta.intent ?? null,
    objection: meta.objection ?? null,
    confidence: meta.confidence ?? null,
    usage: meta.usage ?? null,
    answersAt: meta.answersAt ?? null,
    ...(state.channel === 'whatsapp'
      ? {
          windowOpen: windowOpen(state, m.now),
          // Outside the window only an approved template may go out; a person's words travel inside it.
          templateFallback: {
            purpose: meta.purpose ?? (sender === 'human' ? 'human_reply' : 'reply'),
            variables: meta.variables ?? [sender === 'human' ? text : (state.lead.name ?? '')],
            language: state.language,
          },
        }
      : {}),
  };
}
