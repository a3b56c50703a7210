/**
 * The business metrics both processes export, defined once so a name, its
 * labels and its meaning cannot differ between the API, the worker, the alert
 * rules and the dashboards (`test/metrics.test.ts` checks the last two against
 * what the processes really serve).
 *
 * They live in one process-level registry: a counter is incremented where the
 * thing happens (an activity, a provider wrapper, a webhook route) without
 * threading a handle through every call. Each process serves the metrics it
 * moved; the API and the worker scrape as separate targets.
 *
 * Labels are bounded sets only (provider, channel, outcome, reason, stage,
 * currency): never a merchant, conversation, order or message id.
 */
import { Counter, Histogram, Registry } from 'prom-client';

export const businessRegistry = new Registry();

const registers = [businessRegistry];

/** Seconds, from a few milliseconds (the offline agent) to the minutes a slow model or a retried send can take. */
const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export const metrics = {
  /** API: customer messages accepted and handed to their workflow (redeliveries not counted). */
  inboundMessages: new Counter({
    name: 'autocloser_inbound_messages_total',
    help: 'Customer messages accepted and signalled to their lead workflow',
    labelNames: ['channel'] as const,
    registers,
  }),
  /** Worker: one per agent turn (`decide`), by the provider chain and whether it produced a decision. */
  turns: new Counter({
    name: 'autocloser_turns_total',
    help: 'Agent turns (decide activity executions) by outcome',
    labelNames: ['outcome'] as const,
    registers,
  }),
  /** Worker: customer message stored → the bot's reply committed to the channel. */
  replyLatency: new Histogram({
    name: 'autocloser_reply_latency_seconds',
    help: "Seconds from a customer's message to the bot's reply being committed to the channel",
    labelNames: ['channel'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  }),
  /** Worker: messages committed to a channel, by who wrote them. */
  messagesSent: new Counter({
    name: 'autocloser_messages_sent_total',
    help: 'Outbound messages committed to a channel, by sender (bot or human)',
    labelNames: ['channel', 'sender'] as const,
    registers,
  }),
  followUps: new Counter({
    name: 'autocloser_follow_ups_total',
    help: 'Follow-up messages sent to silent leads',
    labelNames: ['channel'] as const,
    registers,
  }),
  /** Worker (a send the channel refused) and API (a provider's status callback reporting a failed delivery). */
  deliveryFailures: new Counter({
    name: 'autocloser_delivery_failures_total',
    help: 'Outbound messages that could not be delivered, by channel and stage (send or status)',
    labelNames: ['channel', 'stage'] as const,
    registers,
  }),
  handOffs: new Counter({
    name: 'autocloser_hand_offs_total',
    help: 'Leads handed to a person, by reason',
    labelNames: ['reason'] as const,
    registers,
  }),
  /** Worker: stage changes recorded by the projection; `stage="won"` is a conversion. */
  stageTransitions: new Counter({
    name: 'autocloser_lead_stage_transitions_total',
    help: 'Lead stage changes, by the stage entered',
    labelNames: ['stage'] as const,
    registers,
  }),
  leadsClosed: new Counter({
    name: 'autocloser_leads_closed_total',
    help: 'Leads closed, by reason',
    labelNames: ['reason'] as const,
    registers,
  }),
  /**
   * Worker: checkout links (`link_created`, `link_failed`) and server-side
   * verifications (`paid`, `pending`, `failed`, `expired`, `mismatch`). API:
   * provider webhooks applied (`webhook`).
   */
  payments: new Counter({
    name: 'autocloser_payments_total',
    help: 'Payment events by provider and outcome',
    labelNames: ['provider', 'outcome'] as const,
    registers,
  }),
  /** Worker: paid orders settled, in the currency's minor unit (cents, kuruş): no exponent table needed to count. */
  revenue: new Counter({
    name: 'autocloser_revenue_minor_total',
    help: 'Revenue of settled paid orders, in minor units of the currency',
    labelNames: ['currency'] as const,
    registers,
  }),
  llmCalls: new Counter({
    name: 'autocloser_llm_calls_total',
    help: 'Calls to an agent provider, by provider and outcome (ok or error)',
    labelNames: ['provider', 'outcome'] as const,
    registers,
  }),
  llmTokens: new Counter({
    name: 'autocloser_llm_tokens_total',
    help: 'Tokens used by agent providers, by kind (input, output, cached_input)',
    labelNames: ['provider', 'kind'] as const,
    registers,
  }),
  llmLatency: new Histogram({
    name: 'autocloser_llm_latency_seconds',
    help: 'Duration of one agent provider call (tool rounds included)',
    labelNames: ['provider'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  }),
  llmFailovers: new Counter({
    name: 'autocloser_llm_failovers_total',
    help: 'Turns passed from a failing agent provider to the next one in the chain (to="none" when none was left)',
    labelNames: ['from', 'to'] as const,
    registers,
  }),
  /** API: webhooks refused for a missing or wrong signature. */
  webhookSignatureFailures: new Counter({
    name: 'autocloser_webhook_signature_failures_total',
    help: 'Webhooks refused for a missing or invalid signature, by provider',
    labelNames: ['provider'] as const,
    registers,
  }),
};

/**
 * A label value from a set the code does not fix (a hand-off reason the model
 * wrote, a closing reason a person typed in the Temporal UI): kept when it is
 * a short snake_case code and one of the first 50 seen for that label, else
 * `other`, so neither free text nor an endless list of codes reaches Prometheus.
 */
export function boundedLabel(label: string, value: string): string {
  const seen = (boundedValues[label] ??= new Set());
  if (seen.has(value)) return value;
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(value) || seen.size >= 50) return 'other';
  seen.add(value);
  return value;
}
const boundedValues: Record<string, Set<string>> = {};

/** The process's business metrics followed by `others` (a registry's own metrics, Temporal's), as one exposition. */
export async function exposition(...others: (Registry | (() => Promise<string>))[]): Promise<string> {
  const parts = await Promise.all([businessRegistry, ...others].map((o) => (typeof o === 'function' ? o() : o.metrics())));
  return parts.map((p) => (p.endsWith('\n') || !p ? p : `${p}\n`)).join('');
}

/** Prometheus's text format version 0.0.4, what prom-client writes. */
export const EXPOSITION_CONTENT_TYPE = businessRegistry.contentType;
