/** The same turns as the durable run, with the same concurrency, as direct calls (see direct-turn.ts). */
import { performance } from 'node:perf_hooks';
import { directTurn, openDirectConversation, type DirectTurnDeps } from './direct-turn';
import { scriptLine, unsafeTurn } from './script';
import { mapConcurrent } from './stats';

export interface BaselineRun {
  /** decide called → send returned (the reply row is committed when send returns). */
  turnMs: number[];
  turns: number;
  wallMs: number;
  turnsPerSecond: number;
}

export async function runBaseline(
  deps: DirectTurnDeps,
  load: { merchantId: string; tag: string; conversations: number; messages: number },
): Promise<BaselineRun> {
  const out: BaselineRun = { turnMs: [], turns: 0, wallMs: 0, turnsPerSecond: 0 };
  const started = performance.now();
  await mapConcurrent(
    Array.from({ length: load.conversations }, (_, i) => i),
    load.conversations,
    async (i) => {
      const conv = openDirectConversation(load.merchantId, `direct_${load.tag}_${i}`, 'en');
      for (let k = 0; k < load.messages; k++) {
        const t0 = performance.now();
        await directTurn(deps, conv, scriptLine(k));
        out.turnMs.push(performance.now() - t0);
        out.turns++;
      }
    },
  );
  out.wallMs = performance.now() - started;
  out.turnsPerSecond = (out.turns / out.wallMs) * 1000;
  return out;
}

/**
 * Plays the script once through the agent and fails if a line would hand the
 * lead to a human or send more than one message: the durable run would then
 * wait for a reply that never comes.
 */
export async function checkScript(deps: DirectTurnDeps, merchantId: string, messages: number): Promise<void> {
  const conv = openDirectConversation(merchantId, `direct_check_${Date.now()}`, 'en');
  for (let k = 0; k < messages; k++) {
    const { decision, playbook, objectionsBefore } = await directTurn(deps, conv, scriptLine(k));
    const problem = unsafeTurn(decision, playbook, objectionsBefore);
    if (problem) throw new Error(`bench script line ${k + 1} ("${scriptLine(k)}") would not get exactly one bot reply: ${problem}`);
  }
}
