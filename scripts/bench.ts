/**
 * `npm run bench`: how much the durable design costs per turn. Brings up a
 * throwaway embedded Postgres and an in-memory Temporal dev server (as
 * `npm test` does), builds the API and a worker in this process with the
 * offline playbook agent, and measures. Modes:
 *
 * - closed loop (default): per-turn latency and throughput of the durable
 *   path beside the same turns as direct calls (no durability) and as BullMQ
 *   jobs on a local redis-server (the queue design), CPU per turn per process,
 *   history events per turn at saturation and at a customer's pace, and worker
 *   memory per cached conversation;
 * - `--open-loop`: fixed rates of customer messages, latency against rate and
 *   the saturation point, with an SVG plot; `--target` runs it against an
 *   already running `npm start` instead of the bench's own stack;
 * - `--open-conversations N`: N conversations open on one worker, its RSS and
 *   the cost of replaying an evicted conversation;
 * - `--long N`: one conversation of N turns, turn N against turn 10.
 *
 * Prints tables and writes bench/results/<timestamp>.json. Measures only.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadEnv, repoRoot } from '../config/env';
import { startTestServices } from '../test/support/services';
import { leadWorkflowId } from '../workflows/contract';
import { checkScript, runBaseline, type BaselineRun } from '../bench/lib/baseline';
import type { DirectTurnDeps } from '../bench/lib/direct-turn';
import { durableSessions, runDurable, type DurableRun } from '../bench/lib/durable';
import { startFloor, type FloorDesign, type FloorRun } from '../bench/lib/floor';
import { historyPerTurn, type HistoryPerTurn } from '../bench/lib/history';
import { measureLongConversation } from '../bench/lib/long';
import { measureOpenConversations, type MemoryResult } from '../bench/lib/memory';
import { fellBehind, offerRate, saturationPoint, type Arrivals, type OpenLoopTarget, type RateResult } from '../bench/lib/open-loop';
import { measureOpenConversationsAtScale, OPEN_WARMUP } from '../bench/lib/open-conversations';
import { latencyPlot } from '../bench/lib/plot';
import { cpuPerTurn, pidListeningOn, pidsByCommandLine, procAvailable, startProcessCpu, workflowThreadFinder, type ProcessCpu, type ProcessGroup } from '../bench/lib/processes';
import { startQueueDesign, type QueueDesign, type QueueRun } from '../bench/lib/queue';
import { startReplyWatch, type ReplyWatch } from '../bench/lib/reply-watch';
import { latencyCells, ratio, table } from '../bench/lib/report';
import { customerScript } from '../bench/lib/script';
import { startBenchStack, type BenchStack } from '../bench/lib/stack';
import { median, medianOf, summarize, type LatencySummary } from '../bench/lib/stats';
import { startRedis, type RunningRedis } from '../tools/redis';

const USAGE = `usage: npm run bench -- [closed-loop flags] | --open-loop [...] | --open-conversations N [...] | --long N [...]
closed loop (default):
  --conversations  concurrent conversations in the latency/throughput section (default 50)
  --messages       messages per conversation, each sent after the previous reply (default 4)
  --runs           repetitions of the latency/throughput section; the median is reported (default 3)
  --open           open conversations for the memory section (default 500)
  --paced          conversations at a customer's pace, for history events per turn (default 5)
  --think-ms       a customer's pause between a reply and the next message in the paced section (default 2000)
  --no-queue       leave out the BullMQ + redis-server comparison row
open loop:
  --open-loop      offer fixed rates of customer messages instead
  --rates          messages per second, comma-separated (default 8,16,32,64,128,256); stops after the first rate that falls behind
  --duration       seconds per rate (default 20)
  --arrivals       poisson (default) or even
  --bound-ms       reply p99 above this counts as not keeping up (default 1000)
  --messages       messages per conversation before it retires (default 4)
  --target         base URL of a running \`npm start\` (e.g. http://localhost:3000) to measure instead of the bench's own stack
  --merchant       merchant id on the target (default demo)
  --database-url   the target's Postgres, where replies are heard (default: DATABASE_URL or npm start's embedded one)
  --worker-pid     the target's worker process, for its CPU (default: the oldest process running worker/main.ts)
open conversations:
  --open-conversations N   open N conversations on one worker; RSS, cache and replay cost after eviction
  --sample         turns measured on evicted and on cached conversations (default 20)
long conversation:
  --long N         one conversation of N turns (e.g. 1000); cost of the last turns against turn 10
all in-process modes:
  --max-cached     worker sticky cache size (default: WORKER_MAX_CACHED_WORKFLOWS, 1000 unless set, as in production;
                   --open-conversations sets it to N + 20, the warm-up conversations)`;

type Mode = 'closed' | 'open-loop' | 'open-conversations' | 'long';

interface Options {
  mode: Mode;
  conversations: number;
  messages: number;
  runs: number;
  open: number;
  paced: number;
  thinkMs: number;
  queue: boolean;
  rates: number[];
  durationS: number;
  arrivals: Arrivals;
  boundMs: number;
  target: string | null;
  merchant: string;
  databaseUrl: string | null;
  workerPid: number | null;
  openConversations: number;
  sample: number;
  long: number;
  maxCached: number;
  maxCachedSource: string;
}

class UsageError extends Error {}

const flags = {
  conversations: { type: 'string', default: '50' },
  messages: { type: 'string', default: '4' },
  runs: { type: 'string', default: '3' },
  open: { type: 'string', default: '500' },
  paced: { type: 'string', default: '5' },
  'think-ms': { type: 'string', default: '2000' },
  'no-queue': { type: 'boolean', default: false },
  'open-loop': { type: 'boolean', default: false },
  rates: { type: 'string', default: '8,16,32,64,128,256' },
  duration: { type: 'string', default: '20' },
  arrivals: { type: 'string', default: 'poisson' },
  'bound-ms': { type: 'string', default: '1000' },
  target: { type: 'string' },
  merchant: { type: 'string', default: 'demo' },
  'database-url': { type: 'string' },
  'worker-pid': { type: 'string' },
  'open-conversations': { type: 'string' },
  sample: { type: 'string', default: '20' },
  long: { type: 'string' },
  'max-cached': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function parseOptions(argv: string[]): Options {
  const values = (() => {
    try {
      return parseArgs({ args: argv, strict: true, options: flags }).values;
    } catch (err) {
      throw new UsageError(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    }
  })();
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const int = (name: string, raw: string, min: number): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got "${raw}"\n${USAGE}`);
    return n;
  };
  const modes: Mode[] = [];
  if (values['open-loop']) modes.push('open-loop');
  if (values['open-conversations'] !== undefined) modes.push('open-conversations');
  if (values.long !== undefined) modes.push('long');
  if (modes.length > 1) throw new UsageError(`choose one of --open-loop, --open-conversations, --long\n${USAGE}`);
  const mode = modes[0] ?? 'closed';
  if (values.target !== undefined && mode !== 'open-loop') throw new UsageError(`--target works with --open-loop only\n${USAGE}`);
  if (values.target !== undefined && !/^https?:\/\/[^/]+/.test(values.target)) throw new UsageError(`--target must be a URL such as http://localhost:3000, got "${values.target}"`);
  const rates = values.rates.split(',').map((r) => Number(r.trim()));
  if (!rates.length || rates.some((r) => !Number.isFinite(r) || r <= 0)) throw new UsageError(`--rates must be positive numbers separated by commas, got "${values.rates}"`);
  if (values.arrivals !== 'poisson' && values.arrivals !== 'even') throw new UsageError(`--arrivals must be poisson or even, got "${values.arrivals}"`);
  const openConversations = values['open-conversations'] === undefined ? 0 : int('open-conversations', values['open-conversations'], 2);
  const maxCachedDefault = mode === 'open-conversations' ? openConversations + OPEN_WARMUP : loadEnv().WORKER_MAX_CACHED_WORKFLOWS;
  return {
    mode,
    conversations: int('conversations', values.conversations, 1),
    messages: int('messages', values.messages, 1),
    runs: int('runs', values.runs, 1),
    open: int('open', values.open, 1),
    paced: int('paced', values.paced, 0),
    thinkMs: int('think-ms', values['think-ms'], 0),
    queue: !values['no-queue'],
    rates: [...rates].sort((a, b) => a - b),
    durationS: int('duration', values.duration, 2),
    arrivals: values.arrivals,
    boundMs: int('bound-ms', values['bound-ms'], 1),
    target: values.target?.replace(/\/+$/, '') ?? null,
    merchant: values.merchant,
    databaseUrl: values['database-url'] ?? null,
    workerPid: values['worker-pid'] === undefined ? null : int('worker-pid', values['worker-pid'], 1),
    openConversations,
    sample: int('sample', values.sample, 1),
    long: values.long === undefined ? 0 : int('long', values.long, 30),
    maxCached: values['max-cached'] === undefined ? maxCachedDefault : int('max-cached', values['max-cached'], 2),
    maxCachedSource:
      values['max-cached'] !== undefined ? '--max-cached' : mode === 'open-conversations' ? 'sized to hold every opened conversation' : 'WORKER_MAX_CACHED_WORKFLOWS, as in production',
  };
}

const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function machine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    availableParallelism: os.availableParallelism(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryTotalMB: Math.round(os.totalmem() / 1024 / 1024),
    memoryFreeMB: Math.round(os.freemem() / 1024 / 1024),
    loadAverage: os.loadavg(),
    nodeVersion: process.version,
    platform: `${process.platform} ${os.release()}`,
    arch: process.arch,
  };
}

const portOf = (address: string): number => Number(/:(\d+)(?:\/|$)/.exec(address)?.[1] ?? Number.NaN);
const SELF = 'API + worker';

/** The processes of the in-process stack: this process, the Temporal dev server and Postgres (with its backends). */
function stackGroups(databaseUrl: string, temporalAddress: string): ProcessGroup[] {
  return [
    { name: SELF, pid: process.pid },
    { name: 'Temporal', pid: pidListeningOn(portOf(temporalAddress)) },
    { name: 'Postgres', pid: pidListeningOn(portOf(new URL(databaseUrl).host)), withChildren: true },
  ];
}

