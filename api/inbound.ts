import type { Client } from '@temporalio/client';
import type { ConversationKey } from '../db/queries/messages';
import { markSignalled, recordInbound } from '../db/queries/messages';
import type { Db } from '../db/knex';
import { metrics } from '../observability/metrics';
import { channelKey, inboundSignal, leadScoreKey, leadStageKey, merchantIdKey, needsHumanKey, type InboundMessage, type LeadWorkflowInput } from '../workflows/contract';

export interface InboundDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
}

/**
 * The one way a customer message enters the system, whatever the channel:
 * stored once by provider id, then handed durably to the lead's workflow
 * (started if needed). Only after that may a webhook be acknowledged. A
 * redelivery of a message the workflow already has does nothing.
 */
export async function deliverInbound(
  deps: InboundDeps,
  key: ConversationKey,
  msg: {
    providerMessageId: string;
    text: string;
    at: Date;
    media?: InboundMessage['media'] | null;
    /** Runs once the conversation row exists and before the workflow can reply (e.g. storing how to reach the customer). */
    beforeSignal?: () => Promise<void>;
  },
): Promise<{ messageId: string; duplicate: boolean }> {
  const { id, duplicate, signalled } = await recordInbound(deps.db, key, msg);
  if (signalled) return { messageId: id, duplicate: true };
  await msg.beforeSignal?.();

  const input: LeadWorkflowInput = { merchantId: key.merchantId, channel: key.channel, customerKey: key.customerKey };
  await deps.temporal.workflow.signalWithStart('leadConversation', {
    workflowId: key.conversationId,
    taskQueue: deps.taskQueue,
    args: [input],
    signal: inboundSignal,
    signalArgs: [{ id: msg.providerMessageId, text: msg.text, at: msg.at.toISOString(), ...(msg.media?.length ? { media: msg.media } : {}) }],
    typedSearchAttributes: [
      { key: merchantIdKey, value: key.merchantId },
      { key: channelKey, value: key.channel },
      { key: leadStageKey, value: 'new' },
      { key: leadScoreKey, value: 0 },
      { key: needsHumanKey, value: false },
    ],
  });
  await markSignalled(deps.db, id);
  if (!duplicate) metrics.inboundMessages.inc({ channel: key.channel });
  return { messageId: id, duplicate };
}
