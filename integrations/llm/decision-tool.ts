import { z } from 'zod';
import type { CatalogTool, Product } from '../../domain/catalog';
import { DecisionSchema } from '../../domain/decision';
import type { Decision, Usage } from '../../domain/decision';
import type { KnowledgeHit, KnowledgeTool } from '../../domain/knowledge';
import type { Language } from '../../domain/language';
import { formatMoney, type Money } from '../../domain/money';
import { findMoney, guardReply } from './guard';
import type { AgentContext } from './provider';

export const CATALOG_TOOL = 'lookup_catalog';
export const KNOWLEDGE_TOOL = 'search_knowledge';
export const DECISION_TOOL = 'submit_decision';

/** JSON schema object in the shape both tool APIs expect for a tool's input. */
export type ToolInputSchema = { type: 'object'; properties: Record<string, unknown>; required?: string[]; [k: string]: unknown };

export interface ToolDefinition {
  name: string;
  description: string;
  inputSchema: ToolInputSchema;
}

const CATALOG_RESULT_LIMIT = 5;
const DESCRIPTION_CHARS = 300;

const KNOWLEDGE_RESULT_LIMIT = 3;

const CatalogArgsSchema = z.object({ query: z.string().min(1).max(200) });
const KnowledgeArgsSchema = CatalogArgsSchema;

/** What the model may submit: a Decision without `usage` and `guard`, which the provider fills in. */
const SubmittedDecisionSchema = DecisionSchema.omit({ usage: true, guard: true }).extend({
  reply: DecisionSchema.shape.reply.describe('Message for the customer, in their language; null only to stay silent on purpose.'),
  confidence: DecisionSchema.shape.confidence.describe('0 to 1: how sure you are the reply is right and appropriate.'),
  productsMentioned: DecisionSchema.shape.productsMentioned.describe('Catalog skus the customer showed interest in this turn.'),
  summary: DecisionSchema.shape.summary.describe('Updated running summary of the whole conversation, facts only.'),
  discountPercent: DecisionSchema.shape.discountPercent.describe(
    'Discount percent you agreed with the customer, never above the allowed maximum; null or omitted when none.',
  ),
});

/**
 * Generated from the zod schema so the tool and the validator cannot drift.
 * `io: 'input'` keeps fields that have defaults optional for the model.
 * Two adjustments keep it within what both APIs and common OpenAI-compatible
 * servers accept: the `$schema` key is dropped, and the discriminated union
 * of actions is emitted as `anyOf` instead of `oneOf` (OpenAI's tool schema
 * subset and several local servers reject `oneOf`; with distinct `type`
 * constants the two mean the same).
 */
function decisionJsonSchema(): ToolInputSchema {
  const generated = z.toJSONSchema(SubmittedDecisionSchema, {
    io: 'input',
    target: 'draft-7',
    override: ({ jsonSchema }) => {
      if (jsonSchema.oneOf) {
        jsonSchema.anyOf = jsonSchema.oneOf;
        delete jsonSchema.oneOf;
      }
    },
  }) as Record<string, unknown>;
  const schema = { ...generated };
  delete schema.$schema;
  if (schema.type !== 'object' || typeof schema.properties !== 'object') throw new Error('decision schema must be an object schema');
  return schema as ToolInputSchema;
}

export const catalogToolDefinition: ToolDefinition = {
  name: CATALOG_TOOL,
  description:
    'Search the merchant catalog. Returns matching products with sku, name, price and stock. The only source of prices and availability.',
  inputSchema: {
    type: 'object',
    properties: { query: { type: 'string', description: 'Product name, category or keywords in any language.' } },
    required: ['query'],
  },
};

export const knowledgeToolDefinition: ToolDefinition = {
  name: KNOWLEDGE_TOOL,
  description:
    "Search the merchant's own answers: shipping and delivery, returns, warranty, payment methods and instalments, opening hours, store locations and other policies. The only source of policy facts.",
  inputSchema: {
    type: 'object',
    properties: { query: { type: 'string', description: "The customer's question in a few words, in their language." } },
    required: ['query'],
  },
};

export const decisionToolDefinition: ToolDefinition = {
  name: DECISION_TOOL,
  description: 'Submit the final decision for this turn: the reply to the customer and what you learned. Call exactly once, last.',
  inputSchema: decisionJsonSchema(),
};

/** Stable order: the tool list is part of the cached prompt prefix. */
export const toolDefinitions: readonly ToolDefinition[] = [catalogToolDefinition, knowledgeToolDefinition, decisionToolDefinition];

export function productForModel(product: Product, language: Language) {
  return {
    sku: product.sku,
    name: product.name,
    description: product.description.length > DESCRIPTION_CHARS ? `${product.description.slice(0, DESCRIPTION_CHARS)}…` : product.description,
    price: formatMoney({ amountMinor: product.priceMinor, currency: product.currency }, language),
    priceMinor: product.priceMinor,
    currency: product.currency,
    stock: product.stock,
    inStock: product.stock > 0,
  };
}

