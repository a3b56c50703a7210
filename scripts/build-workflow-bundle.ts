/**
 * Prebuilds the workflow bundles so production workers start without bundling (see worker/create-worker.ts):
 * one plain, and one with OpenTelemetry's workflow interceptors for workers that run with tracing on, so turning
 * tracing on needs no rebuild and leaving it off costs the workflows nothing.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowTracingModule } from '../observability/tracing';
import { prebuiltBundlePath, prebuiltTracedBundlePath, workflowsPath } from '../worker/create-worker';

for (const [target, workflowInterceptorModules] of [
  [prebuiltBundlePath, []],
  [prebuiltTracedBundlePath, [workflowTracingModule()]],
] as const) {
  const { code } = await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: [...workflowInterceptorModules] });
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, code);
  process.stdout.write(`wrote ${path.relative(process.cwd(), target)} (${(code.length / 1024).toFixed(0)} KiB)\n`);
}
