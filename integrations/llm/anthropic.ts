import Anthropic from '@anthropic-ai/sdk';
import type {
  ContentBlockParam,
  MessageCreateParamsNonStreaming,
  MessageParam,
  TextBlockParam,
  Tool,
  ToolResultBlockParam,
} from '@anthropic-ai/sdk/resources/messages';
import type { Decision } from '../../domain/decision';
import { DECISION_TOOL, runToolLoop, toolDefinitions } from './decision-tool';
import type { ModelRound, ToolLoopTransport } from './decision-tool';
import { buildSystemPrompt, buildTurnMessages } from './prompt';
import type { AgentContext, LlmProvider } from './provider';
import { maxToolRoundsOf, sdkClientOptions } from './provider-options';
import type { ProviderOptions } from './provider-options';

export interface AnthropicProviderOptions extends ProviderOptions {
  /** Server root without `/v1`, e.g. a gateway or a local peer. */
  baseURL?: string;
}

const tools: Tool[] = toolDefinitions.map((tool) => ({
  name: tool.name,
  description: tool.description,
  input_schema: tool.inputSchema,
}));

/**
 * The cache prefix runs tools → system → messages, so one breakpoint on the
 * system block caches the tools and the playbook prompt for every turn of
 * every lead of the merchant. Anthropic only caches prefixes above a model's
 * minimum size (about 1-4k tokens); below it the marker is simply ignored.
 */
function systemBlocks(ctx: AgentContext): TextBlockParam[] {
  return [{ type: 'text', text: buildSystemPrompt(ctx.playbook), cache_control: { type: 'ephemeral' } }];
}

/**
 * Marks the newest block so a follow-up request in the same turn (after a
 * catalog lookup) reads the earlier rounds from cache. Only the latest message
 * carries it, keeping within the four-breakpoint limit.
 */
function withRoundBreakpoint(messages: MessageParam[]): MessageParam[] {
  const last = messages.at(-1);
  if (!last || last.role !== 'user' || typeof last.content === 'string') return messages;
  const content = last.content;
  const blocks = content.map((block, i) =>
    i === content.length - 1 && block.type === 'tool_result' ? { ...block, cache_control: { type: 'ephemeral' as const } } : block,
  );
  return [...messages.slice(0, -1), { role: 'user', content: blocks }];
}

export function createAnthropicProvider(options: AnthropicProviderOptions): LlmProvider {
  const client = new Anthropic(sdkClientOptions(options));
  const maxToolRounds = maxToolRoundsOf(options);

  return {
    name: 'anthropic',
    async decide(ctx: AgentContext, signal?: AbortSignal): Promise<Decision> {
      const messages: MessageParam[] = buildTurnMessages(ctx).map((m) => ({ role: m.role, content: m.content }));
      let lastAssistant: ContentBlockParam[] = [];

      const transport: ToolLoopTransport = {
        async send(final): Promise<ModelRound> {
          const params: MessageCreateParamsNonStreaming = {
            model: options.model,
            max_tokens: options.maxOutputTokens ?? 1024,
            system: systemBlocks(ctx),
            tools,
            tool_choice: final ? { type: 'tool', name: DECISION_TOOL } : { type: 'any' },
            messages: withRoundBreakpoint(messages),
          };
          const response = await client.messages.create(params, { signal });
          lastAssistant = [];
          const calls: ModelRound['calls'] = [];
          for (const block of response.content) {
            if (block.type === 'text' && block.text) lastAssistant.push({ type: 'text', text: block.text });
            if (block.type === 'tool_use') {
              lastAssistant.push({ type: 'tool_use', id: block.id, name: block.name, input: block.input });
              calls.push({ id: block.id, name: block.name, input: block.input });
            }
          }
          const cacheRead = response.usage.cache_read_input_tokens ?? 0;
          const cacheWrite = response.usage.cache_creation_input_tokens ?? 0;
          return {
            calls,
            tokens: {
              // Anthropic reports cached and cache-writing tokens apart from
              // input_tokens; summing them makes inputTokens mean "whole prompt"
              // for both providers, with cachedInputTokens the part read from cache.
              inputTokens: response.usage.input_tokens + cacheRead + cacheWrite,
              outputTokens: response.usage.output_tokens,
              cachedInputTokens: cacheRead,
            },
          };
        },
        addToolResults(results) {
          messages.push({ role: 'assistant', content: lastAssistant });
          const blocks: ToolResultBlockParam[] = results.map((r) => ({
            type: 'tool_result',
            tool_use_id: r.id,
            content: r.content,
            ...(r.isError ? { is_error: true } : {}),
          }));
          messages.push({ role: 'user', content: blocks });
        },
      };

      return runToolLoop(ctx, transport, { provider: 'anthropic', model: options.model, maxToolRounds, signal });
    },
  };
}
