import { readFile } from 'node:fs/promises';
import type { Env } from './env';

/** Connection settings shared by the API's client and the worker: plain, mTLS, or API key (Temporal Cloud). */
export async function temporalConnectionOptions(env: Env) {
  if (env.TEMPORAL_TLS_CERT_PATH && env.TEMPORAL_TLS_KEY_PATH) {
    const [crt, key] = await Promise.all([readFile(env.TEMPORAL_TLS_CERT_PATH), readFile(env.TEMPORAL_TLS_KEY_PATH)]);
    return { address: env.TEMPORAL_ADDRESS, tls: { clientCertPair: { crt, key } } };
  }
  if (env.TEMPORAL_API_KEY) return { address: env.TEMPORAL_ADDRESS, tls: true, apiKey: env.TEMPORAL_API_KEY };
  return { address: env.TEMPORAL_ADDRESS };
}
