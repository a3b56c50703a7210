/**
 * Open-loop load: customer messages arrive at a fixed rate whether or not the
 * system keeps up, as they do from a shop's customers, over many
 * conversations. Unlike the closed loop, a slow system does not slow the
 * arrivals down, so queueing shows as latency and backlog instead of hiding
 * in a lower request rate.
 *
 * Arrivals are a Poisson process (exponential gaps, seeded, so two runs offer
 * the same sequence) or evenly spaced. Each arrival goes to a conversation
 * that is not waiting for a reply (a customer does not write again before the
 * bot answers, and a burst would be answered as one turn); when every open
 * conversation is waiting, a new one is opened, so the offered rate holds.
 * A conversation retires after `messagesPerConversation` messages, so first
 * turns (which start a workflow) are part of the mix.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { leadWorkflowId } from '../../workflows/contract';
import type { ReplyWatch } from './reply-watch';
import { scriptLine } from './script';
import { summarize, type LatencySummary } from './stats';

export type Arrivals = 'poisson' | 'even';

export interface OpenLoopTarget {
  apiUrl: string;
  merchantId: string;
  watch: ReplyWatch;
}

export interface OpenLoopOptions {
  /** Messages per second offered. */
  rate: number;
  durationS: number;
  arrivals: Arrivals;
  messagesPerConversation: number;
  /** How long to wait after the window for the last replies. */
  drainS: number;
  /** Makes session ids unique across rates and runs. */
  tag: string;
  seed: number;
}

export interface RateResult {
  offered: number;
  durationS: number;
  arrivals: Arrivals;
  sent: number;
  answered: number;
  /** Messages still without a reply after the drain. */
  unanswered: number;
  /** POSTs that did not answer 202 (counted, not retried), and what the first one said. */
  rejected: number;
  rejection: string | null;
  conversations: number;
  /** Replies committed per second in the measured part of the window (after the first fifth). */
  achieved: number;
  /** Messages posted but not yet answered when the window closed. */
  backlogAtEnd: number;
  /** Highest number of messages waiting for a reply at any arrival. */
  maxBacklog: number;
  /** POST → 202, messages posted in the measured part of the window. */
  ack: LatencySummary;
  /** POST → reply row committed, same messages. */
  reply: LatencySummary;
  /** How late the load generator posted against the schedule; large values mean the generator, not the system, was behind. */
  lag: LatencySummary;
}

/** A small seeded generator (mulberry32): reproducible arrival sequences without a dependency. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Arrival offsets in ms within [0, durationS). */
export function arrivalTimes(rate: number, durationS: number, arrivals: Arrivals, seed: number): number[] {
  const out: number[] = [];
  const end = durationS * 1000;
  if (arrivals === 'even') {
    for (let t = 0; t < end; t += 1000 / rate) out.push(t);
    return out;
  }
  const rnd = random(seed);
  for (let t = -Math.log(1 - rnd()) * (1000 / rate); t < end; t += -Math.log(1 - rnd()) * (1000 / rate)) out.push(t);
  return out;
}

interface Conversation {
  sessionId: string;
  id: string;
  sent: number;
}

interface Sample {
  scheduled: number;
  posted: number;
  acked: number;
  replied: number | null;
}

