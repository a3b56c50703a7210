import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { ping, type Db } from '../db/knex';

export type CheckResult = 'ok' | 'unreachable' | 'timeout';
export interface Readiness {
  ok: boolean;
  checks: { postgres: CheckResult; temporal: CheckResult };
}

class CheckTimeout extends Error {}

/** Rejects after `ms` so a hung pool or a silent network never holds a probe past its own timeout. */
async function within<T>(ms: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new CheckTimeout()), ms);
  });
  try {
    return await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What `/readyz` answers: whether this API can do its job right now, which
 * needs both its database and Temporal (every message becomes a signal). Both
 * are checked at once, each within `timeoutMs`, so a probe gets an answer
 * well inside its own timeout. Only the verdict leaves the process; the cause
 * goes to the log.
 */
export async function checkReadiness(deps: { db: Db; temporal: Client; log?: Logger; timeoutMs?: number }): Promise<Readiness> {
  const timeoutMs = deps.timeoutMs ?? 2_000;
  const check = async (name: 'postgres' | 'temporal', work: () => Promise<unknown>): Promise<CheckResult> => {
    try {
      await within(timeoutMs, work);
      return 'ok';
    } catch (err) {
      const result: CheckResult = err instanceof CheckTimeout ? 'timeout' : 'unreachable';
      deps.log?.warn({ check: name, result, err: err instanceof CheckTimeout ? undefined : (err as Error).message }, 'readiness check failed');
      return result;
    }
  };
  const connection = deps.temporal.connection;
  const [postgres, temporal] = await Promise.all([
    check('postgres', () => ping(deps.db)),
    // The deadline also stops the SDK's own retries of an unavailable frontend.
    check('temporal', () => connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.getSystemInfo({}))),
  ]);
  return { ok: postgres === 'ok' && temporal === 'ok', checks: { postgres, temporal } };
}
