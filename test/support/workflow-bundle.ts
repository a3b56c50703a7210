/**
 * The workflow bundle for tests, built from source once per test process.
 * Kept apart from the stack so tests of workflow code alone (replay, the
 * time-skipping server) load neither the API nor the database.
 */
import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { repoRoot } from '../../config/env';

const silent = { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} };

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundling takes seconds; one bundle per test process. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: path.join(repoRoot, 'workflows', 'index.ts'), logger: silent });
  return bundle;
}
