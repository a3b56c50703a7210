/**
 * Settings every SDK-backed provider takes: where and how to reach the API,
 * which model to ask, and the bounds of one turn's tool loop.
 */
export interface ProviderOptions {
  apiKey: string;
  /** Where the SDK sends requests instead of the vendor's own endpoint. */
  baseURL?: string;
  model: string;
  /** Catalog lookup rounds before the model must submit its decision. */
  maxToolRounds?: number;
  timeoutMs?: number;
  /** Temporal retries the activity, so the SDK only retries once on its own. */
  maxRetries?: number;
  maxOutputTokens?: number;
}

/** Constructor settings both vendor SDKs accept under the same names. */
export function sdkClientOptions(options: ProviderOptions) {
  return {
    apiKey: options.apiKey,
    baseURL: options.baseURL,
    maxRetries: options.maxRetries ?? 1,
    timeout: options.timeoutMs ?? 30_000,
  };
}

export function maxToolRoundsOf(options: Pick<ProviderOptions, 'maxToolRounds'>): number {
  return options.maxToolRounds ?? 3;
}
