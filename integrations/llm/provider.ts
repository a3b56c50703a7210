import type { CatalogTool } from '../../domain/catalog';
import type { AgentInput } from '../../domain/conversation';
import type { Decision } from '../../domain/decision';
import type { Playbook } from '../../domain/playbook';

export interface AgentContext extends AgentInput {
  playbook: Playbook;
  catalog: CatalogTool;
}

/** One interface for every agent brain: OpenAI, Anthropic and the offline playbook. */
export interface LlmProvider {
  readonly name: string;
  /** Must return a Decision that already passed DecisionSchema. Throws on provider failure. */
  decide(ctx: AgentContext, signal?: AbortSignal): Promise<Decision>;
}
