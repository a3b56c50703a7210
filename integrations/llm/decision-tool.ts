import { z } from 'zod';
import type { CatalogTool, Product } from '../../domain/catalog';
import { DecisionSchema } from '../../domain/decision';
import type { Decision, Usage } from '../../domain/decision';
import type { Language } from '../../domain/language';
import { formatMoney } from '../../domain/money';
import type { AgentContext } from './provider';

export const CATALOG_TOOL = 'lookup_catalog';
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

const CatalogArgsSchema = z.object({ query: z.string().min(1).max(200) });

/** What the model may submit: a Decision without `usage`, which the provider fills in. */
const SubmittedDecisionSchema = DecisionSchema.omit({ usage: true }).extend({
  reply: DecisionSchema.shape.reply.describe('Message for the customer, in their language; null only to stay silent on purpose.'),
  confidence: DecisionSchema.shape.confidence.describe('0 to 1: how sure you are the reply is right and appropriate.'),
  productsMentioned: DecisionSchema.shape.productsMentioned.describe('Catalog skus the customer showed interest in this turn.'),
  summary: DecisionSchema.shape.summary.describe('Updated running summary of the whole conversation, facts only.'),
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

export const decisionToolDefinition: ToolDefinition = {
  name: DECISION_TOOL,
  description: 'Submit the final decision for this turn: the reply to the customer and what you learned. Call exactly once, last.',
  inputSchema: decisionJsonSchema(),
};

/** Stable order: the tool list is part of the cached prompt prefix. */
export const toolDefinitions: readonly ToolDefinition[] = [catalogToolDefinition, decisionToolDefinition];

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
export async function runCatalogLookup(catalog: CatalogTool, input: unknown, language: Language): Promise<ToolOutcome> {
  const args = CatalogArgsSchema.safeParse(input);
  if (!args.success) return { content: JSON.stringify({ error: 'lookup_catalog needs {"query": string}' }), isError: true };
  const products = await catalog.search(args.data.query, CATALOG_RESULT_LIMIT);
  return {
    content: JSON.stringify({ query: args.data.query, results: products.map((p) => productForModel(p, language)) }),
    isError: false,
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
  provider: 'openai' | 'anthropic';
  model: string;
  maxToolRounds: number;
  signal?: AbortSignal;
}

/**
 * Up to `maxToolRounds` catalog lookups, then a request that can only end in
 * `submit_decision`. Tokens are summed over every request of the turn.
 */
export async function runToolLoop(ctx: AgentContext, transport: ToolLoopTransport, options: ToolLoopOptions): Promise<Decision> {
  const usage: Usage = { provider: options.provider, model: options.model, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
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
      return dropUnknownSkus(parseDecision(submitted.input, { ...usage }), ctx.catalog);
    }
    if (calls.length === 0) throw new DecisionError(`${options.provider} model answered without calling ${DECISION_TOOL}`);
    if (final) throw new DecisionError(`${options.provider} model did not call ${DECISION_TOOL} when forced to`);

    const results: Array<ToolOutcome & { id: string }> = [];
    for (const call of calls) {
      if (call.name === CATALOG_TOOL && call.rawArguments === undefined) {
        results.push({ id: call.id, ...(await runCatalogLookup(ctx.catalog, call.input, ctx.language)) });
      } else if (call.name === CATALOG_TOOL) {
        results.push({ id: call.id, content: JSON.stringify({ error: 'arguments were not valid JSON' }), isError: true });
      } else {
        results.push({ id: call.id, content: JSON.stringify({ error: `unknown tool ${call.name}` }), isError: true });
      }
    }
    transport.addToolResults(results);
  }
}
