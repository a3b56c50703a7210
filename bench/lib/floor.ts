/**
 * The Temporal floor row: the same closed loop as the durable path, but each
 * turn is only what Temporal must persist for one (a signal, a workflow task,
 * one local-activity marker) with no HTTP, no Postgres and no agent. The gap
 * between this row and the durable one is the product's own cost; this row
 * itself is what the Temporal server and SDK charge on this machine.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { floorConversation, floorMessage, type FloorActivities } from './floor-workflow';
import { mapConcurrent } from './stats';

export interface FloorRun {
  /** Signal sent → the answering local activity ran. */
  turnMs: number[];
  turns: number;
  wallMs: number;
  turnsPerSecond: number;
}

export interface FloorDesign {
  run(load: { tag: string; conversations: number; messages: number }): Promise<FloorRun>;
  workflowIds(tag: string, conversations: number): string[];
  quiesce(): Promise<void>;
  close(): Promise<void>;
}

const silent = { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} } as never;

export async function startFloor(o: { temporalAddress: string; client: Client; maxCachedWorkflows: number }): Promise<FloorDesign> {
  const waiting = new Map<string, () => void>();
  const activities: FloorActivities = {
    async answer(conversation, message) {
      waiting.get(`${conversation}:${message}`)?.();
    },
  };
  const taskQueue = `floor-${randomUUID()}`;
  const connection = await NativeConnection.connect({ address: o.temporalAddress });
  const worker = await Worker.create({
    connection,
    taskQueue,
    activities,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: path.join(path.dirname(fileURLToPath(import.meta.url)), 'floor-workflow.ts'), logger: silent }),
    maxCachedWorkflows: o.maxCachedWorkflows,
  });
  const running = worker.run();
  const workflowIds = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `floor_${tag}_${i}`);

  return {
    workflowIds,
    async run(load) {
      const out: FloorRun = { turnMs: [], turns: 0, wallMs: 0, turnsPerSecond: 0 };
      const started = performance.now();
      await mapConcurrent(workflowIds(load.tag, load.conversations), load.conversations, async (workflowId) => {
        for (let k = 0; k < load.messages; k++) {
          const answered = new Promise<void>((resolve) => waiting.set(`${workflowId}:${k}`, resolve));
          const sent = performance.now();
          await o.client.workflow.signalWithStart(floorConversation, {
            workflowId,
            taskQueue,
            args: [workflowId, load.messages],
            signal: floorMessage,
            signalArgs: [k],
          });
          await answered;
          waiting.delete(`${workflowId}:${k}`);
          out.turnMs.push(performance.now() - sent);
          out.turns++;
        }
      });
      out.wallMs = performance.now() - started;
      out.turnsPerSecond = (out.turns / out.wallMs) * 1000;
      return out;
    },
    async quiesce() {
      for (let idleFor = 0; idleFor < 300; idleFor += 50) {
        const s = worker.getStatus();
        if (s.numInFlightActivities || s.numInFlightWorkflowActivations) idleFor = -50;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => {});
      await connection.close();
    },
  };
}
