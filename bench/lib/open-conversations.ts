/**
 * Many open conversations on one worker: opens `open` conversations (one
 * message each, answered), reads the process's RSS before and after and the
 * worker's sticky cache, then pushes the oldest `sample` of them out of the
 * cache (the cache is LRU: opening enough newer conversations evicts the
 * least recently used) and compares the next turn of an evicted conversation,
 * which the worker must first rebuild by replaying its history, with the next
 * turn of a conversation still in the cache. Turns are measured one at a time
 * so the CPU read around each belongs to it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { leadWorkflowId } from '../../workflows/contract';
import { durableSessions, runDurable, singleTurn } from './durable';
import { conversationHistory } from './history';
import { readMemory, type MemoryReading } from './memory';
import { cpuPerTurn, startProcessCpu, type ProcessGroup } from './processes';
import type { ReplyWatch } from './reply-watch';
import type { BenchStack } from './stack';
import { median, summarize, type LatencySummary } from './stats';

/** Conversations opened before the first reading; the cache should hold them too (the bench sizes it N + this). */
export const OPEN_WARMUP = 20;

export interface TurnCost {
  turns: number;
  /** 202 → reply row. */
  latency: LatencySummary;
  /** CPU ms per turn by process group, and of the whole machine (the sample's total ÷ its turns). */
  cpuMs: Record<string, number>;
  machineMs: number;
  /** History events the replayed conversations had when their next message came. */
  historyEvents: number;
}

export interface OpenConversationsResult {
  open: number;
  maxCachedWorkflows: number;
  before: MemoryReading;
  after: MemoryReading;
  cachedAdded: number;
  rssDeltaMB: number;
  rssPerCachedKB: number;
  openedInMs: number;
  mismatched: number;
  /** Conversations opened after the measured ones to push the oldest out of the cache. */
  evictedBy: number;
  evicted: TurnCost;
  cached: TurnCost;
}

async function measureTurns(
  stack: BenchStack,
  watch: ReplyWatch,
  merchantId: string,
  sessions: string[],
  groups: ProcessGroup[],
): Promise<TurnCost> {
  const latencies: number[] = [];
  const events: number[] = [];
  for (const sessionId of sessions) events.push((await conversationHistory(stack.temporal, leadWorkflowId(merchantId, 'webchat', sessionId))).events);
  await stack.quiesce();
  // One reading over all the sample's turns: /proc counts other processes in 10 ms ticks, too coarse for a single turn.
  const meter = startProcessCpu(groups, null);
  for (const sessionId of sessions) {
    const { turnMs } = await singleTurn({ apiUrl: stack.apiUrl, watch, merchantId }, sessionId, 1);
    // The projection after the reply is part of the turn, and the next turn starts with the worker idle.
    await stack.quiesce();
    latencies.push(turnMs);
  }
  const c = cpuPerTurn(meter(), sessions.length);
  return { turns: sessions.length, latency: summarize(latencies), cpuMs: c.groups, machineMs: c.machineMs, historyEvents: median(events) };
}

export async function measureOpenConversationsAtScale(
  stack: BenchStack,
  watch: ReplyWatch,
  o: { merchantId: string; open: number; concurrency: number; sample: number; groups: ProcessGroup[]; progress: (line: string) => void },
): Promise<OpenConversationsResult> {
  const cacheSize = stack.worker.options.maxCachedWorkflows;
  // Warm-up, so code loading and pools do not pass for the conversations' memory; these stay in the cache, older than ours.
  await runDurable({ apiUrl: stack.apiUrl, db: stack.db, watch, merchantId: o.merchantId, tag: 'many-warm', conversations: OPEN_WARMUP, messages: 1, concurrency: o.concurrency });
  await stack.quiesce();
  const before = await readMemory(stack.worker);
  const started = Date.now();
  const opened = await runDurable({ apiUrl: stack.apiUrl, db: stack.db, watch, merchantId: o.merchantId, tag: 'many', conversations: o.open, messages: 1, concurrency: o.concurrency, replyTimeoutMs: 600_000 });
  const openedInMs = Date.now() - started;
  await stack.quiesce();
  await sleep(1_000);
  const after = await readMemory(stack.worker);
  const cachedAdded = after.cachedWorkflows - before.cachedWorkflows;
  const rssDeltaMB = after.rssMB - before.rssMB;
  o.progress(`${o.open} conversations open in ${(openedInMs / 1000).toFixed(1)} s; RSS ${before.rssMB.toFixed(0)} -> ${after.rssMB.toFixed(0)} MB, cache ${before.cachedWorkflows} -> ${after.cachedWorkflows} of ${cacheSize}`);

  // LRU: after `room + sample` newer workflows the `sample` oldest of ours are out of the cache.
  const sessions = durableSessions('many', o.open);
  const sample = Math.min(o.sample, Math.floor(o.open / 2));
  const evictedBy = Math.max(0, cacheSize - after.cachedWorkflows) + before.cachedWorkflows + sample;
  o.progress(`opening ${evictedBy} more conversations to evict the ${sample} oldest from the cache`);
  await runDurable({ apiUrl: stack.apiUrl, db: stack.db, watch, merchantId: o.merchantId, tag: 'evict', conversations: evictedBy, messages: 1, concurrency: o.concurrency, replyTimeoutMs: 600_000 });
  await stack.quiesce();

  o.progress(`measuring ${sample} turns after eviction and ${sample} on cached conversations, one at a time`);
  const evicted = await measureTurns(stack, watch, o.merchantId, sessions.slice(0, sample), o.groups);
  // The most recently opened conversations are certainly still cached: the replayed ones pushed out only the oldest.
  const cached = await measureTurns(stack, watch, o.merchantId, durableSessions('evict', evictedBy).slice(-sample), o.groups);
  return {
    open: o.open,
    maxCachedWorkflows: cacheSize,
    before,
    after,
    cachedAdded,
    rssDeltaMB,
    rssPerCachedKB: cachedAdded > 0 ? (rssDeltaMB * 1024) / cachedAdded : Number.NaN,
    openedInMs,
    mismatched: opened.mismatched.length,
    evictedBy,
    evicted,
    cached,
  };
}
