import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { demoCatalog, demoPlaybook } from '../db/demo-data';
import type { CatalogTool, Product } from '../domain/catalog';
import type { ChatMessage } from '../domain/conversation';
import type { KnowledgeHit, KnowledgeTool } from '../domain/knowledge';
import type { Language } from '../domain/language';
import { emptyLeadProfile } from '../domain/lead';
import pino from 'pino';
import { llmProviderChain, loadEnv } from '../config/env';
import { createAnthropicProvider } from '../integrations/llm/anthropic';
import { createLlmChain } from '../integrations/llm/chain';
import { createAzureOpenAiProvider, staticTokenProvider } from '../integrations/llm/azure-openai';
import { DecisionError, decisionToolDefinition } from '../integrations/llm/decision-tool';
import { createFailoverProvider } from '../integrations/llm/failover';
import type { FailoverLog } from '../integrations/llm/failover';
import { createOpenAiProvider } from '../integrations/llm/openai';
import type { AgentContext } from '../integrations/llm/provider';
import { anthropicError, anthropicToolUse, apiKeyOf, startAnthropicPeer } from './peers/anthropic-peer';
import type { AnthropicPeer } from './peers/anthropic-peer';
import { openAiError, openAiToolCalls, startOpenAiPeer } from './peers/openai-peer';
import type { OpenAiPeer } from './peers/openai-peer';
import { azureToolCalls, startAzureOpenAiPeer } from './peers/azure-openai-peer';
import type { AzureOpenAiPeer } from './peers/azure-openai-peer';
import type { ScriptedPeer } from './peers/scripted-peer';

const OPENAI_KEY = 'sk-test-openai-0000';
const ANTHROPIC_KEY = 'sk-ant-test-0000';

const playbook = demoPlaybook;
const products = demoCatalog;

/** The demo products behind the CatalogTool interface, matching any query word against name, tags and description. */
const catalog: CatalogTool = {
  search(query, limit = 5) {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    const hay = (p: Product) => `${p.name} ${p.tags.join(' ')} ${p.description}`.toLowerCase();
    return Promise.resolve(products.filter((p) => words.some((w) => hay(p).includes(w))).slice(0, limit));
  },
  get(sku) {
    return Promise.resolve(products.find((p) => p.sku === sku) ?? null);
  },
  list() {
    return Promise.resolve(products);
  },
};

/** The merchant's own answers; a search matches any word of three letters or more, and records what it was asked. */
const knowledgeEntries: KnowledgeHit[] = [
  { id: 'kb-returns', title: 'Can I return an item?', answer: 'Returns are free within 30 days of delivery; we email a prepaid label.', source: 'faq', rank: 0 },
  {
    id: 'kb-shipping',
    title: 'How much is shipping and how long does it take?',
    answer: 'Orders ship within 1 business day and arrive in 2-4 days. Shipping is free over $75, otherwise $6.95.',
    source: 'faq',
    rank: 0,
  },
];
const knowledgeQueries: Array<{ query: string; language: Language | undefined }> = [];
const knowledge: KnowledgeTool = {
  search(query, opts) {
    knowledgeQueries.push({ query, language: opts?.language });
    const words = query.toLowerCase().split(/\W+/).filter((w) => w.length >= 3);
    const hits = knowledgeEntries.filter((e) => words.some((w) => `${e.title} ${e.answer}`.toLowerCase().includes(w)));
    return Promise.resolve(hits.slice(0, opts?.limit ?? 5).map((h, i) => ({ ...h, rank: 1 / (i + 1) })));
  },
};

interface KnowledgeResult {
  query: string;
  results: Array<{ id: string; title: string; answer: string; source: string }>;
  note?: string;
}

interface CatalogResult {
  query: string;
  results: Array<{ sku: string; name: string; price: string; priceMinor: number; currency: string; stock: number; inStock: boolean }>;
}

/** The JSON a provider sent back to the model as the lookup_catalog result. */
function catalogResult(content: unknown): CatalogResult {
  assert.equal(typeof content, 'string');
  return JSON.parse(content as string) as CatalogResult;
}

function textOf(content: unknown): string {
  assert.equal(typeof content, 'string');
  return content as string;
}

const WINDOW = 6;
const SUMMARY = 'Ada plans a two-week trek in June, budget around 600 USD, wants light gear, asked about tents and stoves.';

let messageSeq = 0;
function message(from: ChatMessage['from'], text: string): ChatMessage {
  return { id: `m${messageSeq++}`, from, text, at: '2025-01-01T10:00:00.000Z' };
}

/** A long transcript of same-length messages, so only what is sent can change the request size. */
function transcript(length: number): ChatMessage[] {
  return Array.from({ length }, (_, i) => message(i % 2 === 0 ? 'customer' : 'bot', `old message ${String(i).padStart(4, '0')}`));
}

