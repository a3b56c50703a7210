/**
 * The bench's readings against a real stack: that they count what they say,
 * not how fast anything is (no timing assertions; the bench measures, the
 * tests check its arithmetic and its bookkeeping).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { conversationHistory, summarizeHistories } from '../bench/lib/history';
import { arrivalTimes, fellBehind, offerRate, saturationPoint } from '../bench/lib/open-loop';
import { pidListeningOn, startProcessCpu } from '../bench/lib/processes';
import { startReplyWatch, type ReplyWatch } from '../bench/lib/reply-watch';
import { outboundCounts } from '../db/queries/messages';
import { leadWorkflowId, type LeadWorkflowInput } from '../workflows/contract';
import { eventually, getTranscript, postMessage, replies, sessionId } from './support/chat';
import { suiteStack } from './support/stack';

describe('bench readings', () => {
  const stack = suiteStack();
  let watch: ReplyWatch;
  before(async () => {
    watch = await startReplyWatch(stack.databaseUrl);
  });
  after(() => watch?.close());

  test('history events per turn follow continue-as-new and add up to what Temporal stores', async () => {
    const merchant = await stack.createMerchant();
    const s = sessionId();
    const workflowId = leadWorkflowId(merchant, 'webchat', s);
    // A small threshold makes the conversation continue as new within a few turns.
    const input: LeadWorkflowInput = { merchantId: merchant, channel: 'webchat', customerKey: s, maxHistoryEvents: 20 };
    await stack.client.workflow.start('leadConversation', { workflowId, taskQueue: stack.taskQueue, args: [input] });
    const texts = ['Hi! What tents do you have?', 'How much is the Trailblazer 2 Tent?', 'Do you have sleeping bags?', 'What about headlamps?', 'Tell me about the rain jacket'];
    for (const [i, text] of texts.entries()) {
      assert.equal((await postMessage(stack.apiUrl, merchant, { sessionId: s, text, clientMessageId: `m-${i}` })).status, 202);
      await eventually(() => getTranscript(stack.apiUrl, merchant, s), (m) => replies(m).length >= i + 1, `reply ${i + 1}`);
    }

    // The workflow keeps working briefly after the last reply (projection, follow-up timer); read once it waits.
    let seen = -1;
    await eventually(
      async () => {
        const handle = stack.client.workflow.getHandle(workflowId);
        const n = (await handle.fetchHistory()).events?.length ?? 0;
        // Local activities run inside a workflow task, so no pending task and no pending activity means nothing is in flight.
        const { raw } = await handle.describe();
        const settled = n === seen && !raw.pendingWorkflowTask && !raw.pendingActivities?.length;
        seen = n;
        return settled;
      },
      (settled) => settled,
      'history settled',
    );
    const h = await conversationHistory(stack.client, workflowId);
    assert.ok(h.runs.length > 1, `continued as new at least once (runs: ${h.runs.join(', ')})`);

    // Independently: every run Temporal lists for this id (visibility catches up shortly), each history fetched by its run id.
    const listRuns = async () => {
      const ids: string[] = [];
      for await (const run of stack.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) ids.push(run.runId);
      return ids;
    };
    const runIds = await eventually(listRuns, (ids) => ids.length >= h.runs.length, 'every run listed');
    let listed = 0;
    for (const runId of runIds) listed += (await stack.client.workflow.getHandle(workflowId, runId).fetchHistory()).events?.length ?? 0;
    const runs = runIds.length;
    assert.equal(runs, h.runs.length, 'one entry per run');
    assert.equal(h.events, listed, 'the chain holds every event of every run');
    assert.equal(h.runs.at(-1), (await stack.client.workflow.getHandle(workflowId).fetchHistory()).events?.length, 'the current run is the last');
    assert.equal(Object.values(h.byType).reduce((a, b) => a + b, 0), h.events, 'types add up to the total');

    const per = summarizeHistories([h], texts.length);
    assert.equal(per.eventsPerTurn, listed / texts.length);
    assert.deepEqual(per.continuedRuns, h.runs.slice(0, -1));
    assert.equal(per.byTypePerTurn.find(([k]) => k === 'WorkflowExecutionSignaled')?.[1], h.byType.WorkflowExecutionSignaled! / texts.length);
  });

  test('the open loop offers its schedule and accounts for every message', async () => {
    const merchantId = await stack.createMerchant();
    const rate = 3;
    const durationS = 3;
    const tag = `t${Date.now()}`;
    const r = await offerRate({ apiUrl: stack.apiUrl, merchantId, watch }, { rate, durationS, arrivals: 'even', messagesPerConversation: 2, drainS: 30, tag, seed: 1 });
    assert.equal(r.sent, arrivalTimes(rate, durationS, 'even', 1).length);
    assert.equal(r.rejected, 0);
    assert.equal(r.unanswered, 0);
    assert.equal(r.answered, r.sent);
    // Each conversation takes at most two messages, and one is opened only when none is free.
    assert.ok(r.conversations >= Math.ceil(r.sent / 2) && r.conversations <= r.sent, `${r.conversations} conversations for ${r.sent} messages`);
    assert.ok(r.reply.count > 0 && r.reply.count <= r.answered);
    assert.equal(r.ack.count, r.lag.count);
    assert.equal(fellBehind(r, { minShare: 0, replyP99Ms: Number.POSITIVE_INFINITY }), null);
    assert.equal(saturationPoint([{ result: r, behind: null }, { result: { ...r, offered: 2 * rate }, behind: 'x' }]), rate);

    // Every reply row in those conversations was counted once: the watch neither missed one nor took a customer's message for one.
    const ids = Array.from({ length: r.conversations }, (_, i) => leadWorkflowId(merchantId, 'webchat', `ol_${tag}_${i}`));
    const counts = await outboundCounts(stack.db, ids);
    assert.equal([...counts.values()].reduce((a, b) => a + b, 0), r.answered);
  });

  test('arrival schedules: even spacing is exact, Poisson is seeded and near its rate', () => {
    assert.deepEqual(arrivalTimes(4, 1, 'even', 0), [0, 250, 500, 750]);
    const a = arrivalTimes(50, 20, 'poisson', 7);
    assert.deepEqual(a, arrivalTimes(50, 20, 'poisson', 7), 'same seed, same schedule');
    assert.notDeepEqual(a, arrivalTimes(50, 20, 'poisson', 8));
    // 1000 expected arrivals; a Poisson count is within 5 standard deviations (about 160) almost surely.
    assert.ok(Math.abs(a.length - 1000) < 160, `${a.length} arrivals`);
    assert.ok(a.every((t, i) => t >= 0 && t < 20_000 && (i === 0 || t >= a[i - 1]!)));
  });

  test('CPU readings find the stack by its ports and only grow', async () => {
    const pg = pidListeningOn(Number(new URL(stack.databaseUrl).port));
    const temporal = pidListeningOn(Number(stack.temporalAddress.split(':').at(-1)));
    assert.ok(pg !== null && temporal !== null, 'Postgres and Temporal found by port');
    const meter = startProcessCpu(
      [
        { name: 'self', pid: process.pid },
        { name: 'Postgres', pid: pg, withChildren: true },
        { name: 'Temporal', pid: temporal },
      ],
      null,
    );
    await stack.db.raw('select count(*) from generate_series(1, 200000)');
    const c = meter();
    for (const [name, ms] of Object.entries(c.groups)) assert.ok(Number.isFinite(ms) && ms >= 0, `${name}: ${ms}`);
    assert.ok(c.machineMs >= 0 && c.wallMs > 0);
  });
});
