import http from 'node:http';
import { listenShortLived } from '../observability/listen';
import type { State, WorkerStatus } from '@temporalio/worker';

export interface WorkerHealth {
  port: number;
  close(): Promise<void>;
}

export interface WorkerHealthOptions {
  port: number;
  host?: string;
  /** The worker's status (`worker.getStatus()`): run state and poller states. */
  status: () => Pick<WorkerStatus, 'runState' | 'workflowPollerState' | 'activityPollerState'>;
  /**
   * Asks the Temporal frontend something cheap (`getSystemInfo`) over the worker's own connection. The SDK keeps
   * a worker RUNNING and its pollers POLLING while it retries against an unreachable server, so the pollers'
   * state alone cannot tell a polling worker from one shouting into the void.
   */
  probeTemporal: (timeoutMs: number) => Promise<void>;
  /** How long a probe may take before the worker counts as not ready. Default 2 s. */
  probeTimeoutMs?: number;
}

interface Verdict {
  ok: boolean;
  state: State;
  pollers?: { workflow: string; activity: string };
  temporal?: 'ok' | 'unreachable';
}

/**
 * Health for orchestrators, on its own port:
 * - `/healthz`, liveness: 200 while the worker has not failed. A worker that cannot reach Temporal is still
 *   alive: restarting it would not bring the server back, and it resumes polling by itself.
 * - `/readyz`, readiness: 200 only while the worker runs, both pollers poll and the frontend answers over the
 *   worker's connection; 503 while it starts, drains after SIGTERM, or cannot reach Temporal.
 * Any other path answers as `/readyz`.
 */
export async function startWorkerHealth(opts: WorkerHealthOptions): Promise<WorkerHealth> {
  const timeoutMs = opts.probeTimeoutMs ?? 2_000;
  const live = (): Verdict => {
    const state = opts.status().runState;
    return { ok: state !== 'FAILED', state };
  };
  const ready = async (): Promise<Verdict> => {
    const status = opts.status();
    const pollers = { workflow: status.workflowPollerState, activity: status.activityPollerState };
    const polling = status.runState === 'RUNNING' && pollers.workflow === 'POLLING' && pollers.activity === 'POLLING';
    // No probe for a worker that is not polling anyway: its answer is already no.
    const temporal = polling
      ? await opts.probeTemporal(timeoutMs).then(
          () => 'ok' as const,
          () => 'unreachable' as const,
        )
      : undefined;
    return { ok: polling && temporal === 'ok', state: status.runState, pollers, ...(temporal ? { temporal } : {}) };
  };
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://worker').pathname;
    void (path === '/healthz' ? Promise.resolve(live()) : ready()).then(
      (verdict) => {
        res.writeHead(verdict.ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : JSON.stringify(verdict));
      },
      () => {
        res.writeHead(503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ ok: false }));
      },
    );
  });
  return listenShortLived(server, opts.port, opts.host);
}

/** `probeTemporal` over a connection: one `getSystemInfo` within the deadline (which also ends the SDK's retries). */
export function frontendProbe(connection: {
  withDeadline<T>(deadline: number | Date, fn: () => Promise<T>): Promise<T>;
  workflowService: { getSystemInfo(req: object): Promise<unknown> };
}): (timeoutMs: number) => Promise<void> {
  return async (timeoutMs) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.getSystemInfo({})),
        new Promise((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
}
