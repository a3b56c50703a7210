import { Context } from '@temporalio/activity';
import { createDbCatalog } from '../db/queries/catalog';
import { createDbKnowledge } from '../db/queries/knowledge';
import { getPlaybook } from '../db/queries/merchants';
import type { CatalogTool, Product } from '../domain/catalog';
import type { AgentInput } from '../domain/conversation';
import type { Decision } from '../domain/decision';
import { leadSettingsFrom, type LeadSettings } from '../domain/lead-settings';
import { metrics } from '../observability/metrics';
import type { ActivityDeps } from './deps';

/** An agent looks the same product up more than once in a turn (to name it, to price it); the database is asked once. */
function readsOncePerTurn(catalog: CatalogTool): CatalogTool {
  const read = new Map<string, Promise<Product | null>>();
  return {
    ...catalog,
    get(sku) {
      let product = read.get(sku);
      if (!product) read.set(sku, (product = catalog.get(sku)));
      return product;
    },
  };
}

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

/**
 * Counts what the reply guard changed (Temporal's metric meter: the worker's
 * Prometheus or OTel exporter when one is configured) and logs each changed turn.
 */
function reportGuard(decision: Decision, conversationId: string): void {
  const guard = decision.guard;
  if (!guard) return;
  const ctx = Context.current();
  const corrections = ctx.metricMeter.createCounter('autocloser_agent_reply_corrections', '{figure}', 'Figures the reply guard corrected in LLM replies');
  const provider = decision.usage?.provider ?? 'unknown';
  if (guard.priceCorrections) corrections.add(guard.priceCorrections, { kind: 'price', provider });
  if (guard.stockCorrections) corrections.add(guard.stockCorrections, { kind: 'stock', provider });
  if (guard.discountRefused) corrections.add(1, { kind: 'discount', provider });
  if (guard.priceCorrections || guard.stockCorrections || guard.discountRefused || guard.unverifiedFigures) {
    ctx.log.warn('agent reply checked against the catalog and playbook', { conversationId, provider, ...guard });
  }
}

/** What the agent needs: the lead's settings for the workflow, and each turn's decision. */
export function agentActivities(deps: ActivityDeps) {
  const { db } = deps;
  return {
    async loadSettings(merchantId: string): Promise<LeadSettings> {
      return { ...leadSettingsFrom(await getPlaybook(db, merchantId), deps.checkoutTtlMs), localAgent: deps.llm.local === true };
    },

    async decide(input: AgentInput): Promise<Decision> {
      const playbook = await (deps.playbooks ? deps.playbooks.get(input.merchantId) : getPlaybook(db, input.merchantId));
      const catalog = readsOncePerTurn(createDbCatalog(db, input.merchantId));
      const knowledge = createDbKnowledge(db, input.merchantId);
      let decision: Decision;
      try {
        decision = await withHeartbeat((signal) => deps.llm.decide({ ...input, playbook, catalog, knowledge }, signal));
      } catch (err) {
        metrics.turns.inc({ outcome: 'error' });
        throw err;
      }
      metrics.turns.inc({ outcome: 'ok' });
      reportGuard(decision, input.conversationId);
      return decision;
    },
  };
}
