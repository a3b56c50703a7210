/**
 * A local stand-in for the OpenAI Chat Completions API (`POST /v1/chat/completions`).
 * It speaks the real wire format (auth, error envelope, `chat.completion`
 * objects with tool calls and usage), answers from a per-test script and
 * records every request so tests can assert on what a client sent.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';

export interface RecordedRequest<Body = ChatCompletionCreateParamsNonStreaming> {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** Raw body as received, for size comparisons. */
  raw: string;
  /** Parsed JSON, typed as what a client is supposed to send; null when it did not parse. */
  body: Body | null;
}

export interface ScriptedResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Wait before answering, e.g. to let a client abort. */
  delayMs?: number;
}

export interface OpenAiPeer {
  /** Base URL for the SDK (`…/v1`). */
  baseURL: string;
  requests: RecordedRequest[];
  /** Completion requests only (401s included). */
  completions(): RecordedRequest[];
  enqueue(...responses: ScriptedResponse[]): void;
  pending(): number;
  close(): Promise<void>;
}

export interface OpenAiUsage {
  prompt: number;
  completion: number;
  cached?: number;
}

let sequence = 0;
const nextId = (prefix: string) => `${prefix}${Date.now().toString(36)}${(sequence++).toString(36).padStart(4, '0')}`;

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
function invalidRequest(body: ChatCompletionCreateParamsNonStreaming | null): string | null {
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

function parseJson<T>(raw: string): T | null {
  try {
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

function send(res: ServerResponse, response: ScriptedResponse) {
  const payload = JSON.stringify(response.body);
  res.writeHead(response.status, {
    'content-type': 'application/json',
    'x-request-id': nextId('req_'),
    'openai-processing-ms': '1',
    ...response.headers,
  });
  res.end(payload);
}

export async function startOpenAiPeer(options: { apiKey: string }): Promise<OpenAiPeer> {
  const queue: ScriptedResponse[] = [];
  const requests: RecordedRequest[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = parseJson<ChatCompletionCreateParamsNonStreaming>(raw);
    const path = (req.url ?? '').split('?')[0] ?? '';
    requests.push({ method: req.method ?? '', path, headers: req.headers, raw, body });

    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      return send(res, openAiError(404, `Invalid URL (${req.method} ${path})`, 'invalid_request_error'));
    }
    if (req.headers.authorization !== `Bearer ${options.apiKey}`) {
      const shown = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      return send(
        res,
        openAiError(
          401,
          `Incorrect API key provided: ${shown.slice(0, 3)}***${shown.slice(-4)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          'invalid_request_error',
          'invalid_api_key',
        ),
      );
    }
    const invalid = invalidRequest(body);
    if (invalid) return send(res, openAiError(400, invalid, 'invalid_request_error'));

    const next = queue.shift();
    if (!next) return send(res, openAiError(500, 'openai peer: no scripted response left', 'server_error'));
    if (next.delayMs) {
      const timer = setTimeout(() => send(res, next), next.delayMs);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    send(res, next);
  }

  const server = createServer((req, res) => void handle(req, res));

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    completions: () => requests.filter((r) => r.path === '/v1/chat/completions'),
    enqueue: (...responses) => void queue.push(...responses),
    pending: () => queue.length,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