/**
 * Asks the same question after 5, 50 and 500 older messages; `send` returns the request that went out.
 * Only the summary and the recent window may be on the wire, so no older message is sent and the size never changes.
 */
async function assertRequestSizeStaysFlat(send: (history: ChatMessage[]) => Promise<{ raw: string }>): Promise<void> {
  const sizes: number[] = [];
  for (const old of [5, 50, 500]) {
    const history = transcript(old + WINDOW);
    const request = await send(history);
    sizes.push(Buffer.byteLength(request.raw));
    for (const dropped of history.slice(0, -WINDOW)) assert.equal(request.raw.includes(dropped.text), false, `sent ${dropped.text}`);
  }
  assert.equal(new Set(sizes).size, 1, `request sizes differ: ${sizes.join(', ')}`);
}

/** What the workflow hands to `decide`: summary plus the last WINDOW messages, never the whole transcript. */
function makeCtx(text: string, options: { history?: ChatMessage[]; summary?: string } = {}): AgentContext {
  const history = options.history ?? [];
  return {
    merchantId: 'm_demo',
    conversationId: 'lead:m_demo:webchat:c1',
    channel: 'webchat',
    language: 'en',
    stage: 'engaged',
    lead: { ...emptyLeadProfile(), name: 'Ada' },
    score: 20,
    summary: options.summary ?? '',
    recent: history.slice(-WINDOW),
    message: message('customer', text),
    objectionCount: 0,
    pendingPayment: null,
    playbook,
    catalog,
    knowledge,
  };
}

function decisionArgs(overrides: Record<string, unknown> = {}) {
  return {
    reply: 'The Trailblazer 2 Tent is $249.00 and in stock. What will you mainly use it for?',
    intent: 'price_question',
    language: 'en',
    sentiment: 'positive',
    confidence: 0.9,
    qualification: { need: 'a tent' },
    objection: null,
    productsMentioned: ['TENT-TB2'],
    actions: [],
    summary: 'Ada asked about the Trailblazer 2 Tent price.',
    ...overrides,
  };
}

/** Starts a peer before the suite and closes it after; every test starts with no requests recorded and no answers left over. */
function withScriptedPeer(start: () => Promise<ScriptedPeer<unknown>>): void {
  let peer: ScriptedPeer<unknown>;
  before(async () => {
    peer = await start();
  });
  after(() => peer.close());
  beforeEach(() => {
    peer.requests.length = 0;
    assert.equal(peer.pending(), 0, 'previous test left scripted responses');
  });
}

describe('decision tool schema', () => {
  test('is an object schema both APIs accept, without usage and without oneOf', () => {
    const schema = decisionToolDefinition.inputSchema;
    assert.equal(schema.type, 'object');
    assert.equal('$schema' in schema, false);
    assert.equal('usage' in schema.properties, false);
    assert.deepEqual(schema.required, ['reply', 'intent', 'language', 'sentiment', 'confidence']);
    assert.equal(JSON.stringify(schema).includes('"oneOf"'), false);
  });
});

