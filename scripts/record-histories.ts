/**
 * Records test/histories/<label>/: runs representative conversations on a real
 * stack and saves every workflow's event history. The replay test feeds them
 * to the current workflow code, so a change that would break running
 * conversations fails CI. Record a new folder after a patched() change; keep the old ones.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { repoRoot } from '../config/env';
import { deleteProduct } from '../db/queries/catalog';
import { leadWorkflowId, merchantIdKey, stateQuery, type LeadWorkflowInput } from '../workflows/contract';
import { eventually, getTranscript, postMessage, replies } from '../test/support/chat';
import { startTestServices } from '../test/support/services';
import { startStack } from '../test/support/stack';

// One folder per recording: older ones stay, so today's code must still replay yesterday's conversations.
const label = process.argv[2] ?? new Date().toISOString().slice(0, 10);
const outDir = path.join(repoRoot, 'test', 'histories', label);

async function main(): Promise<void> {
  const services = await startTestServices('record', (l) => process.stdout.write(`${l}\n`));
  Object.assign(process.env, services.env);
  // Without the codec: saved histories must replay with any key, or none.
  const stack = await startStack({ payloadKeys: null });
  try {
    const merchant = await stack.createMerchant({ followUpDelaysSeconds: [1, 1] });
    const say = async (s: string, text: string, expectReplies: number) => {
      await postMessage(stack.apiUrl, merchant, { sessionId: s, text });
      await eventually(() => getTranscript(stack.apiUrl, merchant, s), (m) => replies(m).length >= expectReplies, `${expectReplies} replies`);
    };
    const handle = (s: string) => stack.client.workflow.getHandle(leadWorkflowId(merchant, 'webchat', s));

    // A sale, paid through the demo checkout.
    await say('sale-0001', 'Hi! What tents do you have?', 1);
    await say('sale-0001', 'How much is the 2-person tent?', 2);
    await say('sale-0001', "I'll take it, how do I pay?", 4);
    const { pendingPayment } = await eventually(() => handle('sale-0001').query(stateQuery), (st) => st.pendingPayment !== null, 'checkout');
    await fetch(`${stack.apiUrl}/pay/demo/${pendingPayment!.orderId}/pay`, { method: 'POST', redirect: 'manual' });
    await eventually(() => handle('sale-0001').query(stateQuery), (st) => st.stage === 'won', 'won');

    // Steering from the Temporal UI, then closing.
    await say('steer-0001', 'Hello, do you have sleeping bags?', 1);
    await handle('steer-0001').signal('takeOver', { by: 'support' });
    await postMessage(stack.apiUrl, merchant, { sessionId: 'steer-0001', text: 'Is anyone there?' });
    await handle('steer-0001').signal('agentMessage', { text: 'Hi, a person here. Yes, we do.', by: 'support' });
    await handle('steer-0001').signal('release', { by: 'support' });
    await say('steer-0001', 'Great, thanks', 3);
    await handle('steer-0001').signal('closeLead', { reason: 'recorded' });
    await handle('steer-0001').result();

    // One order of two products: the basket's lines, their stock held and then taken when paid.
    const shop = await stack.createMerchant();
    // One tent in this shop, so "a tent" names it.
    await deleteProduct(stack.db, shop, 'TENT-BC4', { merchantId: shop, userId: null, actor: 'recording', action: 'product.delete', target: 'TENT-BC4' });
    await postMessage(stack.apiUrl, shop, { sessionId: 'basket-0001', text: "I'll take one tent and two sleeping bags" });
    const basket = stack.client.workflow.getHandle(leadWorkflowId(shop, 'webchat', 'basket-0001'));
    const basketOrder = await eventually(() => basket.query(stateQuery), (st) => st.pendingPayment !== null, 'basket checkout');
    await fetch(`${stack.apiUrl}/pay/demo/${basketOrder.pendingPayment!.orderId}/pay`, { method: 'POST', redirect: 'manual' });
    await eventually(() => basket.query(stateQuery), (st) => st.stage === 'won', 'basket won');

    // Follow-ups on a quiet lead, and a hand-off on anger.
    await say('quiet-0001', 'Hi, just browsing', 1);
    await eventually(() => handle('quiet-0001').query(stateQuery), (st) => st.followUpsSent === 2, 'two follow-ups', 15_000);
    // The merchant changed the playbook: the lead reloads its settings.
    await handle('quiet-0001').signal('settingsChanged');
    await eventually(
      async () => (await handle('quiet-0001').fetchHistory()).events ?? [],
      (events) => {
        const signalled = events.findIndex((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'settingsChanged');
        return signalled >= 0 && events.slice(signalled).some((e) => e.markerRecordedEventAttributes);
      },
      'settings reloaded',
    );
    await say('angry-0001', 'This is TERRIBLE, you are useless!!!', 1);

    // Continue-as-new under a small history budget.
    const input: LeadWorkflowInput = { merchantId: merchant, channel: 'webchat', customerKey: 'long-0001', maxHistoryEvents: 20 };
    await stack.client.workflow.start('leadConversation', {
      workflowId: leadWorkflowId(merchant, 'webchat', 'long-0001'),
      taskQueue: stack.taskQueue,
      args: [input],
      typedSearchAttributes: [{ key: merchantIdKey, value: merchant }],
    });
    for (let i = 1; i <= 5; i++) await say('long-0001', `Message number ${i}: tell me about tents`, i);

    await rm(outDir, { recursive: true, force: true });
    await mkdir(outDir, { recursive: true });
    let count = 0;
    for await (const wf of stack.client.workflow.list({ query: `TaskQueue='${stack.taskQueue}'` })) {
      const history = await stack.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      // A run still in flight is cut after its last completed workflow task: replay needs nothing later,
      // and a run with no completed task yet (just continued as new) has nothing to replay.
      const events = history.events ?? [];
      const lastCompleted = events.findLastIndex((e) => e.workflowTaskCompletedEventAttributes);
      if (lastCompleted === -1) continue;
      history.events = events.slice(0, lastCompleted + 1);
      const name = `${wf.type}-${wf.workflowId.split(':').at(-1)}-${wf.runId.slice(0, 8)}.json`.replace(/[^A-Za-z0-9_.-]/g, '_');
      await writeFile(path.join(outDir, name), historyToJSON(history));
      count++;
    }
    process.stdout.write(`saved ${count} histories to ${path.relative(repoRoot, outDir)}\n`);
  } finally {
    await stack.stop();
    await services.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
