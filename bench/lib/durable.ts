/**
 * The durable path end to end: each simulated customer posts to the public
 * web-chat endpoint (stored, then signalWithStart into the lead workflow) and
 * waits for the bot's reply row before saying the next thing.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
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
  /** A customer's pause between reading a reply and writing again; 0 (saturation) unless set. */
  thinkMs?: number;
}

/** The session ids runDurable uses for a load, so a caller can find its workflows. */
export const durableSessions = (tag: string, conversations: number): string[] => Array.from({ length: conversations }, (_, i) => `bench_${tag}_${i}`);

export async function runDurable(load: DurableLoad): Promise<DurableRun> {
  const { apiUrl, watch, merchantId, tag } = load;
  const timeoutMs = load.replyTimeoutMs ?? 120_000;
  const out: DurableRun = { ackMs: [], turnMs: [], firstTurnMs: [], laterTurnMs: [], roundTripMs: [], turns: 0, wallMs: 0, turnsPerSecond: 0, repliesBeforeAck: 0, mismatched: [] };
  const sessions = durableSessions(tag, load.conversations);
  let firstPost = Number.POSITIVE_INFINITY;
  let lastReply = 0;

  await mapConcurrent(sessions, load.concurrency ?? load.conversations, async (sessionId) => {
    const conversationId = leadWorkflowId(merchantId, 'webchat', sessionId);
    watch.watch(conversationId);
    try {
      for (let k = 0; k < load.messages; k++) {
        if (k > 0 && load.thinkMs) await sleep(load.thinkMs);
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

/** One message in one conversation, waiting for its reply: POST → 202 and 202 → reply row, in ms. */
export async function singleTurn(
  o: { apiUrl: string; watch: ReplyWatch; merchantId: string },
  sessionId: string,
  k: number,
  timeoutMs = 120_000,
): Promise<{ ackMs: number; turnMs: number }> {
  const conversationId = leadWorkflowId(o.merchantId, 'webchat', sessionId);
  o.watch.watch(conversationId);
  try {
    const reply = o.watch.nextReply(conversationId, timeoutMs);
    reply.catch(() => {});
    const posted = performance.now();
    const res = await fetch(`${o.apiUrl}/api/webchat/${o.merchantId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId, text: scriptLine(k), clientMessageId: `m-${k}` }),
    });
    const acked = performance.now();
    const body = await res.text();
    if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${body.slice(0, 300)}`);
    const replied = await reply;
    return { ackMs: acked - posted, turnMs: Math.max(0, replied - acked) };
  } finally {
    o.watch.unwatch(conversationId);
  }
}
