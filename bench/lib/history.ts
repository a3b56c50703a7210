/**
 * History events per turn, read from Temporal: every run of each conversation
 * (continue-as-new chains are followed back through the started event's
 * `continuedExecutionRunId`), counted by event type. A turn is one customer
 * message answered, so events ÷ turns is what the server persists per message.
 */
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { mapConcurrent } from './stats';

/** Temporal's EventType enum value as a readable name (EVENT_TYPE_ACTIVITY_TASK_SCHEDULED → ActivityTaskScheduled). */
const typeName = (t: unknown): string =>
  String((typeof t === 'number' ? proto.temporal.api.enums.v1.EventType[t] : t) ?? 'unknown')
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());

export interface ConversationHistory {
  workflowId: string;
  /** Events per run, oldest run first. */
  runs: number[];
  events: number;
  byType: Record<string, number>;
}

export async function conversationHistory(client: Client, workflowId: string): Promise<ConversationHistory> {
  const runs: number[] = [];
  const byType: Record<string, number> = {};
  let runId: string | undefined;
  // A conversation of a few thousand turns has a handful of runs; the bound only guards against a cycle.
  for (let i = 0; i < 10_000; i++) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    runs.unshift(events.length);
    for (const e of events) {
      const name = typeName(e.eventType);
      byType[name] = (byType[name] ?? 0) + 1;
    }
    const previous = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) break;
    runId = previous;
  }
  return { workflowId, runs, events: runs.reduce((a, b) => a + b, 0), byType };
}

export interface HistoryPerTurn {
  conversations: number;
  turns: number;
  events: number;
  eventsPerTurn: number;
  /** Event types per turn, most frequent first. */
  byTypePerTurn: [string, number][];
  /** Runs that ended in continue-as-new, and their lengths in events. */
  continuedRuns: number[];
}

/** Fetches the histories of the given conversations and divides their events by the turns they answered. */
export async function historyPerTurn(client: Client, workflowIds: string[], turns: number): Promise<HistoryPerTurn> {
  const all = await mapConcurrent(workflowIds, 8, (id) => conversationHistory(client, id));
  return summarizeHistories(all, turns);
}

export function summarizeHistories(all: ConversationHistory[], turns: number): HistoryPerTurn {
  const byType: Record<string, number> = {};
  for (const h of all) for (const [k, v] of Object.entries(h.byType)) byType[k] = (byType[k] ?? 0) + v;
  const events = all.reduce((n, h) => n + h.events, 0);
  return {
    conversations: all.length,
    turns,
    events,
    eventsPerTurn: events / turns,
    byTypePerTurn: Object.entries(byType)
      .map(([k, v]): [string, number] => [k, v / turns])
      .sort((a, b) => b[1] - a[1]),
    continuedRuns: all.flatMap((h) => h.runs.slice(0, -1)),
  };
}