export interface ToolOutcome {
  content: string;
  isError: boolean;
}

/** Runs `lookup_catalog` against the merchant's catalog; bad arguments become a tool error the model can correct. */
export async function runCatalogLookup(catalog: CatalogTool, input: unknown, language: Language): Promise<ToolOutcome & { products: Product[] }> {
  const args = CatalogArgsSchema.safeParse(input);
  if (!args.success) return { content: JSON.stringify({ error: 'lookup_catalog needs {"query": string}' }), isError: true, products: [] };
  const products = await catalog.search(args.data.query, CATALOG_RESULT_LIMIT);
  return {
    content: JSON.stringify({ query: args.data.query, results: products.map((p) => productForModel(p, language)) }),
    isError: false,
    products,
  };
}

/**
 * Runs `search_knowledge` in the conversation's language. An empty result says
 * so in words, because a model left with nothing tends to answer from memory.
 */
export async function runKnowledgeSearch(knowledge: KnowledgeTool, input: unknown, language: Language): Promise<ToolOutcome & { hits: KnowledgeHit[] }> {
  const args = KnowledgeArgsSchema.safeParse(input);
  if (!args.success) return { content: JSON.stringify({ error: 'search_knowledge needs {"query": string}' }), isError: true, hits: [] };
  const hits = await knowledge.search(args.data.query, { language, limit: KNOWLEDGE_RESULT_LIMIT });
  const results = hits.map((h) => ({ id: h.id, title: h.title, answer: h.answer, source: h.source }));
  const body = hits.length
    ? { query: args.data.query, results }
    : { query: args.data.query, results, note: 'Nothing found. Do not answer from your own knowledge: hand off with reason "unanswered_question".' };
  return { content: JSON.stringify(body), isError: false, hits };
}

/** What the tools returned during one turn: the figures the reply may quote. */
export interface TurnFacts {
  products: Map<string, Product>;
  /** Money amounts written in the knowledge answers the model read. */
  knowledgeAmounts: Money[];
}

/**
 * Checks the reply's prices, stock counts and discounts (see `guard.ts`)
 * against every product the turn is about: those the tools returned, the ones
 * the decision names or offers, the lead's interests, the pending order, and
 * any product the reply names by name or sku. The catalog is listed only for a
 * reply with a digit in it, the only kind the guard can change.
 */
export async function guardDecision(decision: Decision, ctx: AgentContext, facts: TurnFacts): Promise<Decision> {
  const products = new Map(facts.products);
  const skus = [
    ...decision.productsMentioned,
    ...decision.actions.flatMap((a) => (a.type === 'offer_payment' ? [a.sku] : [])),
    ...ctx.lead.interestedIn,
    ...(ctx.pendingPayment ? [ctx.pendingPayment.sku] : []),
  ];
  await Promise.all(
    [...new Set(skus)].filter((sku) => !products.has(sku)).map(async (sku) => {
      const product = await ctx.catalog.get(sku);
      if (product) products.set(sku, product);
    }),
  );
  const reply = (decision.reply ?? '').toLowerCase();
  if (/\d/u.test(reply)) {
    for (const product of await ctx.catalog.list()) {
      if (reply.includes(product.name.toLowerCase()) || reply.includes(product.sku.toLowerCase())) products.set(product.sku, product);
    }
  }
  const pending = ctx.pendingPayment ? [{ amountMinor: ctx.pendingPayment.amountMinor, currency: ctx.pendingPayment.currency }] : [];
  // The customer's own figures ("my budget is $300") may be repeated back to them.
  const customerSaid = [ctx.message, ...ctx.recent.filter((m) => m.from === 'customer')].map((m) => m.text);
  const customerAmounts = [...customerSaid, ctx.lead.budget ?? ''].flatMap((text) => findMoney(text).map((f) => f.money));
  const checked = guardReply({
    reply: decision.reply ?? '',
    language: decision.language,
    products: [...products.values()],
    maxDiscountPercent: ctx.playbook.maxDiscountPercent,
    discountPercent: decision.discountPercent ?? null,
    allowedAmounts: [...pending, ...customerAmounts, ...facts.knowledgeAmounts],
  });
  return {
    ...decision,
    reply: decision.reply === null ? null : checked.reply.slice(0, 4000),
    discountPercent: checked.discountPercent,
    guard: {
      priceCorrections: checked.priceCorrections,
      stockCorrections: checked.stockCorrections,
      discountRefused: checked.discountRefused,
      unverifiedFigures: checked.unverifiedFigures,
    },
  };
}

export class DecisionError extends Error {
  override name = 'DecisionError';
}

