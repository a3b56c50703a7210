/**
 * `npm run bench`: how much the durable design costs per turn. Brings up a
 * throwaway embedded Postgres and an in-memory Temporal dev server (as
 * `npm test` does), builds the API and a worker in this process with the
 * offline playbook agent, then measures per-turn latency and throughput of
 * the durable path against the same turns as direct calls, webhook
 * acknowledgement latency, and worker memory per open conversation.
 * Prints a table and writes bench/results/<timestamp>.json. Measures only.
 *
 *   npm run bench -- --conversations 50 --messages 4 --runs 3 --open 500 [--max-cached N]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadEnv, repoRoot } from '../config/env';
import { startTestServices } from '../test/support/services';
import { checkScript, runBaseline, type BaselineRun } from '../bench/lib/baseline';
import type { DirectTurnDeps } from '../bench/lib/direct-turn';
import { runDurable, type DurableRun } from '../bench/lib/durable';
import { measureOpenConversations, type MemoryResult } from '../bench/lib/memory';
import { startCpuMeter, type CpuSpent } from '../bench/lib/cpu';
import { startReplyWatch, type ReplyWatch } from '../bench/lib/reply-watch';
import { latencyCells, ratio, table } from '../bench/lib/report';
import { customerScript } from '../bench/lib/script';
import { startBenchStack, type BenchStack } from '../bench/lib/stack';
import { median, medianOf, summarize, type LatencySummary } from '../bench/lib/stats';

const USAGE = `usage: npm run bench -- [--conversations N] [--messages N] [--runs N] [--open N] [--max-cached N]
  --conversations  concurrent conversations in the latency/throughput section (default 50)
  --messages       messages per conversation, each sent after the previous reply (default 4)
  --runs           repetitions of the latency/throughput section; the median is reported (default 3)
  --open           open conversations for the memory section (default 500)
  --max-cached     worker sticky cache size (default: WORKER_MAX_CACHED_WORKFLOWS, 1000 unless set, as in production)`;

interface Options {
  conversations: number;
  messages: number;
  runs: number;
  open: number;
  maxCached: number;
  maxCachedSource: string;
}

class UsageError extends Error {}

const flags = {
  conversations: { type: 'string', default: '50' },
  messages: { type: 'string', default: '4' },
  runs: { type: 'string', default: '3' },
  open: { type: 'string', default: '500' },
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
  return {
    conversations: int('conversations', values.conversations, 1),
    messages: int('messages', values.messages, 1),
    runs: int('runs', values.runs, 1),
    open: int('open', values.open, 1),
    maxCached: values['max-cached'] === undefined ? loadEnv().WORKER_MAX_CACHED_WORKFLOWS : int('max-cached', values['max-cached'], 2),
    maxCachedSource: values['max-cached'] === undefined ? 'WORKER_MAX_CACHED_WORKFLOWS, as in production' : '--max-cached',
  };
}

const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);

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
  };
  baseline: { turn: LatencySummary; turnsPerSecond: number; wallMs: number; cpu: CpuPerTurn };
}

/** CPU milliseconds per turn: this process, everything else on the machine (mostly Postgres and Temporal), and the busy share of all cores. */
interface CpuPerTurn {
  processMs: number;
  othersMs: number;
  utilization: number;
}

const perTurn = (c: CpuSpent, turns: number): CpuPerTurn => ({
  processMs: c.processMs / turns,
  othersMs: Math.max(0, c.machineMs - c.processMs) / turns,
  utilization: c.utilization,
});

function summarizeRun(d: DurableRun, dCpu: CpuSpent, b: BaselineRun, bCpu: CpuSpent): RunSummary {
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
      cpu: perTurn(dCpu, d.turns),
    },
    baseline: { turn: summarize(b.turnMs), turnsPerSecond: b.turnsPerSecond, wallMs: b.wallMs, cpu: perTurn(bCpu, b.turns) },
  };
}

