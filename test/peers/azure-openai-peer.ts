/**
 * A local stand-in for Azure OpenAI's Chat Completions endpoint:
 * `POST /openai/deployments/{deployment}/chat/completions?api-version=…`,
 * authenticated by the `api-key` header or a Microsoft Entra ID bearer token.
 * It refuses what Azure refuses, with Azure's error envelope (`code` as a
 * string, no `type`): an unknown deployment or path is a 404, a missing or
 * unsupported `api-version` a 404, a wrong or missing credential a 401. The
 * request and response bodies are OpenAI's, plus Azure's content-filter report.
 */
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { invalidRequest, openAiToolCalls } from './openai-peer';
import type { OpenAiUsage } from './openai-peer';
import { nextId, startScriptedPeer } from './scripted-peer';
import type { RecordedRequest, ScriptedPeer, ScriptedResponse } from './scripted-peer';

export interface AzureOpenAiPeer extends ScriptedPeer<ChatCompletionCreateParamsNonStreaming> {
  /** The resource endpoint, as `AZURE_OPENAI_ENDPOINT` would hold it. */
  endpoint: string;
  /** Requests to the deployment's completions path (refused ones included). */
  completions(): RecordedRequest<ChatCompletionCreateParamsNonStreaming>[];
}

export interface AzureOpenAiPeerOptions {
  deployment: string;
  /** Accepted as the `api-key` header. */
  apiKey?: string;
  /** Accepted as `Authorization: Bearer …`. */
  entraToken?: string;
  apiVersions?: string[];
}

export function azureError(status: number, code: string, message: string): ScriptedResponse {
  return { status, body: { error: { code, message } } };
}

const notFound = () => azureError(404, '404', 'Resource not found');

const filtered = { hate: { filtered: false, severity: 'safe' }, self_harm: { filtered: false, severity: 'safe' }, sexual: { filtered: false, severity: 'safe' }, violence: { filtered: false, severity: 'safe' } };

/** OpenAI's `chat.completion` as Azure returns it, with the prompt's content-filter results. */
export function azureToolCalls(calls: Array<{ name: string; arguments: unknown }>, usage?: OpenAiUsage, model = 'gpt-4o-mini'): ScriptedResponse {
  const response = openAiToolCalls(calls, usage, model);
  const body = response.body as { choices: Array<Record<string, unknown>> } & Record<string, unknown>;
  return {
    ...response,
    body: {
      ...body,
      prompt_filter_results: [{ prompt_index: 0, content_filter_results: filtered }],
      choices: body.choices.map((choice) => ({ ...choice, content_filter_results: {} })),
    },
  };
}

export async function startAzureOpenAiPeer(options: AzureOpenAiPeerOptions): Promise<AzureOpenAiPeer> {
  const versions = new Set(options.apiVersions ?? ['2024-10-21', '2025-04-01-preview']);
  const path = `/openai/deployments/${options.deployment}/chat/completions`;
  const { origin, routed, ...peer } = await startScriptedPeer<ChatCompletionCreateParamsNonStreaming>({
    route: { method: 'POST', path },
    responseHeaders: () => ({ 'apim-request-id': nextId('apim-'), 'x-request-id': nextId('req-'), 'x-ms-region': 'West Europe' }),
    notFound: (_method, requested) =>
      requested.startsWith('/openai/deployments/') && requested.endsWith('/chat/completions')
        ? azureError(404, 'DeploymentNotFound', 'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.')
        : notFound(),
    authorize: (headers) => {
      const key = headers['api-key'];
      if (key !== undefined) {
        return options.apiKey && key === options.apiKey
          ? null
          : azureError(401, '401', 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.');
      }
      const bearer = headers.authorization?.replace(/^Bearer /, '');
      if (bearer !== undefined && options.entraToken && bearer === options.entraToken) return null;
      if (bearer !== undefined) {
        return azureError(401, '401', 'Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), or have expired.');
      }
      return azureError(401, '401', 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.');
    },
    validate: (request) => {
      const version = request.query?.get('api-version');
      if (!version || !versions.has(version)) return notFound();
      const invalid = invalidRequest(request.body);
      return invalid ? azureError(400, 'BadRequest', invalid) : null;
    },
    exhausted: () => azureError(500, 'InternalServerError', 'azure openai peer: no scripted response left'),
  });
  return { ...peer, endpoint: origin, completions: routed };
}
