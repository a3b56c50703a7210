/**
 * The design a durable workflow is usually weighed against: a BullMQ job per
 * customer message on Redis. The "webhook" enqueues the message (that is its
 * acknowledgement); a BullMQ worker in this process takes the job, loads the
 * conversation's state from Redis, runs the same turn as the baseline (the
 * playbook's decide against the Postgres catalog, then the web-chat send that
 * commits the reply row) and saves the state back. Jobs retry on failure.
 * What it lacks against the workflow: no timers (follow-ups, payment expiry)
 * survive a restart, no exactly-once between the send and the state save, no
 * per-conversation ordering beyond the one-at-a-time customers of the bench,
 * and no history to inspect.
 */
import { performance } from 'node:perf_hooks';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { directTurn, openDirectConversation, type DirectConversation, type DirectTurnDeps } from './direct-turn';
import { scriptLine } from './script';
import { mapConcurrent } from './stats';

interface TurnJob {
  merchantId: string;
  customerKey: string;
  text: string;
  /** Which message of the conversation, so the waiting customer hears its own reply. */
  k: number;
}

export interface QueueRun {
  /** queue.add called → resolved: the enqueue a webhook would answer after. */
  ackMs: number[];
  /** enqueued → reply row committed (the processor's send returned). */
  turnMs: number[];
  roundTripMs: number[];
  turns: number;
  wallMs: number;
  turnsPerSecond: number;
  failed: number;
}

export interface QueueDesign {
  run(load: { merchantId: string; tag: string; conversations: number; messages: number }): Promise<QueueRun>;
  /** Resolves once no job is waiting or active. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export async function startQueueDesign(redisUrl: string, deps: DirectTurnDeps, concurrency: number): Promise<QueueDesign> {
  const name = `turns-${Date.now()}`;
  const state = new Redis(redisUrl);
  // Options rather than clients, so BullMQ opens (and on close, closes) its own connections.
  const { hostname, port } = new URL(redisUrl);
  const connection = () => ({ host: hostname, port: Number(port || 6379), maxRetriesPerRequest: null });
  const queue = new Queue<TurnJob>(name, { connection: connection() });
  const done = new Map<string, { resolve: (at: number) => void; reject: (err: Error) => void }>();
  const jobKey = (d: TurnJob) => `conv:${d.merchantId}:${d.customerKey}:${d.k}`;
  let failed = 0;

  const worker = new Worker<TurnJob>(
    name,
    async (job) => {
      const { merchantId, customerKey, text, k } = job.data;
      const key = `conv:${merchantId}:${customerKey}`;
      const saved = await state.get(key);
      const conv: DirectConversation = saved ? (JSON.parse(saved) as DirectConversation) : openDirectConversation(merchantId, customerKey, 'en');
      await directTurn(deps, conv, text);
      const at = performance.now();
      await state.set(key, JSON.stringify(conv));
      done.get(`${key}:${k}`)?.resolve(at);
    },
    { connection: connection(), concurrency },
  );
  worker.on('failed', (job, err) => {
    failed++;
    // Out of retries: the customer waiting for this reply would wait forever.
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) done.get(jobKey(job.data))?.reject(err);
  });
  // A worker that cannot reach Redis waits for it forever; the bench would rather skip the row.
  const ready = await Promise.race([worker.waitUntilReady().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 15_000).unref())]);
  if (!ready) {
    await Promise.allSettled([worker.close(), queue.close()]);
    state.disconnect();
    throw new Error(`the BullMQ worker did not connect to ${redisUrl} within 15 s`);
  }

  return {
    async run(load) {
      const out: QueueRun = { ackMs: [], turnMs: [], roundTripMs: [], turns: 0, wallMs: 0, turnsPerSecond: 0, failed: 0 };
      const failedBefore = failed;
      const started = performance.now();
      let lastReply = started;
      await mapConcurrent(
        Array.from({ length: load.conversations }, (_, i) => `queue_${load.tag}_${i}`),
        load.conversations,
        async (customerKey) => {
          for (let k = 0; k < load.messages; k++) {
            const text = scriptLine(k);
            const data: TurnJob = { merchantId: load.merchantId, customerKey, text, k };
            const key = jobKey(data);
            const replied = new Promise<number>((resolve, reject) => done.set(key, { resolve, reject }));
            const posted = performance.now();
            await queue.add('turn', data, { attempts: 3, removeOnComplete: true, removeOnFail: 1000 });
            const acked = performance.now();
            const at = await replied;
            done.delete(key);
            lastReply = Math.max(lastReply, at);
            out.ackMs.push(acked - posted);
            out.turnMs.push(Math.max(0, at - acked));
            out.roundTripMs.push(at - posted);
            out.turns++;
          }
        },
      );
      out.wallMs = lastReply - started;
      out.turnsPerSecond = (out.turns / out.wallMs) * 1000;
      out.failed = failed - failedBefore;
      return out;
    },
    async drain() {
      for (let i = 0; i < 200; i++) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed');
        if (!counts.waiting && !counts.active && !counts.delayed) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      await worker.close();
      await queue.close();
      state.disconnect();
    },
  };
}
