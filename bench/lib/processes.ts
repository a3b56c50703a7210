/**
 * CPU time of the processes a turn passes through (API, worker, Temporal
 * server, Postgres), read from Linux's /proc so the bench can say where each
 * millisecond of a turn goes. Processes are found by the TCP port they listen
 * on (the API, the Temporal frontend, the postmaster) or by their command line
 * (a worker listens on nothing). Off Linux every reading is empty and the
 * report says so.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';

const available = process.platform === 'linux';

/** Clock ticks per second of the utime/stime fields; 100 on every mainstream Linux build. */
const ticksPerSecond = (() => {
  if (!available) return 100;
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface Stat {
  comm: string;
  ppid: number;
  /** user + system CPU of the process itself, ms. */
  ownMs: number;
  /** user + system CPU of children it has waited for, ms (Postgres backends that have exited). */
  reapedMs: number;
  rssKB: number;
  /** Clock ticks after boot at which the process started. */
  startTicks: number;
}

function readStat(file: string): Stat | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  // The command name is in parentheses and may itself contain spaces or parentheses.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const comm = text.slice(open + 1, close);
  const f = text.slice(close + 2).split(' ');
  // f[0] is field 3 (state); utime is field 14, so f[11].
  const tick = 1000 / ticksPerSecond;
  return {
    comm,
    ppid: Number(f[1]),
    ownMs: (Number(f[11]) + Number(f[12])) * tick,
    reapedMs: (Number(f[13]) + Number(f[14])) * tick,
    rssKB: (Number(f[21]) * 4096) / 1024,
    startTicks: Number(f[19]),
  };
}

const pids = (): number[] => (available ? readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number) : []);

function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // st 0A is LISTEN.
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A') inodes.add(cols[9]!);
    }
  }
  return inodes;
}

/** The process listening on a local TCP port, or null. */
export function pidListeningOn(port: number): number | null {
  const inodes = listeningInodes(port);
  if (!inodes.size) return null;
  for (const pid of pids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (link.startsWith('socket:[') && inodes.has(link.slice(8, -1))) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return null;
}

/** Processes whose command line contains every fragment (e.g. `worker/main.ts`) and none of `without`, oldest first. */
export function pidsByCommandLine(fragments: string[], without: string[] = []): number[] {
  const started = (pid: number) => readStat(`/proc/${pid}/stat`)?.startTicks ?? Number.POSITIVE_INFINITY;
  return pids()
    .filter((pid) => {
      if (pid === process.pid) return false;
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        return fragments.every((f) => cmd.includes(f)) && !without.some((f) => cmd.includes(f));
      } catch {
        return false;
      }
    })
    .sort((a, b) => started(a) - started(b));
}

/** A named group of processes whose CPU is summed: one process, or a parent with its children (Postgres). */
export interface ProcessGroup {
  name: string;
  pid: number | null;
  withChildren?: boolean;
}

function groupCpuMs(g: ProcessGroup): number {
  if (g.pid === null) return Number.NaN;
  // This process to the microsecond; /proc counts in clock ticks (10 ms), too coarse for one turn.
  if (g.pid === process.pid && !g.withChildren) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
  const root = readStat(`/proc/${g.pid}/stat`);
  if (!root) return Number.NaN;
  let ms = root.ownMs;
  if (g.withChildren) {
    // Children that exited were reaped by the parent and show in its reaped time; live ones count themselves.
    ms += root.reapedMs;
    for (const pid of pids()) {
      const s = readStat(`/proc/${pid}/stat`);
      if (s && s.ppid === g.pid) ms += s.ownMs;
    }
  }
  return ms;
}

export function rssMB(pid: number | null): number {
  if (pid === null) return Number.NaN;
  const s = readStat(`/proc/${pid}/stat`);
  return s ? s.rssKB / 1024 : Number.NaN;
}

/**
 * Threads of this process by role. The bench's own process holds the API, the
 * worker and the load generator together: Node's main thread runs the API,
 * the activities and the load generator; workflow code runs in the worker's
 * workflow thread(s); the Temporal core (Rust, tokio threads) does the gRPC
 * work with the server. V8's and libuv's helper threads (GC, compiler, file
 * system) are "other".
 */
