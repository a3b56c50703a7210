import { AzureOpenAI } from 'openai';
import type { LlmProvider } from './provider';
import { createChatCompletionsProvider } from './openai';
import { maxToolRoundsOf } from './provider-options';
import type { ProviderOptions } from './provider-options';

/** The GA version of the data-plane API this provider is tested against. */
export const DEFAULT_AZURE_OPENAI_API_VERSION = '2024-10-21';

export interface AzureOpenAiProviderOptions extends Omit<ProviderOptions, 'apiKey' | 'baseURL' | 'model'> {
  /** The resource's endpoint, e.g. `https://my-resource.openai.azure.com`. */
  endpoint: string;
  /** The deployment name; Azure routes by it, so it also stands for the model. */
  deployment: string;
  apiVersion?: string;
  /** Sent as the `api-key` header. Exactly one of this and `azureADTokenProvider`. */
  apiKey?: string;
  /**
   * Returns a Microsoft Entra ID access token for `https://cognitiveservices.azure.com/.default`,
   * sent as `Authorization: Bearer`. With `@azure/identity`:
   * `getBearerTokenProvider(new DefaultAzureCredential(), 'https://cognitiveservices.azure.com/.default')`.
   */
  azureADTokenProvider?: () => Promise<string>;
  /** Azure accepts `prompt_cache_key` only in recent API versions; off unless asked for. */
  promptCacheKey?: boolean;
}

/** A token obtained elsewhere (e.g. `az account get-access-token`), for installations without `@azure/identity`. */
export function staticTokenProvider(token: string): () => Promise<string> {
  return () => Promise.resolve(token);
}

export function createAzureOpenAiProvider(options: AzureOpenAiProviderOptions): LlmProvider {
  if (!options.apiKey === !options.azureADTokenProvider) {
    throw new Error('Azure OpenAI needs exactly one of an API key or an Entra ID token provider');
  }
  const client = new AzureOpenAI({
    endpoint: options.endpoint,
    deployment: options.deployment,
    apiVersion: options.apiVersion ?? DEFAULT_AZURE_OPENAI_API_VERSION,
    ...(options.apiKey ? { apiKey: options.apiKey } : { azureADTokenProvider: options.azureADTokenProvider }),
    // The SDK falls back to OPENAI_BASE_URL, which belongs to the OpenAI provider; null keeps the endpoint in charge.
    baseURL: null,
    maxRetries: options.maxRetries ?? 1,
    timeout: options.timeoutMs ?? 30_000,
  });
  return createChatCompletionsProvider(client, {
    name: 'azure',
    model: options.deployment,
    maxToolRounds: maxToolRoundsOf(options),
    maxOutputTokens: options.maxOutputTokens,
    promptCacheKey: options.promptCacheKey ?? false,
  });
}
