/**
 * Resident memory of this process, which holds the API, the worker, its
 * workflow thread and the Temporal core (Rust) together. Open conversations
 * are lead workflows waiting on their follow-up timer; while they sit in the
 * worker's sticky cache their state is in memory, which is what grows here.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Worker } from '@temporalio/worker';
import { runDurable, type DurableLoad } from './durable';

const MB = 1024 * 1024;

/** A collection before each reading so garbage does not pass for growth; only the main thread's heap is collected. */
function collector(): () => void {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export interface MemoryReading {
  rssMB: number;
  heapUsedMB: number;
  externalMB: number;
  cachedWorkflows: number;
}

async function read(worker: Worker, gc: () => void): Promise<MemoryReading> {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(200);
  }
  const m = process.memoryUsage();
  return { rssMB: m.rss / MB, heapUsedMB: m.heapUsed / MB, externalMB: m.external / MB, cachedWorkflows: worker.getStatus().numCachedWorkflows };
}

/** RSS, main-thread heap and the worker's cached workflows, after collecting garbage. */
export const readMemory = (worker: Worker): Promise<MemoryReading> => read(worker, collector());

export interface MemoryResult {
  open: number;
  maxCachedWorkflows: number;
  before: MemoryReading;
  after: MemoryReading;
  rssDeltaMB: number;
  rssPerConversationKB: number;
  /** RSS growth ÷ workflows added to the sticky cache: the memory one cached conversation holds. */
  rssPerCachedKB: number;
  heapDeltaMB: number;
  openedInMs: number;
  mismatched: number;
}

export async function measureOpenConversations(
  worker: Worker,
  quiesce: () => Promise<void>,
  load: Omit<DurableLoad, 'messages' | 'conversations'> & { open: number; concurrency: number },
): Promise<MemoryResult> {
  const gc = collector();
  await quiesce();
  const before = await read(worker, gc);
  const started = Date.now();
  const run = await runDurable({ ...load, conversations: load.open, messages: 1 });
  const openedInMs = Date.now() - started;
  await quiesce();
  await sleep(1_000);
  const after = await read(worker, gc);
  const rssDeltaMB = after.rssMB - before.rssMB;
  return {
    open: load.open,
    maxCachedWorkflows: worker.options.maxCachedWorkflows,
    before,
    after,
    rssDeltaMB,
    rssPerConversationKB: (rssDeltaMB * 1024) / load.open,
    rssPerCachedKB: after.cachedWorkflows > before.cachedWorkflows ? (rssDeltaMB * 1024) / (after.cachedWorkflows - before.cachedWorkflows) : Number.NaN,
    heapDeltaMB: after.heapUsedMB - before.heapUsedMB,
    openedInMs,
    mismatched: run.mismatched.length,
  };
}