export type ThreadRole = 'main' | 'workflow' | 'core' | 'other';

function threadRole(comm: string, tid: number, mainTid: number, workflowTids: Set<number>): ThreadRole {
  if (tid === mainTid) return 'main';
  if (workflowTids.has(tid)) return 'workflow';
  if (comm.startsWith('tokio') || comm.startsWith('temporal')) return 'core';
  return 'other';
}

function threadCpu(workflowTids: Set<number>): Record<ThreadRole, number> {
  const out: Record<ThreadRole, number> = { main: 0, workflow: 0, core: 0, other: 0 };
  if (!available) return out;
  for (const t of readdirSync('/proc/self/task')) {
    const s = readStat(`/proc/self/task/${t}/stat`);
    if (s) out[threadRole(s.comm, Number(t), process.pid, workflowTids)] += s.ownMs;
  }
  return out;
}

/**
 * Node names its worker threads after nothing useful, so the workflow
 * thread is told apart by what it does: after a burst of workflow work it is
 * the non-main, non-tokio thread that gained the most CPU. `mark` is called
 * around such a burst.
 */
export function workflowThreadFinder(): { before(): void; after(): Set<number> } {
  let base = new Map<number, number>();
  const snapshot = () => {
    const m = new Map<number, number>();
    if (!available) return m;
    for (const t of readdirSync('/proc/self/task')) {
      const s = readStat(`/proc/self/task/${t}/stat`);
      if (s && Number(t) !== process.pid && !s.comm.startsWith('tokio')) m.set(Number(t), s.ownMs);
    }
    return m;
  };
  return {
    before() {
      base = snapshot();
    },
    after() {
      let best = -1;
      let bestGain = 0;
      for (const [tid, ms] of snapshot()) {
        const gain = ms - (base.get(tid) ?? 0);
        if (gain > bestGain) [best, bestGain] = [tid, gain];
      }
      return best < 0 ? new Set() : new Set([best]);
    },
  };
}

const machineBusyMs = () => os.cpus().reduce((sum, c) => sum + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0);

export interface ProcessCpu {
  /** CPU ms per group over the section. NaN when the process was not found. */
  groups: Record<string, number>;
  /** This process by thread role; empty when this process is not part of the stack. */
  threads: Record<ThreadRole, number> | null;
  /** Everything busy on the machine. */
  machineMs: number;
  wallMs: number;
  utilization: number;
}

/** Starts a CPU reading of the groups (and of this process's threads when `self` is true); call the result to end it. */
export function startProcessCpu(groups: ProcessGroup[], self: { workflowTids: Set<number> } | null): () => ProcessCpu {
  const start = new Map(groups.map((g) => [g.name, groupCpuMs(g)]));
  const threads0 = self ? threadCpu(self.workflowTids) : null;
  const machine0 = machineBusyMs();
  const t0 = performance.now();
  return () => {
    const wallMs = performance.now() - t0;
    const machineMs = machineBusyMs() - machine0;
    const out: Record<string, number> = {};
    for (const g of groups) out[g.name] = groupCpuMs(g) - start.get(g.name)!;
    let threads: ProcessCpu['threads'] = null;
    if (self && threads0) {
      const now = threadCpu(self.workflowTids);
      threads = { main: now.main - threads0.main, workflow: now.workflow - threads0.workflow, core: now.core - threads0.core, other: now.other - threads0.other };
    }
    return { groups: out, threads, machineMs, wallMs, utilization: machineMs / (wallMs * os.cpus().length) };
  };
}

/** Divides every figure of a reading by the number of turns. */
export function cpuPerTurn(c: ProcessCpu, turns: number): ProcessCpu {
  const div = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v / turns]));
  return {
    groups: div(c.groups),
    threads: c.threads ? (div(c.threads) as Record<ThreadRole, number>) : null,
    machineMs: c.machineMs / turns,
    wallMs: c.wallMs,
    utilization: c.utilization,
  };
}

export const procAvailable = available;
