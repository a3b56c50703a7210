import type { Decision } from '../../domain/decision';
import { metrics } from '../../observability/metrics';
import type { AgentContext, LlmProvider } from './provider';

/** The part of a pino logger failover needs; a pino `Logger` fits. */
export interface FailoverLog {
  warn(obj: object, msg: string): void;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Tries each provider in order and returns the first decision. When every one
 * fails the error carries all causes; the workflow then hands the lead to a
 * human. An aborted turn (activity cancelled) is not failed over.
 */
export function createFailoverProvider(providers: LlmProvider[], log?: FailoverLog): LlmProvider {
  if (providers.length === 0) throw new Error('createFailoverProvider needs at least one provider');
  const name = providers.map((p) => p.name).join('>');

  return {
    name,
    async decide(ctx: AgentContext, signal?: AbortSignal): Promise<Decision> {
      const errors: unknown[] = [];
      for (const [index, provider] of providers.entries()) {
        signal?.throwIfAborted();
        try {
          return await provider.decide(ctx, signal);
        } catch (error) {
          if (signal?.aborted) throw error;
          errors.push(error);
          const next = providers[index + 1];
          metrics.llmFailovers.inc({ from: provider.name, to: next?.name ?? 'none' });
          log?.warn(
            { provider: provider.name, next: next?.name ?? null, conversationId: ctx.conversationId, err: error },
            next ? 'llm provider failed, trying the next one' : 'llm provider failed, no provider left',
          );
        }
      }
      throw new AggregateError(
        errors,
        `all llm providers failed: ${providers.map((p, i) => `${p.name} (${describe(errors[i])})`).join('; ')}`,
      );
    },
  };
}
