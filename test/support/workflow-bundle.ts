/**
 * The workflow bundle for tests, built from source once per test process.
 * Kept apart from the stack so tests of workflow code alone (replay, the
 * time-skipping server) load neither the API nor the database.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { after, before } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { repoRoot } from '../../config/env';
import { createTimeSkippingTestEnv } from '../../temporal/test-server';

const silent = { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} };

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundling takes seconds; one bundle per test process. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: path.join(repoRoot, 'workflows', 'index.ts'), logger: silent });
  return bundle;
}

export interface TimeSkippingWorker {
  /** The time-skipping environment: its client starts workflows, its `sleep` moves the clock. */
  readonly env: TestWorkflowEnvironment;
  readonly taskQueue: string;
}

/**
 * A time-skipping test server and a worker running the bundle with `activities()` on a fresh task queue, for the
 * enclosing suite: started before its tests, shut down after them.
 */
export function timeSkippingWorker(activities: () => object): TimeSkippingWorker {
  const taskQueue = `time-skipping-${randomUUID()}`;
  let env: TestWorkflowEnvironment | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  before(async () => {
    env = await createTimeSkippingTestEnv();
    worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities: activities() });
    running = worker.run();
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });
  return {
    get env() {
      if (!env) throw new Error('the time-skipping server is not running: read it from a hook or test of the suite');
      return env;
    },
    taskQueue,
  };
}
