import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { payloadKeys, type Env } from '../config/env';
import { temporalConnectionOptions } from '../config/temporal';
import { payloadDataConverter } from '../temporal/payload-codec';
import { clientInterceptors } from '../observability/telemetry';

export async function connectTemporal(env: Env): Promise<Client> {
  const connection = await Connection.connect(await temporalConnectionOptions(env));
  // The same codec as the worker: what the API signals (customer text) is encrypted before it reaches history.
  return new Client({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    dataConverter: payloadDataConverter(payloadKeys(env)),
    // With tracing on, signalWithStart and the rest become spans whose context the workflow continues.
    interceptors: clientInterceptors(),
  });
}

/** The codec the API's client uses, for the /codec endpoint; null when PAYLOAD_KEYS is unset. */
export function payloadCodec(env: Env): PayloadCodec | null {
  return payloadDataConverter(payloadKeys(env))?.payloadCodecs?.[0] ?? null;
}
