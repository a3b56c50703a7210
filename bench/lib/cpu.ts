import os from 'node:os';

/**
 * CPU time spent during a section: by this process (API + worker + agent) and
 * by the whole machine, so the difference is mostly Postgres and the Temporal
 * server. On a box with few cores this is what caps throughput.
 */
export interface CpuSpent {
  processMs: number;
  machineMs: number;
  /** machineMs / (wall time × cores): 1 means every core was busy throughout. */
  utilization: number;
}

const machineBusyMs = () => os.cpus().reduce((sum, c) => sum + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0);

export function startCpuMeter(): () => CpuSpent {
  const proc = process.cpuUsage();
  const machine = machineBusyMs();
  const started = performance.now();
  return () => {
    const p = process.cpuUsage(proc);
    const machineMs = machineBusyMs() - machine;
    const wall = performance.now() - started;
    return { processMs: (p.user + p.system) / 1000, machineMs, utilization: machineMs / (wall * os.cpus().length) };
  };
}
