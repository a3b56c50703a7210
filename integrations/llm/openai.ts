import OpenAI from 'openai';
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
  ChatCompletionToolChoiceOption,
} from 'openai/resources/chat/completions';
import type { Decision } from '../../domain/decision';
import { DECISION_TOOL, runToolLoop, toolDefinitions } from './decision-tool';
import type { ModelRound, ToolCall, ToolLoopTransport } from './decision-tool';
import { buildSystemPrompt, buildTurnMessages } from './prompt';
import type { AgentContext, LlmProvider } from './provider';
import { maxToolRoundsOf, sdkClientOptions } from './provider-options';
import type { ProviderOptions } from './provider-options';

export interface OpenAiProviderOptions extends ProviderOptions {
  /** Any OpenAI-compatible server, e.g. `http://127.0.0.1:8080/v1` for a local model. */
  baseURL?: string;
  /**
   * Sends `prompt_cache_key` per merchant so OpenAI routes a merchant's turns to
   * the same cache. On by default only when talking to api.openai.com: some
   * compatible servers reject parameters they do not know.
   */
  promptCacheKey?: boolean;
}

const tools: ChatCompletionTool[] = toolDefinitions.map((tool) => ({
  type: 'function',
  function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
}));

const forceDecision: ChatCompletionToolChoiceOption = { type: 'function', function: { name: DECISION_TOOL } };

function parseArguments(id: string, name: string, raw: string): ToolCall {
  try {
    return { id, name, input: JSON.parse(raw) as unknown };
  } catch {
    return { id, name, input: undefined, rawArguments: raw };
  }
}

/** What differs between services that speak Chat Completions once the client is built. */
export interface ChatCompletionsSettings {
  name: 'openai' | 'azure';
  /** The model, or for Azure the deployment (the URL names it; the body still carries it). */
  model: string;
  maxToolRounds: number;
  maxOutputTokens?: number;
  promptCacheKey: boolean;
}

/**
 * The Chat Completions tool loop for any client of the `openai` SDK: OpenAI
 * itself, a compatible server, or `AzureOpenAI`, which differs only in URL
 * and credentials.
 */
export function createChatCompletionsProvider(client: OpenAI, settings: ChatCompletionsSettings): LlmProvider {
  const { model, maxToolRounds, maxOutputTokens } = settings;
  const useCacheKey = settings.promptCacheKey;

  return {
    name: settings.name,
    async decide(ctx: AgentContext, signal?: AbortSignal): Promise<Decision> {
      // System prompt and tools come first and depend only on the playbook, so
      // OpenAI's automatic prefix caching covers them on every turn.
      const messages: ChatCompletionMessageParam[] = [
        { role: 'system', content: buildSystemPrompt(ctx.playbook) },
        ...buildTurnMessages(ctx),
      ];
      let lastAssistant: ChatCompletionMessageParam | null = null;

      const transport: ToolLoopTransport = {
        async send(final): Promise<ModelRound> {
          const params: ChatCompletionCreateParamsNonStreaming = {
            model,
            messages,
            tools,
            tool_choice: final ? forceDecision : 'required',
          };
          if (maxOutputTokens) params.max_completion_tokens = maxOutputTokens;
          if (useCacheKey) params.prompt_cache_key = `autocloser:${ctx.merchantId}`;

          const completion = await client.chat.completions.create(params, { signal });
          const message = completion.choices[0]?.message;
          if (!message) throw new Error(`${settings.name} returned no choices`);
          const calls = (message.tool_calls ?? []).flatMap((call) =>
            call.type === 'function' ? [parseArguments(call.id, call.function.name, call.function.arguments)] : [],
          );
          lastAssistant = { role: 'assistant', content: message.content, tool_calls: message.tool_calls };
          return {
            calls,
            tokens: {
              inputTokens: completion.usage?.prompt_tokens ?? 0,
              outputTokens: completion.usage?.completion_tokens ?? 0,
              cachedInputTokens: completion.usage?.prompt_tokens_details?.cached_tokens ?? 0,
            },
          };
        },
        addToolResults(results) {
          if (lastAssistant) messages.push(lastAssistant);
          for (const result of results) messages.push({ role: 'tool', tool_call_id: result.id, content: result.content });
        },
      };

      return runToolLoop(ctx, transport, { provider: settings.name, model, maxToolRounds, signal });
    },
  };
}

export function createOpenAiProvider(options: OpenAiProviderOptions): LlmProvider {
  const client = new OpenAI(sdkClientOptions(options));
  return createChatCompletionsProvider(client, {
    name: 'openai',
    model: options.model,
    maxToolRounds: maxToolRoundsOf(options),
    maxOutputTokens: options.maxOutputTokens,
    promptCacheKey: options.promptCacheKey ?? new URL(client.baseURL).hostname === 'api.openai.com',
  });
}
