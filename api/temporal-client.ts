import { readFile } from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import type { Env } from '../config/env';

export async function connectTemporal(env: Env): Promise<Client> {
  const connection = await Connection.connect({
    address: env.TEMPORAL_ADDRESS,
    ...(env.TEMPORAL_TLS_CERT_PATH && env.TEMPORAL_TLS_KEY_PATH
      ? { tls: { clientCertPair: { crt: await readFile(env.TEMPORAL_TLS_CERT_PATH), key: await readFile(env.TEMPORAL_TLS_KEY_PATH) } } }
      : env.TEMPORAL_API_KEY
        ? { tls: true, apiKey: env.TEMPORAL_API_KEY }
        : {}),
  });
  return new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
}
