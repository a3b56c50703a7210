import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { repoRoot } from '../config/env';
import { workflowBundle } from './support/workflow-bundle';
import { newPayloadKey, parsePayloadKeys, payloadDataConverter } from '../temporal/payload-codec';

const dir = path.join(repoRoot, 'test', 'histories');

interface HistoryEvent {
  eventId: string;
  eventType: string;
  activityTaskScheduledEventAttributes?: { activityType: { name: string } };
}

/** An angry customer handed to a person: load settings, meter, decide, send, notify, project. */
const handOffHistory = path.join(dir, '2026-11-25-metering', 'leadConversation-angry-0001-9ee9cb68.json');

/** Rejects with the error replay reports for code that disagrees with history, naming the disagreement. */
const nondeterminism = (detail: RegExp) => (err: unknown) => err instanceof DeterminismViolationError && detail.test(err.message);

async function loadEvents(file: string): Promise<{ events: HistoryEvent[] }> {
  return JSON.parse(await readFile(file, 'utf8'));
}

function scheduled(history: { events: HistoryEvent[] }, activityType: string): HistoryEvent {
  const event = history.events.find((e) => e.activityTaskScheduledEventAttributes?.activityType.name === activityType);
  assert.ok(event, `the history schedules ${activityType}`);
  return event;
}

/**
 * Real histories recorded from earlier code (scripts/record-histories.ts),
 * replayed against today's workflows: a change that would break conversations
 * already running in production fails here instead.
 */
describe('replaying saved histories', () => {
  test('the workflow bundle carries no schema library', async () => {
    // Every module in the bundle is evaluated again for each workflow a worker starts or replays and stays
    // in memory while it is cached; zod alone was 40% of the bundle. Workflow code imports plain types and functions.
    const { code } = await workflowBundle();
    assert.ok(!code.includes('node_modules/zod'), 'a workflow imports (directly or not) a module that imports zod');
  });

  test('every saved history replays without non-determinism', { timeout: 120_000 }, async () => {
    const files = ((await readdir(dir, { recursive: true })) as string[]).filter((f) => f.endsWith('.json'));
    const types = new Set(files.map((f) => path.basename(f).split('-')[0]));
    assert.ok(types.has('leadConversation') && types.has('checkout'), `histories of both workflows are saved (found ${[...types].join(', ')})`);

    const histories = await Promise.all(
      files.map(async (f) => ({ workflowId: f, history: historyFromJSON(JSON.parse(await readFile(path.join(dir, f), 'utf8'))) })),
    );
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    assert.equal(replayed, files.length);
    assert.deepEqual(failures, []);
  });

  // Histories recorded before payload encryption hold plain payloads; a worker with PAYLOAD_KEYS must still replay them.
  test('every saved history replays with the payload codec on', { timeout: 120_000 }, async () => {
    const files = ((await readdir(dir, { recursive: true })) as string[]).filter((f) => f.endsWith('.json'));
    const histories = await Promise.all(
      files.map(async (f) => ({ workflowId: f, history: historyFromJSON(JSON.parse(await readFile(path.join(dir, f), 'utf8'))) })),
    );
    const dataConverter = payloadDataConverter(parsePayloadKeys(`k1:${newPayloadKey()}`));
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle(), dataConverter }, histories)) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    assert.equal(replayed, files.length);
    assert.deepEqual(failures, []);
  });

  /**
   * The test above is only worth something if replay notices a difference:
   * the same history replays cleanly, and fails as soon as it disagrees with
   * the commands the workflow code produces.
   */
  test('a history altered to disagree with the code fails to replay', { timeout: 120_000 }, async () => {
    const options = { workflowBundle: await workflowBundle() };
    const replay = async (json: { events: HistoryEvent[] }) => Worker.runReplayHistory(options, historyFromJSON(json), 'lead:tampered');

    await replay(await loadEvents(handOffHistory));

    // A different activity where the code schedules `decide`.
    const renamed = await loadEvents(handOffHistory);
    scheduled(renamed, 'decide').activityTaskScheduledEventAttributes!.activityType.name = 'decideWithoutRules';
    await assert.rejects(replay(renamed), nondeterminism(/decideWithoutRules/));

    // The notification before the reply: the same commands, in another order.
    const reordered = await loadEvents(handOffHistory);
    const send = scheduled(reordered, 'sendMessage').activityTaskScheduledEventAttributes!.activityType;
    const notify = scheduled(reordered, 'notifyMerchant').activityTaskScheduledEventAttributes!.activityType;
    [send.name, notify.name] = [notify.name, send.name];
    await assert.rejects(replay(reordered), nondeterminism(/notifyMerchant.*sendMessage/));
  });
});
