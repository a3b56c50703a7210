/** Prebuilds the workflow bundle so production workers start without bundling (see worker/create-worker.ts). */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { prebuiltBundlePath, workflowsPath } from '../worker/create-worker';

const { code } = await bundleWorkflowCode({ workflowsPath });
await mkdir(path.dirname(prebuiltBundlePath), { recursive: true });
await writeFile(prebuiltBundlePath, code);
process.stdout.write(`wrote ${path.relative(process.cwd(), prebuiltBundlePath)} (${(code.length / 1024).toFixed(0)} KiB)\n`);