describe('openai provider', () => {
  let peer: OpenAiPeer;
  withScriptedPeer(async () => (peer = await startOpenAiPeer({ apiKey: OPENAI_KEY })));

  const provider = (extra: Partial<Parameters<typeof createOpenAiProvider>[0]> = {}) =>
    createOpenAiProvider({ apiKey: OPENAI_KEY, baseURL: peer.baseURL, model: 'gpt-test', ...extra });

  test('looks up the catalog, then returns the submitted decision with summed usage', async () => {
    peer.enqueue(
      openAiToolCalls([{ name: 'lookup_catalog', arguments: { query: 'tent' } }], { prompt: 1200, completion: 15, cached: 1024 }),
      openAiToolCalls([{ name: 'submit_decision', arguments: decisionArgs() }], { prompt: 1400, completion: 90, cached: 1152 }),
    );
    const decision = await provider().decide(makeCtx('How much is the Trailblazer tent?'));

    assert.equal(decision.reply, decisionArgs().reply);
    assert.equal(decision.intent, 'price_question');
    assert.deepEqual(decision.qualification, { need: 'a tent' });
    assert.deepEqual(decision.productsMentioned, ['TENT-TB2']);
    assert.deepEqual(decision.usage, { provider: 'openai', model: 'gpt-test', inputTokens: 2600, outputTokens: 105, cachedInputTokens: 2176 });

    const [first, second] = peer.completions();
    assert.ok(first?.body && second?.body);
    assert.equal(first.headers.authorization, `Bearer ${OPENAI_KEY}`);
    assert.deepEqual(
      first.body.tools?.map((t) => (t.type === 'function' ? t.function.name : t.type)),
      ['lookup_catalog', 'search_knowledge', 'submit_decision'],
    );
    assert.equal(first.body.tool_choice, 'required');
    const system = first.body.messages[0];
    assert.equal(system?.role, 'system');
    assert.match(textOf(system?.content), /Demo Outdoor Co\./);
    assert.match(textOf(system?.content), /Never invent prices/);
    assert.match(textOf(system?.content), /at most 10%/);
    assert.match(textOf(system?.content), /hand_off/);
    assert.match(textOf(system?.content), /Is this for you, or are you buying it for someone else\?/);

    // The tool result goes back as a `tool` message answering the call, with the catalog's price.
    const toolMessage = second.body.messages.at(-1);
    assert.equal(toolMessage?.role, 'tool');
    const assistant = second.body.messages.at(-2);
    assert.ok(assistant?.role === 'assistant' && assistant.tool_calls?.length === 1);
    assert.equal(toolMessage.role === 'tool' && toolMessage.tool_call_id, assistant.tool_calls[0]?.id);
    const [tent] = catalogResult(toolMessage.content).results;
    assert.equal(tent?.sku, 'TENT-TB2');
    assert.equal(tent.price, '$249.00');
    assert.equal(tent.priceMinor, 24_900);
    assert.equal(tent.stock, 12);
    // The stable prefix is identical across rounds, so it stays cacheable.
    assert.deepEqual(second.body.messages[0], first.body.messages[0]);
    assert.deepEqual(second.body.tools, first.body.tools);
  });

  test('forces submit_decision after maxToolRounds lookups', async () => {
    peer.enqueue(
      openAiToolCalls([{ name: 'lookup_catalog', arguments: { query: 'tent' } }]),
      openAiToolCalls([{ name: 'lookup_catalog', arguments: { query: 'boots' } }]),
      openAiToolCalls([{ name: 'submit_decision', arguments: decisionArgs() }]),
    );
    const decision = await provider({ maxToolRounds: 2 }).decide(makeCtx('Tent or boots?'));
    assert.equal(decision.intent, 'price_question');
    const choices = peer.completions().map((r) => r.body?.tool_choice);
    assert.deepEqual(choices, ['required', 'required', { type: 'function', function: { name: 'submit_decision' } }]);
    assert.equal(decision.usage?.inputTokens, 300);
  });

  test('rejects decision arguments that are not JSON', async () => {
    peer.enqueue(openAiToolCalls([{ name: 'submit_decision', arguments: '{"reply": "Hi", "intent": ' }]));
    await assert.rejects(provider().decide(makeCtx('Hi')), (err: unknown) => err instanceof DecisionError && /not valid JSON/.test(err.message));
  });

  test('rejects decision arguments that fail the schema', async () => {
    peer.enqueue(openAiToolCalls([{ name: 'submit_decision', arguments: decisionArgs({ intent: 'buy_now', confidence: 7 }) }]));
    await assert.rejects(provider().decide(makeCtx('Hi')), (err: unknown) => {
      assert.ok(err instanceof DecisionError);
      assert.match(err.message, /failed validation/);
      assert.match(err.message, /intent/);
      return true;
    });
  });

  test('drops skus the catalog does not know from products and payment offers', async () => {
    peer.enqueue(
      openAiToolCalls([
        {
          name: 'submit_decision',
          arguments: decisionArgs({
            intent: 'buying_signal',
            productsMentioned: ['TENT-TB2', 'GHOST-9', 'TENT-TB2'],
            actions: [
              { type: 'offer_payment', sku: 'GHOST-9', quantity: 1 },
              { type: 'offer_payment', sku: 'TENT-TB2', quantity: 2 },
              { type: 'hand_off', reason: 'wants delivery quote' },
            ],
          }),
        },
      ]),
    );
    const decision = await provider().decide(makeCtx('I will take two tents and the ghost stove'));
    assert.deepEqual(decision.productsMentioned, ['TENT-TB2']);
    assert.deepEqual(decision.actions, [
      { type: 'offer_payment', sku: 'TENT-TB2', quantity: 2 },
      { type: 'hand_off', reason: 'wants delivery quote' },
    ]);
  });

  test('a wrong key is a 401 error and is not retried', async () => {
    const wrong = createOpenAiProvider({ apiKey: 'sk-wrong-key-1234', baseURL: peer.baseURL, model: 'gpt-test' });
    await assert.rejects(wrong.decide(makeCtx('Hi')), { constructor: OpenAI.AuthenticationError, status: 401, code: 'invalid_api_key' });
    assert.equal(peer.completions().length, 1);
  });

  test('request size stays flat as the conversation grows: only summary and recent window are sent', async () => {
    await assertRequestSizeStaysFlat(async (history) => {
      peer.enqueue(openAiToolCalls([{ name: 'submit_decision', arguments: decisionArgs() }]));
      await provider().decide(makeCtx('And the price?', { history, summary: SUMMARY }));
      const request = peer.completions().at(-1);
      assert.ok(request);
      assert.ok(request.raw.includes(SUMMARY));
      for (const kept of history.slice(-WINDOW)) assert.ok(request.raw.includes(kept.text), `missing ${kept.text}`);
      return request;
    });
  });

  test('sends a per-merchant prompt_cache_key only when asked to (off for custom base URLs)', async () => {
    peer.enqueue(
      openAiToolCalls([{ name: 'submit_decision', arguments: decisionArgs() }]),
      openAiToolCalls([{ name: 'submit_decision', arguments: decisionArgs() }]),
    );
    await provider().decide(makeCtx('Hi'));
    await provider({ promptCacheKey: true }).decide(makeCtx('Hi'));
    const [plain, keyed] = peer.completions();
    assert.equal(plain?.body?.prompt_cache_key, undefined);
    assert.equal(keyed?.body?.prompt_cache_key, 'autocloser:m_demo');
  });

  test('an abort signal cancels the request in flight', async () => {
    peer.enqueue({ ...openAiToolCalls([{ name: 'submit_decision', arguments: decisionArgs() }]), delayMs: 5_000 });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(provider().decide(makeCtx('Hi'), controller.signal), OpenAI.APIUserAbortError);
    assert.ok(Date.now() - started < 2_000);
  });
});

