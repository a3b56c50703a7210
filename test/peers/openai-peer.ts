/**
 * A local stand-in for the OpenAI Chat Completions API (`POST /v1/chat/completions`).
 * It speaks the real wire format (auth, error envelope, `chat.completion`
 * objects with tool calls and usage), answers from a per-test script and
 * records every request so tests can assert on what a client sent.
 */
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { nextId, startScriptedPeer } from './scripted-peer';
import type { RecordedRequest, ScriptedPeer, ScriptedResponse } from './scripted-peer';

export interface OpenAiPeer extends ScriptedPeer<ChatCompletionCreateParamsNonStreaming> {
  /** Base URL for the SDK (`…/v1`). */
  baseURL: string;
  /** Completion requests only (401s included). */
  completions(): RecordedRequest<ChatCompletionCreateParamsNonStreaming>[];
}

export interface OpenAiUsage {
  prompt: number;
  completion: number;
  cached?: number;
}

export function openAiError(status: number, message: string, type: string, code: string | null = null): ScriptedResponse {
  return { status, body: { error: { message, type, param: null, code } } };
}

/** A `chat.completion` whose only choice calls the given tools (`finish_reason: 'tool_calls'`). */
export function openAiToolCalls(
  calls: Array<{ name: string; arguments: unknown }>,
  usage: OpenAiUsage = { prompt: 100, completion: 20 },
  model = 'gpt-test',
): ScriptedResponse {
  return {
    status: 200,
    body: {
      id: nextId('chatcmpl-'),
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            refusal: null,
            annotations: [],
            tool_calls: calls.map((call) => ({
              id: nextId('call_'),
              type: 'function',
              function: {
                name: call.name,
                // The API sends arguments as a JSON string; a string given here is sent verbatim.
                arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
              },
            })),
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: {
        prompt_tokens: usage.prompt,
        completion_tokens: usage.completion,
        total_tokens: usage.prompt + usage.completion,
        prompt_tokens_details: { cached_tokens: usage.cached ?? 0, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      },
      service_tier: 'default',
      system_fingerprint: 'fp_peer',
    },
  };
}

/** The checks the real API makes before a model sees a request: a malformed conversation is a 400. */
export function invalidRequest(body: ChatCompletionCreateParamsNonStreaming | null): string | null {
  if (!body || typeof body !== 'object') return 'We could not parse the JSON body of your request.';
  if (typeof body.model !== 'string' || !body.model) return "Missing required parameter: 'model'.";
  if (!Array.isArray(body.messages) || body.messages.length === 0) return "Invalid 'messages': empty array.";
  if (body.tool_choice !== undefined && (!Array.isArray(body.tools) || body.tools.length === 0)) {
    return "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.";
  }
  const open = new Set<string>();
  for (const [i, message] of body.messages.entries()) {
    if (message.role === 'tool') {
      if (!open.has(message.tool_call_id)) {
        return `Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'. (messages[${i}])`;
      }
      open.delete(message.tool_call_id);
      continue;
    }
    if (open.size > 0) {
      return `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open].join(', ')}`;
    }
    if (message.role === 'assistant') for (const call of message.tool_calls ?? []) open.add(call.id);
  }
  return null;
}

function unauthorized(authorization: string | undefined): ScriptedResponse {
  const shown = (authorization ?? '').replace(/^Bearer /, '');
  return openAiError(
    401,
    `Incorrect API key provided: ${shown.slice(0, 3)}***${shown.slice(-4)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    'invalid_request_error',
    'invalid_api_key',
  );
}

export async function startOpenAiPeer(options: { apiKey: string }): Promise<OpenAiPeer> {
  const { origin, routed, ...peer } = await startScriptedPeer<ChatCompletionCreateParamsNonStreaming>({
    route: { method: 'POST', path: '/v1/chat/completions' },
    responseHeaders: () => ({ 'x-request-id': nextId('req_'), 'openai-processing-ms': '1' }),
    notFound: (method, path) => openAiError(404, `Invalid URL (${method} ${path})`, 'invalid_request_error'),
    authorize: ({ authorization }) => (authorization === `Bearer ${options.apiKey}` ? null : unauthorized(authorization)),
    validate: ({ body }) => {
      const invalid = invalidRequest(body);
      return invalid ? openAiError(400, invalid, 'invalid_request_error') : null;
    },
    exhausted: () => openAiError(500, 'openai peer: no scripted response left', 'server_error'),
  });
  return { ...peer, baseURL: `${origin}/v1`, completions: routed };
}
