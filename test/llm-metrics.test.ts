/**
 * The agent chain as the worker builds it (`createLlmChain`) counts each
 * provider's calls, errors, latency and tokens, and every failover, on the
 * metrics `/metrics` serves; the providers are local peers speaking the
 * OpenAI and Anthropic wire formats.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { loadEnv } from '../config/env';
import { demoCatalog, demoPlaybook } from '../db/demo-data';
import { emptyLeadProfile } from '../domain/lead';
import { createLlmChain } from '../integrations/llm/chain';
import type { AgentContext } from '../integrations/llm/provider';
import { boundedLabel, businessRegistry } from '../observability/metrics';
import { decision as agentDecision } from './support/lead-fixtures';
import { anthropicToolUse, startAnthropicPeer, type AnthropicPeer } from './peers/anthropic-peer';
import { openAiError, startOpenAiPeer, type OpenAiPeer } from './peers/openai-peer';
import { parseExposition, total } from './support/prometheus-text';

const OPENAI_KEY = 'sk-test-openai-metrics';
const ANTHROPIC_KEY = 'sk-ant-test-metrics';

const ctx = (): AgentContext => ({
  merchantId: 'm_demo',
  conversationId: 'lead:m_demo:webchat:metrics',
  channel: 'webchat',
  language: 'en',
  stage: 'engaged',
  lead: { ...emptyLeadProfile(), name: 'Ada' },
  score: 20,
  summary: '',
  recent: [],
  message: { id: 'm1', from: 'customer', text: 'How much is the tent?', at: '2025-01-01T10:00:00.000Z' },
  objectionCount: 0,
  pendingPayment: null,
  playbook: demoPlaybook,
  catalog: {
    search: () => Promise.resolve(demoCatalog.slice(0, 3)),
    get: (sku) => Promise.resolve(demoCatalog.find((p) => p.sku === sku) ?? null),
    list: () => Promise.resolve(demoCatalog),
  },
  knowledge: { search: () => Promise.resolve([]) },
});

const decision = agentDecision({
  reply: 'Happy to help: which tent are you looking at?',
  intent: 'price_question',
  summary: 'Ada asked about tent prices.',
});

describe('LLM metrics', () => {
  let openai: OpenAiPeer;
  let anthropic: AnthropicPeer;
  before(async () => {
    [openai, anthropic] = await Promise.all([startOpenAiPeer({ apiKey: OPENAI_KEY }), startAnthropicPeer({ apiKey: ANTHROPIC_KEY })]);
  });
  after(() => Promise.all([openai.close(), anthropic.close()]));

  test('a failing first provider counts an error and a failover; the second counts its call and tokens', async () => {
    const env = loadEnv({
      LLM_PROVIDERS: 'openai,anthropic',
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: openai.baseURL,
      OPENAI_MODEL: 'gpt-test',
      ANTHROPIC_API_KEY: ANTHROPIC_KEY,
      ANTHROPIC_BASE_URL: anthropic.baseURL,
      ANTHROPIC_MODEL: 'claude-test',
    });
    const chain = createLlmChain(env, pino({ level: 'silent' }));
    const read = async () => parseExposition(await businessRegistry.metrics());
    const before = await read();

    // A 400 is not retried by the SDK: one failed call, then Anthropic answers with 321 input and 45 output tokens.
    openai.enqueue(openAiError(400, 'bad request', 'invalid_request_error'));
    anthropic.enqueue(anthropicToolUse([{ name: 'submit_decision', input: decision }], { input: 321, output: 45 }));
    const result = await chain.decide(ctx());
    assert.equal(result.usage?.provider, 'anthropic');

    const after = await read();
    const moved = (name: string, labels: Record<string, string>) => total(after, name, labels) - total(before, name, labels);
    assert.equal(moved('autocloser_llm_calls_total', { provider: 'openai', outcome: 'error' }), 1);
    assert.equal(moved('autocloser_llm_calls_total', { provider: 'anthropic', outcome: 'ok' }), 1);
    assert.equal(moved('autocloser_llm_failovers_total', { from: 'openai', to: 'anthropic' }), 1);
    assert.equal(moved('autocloser_llm_tokens_total', { provider: 'anthropic', kind: 'input' }), result.usage!.inputTokens);
    assert.equal(moved('autocloser_llm_tokens_total', { provider: 'anthropic', kind: 'output' }), 45);
    assert.equal(moved('autocloser_llm_latency_seconds_count', { provider: 'openai' }), 1);
    assert.equal(moved('autocloser_llm_latency_seconds_count', { provider: 'anthropic' }), 1);

    // Both down: the last failover goes nowhere.
    openai.enqueue(openAiError(400, 'bad request', 'invalid_request_error'));
    anthropic.enqueue({ status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'bad' } } });
    await assert.rejects(chain.decide(ctx()), /all llm providers failed/);
    const last = await read();
    assert.equal(total(last, 'autocloser_llm_failovers_total', { from: 'anthropic', to: 'none' }) - total(before, 'autocloser_llm_failovers_total', { from: 'anthropic', to: 'none' }), 1);
  });
});

describe('label values from outside the code', () => {
  test('free text and endless codes become "other"', () => {
    assert.equal(boundedLabel('test_reason', 'customer_request'), 'customer_request');
    assert.equal(boundedLabel('test_reason', 'The customer wants a manager about order 12345'), 'other');
    assert.equal(boundedLabel('test_reason', 'x'.repeat(41)), 'other');
    for (let i = 0; i < 60; i++) boundedLabel('test_reason', `code_${i}`);
    assert.equal(boundedLabel('test_reason', 'code_70'), 'other');
    assert.equal(boundedLabel('test_reason', 'customer_request'), 'customer_request', 'a value seen before stays');
  });
});