describe('anthropic provider', () => {
  let peer: AnthropicPeer;
  withScriptedPeer(async () => (peer = await startAnthropicPeer({ apiKey: ANTHROPIC_KEY })));

  const provider = (extra: Partial<Parameters<typeof createAnthropicProvider>[0]> = {}) =>
    createAnthropicProvider({ apiKey: ANTHROPIC_KEY, baseURL: peer.baseURL, model: 'claude-test', ...extra });

  test('looks up the catalog, then returns the submitted decision with summed usage', async () => {
    peer.enqueue(
      anthropicToolUse([{ name: 'lookup_catalog', input: { query: 'tent' } }], { input: 40, output: 12, cacheWrite: 1100 }, { text: 'Let me check.' }),
      anthropicToolUse([{ name: 'submit_decision', input: decisionArgs() }], { input: 260, output: 80, cacheRead: 1100 }),
    );
    const decision = await provider().decide(makeCtx('How much is the Trailblazer tent?'));

    assert.equal(decision.reply, decisionArgs().reply);
    assert.deepEqual(decision.productsMentioned, ['TENT-TB2']);
    // inputTokens counts the whole prompt (uncached + cache write + cache read).
    assert.deepEqual(decision.usage, { provider: 'anthropic', model: 'claude-test', inputTokens: 2500, outputTokens: 92, cachedInputTokens: 1100 });

    const [first, second] = peer.messages();
    assert.ok(first?.body && second?.body);
    assert.equal(apiKeyOf(first.headers), ANTHROPIC_KEY);
    assert.match(String(first.headers['anthropic-version']), /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(Array.isArray(first.body.system));
    const [systemBlock] = first.body.system;
    assert.deepEqual(systemBlock?.cache_control, { type: 'ephemeral' });
    assert.match(systemBlock?.text ?? '', /Demo Outdoor Co\./);
    assert.deepEqual(
      first.body.tools?.map((t) => ('name' in t ? t.name : t)),
      ['lookup_catalog', 'search_knowledge', 'submit_decision'],
    );
    assert.deepEqual(first.body.tool_choice, { type: 'any' });
    assert.equal(first.body.messages[0]?.role, 'user');
    assert.match(textOf(first.body.messages[0]?.content), /<context>[\s\S]*name=Ada/);

    // Second round: the assistant turn with its tool_use, then the tool_result carrying the catalog price.
    const assistant = second.body.messages.at(-2);
    const toolTurn = second.body.messages.at(-1);
    assert.ok(assistant && Array.isArray(assistant.content) && toolTurn && Array.isArray(toolTurn.content));
    const toolUse = assistant.content.find((b) => b.type === 'tool_use');
    const toolResult = toolTurn.content[0];
    assert.ok(toolUse?.type === 'tool_use' && toolResult?.type === 'tool_result');
    assert.equal(toolResult.tool_use_id, toolUse.id);
    assert.deepEqual(toolResult.cache_control, { type: 'ephemeral' });
    const [tent] = catalogResult(toolResult.content).results;
    assert.equal(tent?.price, '$249.00');
    assert.equal(tent.priceMinor, 24_900);
    assert.deepEqual(second.body.system, first.body.system);
  });

  test('out-of-stock products are reported with their stock from the catalog', async () => {
    peer.enqueue(
      anthropicToolUse([{ name: 'lookup_catalog', input: { query: 'boots' } }]),
      anthropicToolUse([{ name: 'submit_decision', input: decisionArgs({ productsMentioned: ['BOOT-SP'] }) }]),
    );
    const decision = await provider().decide(makeCtx('Do you have hiking boots?'));
    assert.deepEqual(decision.productsMentioned, ['BOOT-SP']);
    const toolTurn = peer.messages()[1]?.body?.messages.at(-1);
    assert.ok(toolTurn && Array.isArray(toolTurn.content) && toolTurn.content[0]?.type === 'tool_result');
    const { results } = catalogResult(toolTurn.content[0].content);
    assert.deepEqual(
      results.map((p) => [p.sku, p.stock, p.inStock]),
      [['BOOT-SP', 0, false]],
    );
  });

  test('forces submit_decision by name on the last round', async () => {
    peer.enqueue(
      anthropicToolUse([{ name: 'lookup_catalog', input: { query: 'tent' } }]),
      anthropicToolUse([{ name: 'submit_decision', input: decisionArgs() }]),
    );
    await provider({ maxToolRounds: 1 }).decide(makeCtx('Tent?'));
    assert.deepEqual(
      peer.messages().map((r) => r.body?.tool_choice),
      [{ type: 'any' }, { type: 'tool', name: 'submit_decision' }],
    );
  });

  test('bad lookup arguments go back to the model as a tool error, and the turn goes on', async () => {
    peer.enqueue(
      anthropicToolUse([{ name: 'lookup_catalog', input: { q: 'tent' } }]),
      anthropicToolUse([{ name: 'submit_decision', input: decisionArgs() }]),
    );
    const decision = await provider().decide(makeCtx('Tents?'));
    assert.equal(decision.intent, 'price_question');
    const toolTurn = peer.messages()[1]?.body?.messages.at(-1);
    assert.ok(toolTurn && Array.isArray(toolTurn.content) && toolTurn.content[0]?.type === 'tool_result');
    assert.equal(toolTurn.content[0].is_error, true);
  });

  test('rejects a decision that fails the schema', async () => {
    const withoutIntent: Record<string, unknown> = decisionArgs();
    delete withoutIntent.intent;
    peer.enqueue(anthropicToolUse([{ name: 'submit_decision', input: withoutIntent }]));
    await assert.rejects(provider().decide(makeCtx('Hi')), (err: unknown) => err instanceof DecisionError && /intent/.test(err.message));
  });

  test('drops unknown skus', async () => {
    peer.enqueue(
      anthropicToolUse([
        { name: 'submit_decision', input: decisionArgs({ productsMentioned: ['GHOST-9'], actions: [{ type: 'offer_payment', sku: 'GHOST-9' }] }) },
      ]),
    );
    const decision = await provider().decide(makeCtx('The ghost stove please'));
    assert.deepEqual(decision.productsMentioned, []);
    assert.deepEqual(decision.actions, []);
  });

  test('a wrong key is a 401 error', async () => {
    const wrong = createAnthropicProvider({ apiKey: 'sk-ant-wrong', baseURL: peer.baseURL, model: 'claude-test' });
    await assert.rejects(wrong.decide(makeCtx('Hi')), { constructor: Anthropic.AuthenticationError, status: 401 });
    assert.equal(peer.messages().length, 1);
  });

  test('request size stays flat as the conversation grows', async () => {
    await assertRequestSizeStaysFlat(async (history) => {
      peer.enqueue(anthropicToolUse([{ name: 'submit_decision', input: decisionArgs() }]));
      await provider().decide(makeCtx('And the price?', { history, summary: SUMMARY }));
      const request = peer.messages().at(-1);
      assert.ok(request?.body);
      // Alternating turns that start with the user, as the API requires.
      const roles = request.body.messages.map((m) => m.role);
      roles.forEach((role, i) => assert.equal(role, i % 2 === 0 ? 'user' : 'assistant'));
      return request;
    });
  });
});

/** The JSON a provider sent back to the model as the search_knowledge result. */
function knowledgeResult(content: unknown): KnowledgeResult {
  assert.equal(typeof content, 'string');
  return JSON.parse(content as string) as KnowledgeResult;
}

describe('openai provider: merchant knowledge and reply guard', () => {
  let peer: OpenAiPeer;
  withScriptedPeer(async () => (peer = await startOpenAiPeer({ apiKey: OPENAI_KEY })));
  beforeEach(() => void (knowledgeQueries.length = 0));
  const provider = () => createOpenAiProvider({ apiKey: OPENAI_KEY, baseURL: peer.baseURL, model: 'gpt-test' });

  test('a policy question is answered from search_knowledge, whose figures the guard lets through', async () => {
    const reply = 'Orders ship within 1 business day. Shipping is free over $75, otherwise $6.95.';
    peer.enqueue(
      openAiToolCalls([{ name: 'search_knowledge', arguments: { query: 'shipping cost' } }]),
      openAiToolCalls([{ name: 'submit_decision', arguments: decisionArgs({ reply, intent: 'product_question', productsMentioned: [] }) }]),
    );
    const decision = await provider().decide(makeCtx('How much is shipping?'));

    assert.deepEqual(knowledgeQueries, [{ query: 'shipping cost', language: 'en' }]);
    const [first, second] = peer.completions();
    assert.match(textOf(first?.body?.messages[0]?.content), /answer only from what it returns[\s\S]*unanswered_question/);
    const toolMessage = second?.body?.messages.at(-1);
    assert.equal(toolMessage?.role, 'tool');
    const result = knowledgeResult(toolMessage.content);
    assert.equal(result.results[0]?.id, 'kb-shipping');
    assert.match(result.results[0]?.answer ?? '', /free over \$75, otherwise \$6\.95/);
    // Figures from the merchant's answer stand as written; without it they could be tied to nothing.
    assert.equal(decision.reply, reply);
    assert.deepEqual(decision.guard, { priceCorrections: 0, stockCorrections: 0, discountRefused: false, unverifiedFigures: 0 });
  });

  test('an empty knowledge result tells the model to hand off instead of guessing', async () => {
    peer.enqueue(
      openAiToolCalls([{ name: 'search_knowledge', arguments: { query: 'warranty' } }]),
      openAiToolCalls([{ name: 'submit_decision', arguments: decisionArgs({ reply: 'A colleague will answer that.', actions: [{ type: 'hand_off', reason: 'unanswered_question' }] }) }]),
    );
    await provider().decide(makeCtx('Is there a warranty?'));
    const result = knowledgeResult(peer.completions()[1]?.body?.messages.at(-1)?.content);
    assert.deepEqual(result.results, []);
    assert.match(result.note ?? '', /unanswered_question/);
  });

  test('a wrong price in the reply reaches the customer corrected to the catalog price, and is counted', async () => {
    peer.enqueue(
      openAiToolCalls([{ name: 'lookup_catalog', arguments: { query: 'tent' } }]),
      openAiToolCalls([
        { name: 'submit_decision', arguments: decisionArgs({ reply: 'The Trailblazer 2 Tent is $189.00 and we have only 3 left in stock.' }) },
      ]),
    );
    const decision = await provider().decide(makeCtx('How much is the Trailblazer tent?'));
    assert.equal(decision.reply, 'The Trailblazer 2 Tent is $249.00 and we have only 12 left in stock.');
    assert.deepEqual(decision.guard, { priceCorrections: 1, stockCorrections: 1, discountRefused: false, unverifiedFigures: 0 });
  });

  test("the customer's own budget may be repeated back", async () => {
    const reply = 'Within your $300 budget, the Trailblazer 2 Tent at $249.00 fits.';
    peer.enqueue(openAiToolCalls([{ name: 'submit_decision', arguments: decisionArgs({ reply }) }]));
    const decision = await provider().decide(makeCtx('I have about $300 for a tent'));
    assert.equal(decision.reply, reply);
    assert.equal(decision.guard?.priceCorrections, 0);
  });

  test('a product named in the reply is checked even when no tool returned it', async () => {
    peer.enqueue(openAiToolCalls([{ name: 'submit_decision', arguments: decisionArgs({ reply: 'The Beam 400 Headlamp is just $29.', productsMentioned: [] }) }]));
    const decision = await provider().decide(makeCtx('Headlamp price?'));
    assert.equal(decision.reply, 'The Beam 400 Headlamp is just $39.');
    assert.equal(decision.guard?.priceCorrections, 1);
  });
});

describe('anthropic provider: discounts within the playbook', () => {
  let peer: AnthropicPeer;
  withScriptedPeer(async () => (peer = await startAnthropicPeer({ apiKey: ANTHROPIC_KEY })));
  const provider = () => createAnthropicProvider({ apiKey: ANTHROPIC_KEY, baseURL: peer.baseURL, model: 'claude-test' });

  test('a discount above the maximum is refused: the reply and the recorded discount drop to the maximum', async () => {
    assert.equal(playbook.maxDiscountPercent, 10);
    peer.enqueue(
      anthropicToolUse([{ name: 'lookup_catalog', input: { query: 'tent' } }]),
      anthropicToolUse([
        {
          name: 'submit_decision',
          input: decisionArgs({ reply: 'For you: 25% off the Trailblazer 2 Tent, so $186.75 instead of $249.00.', objection: 'price', discountPercent: 25 }),
        },
      ]),
    );
    const decision = await provider().decide(makeCtx('Too expensive, can you do better?'));
    assert.equal(decision.reply, 'For you: 10% off the Trailblazer 2 Tent, so $224.10 instead of $249.00.');
    assert.equal(decision.discountPercent, 10);
    assert.deepEqual(decision.guard, { priceCorrections: 1, stockCorrections: 0, discountRefused: true, unverifiedFigures: 0 });
  });

  test('a discount within the maximum is recorded on the decision as offered', async () => {
    peer.enqueue(anthropicToolUse([{ name: 'submit_decision', input: decisionArgs({ reply: 'I can give you 5% off the Trailblazer 2 Tent: $236.55.' }) }]));
    const decision = await provider().decide(makeCtx('Any discount?'));
    assert.equal(decision.reply, 'I can give you 5% off the Trailblazer 2 Tent: $236.55.');
    assert.equal(decision.discountPercent, 5);
    assert.equal(decision.guard?.discountRefused, false);
  });
});

describe('azure openai provider', () => {
  const DEPLOYMENT = 'gpt-4o-mini-prod';
  const AZURE_KEY = '0123456789abcdef0123456789abcdef';
  const ENTRA_TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.peer.token';
  let peer: AzureOpenAiPeer;
  withScriptedPeer(async () => (peer = await startAzureOpenAiPeer({ deployment: DEPLOYMENT, apiKey: AZURE_KEY, entraToken: ENTRA_TOKEN })));

  const provider = (extra: Partial<Parameters<typeof createAzureOpenAiProvider>[0]> = {}) =>
    createAzureOpenAiProvider({ endpoint: peer.endpoint, deployment: DEPLOYMENT, apiKey: AZURE_KEY, ...extra });

  test("speaks Azure's URL scheme with the api-key header, and runs the same tools and guard", async () => {
    peer.enqueue(
      azureToolCalls([{ name: 'lookup_catalog', arguments: { query: 'tent' } }], { prompt: 900, completion: 10, cached: 0 }),
      azureToolCalls([{ name: 'submit_decision', arguments: decisionArgs({ reply: 'The Trailblazer 2 Tent costs $199.' }) }], { prompt: 1000, completion: 60 }),
    );
    const decision = await provider().decide(makeCtx('How much is the Trailblazer tent?'));

    const [first, second] = peer.completions();
    assert.ok(first?.body && second?.body);
    assert.equal(first.path, `/openai/deployments/${DEPLOYMENT}/chat/completions`);
    assert.equal(first.query?.get('api-version'), '2024-10-21');
    assert.equal(first.headers['api-key'], AZURE_KEY);
    assert.equal(first.headers.authorization, undefined);
    assert.deepEqual(
      first.body.tools?.map((t) => (t.type === 'function' ? t.function.name : t.type)),
      ['lookup_catalog', 'search_knowledge', 'submit_decision'],
    );
    assert.equal(first.body.prompt_cache_key, undefined);
    assert.equal(catalogResult(second.body.messages.at(-1)?.content).results[0]?.priceMinor, 24_900);
    assert.equal(decision.reply, 'The Trailblazer 2 Tent costs $249.');
    assert.deepEqual(decision.usage, { provider: 'azure', model: DEPLOYMENT, inputTokens: 1900, outputTokens: 70, cachedInputTokens: 0 });
  });

  test('authenticates with an Entra ID token as a bearer', async () => {
    peer.enqueue(azureToolCalls([{ name: 'submit_decision', arguments: decisionArgs() }]));
    await provider({ apiKey: undefined, azureADTokenProvider: staticTokenProvider(ENTRA_TOKEN), apiVersion: '2025-04-01-preview' }).decide(makeCtx('Hi'));
    const [request] = peer.completions();
    assert.equal(request?.headers.authorization, `Bearer ${ENTRA_TOKEN}`);
    assert.equal(request?.headers['api-key'], undefined);
    assert.equal(request?.query?.get('api-version'), '2025-04-01-preview');
  });

  test('a wrong key or token is a 401, not retried', async () => {
    await assert.rejects(provider({ apiKey: 'ffffffffffffffffffffffffffffffff' }).decide(makeCtx('Hi')), { constructor: OpenAI.AuthenticationError, status: 401 });
    await assert.rejects(provider({ apiKey: undefined, azureADTokenProvider: staticTokenProvider('expired') }).decide(makeCtx('Hi')), {
      constructor: OpenAI.AuthenticationError,
      status: 401,
    });
    assert.equal(peer.completions().length, 2);
  });

  test('an unknown deployment or API version is a 404, as Azure answers', async () => {
    await assert.rejects(provider({ deployment: 'no-such-deployment' }).decide(makeCtx('Hi')), (err: unknown) => {
      assert.ok(err instanceof OpenAI.NotFoundError);
      assert.match(err.message, /deployment for this resource does not exist/);
      return true;
    });
    await assert.rejects(provider({ apiVersion: '2019-01-01' }).decide(makeCtx('Hi')), { constructor: OpenAI.NotFoundError, status: 404 });
  });

  test('needs exactly one credential', () => {
    assert.throws(() => provider({ apiKey: undefined }), /exactly one/);
    assert.throws(() => provider({ azureADTokenProvider: staticTokenProvider(ENTRA_TOKEN) }), /exactly one/);
  });

  test('is configured from the environment and joins the chain when keyed', async () => {
    const azureEnv = { AZURE_OPENAI_ENDPOINT: peer.endpoint, AZURE_OPENAI_DEPLOYMENT: DEPLOYMENT, AZURE_OPENAI_AD_TOKEN: ENTRA_TOKEN };
    const env = loadEnv({ NODE_ENV: 'test', ...azureEnv });
    assert.deepEqual(llmProviderChain(env), ['azure']);
    peer.enqueue(azureToolCalls([{ name: 'submit_decision', arguments: decisionArgs() }]));
    const decision = await createLlmChain(env, pino({ level: 'silent' })).decide(makeCtx('Hi'));
    assert.equal(decision.usage?.provider, 'azure');
    assert.equal(peer.completions()[0]?.headers.authorization, `Bearer ${ENTRA_TOKEN}`);
    const both = loadEnv({ NODE_ENV: 'test', ...azureEnv, AZURE_OPENAI_API_KEY: AZURE_KEY, LLM_PROVIDERS: 'azure' });
    assert.throws(() => createLlmChain(both, pino({ level: 'silent' })), /exactly one of AZURE_OPENAI_API_KEY and AZURE_OPENAI_AD_TOKEN/);
  });
});

describe('failover', () => {
  let openai: OpenAiPeer;
  let anthropic: AnthropicPeer;
  before(async () => {
    [openai, anthropic] = await Promise.all([startOpenAiPeer({ apiKey: OPENAI_KEY }), startAnthropicPeer({ apiKey: ANTHROPIC_KEY })]);
  });
  after(() => Promise.all([openai.close(), anthropic.close()]));
  beforeEach(() => {
    openai.requests.length = 0;
    anthropic.requests.length = 0;
  });

  const both = (log?: FailoverLog) =>
    createFailoverProvider(
      [
        createOpenAiProvider({ apiKey: OPENAI_KEY, baseURL: openai.baseURL, model: 'gpt-test' }),
        createAnthropicProvider({ apiKey: ANTHROPIC_KEY, baseURL: anthropic.baseURL, model: 'claude-test' }),
      ],
      log,
    );

  // The SDK retries a 5xx once (maxRetries: 1); retry-after-ms keeps the test fast.
  const serverError = () => ({ ...openAiError(500, 'The server had an error while processing your request.', 'server_error'), headers: { 'retry-after-ms': '5' } });

  test('a 500 from the first provider fails over to the second', async () => {
    openai.enqueue(serverError(), serverError());
    anthropic.enqueue(anthropicToolUse([{ name: 'submit_decision', input: decisionArgs() }]));
    const warnings: Array<{ obj: object; msg: string }> = [];
    const decision = await both({ warn: (obj, msg) => void warnings.push({ obj, msg }) }).decide(makeCtx('Hi'));

    assert.equal(decision.usage?.provider, 'anthropic');
    assert.equal(openai.completions().length, 2);
    assert.equal(anthropic.messages().length, 1);
    assert.equal(warnings.length, 1);
    assert.deepEqual({ ...warnings[0]?.obj, err: undefined }, { provider: 'openai', next: 'anthropic', conversationId: 'lead:m_demo:webchat:c1', err: undefined });
  });

  test('when every provider fails the error aggregates the causes', async () => {
    openai.enqueue(serverError(), serverError());
    anthropic.enqueue(anthropicError(529, 'overloaded_error', 'Overloaded'), anthropicError(529, 'overloaded_error', 'Overloaded'));
    await assert.rejects(both().decide(makeCtx('Hi')), (err: unknown) => {
      assert.ok(err instanceof AggregateError);
      assert.equal(err.errors.length, 2);
      assert.ok(err.errors[0] instanceof OpenAI.InternalServerError);
      assert.ok(err.errors[1] instanceof Anthropic.APIError);
      assert.match(err.message, /openai \(.*500/);
      assert.match(err.message, /anthropic \(.*529/);
      return true;
    });
  });

  test('an aborted turn is not failed over', async () => {
    openai.enqueue({ ...openAiToolCalls([{ name: 'submit_decision', arguments: decisionArgs() }]), delayMs: 5_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(both().decide(makeCtx('Hi'), controller.signal), OpenAI.APIUserAbortError);
    assert.equal(anthropic.messages().length, 0);
    // The scripted response was consumed by the aborted request.
    assert.equal(openai.pending(), 0);
  });
});
