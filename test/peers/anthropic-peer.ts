/**
 * A local stand-in for the Anthropic Messages API (`POST /v1/messages`).
 * It speaks the real wire format (API key and `anthropic-version`
 * headers, the `{type:'error'}` envelope, `message` objects with `tool_use`
 * blocks and usage including cache reads), answers from a per-test script and
 * records every request so tests can assert on what a client sent.
 */
import type { IncomingMessage } from 'node:http';
import type { MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages';
import { nextId, startScriptedPeer } from './scripted-peer';
import type { RecordedRequest, ScriptedPeer, ScriptedResponse } from './scripted-peer';

export interface AnthropicPeer extends ScriptedPeer<MessageCreateParamsNonStreaming> {
  /** Base URL for the SDK (server root; the SDK adds `/v1/messages`). */
  baseURL: string;
  messages(): RecordedRequest<MessageCreateParamsNonStreaming>[];
}

export interface AnthropicUsage {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

export function anthropicError(status: number, type: string, message: string): ScriptedResponse {
  return { status, body: { type: 'error', error: { type, message }, request_id: nextId('req_') } };
}

/** A `message` that calls the given tools (`stop_reason: 'tool_use'`), optionally after some text. */
export function anthropicToolUse(
  calls: Array<{ name: string; input: unknown }>,
  usage: AnthropicUsage = { input: 100, output: 20 },
  options: { text?: string; model?: string } = {},
): ScriptedResponse {
  const content: unknown[] = [];
  if (options.text) content.push({ type: 'text', text: options.text, citations: null });
  for (const call of calls) content.push({ type: 'tool_use', id: nextId('toolu_'), name: call.name, input: call.input, caller: { type: 'direct' } });
  return {
    status: 200,
    body: {
      id: nextId('msg_'),
      type: 'message',
      role: 'assistant',
      model: options.model ?? 'claude-test',
      content,
      stop_reason: 'tool_use',
      stop_sequence: null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage: {
        input_tokens: usage.input,
        output_tokens: usage.output,
        cache_read_input_tokens: usage.cacheRead ?? 0,
        cache_creation_input_tokens: usage.cacheWrite ?? 0,
        cache_creation: { ephemeral_5m_input_tokens: usage.cacheWrite ?? 0, ephemeral_1h_input_tokens: 0 },
        server_tool_use: null,
        service_tier: 'standard',
        inference_geo: null,
        output_tokens_details: null,
      },
    },
  };
}

type Block = { type: string; id?: string; tool_use_id?: string };

function blocksOf(content: MessageCreateParamsNonStreaming['messages'][number]['content']): Block[] {
  return typeof content === 'string' ? [{ type: 'text' }] : (content as Block[]);
}

/** The checks the real API makes before a model sees a request: a malformed conversation is a 400. */
function invalidRequest(body: MessageCreateParamsNonStreaming | null): string | null {
  if (!body || typeof body !== 'object') return 'messages: request body is not valid JSON';
  if (typeof body.model !== 'string' || !body.model) return 'model: Field required';
  if (typeof body.max_tokens !== 'number') return 'max_tokens: Field required';
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: at least one message is required';
  if (body.messages[0]?.role !== 'user') return 'messages: first message must use the "user" role';
  if (body.tool_choice && body.tool_choice.type !== 'auto' && body.tool_choice.type !== 'none' && !body.tools?.length) {
    return 'tool_choice: tool_choice may only be specified while providing tools';
  }
  let breakpoints = Array.isArray(body.system) ? body.system.filter((b) => b.cache_control).length : 0;
  for (const [i, message] of body.messages.entries()) {
    if (message.role !== 'user' && message.role !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    const blocks = blocksOf(message.content);
    if (blocks.length === 0) return `messages.${i}: all messages must have non-empty content`;
    breakpoints += blocks.filter((b) => 'cache_control' in b && b.cache_control).length;
    const toolUses = blocks.filter((b) => b.type === 'tool_use').map((b) => b.id);
    if (toolUses.length > 0) {
      const next = body.messages[i + 1];
      const answered = new Set(next && next.role === 'user' ? blocksOf(next.content).filter((b) => b.type === 'tool_result').map((b) => b.tool_use_id) : []);
      const missing = toolUses.filter((id) => !answered.has(id));
      if (missing.length > 0) {
        return `messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
      }
    }
  }
  if (breakpoints > 4) return `A maximum of 4 blocks with cache_control may be provided. Found ${breakpoints}.`;
  return null;
}

/**
 * The key arrives as `x-api-key` from raw HTTP clients and older SDKs, and as
 * `Authorization: Bearer` from the installed SDK (v1.x sends every credential
 * that way); the API takes either.
 */
export function apiKeyOf(headers: IncomingMessage['headers']): string | undefined {
  const header = headers['x-api-key'];
  if (typeof header === 'string') return header;
  const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '');
  return bearer?.[1];
}

export async function startAnthropicPeer(options: { apiKey: string }): Promise<AnthropicPeer> {
  const { origin, routed, ...peer } = await startScriptedPeer<MessageCreateParamsNonStreaming>({
    route: { method: 'POST', path: '/v1/messages' },
    responseHeaders: () => ({ 'request-id': nextId('req_') }),
    notFound: () => anthropicError(404, 'not_found_error', 'Not Found'),
    authorize: (headers) => (apiKeyOf(headers) === options.apiKey ? null : anthropicError(401, 'authentication_error', 'invalid x-api-key')),
    validate: ({ headers, body }) => {
      const version = headers['anthropic-version'];
      if (typeof version !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(version)) {
        return anthropicError(400, 'invalid_request_error', 'anthropic-version: header is required');
      }
      const invalid = invalidRequest(body);
      return invalid ? anthropicError(400, 'invalid_request_error', invalid) : null;
    },
    exhausted: () => anthropicError(500, 'api_error', 'anthropic peer: no scripted response left'),
  });
  return { ...peer, baseURL: origin, messages: routed };
}