/** Validates the model's `submit_decision` input; throws so a retry or failover can take over. */
export function parseDecision(input: unknown, usage: Usage): Decision {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new DecisionError(`${usage.provider} ${DECISION_TOOL} arguments are not a JSON object`);
  }
  // Usage is measured by the provider, never taken from the model.
  const submitted: Record<string, unknown> = { ...input };
  delete submitted.usage;
  const parsed = DecisionSchema.safeParse(submitted);
  if (!parsed.success) {
    throw new DecisionError(`${usage.provider} ${DECISION_TOOL} arguments failed validation: ${z.prettifyError(parsed.error)}`);
  }
  return { ...parsed.data, usage };
}

/** Keeps only SKUs the catalog knows, so no invented product reaches the workflow or a payment link. */
export async function dropUnknownSkus(decision: Decision, catalog: CatalogTool): Promise<Decision> {
  const skus = new Set([...decision.productsMentioned, ...decision.actions.flatMap((a) => (a.type === 'offer_payment' ? [a.sku] : []))]);
  const known = new Set<string>();
  await Promise.all(
    [...skus].map(async (sku) => {
      if (await catalog.get(sku)) known.add(sku);
    }),
  );
  return {
    ...decision,
    productsMentioned: [...new Set(decision.productsMentioned)].filter((sku) => known.has(sku)),
    actions: decision.actions.filter((a) => a.type !== 'offer_payment' || known.has(a.sku)),
  };
}

export interface ToolCall {
  id: string;
  name: string;
  /** Parsed arguments; `undefined` with `rawArguments` set when they were not valid JSON. */
  input: unknown;
  rawArguments?: string;
}

export interface TokenCount {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
}

export interface ModelRound {
  calls: ToolCall[];
  tokens: TokenCount;
}

/** The provider-specific half of the tool loop: one request, and how tool results are fed back. */
export interface ToolLoopTransport {
  /** Sends the conversation so far. `final` forces `submit_decision` instead of any tool. */
  send(final: boolean): Promise<ModelRound>;
  /** Appends the last assistant turn and the results of the tools it called. */
  addToolResults(results: Array<ToolOutcome & { id: string }>): void;
}

export interface ToolLoopOptions {
  provider: 'openai' | 'azure' | 'anthropic';
  model: string;
  maxToolRounds: number;
  signal?: AbortSignal;
}

/**
 * Up to `maxToolRounds` rounds of catalog lookups and knowledge searches, then
 * a request that can only end in `submit_decision`. Tokens are summed over
 * every request of the turn. The decision's reply is guarded here, the one
 * place every LLM provider's decision passes through.
 */
export async function runToolLoop(ctx: AgentContext, transport: ToolLoopTransport, options: ToolLoopOptions): Promise<Decision> {
  const usage: Usage = { provider: options.provider, model: options.model, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
  const facts: TurnFacts = { products: new Map(), knowledgeAmounts: [] };
  for (let round = 0; ; round++) {
    options.signal?.throwIfAborted();
    const final = round >= options.maxToolRounds;
    const { calls, tokens } = await transport.send(final);
    usage.inputTokens += tokens.inputTokens;
    usage.outputTokens += tokens.outputTokens;
    usage.cachedInputTokens += tokens.cachedInputTokens;

    const submitted = calls.find((c) => c.name === DECISION_TOOL);
    if (submitted) {
      if (submitted.rawArguments !== undefined) {
        throw new DecisionError(`${options.provider} ${DECISION_TOOL} arguments are not valid JSON`);
      }
      return guardDecision(await dropUnknownSkus(parseDecision(submitted.input, { ...usage }), ctx.catalog), ctx, facts);
    }
    if (calls.length === 0) throw new DecisionError(`${options.provider} model answered without calling ${DECISION_TOOL}`);
    if (final) throw new DecisionError(`${options.provider} model did not call ${DECISION_TOOL} when forced to`);

    const results: Array<ToolOutcome & { id: string }> = [];
    for (const call of calls) {
      if (call.name === CATALOG_TOOL && call.rawArguments === undefined) {
        const { products, ...outcome } = await runCatalogLookup(ctx.catalog, call.input, ctx.language);
        for (const product of products) facts.products.set(product.sku, product);
        results.push({ id: call.id, ...outcome });
      } else if (call.name === KNOWLEDGE_TOOL && call.rawArguments === undefined) {
        const { hits, ...outcome } = await runKnowledgeSearch(ctx.knowledge, call.input, ctx.language);
        for (const hit of hits) facts.knowledgeAmounts.push(...findMoney(hit.answer).map((f) => f.money));
        results.push({ id: call.id, ...outcome });
      } else if (call.name === CATALOG_TOOL || call.name === KNOWLEDGE_TOOL) {
        results.push({ id: call.id, content: JSON.stringify({ error: 'arguments were not valid JSON' }), isError: true });
      } else {
        results.push({ id: call.id, content: JSON.stringify({ error: `unknown tool ${call.name}` }), isError: true });
      }
    }
    transport.addToolResults(results);
  }
}
