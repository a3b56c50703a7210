import type { Decision } from '../../domain/decision';
import { metrics } from '../../observability/metrics';
import type { AgentContext, LlmProvider } from './provider';

/** Counts one provider's calls, latency and tokens; the chain wraps each provider, so failover is seen per provider. */
export function meteredProvider(provider: LlmProvider): LlmProvider {
  return {
    name: provider.name,
    local: provider.local,
    async decide(ctx: AgentContext, signal?: AbortSignal): Promise<Decision> {
      const end = metrics.llmLatency.startTimer({ provider: provider.name });
      try {
        const decision = await provider.decide(ctx, signal);
        metrics.llmCalls.inc({ provider: provider.name, outcome: 'ok' });
        const usage = decision.usage;
        if (usage) {
          metrics.llmTokens.inc({ provider: provider.name, kind: 'input' }, usage.inputTokens);
          metrics.llmTokens.inc({ provider: provider.name, kind: 'output' }, usage.outputTokens);
          if (usage.cachedInputTokens) metrics.llmTokens.inc({ provider: provider.name, kind: 'cached_input' }, usage.cachedInputTokens);
        }
        return decision;
      } catch (err) {
        // A cancelled turn is not the provider's failure.
        if (!signal?.aborted) metrics.llmCalls.inc({ provider: provider.name, outcome: 'error' });
        throw err;
      } finally {
        end();
      }
    },
  };
}
