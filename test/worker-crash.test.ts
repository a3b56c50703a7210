import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { repoRoot } from '../config/env';
import { leadWorkflowId, stateQuery } from '../workflows/contract';
import { eventually, getTranscript, postMessage, replies, sessionId } from './support/chat';
import { startStack, type Stack } from './support/stack';

function startWorkerProcess(stack: Stack): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/worker-process.ts'], {
    cwd: repoRoot,
    env: { ...process.env, TASK_QUEUE: stack.taskQueue, PUBLIC_URL: stack.apiUrl, ...(stack.payloadKeys ? { PAYLOAD_KEYS: stack.payloadKeys } : {}) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => line === 'ready' && resolve(child));
    child.once('exit', (code) => reject(new Error(`worker process exited early (${code})`)));
  });
}

describe('a worker killed mid-turn', () => {
  let stack: Stack;
  let worker: ChildProcess | undefined;
  before(async () => {
    stack = await startStack({ noWorker: true });
  });
  after(async () => {
    worker?.kill('SIGKILL');
    await stack.stop();
  });

  test('SIGKILL while the reply is being sent, then a restart: exactly one reply', async () => {
    const merchant = await stack.createMerchant();
    const s = sessionId();
    const conversationId = leadWorkflowId(merchant, 'webchat', s);
    worker = await startWorkerProcess(stack);

    await postMessage(stack.apiUrl, merchant, { sessionId: s, text: 'Hi there' });
    await eventually(() => getTranscript(stack.apiUrl, merchant, s), (m) => replies(m).length === 1, 'first reply');
    const handle = stack.client.workflow.getHandle(conversationId);
    // No continue-as-new has happened, so the current run is the first of the chain.
    const { runId: firstExecutionRunId } = await handle.describe();
    const { outboundSeq } = await handle.query(stateQuery);

    // Hold the next reply's idempotency key in an open transaction: the worker's
    // send blocks on it, so we kill the worker while the send is in flight.
    const blocker = await stack.db.transaction();
    const nextKey = `${conversationId}:${firstExecutionRunId}:out:${outboundSeq + 1}`;
    await blocker('messages').insert({
      conversation_id: conversationId,
      merchant_id: merchant,
      direction: 'out',
      sender: 'bot',
      text: 'placeholder held by the test',
      idempotency_key: nextKey,
      status: 'delivered',
    });
    await postMessage(stack.apiUrl, merchant, { sessionId: s, text: 'How much is the 2-person tent?' });
    await eventually(
      async () => (await stack.db.raw(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query ilike 'insert into "messages"%'`)).rows[0].n,
      (n: number) => n >= 1,
      'the send to block on the held key',
    );
    worker.kill('SIGKILL');
    await new Promise((resolve) => worker!.once('exit', resolve));
    await blocker.rollback();

    worker = await startWorkerProcess(stack);
    const final = await eventually(
      () => getTranscript(stack.apiUrl, merchant, s),
      (m) => replies(m).length >= 2,
      'the retried reply after restart',
      60_000,
    );
    // Let any duplicate attempt surface before counting.
    await new Promise((r) => setTimeout(r, 1000));
    const settled = await getTranscript(stack.apiUrl, merchant, s);
    assert.equal(replies(settled).length, 2, 'exactly one reply to the second message');
    assert.match(replies(final)[1]!.text, /\$\d/);
    const rows = await stack.db('messages').where({ idempotency_key: nextKey });
    assert.equal(rows.length, 1);
    assert.equal((await handle.query(stateQuery)).turns, 2);
  });
});
