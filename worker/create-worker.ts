import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { workerObservability } from '../observability/telemetry';

const here = path.dirname(fileURLToPath(import.meta.url));
export const workflowsPath = path.join(here, '..', 'workflows', 'index.ts');
/** Built by `npm run build:workflows`; production workers load it instead of bundling at start-up. */
export const prebuiltBundlePath = path.join(here, '..', 'dist', 'workflow-bundle.js');
/** The same workflows with OpenTelemetry's workflow interceptors, loaded instead when tracing is on. */
export const prebuiltTracedBundlePath = path.join(here, '..', 'dist', 'workflow-bundle-traced.js');

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** Overrides for tests (e.g. maxCachedWorkflows: 0 to replay on every task). */
  overrides?: Partial<WorkerOptions>;
}

export async function createWorker(o: CreateWorkerOptions): Promise<Worker> {
  // Tracing and error-tracking interceptors and the workflow span sink; nothing at all when both are off.
  const observe = workerObservability();
  const prebuilt = observe?.interceptors.workflowModules.length ? prebuiltTracedBundlePath : prebuiltBundlePath;
  const bundle = process.env.WORKFLOW_BUNDLE_PATH ?? (existsSync(prebuilt) && process.env.NODE_ENV === 'production' ? prebuilt : null);
  // A ready bundle carries its own workflow interceptors; only a bundle made here from source needs them named.
  const bundled = Boolean(bundle || o.overrides?.workflowBundle);
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    ...(bundle ? { workflowBundle: { codePath: bundle } } : { workflowsPath }),
    activities: createActivities(o.deps),
    // Lets a deploy finish in-flight turns instead of cutting them off.
    shutdownGraceTime: '20s',
    ...(observe
      ? { interceptors: { ...observe.interceptors, workflowModules: bundled ? [] : observe.interceptors.workflowModules }, sinks: observe.sinks }
      : {}),
    ...o.overrides,
  });
}