export async function offerRate(target: OpenLoopTarget, o: OpenLoopOptions): Promise<RateResult> {
  const { apiUrl, merchantId, watch } = target;
  const schedule = arrivalTimes(o.rate, o.durationS, o.arrivals, o.seed);
  const idle: Conversation[] = [];
  const conversations: Conversation[] = [];
  const samples: Sample[] = [];
  const pending: Promise<void>[] = [];
  let outstanding = 0;
  let maxBacklog = 0;
  let rejected = 0;
  let rejection = '';
  const replyTimeoutMs = (o.durationS + o.drainS) * 1000;

  const open = (): Conversation => {
    const sessionId = `ol_${o.tag}_${conversations.length}`;
    const c = { sessionId, id: leadWorkflowId(merchantId, 'webchat', sessionId), sent: 0 };
    conversations.push(c);
    watch.watch(c.id);
    return c;
  };

  const send = async (c: Conversation, scheduled: number, t0: number): Promise<void> => {
    const k = c.sent++;
    const sample: Sample = { scheduled, posted: 0, acked: 0, replied: null };
    const reply = watch.nextReply(c.id, replyTimeoutMs);
    reply.catch(() => {});
    outstanding++;
    maxBacklog = Math.max(maxBacklog, outstanding);
    sample.posted = performance.now() - t0;
    let ok = false;
    try {
      const res = await fetch(`${apiUrl}/api/webchat/${merchantId}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sessionId: c.sessionId, text: scriptLine(k), clientMessageId: `m-${k}` }),
      });
      sample.acked = performance.now() - t0;
      const body = await res.text();
      ok = res.status === 202;
      if (!ok) {
        rejected++;
        rejection ||= `POST answered ${res.status}: ${body.slice(0, 200)}`;
      }
    } catch (err) {
      rejected++;
      rejection ||= `POST failed: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (!ok) {
      // Its reply wait would claim a later reply; the conversation is dropped instead.
      outstanding--;
      watch.unwatch(c.id);
      return;
    }
    samples.push(sample);
    try {
      sample.replied = (await reply) - t0;
    } catch {
      // Unanswered within the drain; counted below.
    }
    outstanding--;
    if (c.sent < o.messagesPerConversation) idle.push(c);
    else watch.unwatch(c.id);
  };

  const t0 = performance.now();
  for (const at of schedule) {
    const wait = at - (performance.now() - t0);
    if (wait > 1) await sleep(wait);
    const c = idle.shift() ?? open();
    pending.push(send(c, at, t0));
  }
  const windowMs = o.durationS * 1000;
  const rest = windowMs - (performance.now() - t0);
  if (rest > 0) await sleep(rest);
  const backlogAtEnd = outstanding;
  await Promise.all(pending);
  for (const c of conversations) watch.unwatch(c.id);
  if (rejected && rejected === schedule.length) throw new Error(`every message was refused: ${rejection}`);

  // The first fifth of the window fills the pipeline (and opens the first conversations); it is not measured.
  const warm = windowMs / 5;
  const measured = samples.filter((s) => s.scheduled >= warm);
  const replied = samples.filter((s) => s.replied !== null && s.replied >= warm && s.replied < windowMs).length;
  return {
    offered: o.rate,
    durationS: o.durationS,
    arrivals: o.arrivals,
    sent: schedule.length,
    answered: samples.filter((s) => s.replied !== null).length,
    unanswered: samples.filter((s) => s.replied === null).length,
    rejected,
    rejection: rejection || null,
    conversations: conversations.length,
    achieved: (replied / (windowMs - warm)) * 1000,
    backlogAtEnd,
    maxBacklog,
    ack: summarize(measured.map((s) => s.acked - s.posted)),
    reply: summarize(measured.filter((s) => s.replied !== null).map((s) => s.replied! - s.posted)),
    lag: summarize(measured.map((s) => s.posted - s.scheduled)),
  };
}

export interface SaturationRule {
  /** Achieved rate must be at least this share of the offered rate. */
  minShare: number;
  /** Reply p99 must stay at or under this many ms. */
  replyP99Ms: number;
}

/** Why a rate did not keep up, or null when it did. */
export function fellBehind(r: RateResult, rule: SaturationRule): string | null {
  if (r.rejected) return `${r.rejected} POSTs refused (${r.rejection ?? 'no answer'})`;
  if (r.unanswered) return `${r.unanswered} messages unanswered after the drain`;
  if (r.achieved < r.offered * rule.minShare) return `achieved ${r.achieved.toFixed(1)}/s < ${(rule.minShare * 100).toFixed(0)}% of offered`;
  if (!(r.reply.p99 <= rule.replyP99Ms)) return `reply p99 ${r.reply.p99.toFixed(0)} ms > ${rule.replyP99Ms} ms`;
  return null;
}

/** The highest rate that kept up, counting only the rates below the first one that did not. */
export function saturationPoint(results: { result: RateResult; behind: string | null }[]): number | null {
  let best: number | null = null;
  for (const { result, behind } of [...results].sort((a, b) => a.result.offered - b.result.offered)) {
    if (behind) break;
    best = result.offered;
  }
  return best;
}
