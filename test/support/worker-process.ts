/**
 * A worker in its own process, so a test can kill it with SIGKILL the way a
 * crashed machine would. Prints "ready" once it polls.
 */
import { NativeConnection } from '@temporalio/worker';
import { createWebchatChannel } from '../../activities/channels/webchat';
import { createPlaybookProvider } from '../../integrations/llm/playbook';
import { createDemoPaymentProvider } from '../../integrations/payments/demo';
import { createPaymentRegistry } from '../../integrations/payments/registry';
import { createDb } from '../../db/knex';
import { createWorker } from '../../worker/create-worker';
import { requireEnv } from './stack';
import { parsePayloadKeys, payloadDataConverter } from '../../temporal/payload-codec';

const db = createDb(requireEnv('TEST_DATABASE_URL'));
const connection = await NativeConnection.connect({ address: requireEnv('TEST_TEMPORAL_ADDRESS') });
const worker = await createWorker({
  connection,
  namespace: 'default',
  taskQueue: requireEnv('TASK_QUEUE'),
  deps: {
    db,
    llm: createPlaybookProvider(),
    channels: { webchat: createWebchatChannel(db) },
    payments: createPaymentRegistry([createDemoPaymentProvider(db, requireEnv('PUBLIC_URL'))], '*:demo'),
    publicBaseUrl: requireEnv('PUBLIC_URL'),
    checkoutTtlMs: 3_600_000,
  },
  // The spawning suite's keys, so this worker reads what its client encrypted.
  overrides: { dataConverter: payloadDataConverter(process.env.PAYLOAD_KEYS ? parsePayloadKeys(process.env.PAYLOAD_KEYS) : undefined) },
});
const running = worker.run();
process.stdout.write('ready\n');
await running;
await db.destroy();
