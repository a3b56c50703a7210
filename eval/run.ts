/**
 * Runs one scenario the way a live conversation runs: the pure `LeadRun` and
 * turn rules of the lead workflow, with the shell's effects (agent call,
 * quote, checkout, sends) done in process. What differs from production is
 * only where messages go (into the result instead of a channel) and the
 * payment provider (a link is "opened" at once, as the checkout child reports
 * it by `checkoutOpened`).
 */
import { demoPlaybook } from '../db/demo-data';
import { canned } from '../domain/canned-messages';
import type { CatalogTool, Product } from '../domain/catalog';
import type { PendingPayment } from '../domain/conversation';
import type { Decision } from '../domain/decision';
import type { KnowledgeTool } from '../domain/knowledge';
import { QualificationSlots } from '../domain/lead';
import { leadSettingsFrom, type LeadSettings } from '../domain/lead-settings';
import { discounted } from '../domain/money';
import type { Playbook } from '../domain/playbook';
import { fold } from '../integrations/llm/playbook/language';
import type { LlmProvider } from '../integrations/llm/provider';
import { LeadRun } from '../workflows/lead-run';
import { agentUnavailableSteps, turnSteps, type Quote, type TurnStep } from '../workflows/turn-rules';
import type { Scenario, TurnExpectation } from './scenario';

/** The demo merchant's catalog and knowledge search: Postgres in `npm test`, in memory or Postgres for the CLI. */
export interface EvalTools {
  catalog: CatalogTool;
  knowledge: KnowledgeTool;
}

export interface RunOptions {
  provider: LlmProvider;
  tools: EvalTools;
  /** The playbook scenarios change; the demo shop's by default. */
  playbook?: Playbook;
  merchantId?: string;
  /** How long a payment link stays open (the worker's `CHECKOUT_EXPIRY_MINUTES`). */
  checkoutTtlMs?: number;
}

export interface TurnResult {
  customer: string;
  /** Everything the customer read after this message: the bot's replies, then a payment link if one was opened. */
  replies: string[];
  intent: Decision['intent'] | null;
  language: Decision['language'] | null;
  /** The hand-off this turn made, or null. */
  handOff: string | null;
  paymentLink: { sku: string; quantity: number; amountMinor: number; currency: string } | null;
  stage: string;
  /** The agent failed; the turn was handed to a person as the workflow does. */
  agentError?: string;
  /** Expectations this turn missed, in words. */
  failures: string[];
}

export interface ScenarioResult {
  id: string;
  category: Scenario['category'];
  language: Scenario['language'];
  passed: boolean;
  turns: TurnResult[];
  /** Every missed expectation, turn by turn and then the end's, in words. */
  failures: string[];
}

/** Scenario time: a fixed start and a minute per message, so expiries and replies read the same on every run. */
const START = Date.parse('2026-01-05T10:00:00.000Z');

/** The catalog with some products changed by SKU, on whatever the underlying search returns. */
export function withProductChanges(catalog: CatalogTool, changes: Record<string, Partial<Product>> | undefined): CatalogTool {
  if (!changes || !Object.keys(changes).length) return catalog;
  const apply = (p: Product): Product => ({ ...p, ...changes[p.sku], sku: p.sku });
  return {
    search: async (query, limit) => (await catalog.search(query, limit)).map(apply),
    get: async (sku) => {
      const p = await catalog.get(sku);
      return p && apply(p);
    },
    list: async () => (await catalog.list()).map(apply),
  };
}

/**
 * What `store.quoteOrder` and `store.createCheckout` charge: the catalog's
 * price, with the agreed discount held to the playbook's maximum by the same
 * function the activities use.
 */
async function priceOrder(catalog: CatalogTool, playbook: Playbook, sku: string, quantity: number, discountPercent: number) {
  const product = await catalog.get(sku);
  if (!product) return null;
  const { amountMinor } = discounted(product.priceMinor, quantity, discountPercent, playbook.maxDiscountPercent);
  return { product, amountMinor };
}

const has = (text: string, fact: string) => fold(text).includes(fold(fact));
const show = (v: unknown) => (v === null ? 'none' : JSON.stringify(v));

