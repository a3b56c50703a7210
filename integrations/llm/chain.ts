import type { Logger } from 'pino';
import { llmProviderChain, type Env } from '../../config/env';
import { createAnthropicProvider } from './anthropic';
import { createAzureOpenAiProvider, staticTokenProvider } from './azure-openai';
import { createFailoverProvider } from './failover';
import { meteredProvider } from './metered';
import { createOpenAiProvider } from './openai';
import { createPlaybookProvider } from './playbook';
import type { LlmProvider } from './provider';

/** Builds the configured providers in failover order; a misnamed or keyless provider stops start-up. */
export function createLlmChain(env: Env, log: Logger): LlmProvider {
  const providers = llmProviderChain(env).map((name): LlmProvider => meteredProvider(buildProvider(env, name)));
  if (providers.length === 1) return providers[0]!;
  return createFailoverProvider(providers, log);
}

function buildProvider(env: Env, name: string): LlmProvider {
  switch (name) {
    case 'playbook':
      return createPlaybookProvider();
    case 'openai':
      if (!env.OPENAI_API_KEY) throw new Error('LLM_PROVIDERS names openai but OPENAI_API_KEY is not set');
      return createOpenAiProvider({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL, model: env.OPENAI_MODEL });
    case 'azure': {
      const { AZURE_OPENAI_ENDPOINT: endpoint, AZURE_OPENAI_DEPLOYMENT: deployment, AZURE_OPENAI_API_KEY: apiKey, AZURE_OPENAI_AD_TOKEN: token } = env;
      if (!endpoint || !deployment) throw new Error('LLM_PROVIDERS names azure but AZURE_OPENAI_ENDPOINT or AZURE_OPENAI_DEPLOYMENT is not set');
      if (!apiKey === !token) throw new Error('LLM_PROVIDERS names azure: set exactly one of AZURE_OPENAI_API_KEY and AZURE_OPENAI_AD_TOKEN');
      return createAzureOpenAiProvider({
        endpoint,
        deployment,
        apiVersion: env.AZURE_OPENAI_API_VERSION,
        ...(apiKey ? { apiKey } : { azureADTokenProvider: staticTokenProvider(token!) }),
      });
    }
    case 'anthropic':
      if (!env.ANTHROPIC_API_KEY) throw new Error('LLM_PROVIDERS names anthropic but ANTHROPIC_API_KEY is not set');
      return createAnthropicProvider({ apiKey: env.ANTHROPIC_API_KEY, baseURL: env.ANTHROPIC_BASE_URL, model: env.ANTHROPIC_MODEL });
    default:
      throw new Error(`LLM_PROVIDERS: unknown provider "${name}" (use playbook, openai, azure, anthropic)`);
  }
}
