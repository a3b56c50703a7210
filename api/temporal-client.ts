import { Client, Connection } from '@temporalio/client';
import type { Env } from '../config/env';
import { temporalConnectionOptions } from '../config/temporal';

export async function connectTemporal(env: Env): Promise<Client> {
  const connection = await Connection.connect(await temporalConnectionOptions(env));
  return new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
}