function checkTurn(e: TurnExpectation, t: Omit<TurnResult, 'failures'>): string[] {
  const failures: string[] = [];
  const text = t.replies.join('\n');
  for (const fact of e.says ?? []) if (!has(text, fact)) failures.push(`reply does not say "${fact}"`);
  for (const fact of e.saysNot ?? []) if (has(text, fact)) failures.push(`reply says "${fact}"`);
  if (e.saysOneOf?.length && !e.saysOneOf.some((f) => has(text, f))) failures.push(`reply says none of ${e.saysOneOf.map((f) => `"${f}"`).join(', ')}`);
  if (e.language && t.language !== e.language) failures.push(`reply language ${show(t.language)}, expected ${e.language}`);
  if (e.intent && t.intent !== e.intent) failures.push(`intent ${show(t.intent)}, expected ${e.intent}`);
  if (e.handOff !== undefined && t.handOff !== e.handOff) failures.push(`hand-off ${show(t.handOff)}, expected ${show(e.handOff)}`);
  if (e.paymentLink !== undefined) {
    const link = t.paymentLink;
    if (e.paymentLink === null) {
      if (link) failures.push(`payment link for ${link.quantity} × ${link.sku} sent, expected none`);
    } else if (!link) failures.push(`no payment link, expected ${e.paymentLink.quantity ?? 1} × ${e.paymentLink.sku}`);
    else if (link.sku !== e.paymentLink.sku || link.quantity !== (e.paymentLink.quantity ?? link.quantity)) {
      failures.push(`payment link for ${link.quantity} × ${link.sku}, expected ${e.paymentLink.quantity ?? 'any'} × ${e.paymentLink.sku}`);
    }
  }
  if (e.stage && t.stage !== e.stage) failures.push(`stage ${t.stage}, expected ${e.stage}`);
  if (!t.replies.length && (e.says?.length || e.saysOneOf?.length)) failures.push('the bot did not reply');
  return failures;
}

/** Plays the scenario's customer messages one by one and checks each answer, then the lead at the end. */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<ScenarioResult> {
  const playbook = scenario.playbook ? scenario.playbook(structuredClone(options.playbook ?? demoPlaybook)) : (options.playbook ?? demoPlaybook);
  const catalog = withProductChanges(options.tools.catalog, scenario.catalog);
  const { knowledge } = options.tools;
  const merchantId = options.merchantId ?? 'demo';
  const settings: LeadSettings = leadSettingsFrom(playbook, options.checkoutTtlMs ?? 60 * 60_000);
  const conversationId = `lead:${merchantId}:webchat:eval-${scenario.id}`;
  const lead = new LeadRun({ merchantId, channel: 'webchat', customerKey: `eval-${scenario.id}` }, { conversationId, firstRunId: 'eval' }, new Date(START));
  const { state } = lead;
  lead.useSettings(settings, false);

  let clock = START;
  let orders = 0;
  let linkSent = false;
  const turns: TurnResult[] = [];

  for (const [index, step] of scenario.turns.entries()) {
    clock += 60_000;
    const turn: Omit<TurnResult, 'failures'> = { customer: step.customer, replies: [], intent: null, language: null, handOff: null, paymentLink: null, stage: state.stage };
    const say = (text: string) => {
      lead.recordOutbound(text, 'bot', new Date(clock));
      turn.replies.push(text);
    };

    /** The shell's `perform`, with the checkout child's part played in process. */
    const perform = async (steps: TurnStep[]) => {
      for (const s of steps) {
        if (s.kind === 'say') say(s.text);
        else if (s.kind === 'hand_off') {
          const before = state.mode;
          lead.handOff(s.reason);
          if (before === 'bot') turn.handOff = s.reason;
        } else {
          const orderId = `eval-order-${++orders}`;
          const input = lead.startCheckout(orderId, s.sku, s.quantity);
          const priced = await priceOrder(catalog, playbook, s.sku, s.quantity, input.discountPercent ?? 0);
          if (!priced) throw new Error(`checkout for unknown product ${s.sku}`);
          const payment: PendingPayment = {
            orderId,
            sku: s.sku,
            name: priced.product.name,
            quantity: s.quantity,
            amountMinor: priced.amountMinor,
            currency: priced.product.currency,
            url: `https://pay.example/eval/${orderId}`,
            expiresAt: new Date(clock + settings.checkoutTtlMs).toISOString(),
          };
          lead.checkoutOpened(payment);
          linkSent = true;
          turn.paymentLink = { sku: s.sku, quantity: s.quantity, amountMinor: payment.amountMinor, currency: payment.currency };
          // The checkout child sends the link itself, so the lead's own messages never hold it.
          turn.replies.push(canned.paymentLink(input.language, payment.name, { amountMinor: payment.amountMinor, currency: payment.currency }, payment.url));
        }
      }
    };

    lead.receive({ id: `${scenario.id}#${index}`, text: step.customer, at: new Date(clock).toISOString() });
    for (let work = lead.nextWork(); work; work = lead.nextWork()) {
      if (work.kind !== 'answer') continue;
      const input = lead.startTurn(work.message);
      if (!input) continue;
      let decision: Decision;
      try {
        decision = await options.provider.decide({ ...input, playbook, catalog, knowledge });
      } catch (err) {
        turn.agentError = err instanceof Error ? err.message : String(err);
        await perform(agentUnavailableSteps(state));
        continue;
      }
      turn.intent = decision.intent;
      turn.language = decision.language;
      const assessment = lead.learn(decision);
      const offer = assessment.toQuote;
      let quote: Quote = null;
      if (offer) {
        const priced = await priceOrder(catalog, playbook, offer.sku, offer.quantity, state.agreedDiscountPercent ?? 0);
        quote = priced && { available: priced.product.stock >= offer.quantity, name: priced.product.name, amountMinor: priced.amountMinor, currency: priced.product.currency };
      }
      await perform(turnSteps(decision, assessment, quote, settings, state.language));
    }
    turn.stage = state.stage;
    // An agent that fails is a failed turn whatever the scenario expected of it.
    const failures = [...(turn.agentError ? [`the agent failed: ${turn.agentError}`] : []), ...(step.expect ? checkTurn(step.expect, turn) : [])];
    turns.push({ ...turn, failures });
  }

  const endFailures: string[] = [];
  const end = scenario.end;
  if (end?.stage && state.stage !== end.stage) endFailures.push(`ended in stage ${state.stage}, expected ${end.stage}`);
  if (end?.handOff !== undefined) {
    const reason = state.mode === 'human' ? state.handOffReason : null;
    if (reason !== end.handOff) endFailures.push(`ended with hand-off ${show(reason)}, expected ${show(end.handOff)}`);
  }
  if (end?.paymentLink !== undefined && linkSent !== end.paymentLink) endFailures.push(end.paymentLink ? 'no payment link was sent' : 'a payment link was sent');
  for (const slot of QualificationSlots) {
    const want = end?.slots?.[slot];
    if (want !== undefined && !has(state.lead[slot] ?? '', want)) endFailures.push(`slot ${slot} is ${show(state.lead[slot])}, expected it to hold "${want}"`);
  }
  for (const sku of end?.interestedIn ?? []) {
    if (!state.lead.interestedIn.includes(sku)) endFailures.push(`${sku} is not among the lead's interests (${state.lead.interestedIn.join(', ') || 'none'})`);
  }

  const failures = [...turns.flatMap((t, i) => t.failures.map((f) => `turn ${i + 1} ("${t.customer}"): ${f}`)), ...endFailures.map((f) => `end: ${f}`)];
  return { id: scenario.id, category: scenario.category, language: scenario.language, passed: failures.length === 0, turns, failures };
}

