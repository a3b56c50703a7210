import { Context } from '@temporalio/activity';
import { createDbCatalog } from '../db/queries/catalog';
import { getPlaybook } from '../db/queries/merchants';
import type { AgentInput } from '../domain/conversation';
import type { Decision } from '../domain/decision';
import type { LeadSettings } from '../domain/lead-settings';
import type { ActivityDeps } from './deps';

/** Keeps a long call alive in Temporal's eyes so a dead worker is noticed within the heartbeat timeout. */
async function withHeartbeat<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctx = Context.current();
  const timer = setInterval(() => ctx.heartbeat(), 2_000);
  try {
    return await work(ctx.cancellationSignal);
  } finally {
    clearInterval(timer);
  }
}

/** What the agent needs: the lead's settings for the workflow, and each turn's decision. */
export function agentActivities(deps: ActivityDeps) {
  const { db } = deps;
  return {
    async loadSettings(merchantId: string): Promise<LeadSettings> {
      const playbook = await getPlaybook(db, merchantId);
      return {
        followUpDelaysMs: playbook.followUpDelaysSeconds.map((s) => s * 1000),
        followUp: playbook.followUp,
        defaultLanguage: playbook.defaultLanguage,
        languages: playbook.languages,
        minConfidence: playbook.handOff.minConfidence,
        maxObjections: playbook.handOff.maxObjections,
        highValueMinor: playbook.handOff.highValueMinor,
        checkoutTtlMs: deps.checkoutTtlMs,
        checkoutRemindBeforeMs: Math.floor(deps.checkoutTtlMs / 4),
        idleCloseMs: 30 * 24 * 3600 * 1000,
      };
    },

    async decide(input: AgentInput): Promise<Decision> {
      const playbook = await getPlaybook(db, input.merchantId);
      const catalog = createDbCatalog(db, input.merchantId);
      return withHeartbeat((signal) => deps.llm.decide({ ...input, playbook, catalog }, signal));
    },
  };
}
