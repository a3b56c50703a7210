/**
 * One long conversation: `turns` messages in a row, each after the previous
 * reply, with the turns around each measured position (10 and the last, by
 * default) timed and their CPU read one turn at a time. Continue-as-new
 * happens on the way when Temporal suggests it; the lengths of the runs it
 * closed are read back from the history, so the report shows how long a
 * history grows before it is cut.
 */
import { leadWorkflowId } from '../../workflows/contract';
import { singleTurn } from './durable';
import { conversationHistory, type ConversationHistory } from './history';
import { cpuPerTurn, startProcessCpu, type ProcessCpu, type ProcessGroup } from './processes';
import type { ReplyWatch } from './reply-watch';
import type { BenchStack } from './stack';
import { median } from './stats';

export interface PositionCost {
  /** The measured turns (1-based positions in the conversation). */
  from: number;
  to: number;
  /** Median 202 → reply row over those turns; CPU ms per turn by process group and machine (the window's total ÷ its turns). */
  turnMs: number;
  cpuMs: Record<string, number>;
  machineMs: number;
}

export interface LongResult {
  turns: number;
  positions: PositionCost[];
  /** Median of the other turns, measured without the pauses the CPU reading needs. */
  unmeasuredTurnMs: number;
  wallMs: number;
  history: ConversationHistory;
}

export async function measureLongConversation(
  stack: BenchStack,
  watch: ReplyWatch,
  o: { merchantId: string; turns: number; positions: number[]; window: number; groups: ProcessGroup[]; progress: (line: string) => void },
): Promise<LongResult> {
  const sessionId = `long_${Date.now()}`;
  const half = Math.floor(o.window / 2);
  // Windows of turns around each position, clamped into the conversation.
  const windows = o.positions.map((p) => {
    const to = Math.min(o.turns, Math.max(p + o.window - 1 - half, o.window));
    return { from: Math.max(1, to - o.window + 1), to };
  });
  const inWindow = (n: number) => windows.findIndex((w) => n >= w.from && n <= w.to);
  const samples = windows.map(() => ({ turn: [] as number[], cpu: null as ProcessCpu | null }));
  const other: number[] = [];
  let meter: (() => ProcessCpu) | null = null;
  const started = Date.now();
  for (let n = 1; n <= o.turns; n++) {
    const w = inWindow(n);
    if (w < 0) {
      other.push((await singleTurn({ apiUrl: stack.apiUrl, watch, merchantId: o.merchantId }, sessionId, n - 1)).turnMs);
    } else {
      // Measured turns start and end with the worker idle, so the projection after the reply counts and nothing else does.
      // One CPU reading per window: /proc counts other processes in 10 ms ticks, too coarse for a single turn.
      await stack.quiesce();
      if (n === windows[w]!.from) meter = startProcessCpu(o.groups, null);
      const { turnMs } = await singleTurn({ apiUrl: stack.apiUrl, watch, merchantId: o.merchantId }, sessionId, n - 1);
      await stack.quiesce();
      samples[w]!.turn.push(turnMs);
      if (n === windows[w]!.to && meter) samples[w]!.cpu = cpuPerTurn(meter(), windows[w]!.to - windows[w]!.from + 1);
    }
    if (n % 100 === 0) o.progress(`turn ${n}/${o.turns}`);
  }
  const wallMs = Date.now() - started;
  await stack.quiesce();
  const history = await conversationHistory(stack.temporal, leadWorkflowId(o.merchantId, 'webchat', sessionId));
  return {
    turns: o.turns,
    positions: windows.map((w, i) => ({
      ...w,
      turnMs: median(samples[i]!.turn),
      cpuMs: samples[i]!.cpu?.groups ?? {},
      machineMs: samples[i]!.cpu?.machineMs ?? Number.NaN,
    })),
    unmeasuredTurnMs: median(other),
    wallMs,
    history,
  };
}
