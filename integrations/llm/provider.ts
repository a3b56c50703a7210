import type { CatalogTool } from '../../domain/catalog';
import type { AgentInput } from '../../domain/conversation';
import type { Decision } from '../../domain/decision';
import type { KnowledgeTool } from '../../domain/knowledge';
import type { Playbook } from '../../domain/playbook';

export interface AgentContext extends AgentInput {
  playbook: Playbook;
  catalog: CatalogTool;
  /** The merchant's own answers (shipping, returns, payment…): the only source of policy. */
  knowledge: KnowledgeTool;
}

/** One interface for every agent brain: OpenAI, Anthropic and the offline playbook. */
export interface LlmProvider {
  readonly name: string;
  /** Decides in-process in milliseconds, with no network call: the workflow may run it as a local activity. */
  readonly local?: boolean;
  /** Must return a Decision that already passed DecisionSchema. Throws on provider failure. */
  decide(ctx: AgentContext, signal?: AbortSignal): Promise<Decision>;
}
