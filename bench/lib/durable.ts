/**
 * The durable path end to end: each simulated customer posts to the public
 * web-chat endpoint (stored, then signalWithStart into the lead workflow) and
 * waits for the bot's reply row before saying the next thing.
 */
import { performance } from 'node:perf_hooks';
import type { Db } from '../../db/knex';
import { outboundCounts } from '../../db/queries/messages';
import { leadWorkflowId } from '../../workflows/contract';
import type { ReplyWatch } from './reply-watch';
import { scriptLine } from './script';
import { mapConcurrent } from './stats';

export interface DurableRun {
  /** POST sent → 202 received. */
  ackMs: number[];
  /** 202 received → reply row committed (heard through NOTIFY). */
  turnMs: number[];
  /** The first turn of each conversation also starts its workflow. */
  firstTurnMs: number[];
  laterTurnMs: number[];
  /** POST sent → reply row committed. */
  roundTripMs: number[];
  turns: number;
  wallMs: number;
  turnsPerSecond: number;
  /** Replies that were committed before the client had read the 202 (counted as 0 ms). */
  repliesBeforeAck: number;
  /** Conversations whose stored reply count differs from the messages sent (should be none). */
  mismatched: string[];
}

export interface DurableLoad {
  apiUrl: string;
  db: Db;
  watch: ReplyWatch;
  merchantId: string;
  /** Makes session ids unique across runs. */
  tag: string;
  conversations: number;
  messages: number;
  /** Conversations in progress at once; all of them unless set. */
  concurrency?: number;
  replyTimeoutMs?: number;
}

export async function runDurable(load: DurableLoad): Promise<DurableRun> {
  const { apiUrl, watch, merchantId, tag } = load;
  const timeoutMs = load.replyTimeoutMs ?? 120_000;
  const out: DurableRun = { ackMs: [], turnMs: [], firstTurnMs: [], laterTurnMs: [], roundTripMs: [], turns: 0, wallMs: 0, turnsPerSecond: 0, repliesBeforeAck: 0, mismatched: [] };
  const sessions = Array.from({ length: load.conversations }, (_, i) => `bench_${tag}_${i}`);
  let firstPost = Number.POSITIVE_INFINITY;
  let lastReply = 0;

  await mapConcurrent(sessions, load.concurrency ?? load.conversations, async (sessionId) => {
    const conversationId = leadWorkflowId(merchantId, 'webchat', sessionId);
    watch.watch(conversationId);
    try {
      for (let k = 0; k < load.messages; k++) {
        const reply = watch.nextReply(conversationId, timeoutMs);
        reply.catch(() => {});
        const posted = performance.now();
        firstPost = Math.min(firstPost, posted);
        const res = await fetch(`${apiUrl}/api/webchat/${merchantId}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ sessionId, text: scriptLine(k), clientMessageId: `m-${k}` }),
        });
        const acked = performance.now();
        const body = await res.text();
        if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${body.slice(0, 300)}`);
        const replied = await reply;
        lastReply = Math.max(lastReply, replied);
        if (replied < acked) out.repliesBeforeAck++;
        const turn = Math.max(0, replied - acked);
        out.ackMs.push(acked - posted);
        out.turnMs.push(turn);
        (k === 0 ? out.firstTurnMs : out.laterTurnMs).push(turn);
        out.roundTripMs.push(replied - posted);
        out.turns++;
      }
    } finally {
      watch.unwatch(conversationId);
    }
  });

  out.wallMs = lastReply - firstPost;
  out.turnsPerSecond = (out.turns / out.wallMs) * 1000;

  const ids = sessions.map((s) => leadWorkflowId(merchantId, 'webchat', s));
  const counts = await outboundCounts(load.db, ids);
  out.mismatched = ids.filter((id) => counts.get(id) !== load.messages);
  return out;
}