export interface SuiteOptions extends RunOptions {
  /** Called after each scenario, e.g. to show progress. */
  onResult?: (result: ScenarioResult) => void;
}

/** Scenarios run one after another: a real model's rate limits and the offline agent's determinism both prefer it. */
export async function runSuite(scenarios: readonly Scenario[], options: SuiteOptions): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    const result = await runScenario(scenario, options);
    options.onResult?.(result);
    results.push(result);
  }
  return results;
}

export interface SummaryRow {
  category: Scenario['category'];
  language: Scenario['language'];
  passed: number;
  total: number;
}

/** Pass counts per category and language, in the order categories are declared. */
export function summarize(results: readonly ScenarioResult[], categories: readonly Scenario['category'][]): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const category of categories) {
    for (const language of ['en', 'tr'] as const) {
      const mine = results.filter((r) => r.category === category && r.language === language);
      if (mine.length) rows.push({ category, language, passed: mine.filter((r) => r.passed).length, total: mine.length });
    }
  }
  return rows;
}

const percent = (passed: number, total: number) => (total ? `${Math.round((passed / total) * 100)}%` : '–');

/** The per-category table as Markdown (also readable as plain text in a terminal). */
export function resultsTable(results: readonly ScenarioResult[], categories: readonly Scenario['category'][]): string {
  const lines = ['| category | language | passed | total | pass rate |', '| --- | --- | ---: | ---: | ---: |'];
  for (const r of summarize(results, categories)) lines.push(`| ${r.category} | ${r.language} | ${r.passed} | ${r.total} | ${percent(r.passed, r.total)} |`);
  const passed = results.filter((r) => r.passed).length;
  lines.push(`| **all** | | **${passed}** | **${results.length}** | **${percent(passed, results.length)}** |`);
  return lines.join('\n');
}
