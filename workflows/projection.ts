/**
 * What the outside world sees of a lead: the row the dashboard reads and the
 * search attributes the Temporal UI filters on. Pure.
 */
import type { SearchAttributeUpdatePair, TypedSearchAttributes } from '@temporalio/common';
import type { Activities } from '../activities';
import { leadScoreKey, leadStageKey, merchantIdKey, needsHumanKey, type LeadState } from './contract';

export type ConversationProjection = Parameters<Activities['projectConversation']>[0];

/**
 * Versions come from workflow time, so a late retry of an older projection never
 * overwrites a newer one and a restarted lead still moves the row forward; the
 * sequence orders projections made within one workflow task.
 */
export function projectionVersion(now: number, seq: number): number {
  return now * 1000 + (seq % 1000);
}

export function projection(state: LeadState, conversationId: string, version: number): ConversationProjection {
  return {
    conversationId,
    merchantId: state.merchantId,
    channel: state.channel,
    customerKey: state.customerKey,
    version,
    stage: state.stage,
    mode: state.mode,
    needsHuman: state.mode === 'human',
    handOffReason: state.handOffReason,
    score: state.score,
    language: state.language,
    lead: state.lead,
    summary: state.summary,
    pendingPayment: state.pendingPayment,
    nextFollowUpAt: state.nextFollowUpAt,
    closedReason: state.closed?.reason ?? null,
  };
}

/**
 * Starters that index the lead (the API) set MerchantId; only those leads keep their attributes current.
 * A server without our attributes (the time-skipping test server) would reject the upsert.
 */
export function isIndexed(attributes: TypedSearchAttributes): boolean {
  return attributes.get(merchantIdKey) !== undefined;
}

export function searchAttributeUpdates(state: LeadState): SearchAttributeUpdatePair[] {
  return [
    { key: leadStageKey, value: state.stage },
    { key: leadScoreKey, value: state.score },
    { key: needsHumanKey, value: state.mode === 'human' },
  ];
}
