import { countNewConversation, planFor } from '../db/queries/billing';
import { projectConversation, type ConversationChange, type ConversationProjection } from '../db/queries/conversations';
import { anyoneWants } from '../db/queries/notification-deliveries';
import { notifyMerchant, type MerchantNotification } from '../db/queries/notifications';
import { quotaState } from '../domain/billing';
import { boundedLabel, metrics } from '../observability/metrics';
import type { ActivityDeps } from './deps';
import { notifyAndDeliver } from './notify';

/** Hand-offs, stage moves and closings, counted once: only a projection that changed the row reports them. */
export function countChanges(changes: ConversationChange[]): void {
  for (const change of changes) {
    if (change.kind === 'hand_off' && change.toValue) metrics.handOffs.inc({ reason: boundedLabel('hand_off_reason', change.toValue) });
    if (change.kind === 'stage' && change.toValue) metrics.stageTransitions.inc({ stage: boundedLabel('stage', change.toValue) });
    if (change.kind === 'closed' && change.toValue) metrics.leadsClosed.inc({ reason: boundedLabel('closed_reason', change.toValue) });
  }
}

/** What the lead tells the rest of the system: its projection, notices to the merchant, and its place in the plan's quota. */
export function leadActivities(deps: ActivityDeps) {
  const { db } = deps;
  return {
    async projectConversation(p: ConversationProjection): Promise<void> {
      countChanges(await projectConversation(db, p));
    },

    async notifyMerchant(n: MerchantNotification): Promise<void> {
      await notifyAndDeliver(db, n);
    },

    /**
     * Counts a new lead against the merchant's plan, once per conversation.
     * Past the quota and its grace the workflow hands new leads to people;
     * entering the grace allowance tells the merchant once per period.
     */
    async meterConversation(m: { merchantId: string; conversationId: string }): Promise<{ state: 'ok' | 'grace' | 'exceeded'; message: string }> {
      const quota = await countNewConversation(db, m.merchantId, m.conversationId);
      // Stored only when someone wants the buzz: otherwise every lead would add a line to everyone's list.
      if (await anyoneWants(db, m.merchantId, 'new_lead')) {
        await notifyAndDeliver(db, { merchantId: m.merchantId, conversationId: m.conversationId, kind: 'new_lead', dedupeKey: `new_lead:${m.conversationId}`, body: {} });
      }
      if (!deps.enforceQuota) return { state: 'ok', message: quota.message };
      // The counter already includes this lead; whether it may start is decided by the count before it.
      const { gracePercent } = await planFor(db, m.merchantId);
      const admitted = quotaState(quota.limit, Math.max(0, quota.used - 1), gracePercent).state;
      if (quota.state !== 'ok') {
        await notifyMerchant(db, {
          merchantId: m.merchantId,
          conversationId: m.conversationId,
          kind: 'quota',
          dedupeKey: `quota:${m.merchantId}:${quota.period.start.toISOString()}:${quota.state}`,
          body: { state: quota.state, message: quota.message, used: quota.used, limit: quota.limit },
        });
      }
      return { state: admitted, message: quota.message };
    },
  };
}