/** CPU ms per turn by process group, plus what the rest of the machine did and the total. */
function cpuCells(c: ProcessCpu, names: string[]): (number | string | null)[] {
  const known = names.reduce((n, k) => n + (Number.isFinite(c.groups[k]) ? c.groups[k]! : 0), 0);
  return [...names.map((k) => (k in c.groups ? c.groups[k]! : null)), Math.max(0, c.machineMs - known), c.machineMs, `${(c.utilization * 100).toFixed(0)}%`];
}

async function writeResult(startedAt: Date, suffix: string, result: unknown): Promise<string> {
  const resultsDir = path.join(repoRoot, 'bench', 'results');
  await mkdir(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${startedAt.toISOString().replace(/:/g, '-')}${suffix}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

function header(startedAt: Date, mach: ReturnType<typeof machine>): string[] {
  return [
    `AutoCloser bench, ${startedAt.toISOString()}`,
    `machine: ${mach.cpus} cpus (${mach.cpuModel}), ${(mach.memoryTotalMB / 1024).toFixed(1)} GB, node ${mach.nodeVersion}, ${mach.platform} ${mach.arch}, load average at start ${mach.loadAverage.map((l) => l.toFixed(2)).join(' ')}`,
  ];
}

interface InProcess {
  stack: BenchStack;
  watch: ReplyWatch;
  databaseUrl: string;
  temporalAddress: string;
  groups: ProcessGroup[];
  cleanups: (() => Promise<void>)[];
}

/** CPU milliseconds per turn: this process, everything else on the machine (mostly Postgres and Temporal), and the busy share of all cores. */
interface CpuPerTurn {
  processMs: number;
  othersMs: number;
  utilization: number;
}

const simpleCpu = (c: ProcessCpu): CpuPerTurn => ({
  processMs: c.groups[SELF] ?? Number.NaN,
  othersMs: Math.max(0, c.machineMs - (c.groups[SELF] ?? 0)),
  utilization: c.utilization,
});

interface RunSummary {
  durable: {
    turn: LatencySummary;
    roundTrip: LatencySummary;
    firstTurn: LatencySummary;
    laterTurn: LatencySummary;
    ack: LatencySummary;
    turnsPerSecond: number;
    wallMs: number;
    repliesBeforeAck: number;
    mismatched: number;
    cpu: CpuPerTurn;
    processes: ProcessCpu;
  };
  baseline: { turn: LatencySummary; turnsPerSecond: number; wallMs: number; cpu: CpuPerTurn; processes: ProcessCpu };
  queue: { turn: LatencySummary; roundTrip: LatencySummary; ack: LatencySummary; turnsPerSecond: number; wallMs: number; failed: number; processes: ProcessCpu } | null;
  floor: { turn: LatencySummary; turnsPerSecond: number; wallMs: number; processes: ProcessCpu };
}

function summarizeRun(d: DurableRun, dCpu: ProcessCpu, b: BaselineRun, bCpu: ProcessCpu, q: QueueRun | null, qCpu: ProcessCpu | null, f: FloorRun, fCpu: ProcessCpu): RunSummary {
  const dPer = cpuPerTurn(dCpu, d.turns);
  const bPer = cpuPerTurn(bCpu, b.turns);
  return {
    durable: {
      turn: summarize(d.turnMs),
      roundTrip: summarize(d.roundTripMs),
      firstTurn: summarize(d.firstTurnMs),
      laterTurn: summarize(d.laterTurnMs),
      ack: summarize(d.ackMs),
      turnsPerSecond: d.turnsPerSecond,
      wallMs: d.wallMs,
      repliesBeforeAck: d.repliesBeforeAck,
      mismatched: d.mismatched.length,
      cpu: simpleCpu(dPer),
      processes: dPer,
    },
    baseline: { turn: summarize(b.turnMs), turnsPerSecond: b.turnsPerSecond, wallMs: b.wallMs, cpu: simpleCpu(bPer), processes: bPer },
    queue:
      q && qCpu
        ? { turn: summarize(q.turnMs), roundTrip: summarize(q.roundTripMs), ack: summarize(q.ackMs), turnsPerSecond: q.turnsPerSecond, wallMs: q.wallMs, failed: q.failed, processes: cpuPerTurn(qCpu, q.turns) }
        : null,
    floor: { turn: summarize(f.turnMs), turnsPerSecond: f.turnsPerSecond, wallMs: f.wallMs, processes: cpuPerTurn(fCpu, f.turns) },
  };
}

/** Field-by-field median of per-turn CPU readings (groups and threads). */
function medianCpu(all: ProcessCpu[]): ProcessCpu {
  const keys = Object.keys(all[0]?.groups ?? {});
  const threads = all[0]?.threads;
  return {
    groups: Object.fromEntries(keys.map((k) => [k, median(all.map((c) => c.groups[k]!))])),
    threads: threads ? (Object.fromEntries(Object.keys(threads).map((k) => [k, median(all.map((c) => c.threads![k as keyof typeof threads]))])) as ProcessCpu['threads']) : null,
    machineMs: median(all.map((c) => c.machineMs)),
    wallMs: median(all.map((c) => c.wallMs)),
    utilization: median(all.map((c) => c.utilization)),
  };
}

async function closedLoop(opts: Options, env: InProcess, startedAt: Date): Promise<void> {
  const { stack, watch, groups } = env;
  const direct: DirectTurnDeps = { db: stack.db, llm: stack.llm, webchat: stack.webchat };

  const workflowsHeld = (opts.runs + 1) * opts.conversations + opts.paced + opts.open;
  const cacheSize = stack.worker.options.maxCachedWorkflows;
  if (cacheSize < workflowsHeld) {
    progress(`warning: the sticky cache holds ${cacheSize} workflows but the bench opens about ${workflowsHeld}; evicted ones make the memory figure too low`);
  }

  let queue: QueueDesign | null = null;
  let redis: RunningRedis | null = null;
  let queueSkipped: string | null = opts.queue ? null : 'left out (--no-queue)';
  if (opts.queue) {
    try {
      redis = await startRedis((m) => progress(`redis: ${m}`));
      env.cleanups.push(() => redis!.stop());
      queue = await startQueueDesign(redis.url, direct, opts.conversations);
      env.cleanups.push(() => queue!.close());
    } catch (err) {
      queueSkipped = `skipped: ${err instanceof Error ? err.message : String(err)}`;
      progress(`queue design row ${queueSkipped}`);
    }
  }
  const qGroups: ProcessGroup[] = [...groups, { name: 'Redis', pid: redis?.pid ?? null }];
  const floor: FloorDesign = await startFloor({ temporalAddress: env.temporalAddress, client: stack.temporal, maxCachedWorkflows: cacheSize });
  env.cleanups.push(() => floor.close());

  // Warm-up: checks the script draws one reply per turn, JIT-compiles every path and fills the connection pools.
  // It also finds the workflow thread, the thread that gains the most CPU while workflows run.
  const warmMerchant = await stack.createMerchant();
  await checkScript(direct, warmMerchant, opts.messages);
  const warm = { merchantId: warmMerchant, tag: 'warm', conversations: opts.conversations, messages: Math.min(2, opts.messages) };
  const finder = workflowThreadFinder();
  finder.before();
  await runDurable({ ...warm, apiUrl: stack.apiUrl, db: stack.db, watch });
  await stack.quiesce();
  const self = { workflowTids: finder.after() };
  await runBaseline(direct, warm);
  if (queue) await queue.run(warm);
  await floor.run(warm);
  await floor.quiesce();
  progress('warm-up done');

  const runs: RunSummary[] = [];
  let lastRun: { merchantId: string; tag: string } | null = null;
  for (let r = 1; r <= opts.runs; r++) {
    const merchantId = await stack.createMerchant();
    const load = { merchantId, tag: `r${r}`, conversations: opts.conversations, messages: opts.messages };
    await stack.quiesce();
    let meter = startProcessCpu(groups, self);
    const d = await runDurable({ ...load, apiUrl: stack.apiUrl, db: stack.db, watch });
    // The workflows' last projection lands after the last reply; it is part of the turns' cost.
    await stack.quiesce();
    const dCpu = meter();
    meter = startProcessCpu(groups, self);
    const b = await runBaseline(direct, load);
    const bCpu = meter();
    let q: QueueRun | null = null;
    let qCpu: ProcessCpu | null = null;
    if (queue) {
      meter = startProcessCpu(qGroups, self);
      q = await queue.run(load);
      await queue.drain();
      qCpu = meter();
    }
    await stack.quiesce();
    meter = startProcessCpu(groups, self);
    const f = await floor.run(load);
    await floor.quiesce();
    const fCpu = meter();
    const s = summarizeRun(d, dCpu, b, bCpu, q, qCpu, f, fCpu);
    runs.push(s);
    lastRun = load;
    progress(
      `run ${r}/${opts.runs}: durable p50 ${s.durable.turn.p50.toFixed(1)} ms, ${s.durable.turnsPerSecond.toFixed(1)} turns/s; ` +
        `baseline p50 ${s.baseline.turn.p50.toFixed(1)} ms, ${s.baseline.turnsPerSecond.toFixed(1)} turns/s` +
        (s.queue ? `; queue p50 ${s.queue.turn.p50.toFixed(1)} ms, ${s.queue.turnsPerSecond.toFixed(1)} turns/s` : '') +
        `; Temporal floor p50 ${s.floor.turn.p50.toFixed(1)} ms, ${s.floor.turnsPerSecond.toFixed(1)} turns/s`,
    );
  }

  // History events per turn: the last run's conversations (at saturation), then a few at a customer's pace.
  const idsOf = (merchantId: string, tag: string, n: number) => durableSessions(tag, n).map((s) => leadWorkflowId(merchantId, 'webchat', s));
  const saturated: HistoryPerTurn = await historyPerTurn(stack.temporal, idsOf(lastRun!.merchantId, lastRun!.tag, opts.conversations), opts.conversations * opts.messages);
  const floorHistory: HistoryPerTurn = await historyPerTurn(stack.temporal, floor.workflowIds(lastRun!.tag, opts.conversations), opts.conversations * opts.messages);
  let paced: HistoryPerTurn | null = null;
  if (opts.paced > 0) {
    progress(`${opts.paced} conversations at a customer's pace (${opts.thinkMs} ms between a reply and the next message)`);
    const merchantId = await stack.createMerchant();
    const p = await runDurable({ apiUrl: stack.apiUrl, db: stack.db, watch, merchantId, tag: 'paced', conversations: opts.paced, messages: opts.messages, thinkMs: opts.thinkMs });
    await stack.quiesce();
    paced = await historyPerTurn(stack.temporal, idsOf(merchantId, 'paced', opts.paced), p.turns);
  }

  progress(`opening ${opts.open} conversations for the memory reading`);
  const memory: MemoryResult = await measureOpenConversations(stack.worker, () => stack.quiesce(), {
    apiUrl: stack.apiUrl,
    db: stack.db,
    watch,
    merchantId: await stack.createMerchant(),
    tag: 'mem',
    open: opts.open,
    concurrency: opts.conversations,
  });

  const qRuns = runs.map((r) => r.queue).filter((q): q is NonNullable<RunSummary['queue']> => q !== null);
  const med = {
    durable: {
      turn: medianOf(runs.map((r) => r.durable.turn)),
      roundTrip: medianOf(runs.map((r) => r.durable.roundTrip)),
      firstTurn: medianOf(runs.map((r) => r.durable.firstTurn)),
      laterTurn: medianOf(runs.map((r) => r.durable.laterTurn)),
      ack: medianOf(runs.map((r) => r.durable.ack)),
      turnsPerSecond: median(runs.map((r) => r.durable.turnsPerSecond)),
      cpu: medianOf(runs.map((r) => r.durable.cpu)),
      processes: medianCpu(runs.map((r) => r.durable.processes)),
    },
    baseline: {
      turn: medianOf(runs.map((r) => r.baseline.turn)),
      turnsPerSecond: median(runs.map((r) => r.baseline.turnsPerSecond)),
      cpu: medianOf(runs.map((r) => r.baseline.cpu)),
      processes: medianCpu(runs.map((r) => r.baseline.processes)),
    },
    queue: qRuns.length
      ? {
          turn: medianOf(qRuns.map((q) => q.turn)),
          roundTrip: medianOf(qRuns.map((q) => q.roundTrip)),
          ack: medianOf(qRuns.map((q) => q.ack)),
          turnsPerSecond: median(qRuns.map((q) => q.turnsPerSecond)),
          processes: medianCpu(qRuns.map((q) => q.processes)),
        }
      : null,
    floor: {
      turn: medianOf(runs.map((r) => r.floor.turn)),
      turnsPerSecond: median(runs.map((r) => r.floor.turnsPerSecond)),
      processes: medianCpu(runs.map((r) => r.floor.processes)),
    },
  };
  const ratios = {
    turn: { p50: ratio(med.durable.turn.p50, med.baseline.turn.p50), p90: ratio(med.durable.turn.p90, med.baseline.turn.p90), p99: ratio(med.durable.turn.p99, med.baseline.turn.p99) },
    roundTrip: {
      p50: ratio(med.durable.roundTrip.p50, med.baseline.turn.p50),
      p90: ratio(med.durable.roundTrip.p90, med.baseline.turn.p90),
      p99: ratio(med.durable.roundTrip.p99, med.baseline.turn.p99),
    },
    throughput: ratio(med.durable.turnsPerSecond, med.baseline.turnsPerSecond),
    throughputVsQueue: med.queue ? ratio(med.durable.turnsPerSecond, med.queue.turnsPerSecond) : null,
    throughputVsFloor: ratio(med.durable.turnsPerSecond, med.floor.turnsPerSecond),
  };
  const finishedAt = new Date();
  const worker = {
    inProcess: true,
    maxCachedWorkflows: cacheSize,
    maxCachedWorkflowsSource: opts.maxCachedSource,
    reuseV8Context: stack.worker.options.reuseV8Context,
    workflowThreadPoolSize: stack.worker.options.workflowThreadPoolSize,
    dbPool: { worker: 20, api: 10 },
  };
  const mach = machine();
  const result = {
    mode: 'closed-loop',
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    machine: mach,
    config: {
      ...opts,
      agent: 'playbook (offline)',
      script: customerScript,
      replyDetection: 'postgres LISTEN/NOTIFY (autocloser_events)',
      queueDesign: queue ? `BullMQ on redis-server ${redis?.url}, worker concurrency ${opts.conversations}` : queueSkipped,
    },
    worker,
    median: med,
    ratios,
    history: { atSaturation: saturated, atCustomerPace: paced, floor: floorHistory },
    runs,
    memory,
  };
  const file = await writeResult(startedAt, '', result);

  const total = opts.conversations * opts.messages;
  const x = (r: number) => `${r.toFixed(r < 1 ? 3 : 1)}x`;
  const out: string[] = header(startedAt, mach);
  out.push(`load: ${opts.conversations} concurrent conversations x ${opts.messages} messages (${total} turns per run), each message sent after the previous reply; agent: playbook (offline)`);
  out.push(`runs: ${opts.runs}, each figure is the median over runs; reply detected by Postgres LISTEN/NOTIFY on the reply row's insert`);
  out.push(`Postgres, the Temporal dev server${queue ? ', redis-server' : ''} and this process (API + worker) share the machine`);
  out.push('');
  out.push('Per-turn latency (ms) and throughput');
  const rows: { label: string; cells: (number | string | null)[] }[] = [
    { label: 'durable: 202 -> reply row', cells: [...latencyCells(med.durable.turn), med.durable.turn.max, med.durable.turnsPerSecond] },
    { label: '  first turn (starts the workflow)', cells: [...latencyCells(med.durable.firstTurn), med.durable.firstTurn.max, null] },
    { label: '  later turns', cells: [...latencyCells(med.durable.laterTurn), med.durable.laterTurn.max, null] },
    { label: 'durable: POST -> reply row', cells: [...latencyCells(med.durable.roundTrip), med.durable.roundTrip.max, null] },
    { label: 'baseline: decide + send, no Temporal', cells: [...latencyCells(med.baseline.turn), med.baseline.turn.max, med.baseline.turnsPerSecond] },
  ];
  if (med.queue) {
    rows.push({ label: 'queue: BullMQ job, enqueued -> reply row', cells: [...latencyCells(med.queue.turn), med.queue.turn.max, med.queue.turnsPerSecond] });
    rows.push({ label: 'queue: add -> reply row', cells: [...latencyCells(med.queue.roundTrip), med.queue.roundTrip.max, null] });
  }
  rows.push({ label: 'ratio durable(202->reply)/baseline', cells: [x(ratios.turn.p50), x(ratios.turn.p90), x(ratios.turn.p99), null, x(ratios.throughput)] });
  rows.push({ label: 'ratio durable(POST->reply)/baseline', cells: [x(ratios.roundTrip.p50), x(ratios.roundTrip.p90), x(ratios.roundTrip.p99), null, null] });
  if (med.queue && ratios.throughputVsQueue !== null) {
    rows.push({
      label: 'ratio durable(202->reply)/queue',
      cells: [x(ratio(med.durable.turn.p50, med.queue.turn.p50)), x(ratio(med.durable.turn.p90, med.queue.turn.p90)), x(ratio(med.durable.turn.p99, med.queue.turn.p99)), null, x(ratios.throughputVsQueue)],
    });
  }
  rows.push({ label: 'Temporal floor: signal -> one empty local activity', cells: [...latencyCells(med.floor.turn), med.floor.turn.max, med.floor.turnsPerSecond] });
  rows.push({ label: 'ratio durable/Temporal floor', cells: [x(ratio(med.durable.turn.p50, med.floor.turn.p50)), x(ratio(med.durable.turn.p90, med.floor.turn.p90)), x(ratio(med.durable.turn.p99, med.floor.turn.p99)), null, x(ratios.throughputVsFloor)] });
  out.push(table(['', 'p50', 'p90', 'p99', 'max', 'turns/s'], rows));
  if (queueSkipped) out.push(`queue design row ${queueSkipped}`);
  out.push('');
  out.push(`CPU per turn (ms) by process${procAvailable ? '' : ' (not available off Linux: only totals)'}; "rest" is everything else on the machine`);
  const names = [SELF, 'Temporal', 'Postgres', 'Redis'];
  const cpuRows = [
    { label: 'durable', cells: cpuCells(med.durable.processes, names) },
    { label: 'baseline (no Temporal)', cells: cpuCells(med.baseline.processes, names) },
  ];
  if (med.queue) cpuRows.push({ label: 'queue (BullMQ + Redis)', cells: cpuCells(med.queue.processes, names) });
  cpuRows.push({ label: 'Temporal floor (no HTTP, no Postgres, no agent)', cells: cpuCells(med.floor.processes, names) });
  out.push(table(['', ...names, 'rest', 'all', 'cores busy'], cpuRows, 2));
  const th = med.durable.processes.threads;
  if (th) {
    out.push(
      `durable, ${SELF} by thread: main (API, activities, load generator) ${th.main.toFixed(2)}, workflow thread ${th.workflow.toFixed(2)}, ` +
        `Temporal core (Rust) ${th.core.toFixed(2)}, other (GC, compiler, libuv) ${th.other.toFixed(2)}`,
    );
  }
  out.push('');
  out.push('Webhook acknowledgement, POST -> 202 (ms), under the load above');
  const ackRows = [{ label: 'POST /api/webchat/:merchant/messages', cells: [...latencyCells(med.durable.ack), med.durable.ack.max] }];
  if (med.queue) ackRows.push({ label: 'queue: queue.add()', cells: [...latencyCells(med.queue.ack), med.queue.ack.max] });
  out.push(table(['', 'p50', 'p90', 'p99', 'max'], ackRows));
  out.push('');
  out.push('History events per turn, read from Temporal (all runs of each conversation / turns answered)');
  const histRow = (label: string, h: HistoryPerTurn) => ({
    label,
    cells: [String(h.conversations), String(h.turns), String(h.events), h.eventsPerTurn, h.byTypePerTurn.slice(0, 3).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')],
  });
  const histRows = [histRow(`at saturation (run ${opts.runs})`, saturated)];
  if (paced) histRows.push(histRow(`at a customer's pace (${opts.thinkMs} ms think time)`, paced));
  histRows.push(histRow('Temporal floor (workflow start and completion included)', floorHistory));
  out.push(table(['', 'conversations', 'turns', 'events', 'per turn', 'most frequent per turn'], histRows));
  out.push('');
  out.push('Per run');
  out.push(
    table(
      ['run', 'durable p50', 'p99', 'turns/s', 'ack p50', 'ack p99', 'baseline p50', 'p99', 'turns/s', 'queue p50', 'p99', 'turns/s'],
      runs.map((r, i) => ({
        label: String(i + 1),
        cells: [
          r.durable.turn.p50,
          r.durable.turn.p99,
          r.durable.turnsPerSecond,
          r.durable.ack.p50,
          r.durable.ack.p99,
          r.baseline.turn.p50,
          r.baseline.turn.p99,
          r.baseline.turnsPerSecond,
          r.queue?.turn.p50 ?? null,
          r.queue?.turn.p99 ?? null,
          r.queue?.turnsPerSecond ?? null,
        ],
      })),
    ),
  );
  out.push('');
  out.push(`Worker memory: RSS of this process (API + worker + workflow thread + Temporal core, all in-process)`);
  out.push(
    table(
      ['', 'RSS MB', 'heap MB', 'cached workflows'],
      [
        { label: 'before', cells: [memory.before.rssMB, memory.before.heapUsedMB, String(memory.before.cachedWorkflows)] },
        { label: `after opening ${memory.open} conversations`, cells: [memory.after.rssMB, memory.after.heapUsedMB, String(memory.after.cachedWorkflows)] },
        { label: 'delta', cells: [memory.rssDeltaMB, memory.heapDeltaMB, String(memory.after.cachedWorkflows - memory.before.cachedWorkflows)] },
      ],
    ),
  );
  out.push(
    `=> ${memory.rssPerCachedKB.toFixed(1)} KB RSS per cached conversation (RSS growth / workflows added to the cache; ` +
      `one message answered each, opened ${opts.conversations} at a time in ${(memory.openedInMs / 1000).toFixed(1)} s)`,
  );
  out.push(`sticky cache: maxCachedWorkflows = ${cacheSize} (${worker.maxCachedWorkflowsSource}), reuseV8Context = ${String(worker.reuseV8Context)}, workflow threads = ${worker.workflowThreadPoolSize}`);

  const notes: string[] = [];
  const beforeAck = runs.reduce((n, r) => n + r.durable.repliesBeforeAck, 0);
  if (beforeAck) notes.push(`${beforeAck} replies were committed before the client read the 202; counted as 0 ms`);
  const mismatched = runs.reduce((n, r) => n + r.durable.mismatched, 0) + memory.mismatched;
  if (mismatched) notes.push(`${mismatched} conversations stored a different number of replies than messages sent`);
  const qFailed = qRuns.reduce((n, q) => n + q.failed, 0);
  if (qFailed) notes.push(`${qFailed} queue jobs failed at least once (retried)`);
  if (memory.after.cachedWorkflows - memory.before.cachedWorkflows < memory.open) notes.push('fewer workflows were added to the cache than conversations opened: some were evicted or closed');
  if (notes.length) out.push('', ...notes.map((n) => `note: ${n}`));
  out.push('', `total time ${result.durationSeconds.toFixed(0)} s; JSON: ${path.relative(repoRoot, file)}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

interface OpenLoopEnv {
  target: OpenLoopTarget;
  groups: ProcessGroup[];
  /** Waits until the previous rate's tail is done. */
  settle(): Promise<void>;
  describe: string;
}

async function openLoop(opts: Options, env: OpenLoopEnv, startedAt: Date): Promise<void> {
  const rule = { minShare: 0.95, replyP99Ms: opts.boundMs };
  const results: { result: RateResult; behind: string | null; cpuPerMessage: ProcessCpu }[] = [];
  const drainS = Math.max(10, opts.durationS);
  // Warm-up at the lowest rate, not counted: JIT, connection pools, the workflow bundle's first activations.
  await env.settle();
  progress(`warming up: ${opts.rates[0]} messages/s for 5 s, not measured`);
  await offerRate(env.target, { rate: opts.rates[0]!, durationS: 5, arrivals: opts.arrivals, messagesPerConversation: opts.messages, drainS, tag: `${startedAt.getTime().toString(36)}_warm`, seed: 11 });
  for (const [i, rate] of opts.rates.entries()) {
    await env.settle();
    progress(`offering ${rate} messages/s for ${opts.durationS} s (${opts.arrivals} arrivals)`);
    const meter = startProcessCpu(env.groups, null);
    const result = await offerRate(env.target, {
      rate,
      durationS: opts.durationS,
      arrivals: opts.arrivals,
      messagesPerConversation: opts.messages,
      drainS,
      tag: `${startedAt.getTime().toString(36)}_${i}`,
      seed: 12 + i,
    });
    const cpu = cpuPerTurn(meter(), Math.max(1, result.answered));
    const behind = fellBehind(result, rule);
    results.push({ result, behind, cpuPerMessage: cpu });
    progress(
      `${rate}/s: achieved ${result.achieved.toFixed(1)}/s, ack p99 ${result.ack.p99.toFixed(0)} ms, reply p99 ${result.reply.p99.toFixed(0)} ms` + (behind ? `; fell behind: ${behind}` : ''),
    );
    if (behind) {
      if (i < opts.rates.length - 1) progress(`stopping the sweep: higher rates would only queue up more`);
      break;
    }
  }
  const saturation = saturationPoint(results);
  const mach = machine();
  const finishedAt = new Date();
  const result = {
    mode: 'open-loop',
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    machine: mach,
    system: env.describe,
    config: { ...opts, rule, drainS, agent: 'playbook (offline)', script: customerScript },
    saturation,
    rates: results,
  };
  const file = await writeResult(startedAt, '-open-loop', result);
  const svgFile = file.replace(/\.json$/, '.svg');
  const line = (label: string, color: string, pick: (r: RateResult) => number, dashed = false) => ({ label, color, dashed, points: results.map(({ result: r }): [number, number] => [r.offered, pick(r)]) });
  await writeFile(
    svgFile,
    latencyPlot({
      title: 'AutoCloser: latency against offered load (open loop)',
      subtitle: `${env.describe}; ${opts.arrivals} arrivals, ${opts.durationS} s per rate; ${startedAt.toISOString()}`,
      xLabel: 'offered customer messages per second',
      yLabel: 'latency (ms, log scale)',
      series: [
        line('reply p50', '#1f77b4', (r) => r.reply.p50),
        line('reply p95', '#ff7f0e', (r) => r.reply.p95),
        line('reply p99', '#d62728', (r) => r.reply.p99),
        line('ack p50', '#1f77b4', (r) => r.ack.p50, true),
        line('ack p95', '#ff7f0e', (r) => r.ack.p95, true),
        line('ack p99', '#d62728', (r) => r.ack.p99, true),
      ],
      marker: saturation === null ? null : { x: saturation, label: `saturation ${saturation}/s` },
    }),
  );

  const names = env.groups.map((g) => g.name);
  const out = header(startedAt, mach);
  out.push(`system: ${env.describe}`);
  out.push(`open loop: ${opts.arrivals} arrivals for ${opts.durationS} s per rate, each conversation ${opts.messages} messages (a new one opens when all are waiting for a reply); ` + `the first fifth of each window is not measured; drain ${drainS} s`);
  out.push(`latency from POST: ack = POST -> 202, reply = POST -> reply row committed (heard through LISTEN/NOTIFY)`);
  out.push('');
  out.push(
    table(
      ['offered/s', 'achieved/s', 'sent', 'backlog end', 'max', 'ack p50', 'p95', 'p99', 'reply p50', 'p95', 'p99', 'client lag p99', 'kept up'],
      results.map(({ result: r, behind }) => ({
        label: String(r.offered),
        cells: [r.achieved, String(r.sent), String(r.backlogAtEnd), String(r.maxBacklog), r.ack.p50, r.ack.p95, r.ack.p99, r.reply.p50, r.reply.p95, r.reply.p99, r.lag.p99, behind ? `no: ${behind}` : 'yes'],
      })),
    ),
  );
  out.push('');
  out.push(`CPU per answered message (ms) by process; "rest" is everything else on the machine`);
  out.push(table(['offered/s', ...names, 'rest', 'all', 'cores busy'], results.map(({ result: r, cpuPerMessage }) => ({ label: String(r.offered), cells: cpuCells(cpuPerMessage, names) })), 2));
  out.push('');
  out.push(
    saturation === null
      ? `saturation: even the lowest rate fell behind (achieved >= ${rule.minShare * 100}% of offered, everything answered, reply p99 <= ${rule.replyP99Ms} ms)`
      : `saturation point: ${saturation} messages/s, the highest rate where the achieved rate kept up (>= ${rule.minShare * 100}%) and reply p99 stayed <= ${rule.replyP99Ms} ms`,
  );
  out.push('', `JSON: ${path.relative(repoRoot, file)}; plot: ${path.relative(repoRoot, svgFile)}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

async function openConversationsMode(opts: Options, env: InProcess, startedAt: Date): Promise<void> {
  const merchantId = await env.stack.createMerchant();
  const r = await measureOpenConversationsAtScale(env.stack, env.watch, { merchantId, open: opts.openConversations, concurrency: opts.conversations, sample: opts.sample, groups: env.groups, progress });
  const mach = machine();
  const file = await writeResult(startedAt, '-open-conversations', { mode: 'open-conversations', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine: mach, config: opts, result: r });
  const names = env.groups.map((g) => g.name);
  const out = header(startedAt, mach);
  out.push(`${r.open} conversations opened on one worker (one message each, answered, ${opts.conversations} at a time, in ${(r.openedInMs / 1000).toFixed(1)} s); sticky cache maxCachedWorkflows = ${r.maxCachedWorkflows} (${opts.maxCachedSource})`);
  out.push('');
  out.push(
    table(
      ['', 'RSS MB', 'heap MB', 'cached workflows'],
      [
        { label: 'before', cells: [r.before.rssMB, r.before.heapUsedMB, String(r.before.cachedWorkflows)] },
        { label: 'after', cells: [r.after.rssMB, r.after.heapUsedMB, String(r.after.cachedWorkflows)] },
      ],
    ),
  );
  out.push(`=> worker (this process: API + worker) RSS ${r.after.rssMB.toFixed(0)} MB with ${r.after.cachedWorkflows} cached conversations; ${r.rssPerCachedKB.toFixed(1)} KB RSS per cached conversation`);
  out.push('');
  out.push(`Next turn of a conversation: evicted from the cache (replayed from its history) against cached; ${r.evicted.turns} turns each, one at a time; ${r.evictedBy} newer conversations were opened to evict the oldest`);
  const row = (label: string, c: typeof r.evicted) => ({ label, cells: [c.latency.p50, c.latency.p90, c.latency.max, ...names.map((n) => c.cpuMs[n] ?? null), c.machineMs, c.historyEvents] });
  out.push(
    table(
      ['', '202->reply p50', 'p90', 'max', ...names.map((n) => `CPU ${n}`), 'CPU all', 'history events'],
      [row('evicted (replay)', r.evicted), row('cached', r.cached)],
    ),
  );
  if (r.mismatched) out.push(`note: ${r.mismatched} conversations stored a different number of replies than messages sent`);
  out.push('', `JSON: ${path.relative(repoRoot, file)}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

async function longMode(opts: Options, env: InProcess, startedAt: Date): Promise<void> {
  const merchantId = await env.stack.createMerchant();
  const direct: DirectTurnDeps = { db: env.stack.db, llm: env.stack.llm, webchat: env.stack.webchat };
  await checkScript(direct, merchantId, opts.long);
  progress(`one conversation of ${opts.long} turns`);
  const r = await measureLongConversation(env.stack, env.watch, { merchantId, turns: opts.long, positions: [10, opts.long], window: 10, groups: env.groups, progress });
  const mach = machine();
  const file = await writeResult(startedAt, '-long', { mode: 'long', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine: mach, config: opts, result: r });
  const names = env.groups.map((g) => g.name);
  const out = header(startedAt, mach);
  out.push(`one conversation of ${r.turns} turns in ${(r.wallMs / 1000).toFixed(1)} s; measured turns run one at a time with the worker idle before and after`);
  out.push('');
  out.push(
    table(
      ['turns', '202->reply (median)', ...names.map((n) => `CPU ${n}`), 'CPU all'],
      r.positions.map((p) => ({ label: `${p.from}-${p.to}`, cells: [p.turnMs, ...names.map((n) => p.cpuMs[n] ?? null), p.machineMs] })),
      2,
    ),
  );
  const [first, last] = [r.positions[0]!, r.positions.at(-1)!];
  out.push(`=> last turns / turn 10: latency ${ratio(last.turnMs, first.turnMs).toFixed(2)}x, CPU (all processes) ${ratio(last.machineMs, first.machineMs).toFixed(2)}x`);
  out.push(`other turns (not paused for measurement): median 202->reply ${r.unmeasuredTurnMs.toFixed(1)} ms`);
  out.push('');
  const closed = r.history.runs.slice(0, -1);
  out.push(
    closed.length
      ? `continue-as-new: ${closed.length} ${closed.length === 1 ? 'time' : 'times'}; history length at continue-as-new: ${closed.join(', ')} events; current run ${r.history.runs.at(-1)} events`
      : `continue-as-new: not reached; the single run has ${r.history.runs[0]} events (${(r.history.events / r.turns).toFixed(1)} per turn)`,
  );
  out.push('', `JSON: ${path.relative(repoRoot, file)}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

/** The open loop against a running `npm start`: its API, its Postgres for replies, its processes for CPU. */
async function againstTarget(opts: Options, startedAt: Date): Promise<void> {
  // The same settings npm start reads, so the default database and Temporal address are its own.
  const dotenv = path.join(repoRoot, '.env');
  if (existsSync(dotenv)) process.loadEnvFile(dotenv);
  const env = loadEnv();
  const databaseUrl = opts.databaseUrl ?? env.DATABASE_URL ?? `postgres://autocloser:autocloser@127.0.0.1:${env.EMBEDDED_PG_PORT}/autocloser`;
  const health = await fetch(`${opts.target}/api/webchat/${encodeURIComponent(opts.merchant)}/messages`, { method: 'OPTIONS' }).catch((err: unknown) => err);
  if (health instanceof Error) throw new Error(`nothing answers at ${opts.target}: ${health.message}`);
  const watch = await startReplyWatch(databaseUrl).catch((err: unknown) => {
    throw new Error(`cannot listen for replies on ${databaseUrl.replace(/\/\/[^@]*@/, '//')}: ${err instanceof Error ? err.message : String(err)} (set --database-url)`);
  });
  try {
    const workers = opts.workerPid ? [opts.workerPid] : pidsByCommandLine(['worker/main.ts'], ['.bin/tsx', 'sh -c']); // `npm run worker` wraps the real process in a shell and the tsx CLI
    const groups: ProcessGroup[] = [
      { name: 'API', pid: pidListeningOn(portOf(opts.target!)) },
      { name: 'worker', pid: workers[0] ?? null },
      { name: 'Temporal', pid: pidListeningOn(portOf(env.TEMPORAL_ADDRESS)) },
      { name: 'Postgres', pid: pidListeningOn(portOf(new URL(databaseUrl).host)), withChildren: true },
    ];
    const missing = groups.filter((g) => g.pid === null).map((g) => g.name);
    if (missing.length) progress(`not found on this machine, so no CPU figure for: ${missing.join(', ')}`);
    if (workers.length > 1) progress(`${workers.length} worker processes found; CPU is read from the first (pid ${workers[0]})`);
    await openLoop(opts, { target: { apiUrl: opts.target!, merchantId: opts.merchant, watch }, groups, settle: () => sleep(3_000), describe: `npm start at ${opts.target}, merchant ${opts.merchant}` }, startedAt);
  } finally {
    await watch.close();
  }
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const startedAt = new Date();
  if (opts.target) return againstTarget(opts, startedAt);

  const services = await startTestServices('bench', progress);
  const databaseUrl = services.env.TEST_DATABASE_URL;
  const temporalAddress = services.env.TEST_TEMPORAL_ADDRESS;
  const cleanups: (() => Promise<void>)[] = [() => services.stop()];
  const cleanup = async () => {
    for (const stop of cleanups.reverse().splice(0)) await stop().catch((err: unknown) => progress(`cleanup: ${String(err)}`));
  };
  const interrupted = () => {
    progress('interrupted; stopping');
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    progress(`postgres ${databaseUrl}, temporal ${temporalAddress}; bundling workflows and starting the worker`);
    const stack: BenchStack = await startBenchStack({ databaseUrl, temporalAddress, maxCachedWorkflows: opts.maxCached });
    cleanups.push(() => stack.stop());
    const watch: ReplyWatch = await startReplyWatch(databaseUrl);
    cleanups.push(() => watch.close());
    const env: InProcess = { stack, watch, databaseUrl, temporalAddress, groups: stackGroups(databaseUrl, temporalAddress), cleanups };

    if (opts.mode === 'closed') await closedLoop(opts, env, startedAt);
    else if (opts.mode === 'open-conversations') await openConversationsMode(opts, env, startedAt);
    else if (opts.mode === 'long') await longMode(opts, env, startedAt);
    else {
      const merchantId = await stack.createMerchant();
      await openLoop(
        opts,
        {
          target: { apiUrl: stack.apiUrl, merchantId, watch },
          groups: env.groups,
          settle: () => stack.quiesce(60_000),
          describe: `the bench's own stack (API + worker in one process, maxCachedWorkflows ${stack.worker.options.maxCachedWorkflows})`,
        },
        startedAt,
      );
    }
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof UsageError ? err.message : err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
