import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ToolProcess {
  child: ChildProcess;
  /** Resolves with how the process ended ("exit code 1", "signal SIGKILL", or the spawn error). */
  exited: Promise<string>;
  /** The last lines it printed, for error messages. */
  tail(): string;
  /** SIGTERM, then SIGKILL after a grace period; idempotent. */
  stop(): Promise<void>;
}

/**
 * Runs a helper server (stripe-mock, Mailpit) the way every tool here needs:
 * output kept for error messages, each line offered to `onLine`, and killed
 * with this process so a crashed test run leaves nothing behind.
 */
export function spawnTool(bin: string, args: string[], onLine: (line: string) => void = () => {}, graceMs = 5_000): ToolProcess {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  const output: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      output.push(line);
      if (output.length > 40) output.shift();
      onLine(line);
    });
  }
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `exit code ${code}`));
    child.once('error', (err) => resolve(err.message));
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);

  let stopped: Promise<void> | null = null;
  const stop = () =>
    (stopped ??= (async () => {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = sleep(graceMs, 'timeout' as const, { ref: false });
      if ((await Promise.race([exited, timer])) === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    })());
  return { child, exited, tail: () => output.join('\n'), stop };
}
