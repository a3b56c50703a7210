import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { repoRoot } from '../config/env';
import { workflowBundle } from './support/stack';

const dir = path.join(repoRoot, 'test', 'histories');

/**
 * Real histories recorded from earlier code (scripts/record-histories.ts),
 * replayed against today's workflows: a change that would break conversations
 * already running in production fails here instead.
 */
describe('replaying saved histories', () => {
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
});
