import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createActivities } from '../activities';
import { createWebchatChannel } from '../activities/channels/webchat';
import { createPlaybookProvider } from '../integrations/llm/playbook';
import { createDemoPaymentProvider } from '../integrations/payments/demo';
import { createPaymentRegistry } from '../integrations/payments/registry';
import { demoCatalog, demoPlaybook } from '../db/demo-data';
import { createDb, type Db } from '../db/knex';
import { upsertProducts } from '../db/queries/catalog';
import { upsertMerchant } from '../db/queries/merchants';
import { inboundSignal, leadWorkflowId, stateQuery, type LeadState, type LeadWorkflowInput } from '../workflows/contract';
import { eventually } from './support/chat';
import { requireEnv } from './support/stack';
import { timeSkippingWorker } from './support/workflow-bundle';

/**
 * Production cadences (a day, three days, a month) on the time-skipping test
 * server: the timers are the real ones, only the clock is fast.
 */
describe('real follow-up cadence with skipped time', () => {
  let db: Db;
  before(() => {
    db = createDb(requireEnv('TEST_DATABASE_URL'));
  });
  const temporal = timeSkippingWorker(() =>
    createActivities({
      db,
      llm: createPlaybookProvider(),
      channels: { webchat: createWebchatChannel(db) },
      payments: createPaymentRegistry([createDemoPaymentProvider(db, 'http://127.0.0.1:1')], '*:demo'),
      publicBaseUrl: 'http://127.0.0.1:1',
      checkoutTtlMs: 3_600_000,
    }),
  );
  // Registered after the worker's hooks, so the pool closes only once the worker has shut down.
  after(() => db.destroy());

  test('follow-ups after one and three days of silence, then the lead closes as inactive after a month', async () => {
    const merchant = `ts-${randomUUID().slice(0, 8)}`;
    await upsertMerchant(db, { id: merchant, name: 'Time skipping shop' }, demoPlaybook);
    await upsertProducts(db, merchant, demoCatalog);
    const input: LeadWorkflowInput = { merchantId: merchant, channel: 'webchat', customerKey: 'quiet' };
    const handle = await temporal.env.client.workflow.signalWithStart('leadConversation', {
      workflowId: leadWorkflowId(merchant, 'webchat', 'quiet'),
      taskQueue: temporal.taskQueue,
      args: [input],
      signal: inboundSignal,
      signalArgs: [{ id: 'm1', text: 'Hi, do you have tents?', at: new Date().toISOString() }],
    });
    const query = () => handle.query<LeadState>(stateQuery.name);
    await eventually(query, (s) => s.turns === 1 && s.nextFollowUpAt !== null, 'first reply');

    await temporal.env.sleep('25 hours');
    const afterDay = await eventually(query, (s) => s.followUpsSent === 1, 'first follow-up');
    assert.equal(afterDay.lastMessages.at(-1)!.text, demoPlaybook.followUp.en);

    await temporal.env.sleep('3 days');
    const afterFour = await eventually(query, (s) => s.followUpsSent === 2, 'second follow-up');
    assert.equal(afterFour.nextFollowUpAt, null, 'the cadence has two steps');

    await temporal.env.sleep('31 days');
    const final = (await handle.result()) as LeadState;
    assert.equal(final.closed?.reason, 'inactive');
    assert.equal(final.stage, 'lost');
    const sent = await db('messages').where({ conversation_id: handle.workflowId, direction: 'out' });
    assert.equal(sent.length, 3, 'one reply and two follow-ups, nothing more');
  });
});
