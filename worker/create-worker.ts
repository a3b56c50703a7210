import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';

const here = path.dirname(fileURLToPath(import.meta.url));
export const workflowsPath = path.join(here, '..', 'workflows', 'index.ts');
/** Built by `npm run build:workflows`; production workers load it instead of bundling at start-up. */
export const prebuiltBundlePath = path.join(here, '..', 'dist', 'workflow-bundle.js');

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** Overrides for tests (e.g. maxCachedWorkflows: 0 to replay on every task). */
  overrides?: Partial<WorkerOptions>;
}

export async function createWorker(o: CreateWorkerOptions): Promise<Worker> {
  const bundle = process.env.WORKFLOW_BUNDLE_PATH ?? (existsSync(prebuiltBundlePath) && process.env.NODE_ENV === 'production' ? prebuiltBundlePath : null);
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    ...(bundle ? { workflowBundle: { codePath: bundle } } : { workflowsPath }),
    activities: createActivities(o.deps),
    // Lets a deploy finish in-flight turns instead of cutting them off.
    shutdownGraceTime: '20s',
    ...o.overrides,
  });
}