function machine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    availableParallelism: os.availableParallelism(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryTotalMB: Math.round(os.totalmem() / 1024 / 1024),
    memoryFreeMB: Math.round(os.freemem() / 1024 / 1024),
    nodeVersion: process.version,
    platform: `${process.platform} ${os.release()}`,
    arch: process.arch,
  };
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const startedAt = new Date();

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
    const direct: DirectTurnDeps = { db: stack.db, llm: stack.llm, webchat: stack.webchat };

    const workflowsHeld = (opts.runs + 1) * opts.conversations + opts.open;
    const cacheSize = stack.worker.options.maxCachedWorkflows;
    if (cacheSize < workflowsHeld) {
      progress(`warning: the sticky cache holds ${cacheSize} workflows but the bench opens about ${workflowsHeld}; evicted ones make the memory figure too low`);
    }

    // Warm-up: checks the script draws one reply per turn, JIT-compiles both paths and fills the connection pools.
    const warmMerchant = await stack.createMerchant();
    await checkScript(direct, warmMerchant, opts.messages);
    const warm = { merchantId: warmMerchant, tag: 'warm', conversations: opts.conversations, messages: Math.min(2, opts.messages) };
    await runDurable({ ...warm, apiUrl: stack.apiUrl, db: stack.db, watch });
    await stack.quiesce();
    await runBaseline(direct, warm);
    progress('warm-up done');

    const runs: RunSummary[] = [];
    for (let r = 1; r <= opts.runs; r++) {
      const merchantId = await stack.createMerchant();
      const load = { merchantId, tag: `r${r}`, conversations: opts.conversations, messages: opts.messages };
      await stack.quiesce();
      let meter = startCpuMeter();
      const d = await runDurable({ ...load, apiUrl: stack.apiUrl, db: stack.db, watch });
      // The workflows' last projection lands after the last reply; it is part of the turns' cost.
      await stack.quiesce();
      const dCpu = meter();
      meter = startCpuMeter();
      const b = await runBaseline(direct, load);
      const bCpu = meter();
      const s = summarizeRun(d, dCpu, b, bCpu);
      runs.push(s);
      progress(
        `run ${r}/${opts.runs}: durable p50 ${s.durable.turn.p50.toFixed(1)} ms, ${s.durable.turnsPerSecond.toFixed(1)} turns/s; ` +
          `baseline p50 ${s.baseline.turn.p50.toFixed(1)} ms, ${s.baseline.turnsPerSecond.toFixed(1)} turns/s`,
      );
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

    const med = {
      durable: {
        turn: medianOf(runs.map((r) => r.durable.turn)),
        roundTrip: medianOf(runs.map((r) => r.durable.roundTrip)),
        firstTurn: medianOf(runs.map((r) => r.durable.firstTurn)),
        laterTurn: medianOf(runs.map((r) => r.durable.laterTurn)),
        ack: medianOf(runs.map((r) => r.durable.ack)),
        turnsPerSecond: median(runs.map((r) => r.durable.turnsPerSecond)),
        cpu: medianOf(runs.map((r) => r.durable.cpu)),
      },
      baseline: {
        turn: medianOf(runs.map((r) => r.baseline.turn)),
        turnsPerSecond: median(runs.map((r) => r.baseline.turnsPerSecond)),
        cpu: medianOf(runs.map((r) => r.baseline.cpu)),
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
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
      machine: mach,
      config: { ...opts, agent: 'playbook (offline)', script: customerScript, replyDetection: 'postgres LISTEN/NOTIFY (autocloser_events)' },
      worker,
      median: med,
      ratios,
      runs,
      memory,
    };

    const resultsDir = path.join(repoRoot, 'bench', 'results');
    await mkdir(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `${startedAt.toISOString().replace(/:/g, '-')}.json`);
    await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);

    const total = opts.conversations * opts.messages;
    const x = (r: number) => `${r.toFixed(r < 1 ? 3 : 1)}x`;
    const out: string[] = [];
    out.push(`AutoCloser bench, ${startedAt.toISOString()}`);
    out.push(`machine: ${mach.cpus} cpus (${mach.cpuModel}), ${(mach.memoryTotalMB / 1024).toFixed(1)} GB, node ${mach.nodeVersion}, ${mach.platform} ${mach.arch}`);
    out.push(`load: ${opts.conversations} concurrent conversations x ${opts.messages} messages (${total} turns per run), each message sent after the previous reply; agent: playbook (offline)`);
    out.push(`runs: ${opts.runs}, each figure is the median over runs; reply detected by Postgres LISTEN/NOTIFY on the reply row's insert`);
    out.push(`Postgres, the Temporal dev server and this process (API + worker) share the machine`);
    out.push('');
    out.push('Per-turn latency (ms) and throughput');
    out.push(
      table(
        ['', 'p50', 'p90', 'p99', 'max', 'turns/s'],
        [
          { label: 'durable: 202 -> reply row', cells: [...latencyCells(med.durable.turn), med.durable.turn.max, med.durable.turnsPerSecond] },
          { label: '  first turn (starts the workflow)', cells: [...latencyCells(med.durable.firstTurn), med.durable.firstTurn.max, null] },
          { label: '  later turns', cells: [...latencyCells(med.durable.laterTurn), med.durable.laterTurn.max, null] },
          { label: 'durable: POST -> reply row', cells: [...latencyCells(med.durable.roundTrip), med.durable.roundTrip.max, null] },
          { label: 'baseline: decide + send, no Temporal', cells: [...latencyCells(med.baseline.turn), med.baseline.turn.max, med.baseline.turnsPerSecond] },
          { label: 'ratio durable(202->reply)/baseline', cells: [x(ratios.turn.p50), x(ratios.turn.p90), x(ratios.turn.p99), null, x(ratios.throughput)] },
          { label: 'ratio durable(POST->reply)/baseline', cells: [x(ratios.roundTrip.p50), x(ratios.roundTrip.p90), x(ratios.roundTrip.p99), null, null] },
        ],
      ),
    );
    out.push('');
    out.push('CPU per turn (ms): where the work goes; on few cores this is what caps throughput');
    out.push(
      table(
        ['', 'this process', 'rest of machine', 'cores busy'],
        [
          { label: 'durable (API + worker | Postgres + Temporal)', cells: [med.durable.cpu.processMs, med.durable.cpu.othersMs, `${(med.durable.cpu.utilization * 100).toFixed(0)}%`] },
          { label: 'baseline (agent + send | Postgres)', cells: [med.baseline.cpu.processMs, med.baseline.cpu.othersMs, `${(med.baseline.cpu.utilization * 100).toFixed(0)}%`] },
        ],
        2,
      ),
    );
    out.push('');
    out.push('Webhook acknowledgement, POST -> 202 (ms), under the load above');
    out.push(table(['', 'p50', 'p90', 'p99', 'max'], [{ label: 'POST /api/webchat/:merchant/messages', cells: [...latencyCells(med.durable.ack), med.durable.ack.max] }]));
    out.push('');
    out.push('Per run');
    out.push(
      table(
        ['run', 'durable p50', 'p99', 'turns/s', 'ack p50', 'ack p99', 'baseline p50', 'p99', 'turns/s'],
        runs.map((r, i) => ({
          label: String(i + 1),
          cells: [r.durable.turn.p50, r.durable.turn.p99, r.durable.turnsPerSecond, r.durable.ack.p50, r.durable.ack.p99, r.baseline.turn.p50, r.baseline.turn.p99, r.baseline.turnsPerSecond],
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
    out.push(`=> ${memory.rssPerConversationKB.toFixed(1)} KB RSS per open conversation (one message answered each, opened ${opts.conversations} at a time in ${(memory.openedInMs / 1000).toFixed(1)} s)`);
    out.push(`sticky cache: maxCachedWorkflows = ${cacheSize} (${worker.maxCachedWorkflowsSource}), reuseV8Context = ${String(worker.reuseV8Context)}, workflow threads = ${worker.workflowThreadPoolSize}`);

    const notes: string[] = [];
    const beforeAck = runs.reduce((n, r) => n + r.durable.repliesBeforeAck, 0);
    if (beforeAck) notes.push(`${beforeAck} replies were committed before the client read the 202; counted as 0 ms`);
    const mismatched = runs.reduce((n, r) => n + r.durable.mismatched, 0) + memory.mismatched;
    if (mismatched) notes.push(`${mismatched} conversations stored a different number of replies than messages sent`);
    if (memory.after.cachedWorkflows - memory.before.cachedWorkflows < memory.open) notes.push('fewer workflows were added to the cache than conversations opened: some were evicted or closed');
    if (notes.length) out.push('', ...notes.map((n) => `note: ${n}`));
    out.push('', `total time ${result.durationSeconds.toFixed(0)} s; JSON: ${path.relative(repoRoot, file)}`);
    process.stdout.write(`${out.join('\n')}\n`);
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
