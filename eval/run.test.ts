import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DecisionSchema, type Decision } from '../domain/decision';
import type { AgentContext, LlmProvider } from '../integrations/llm/provider';
import { resultsTable, runScenario } from './run';
import type { Scenario } from './scenario';
import { memoryTools } from './tools';

/** A brain that answers from a script and remembers what each turn showed it, to check what the runner feeds the agent. */
function scripted(decisions: Partial<Decision>[]): LlmProvider & { seen: AgentContext[] } {
  const seen: AgentContext[] = [];
  return {
    name: 'scripted',
    seen,
    async decide(ctx) {
      seen.push(ctx);
      const next = decisions[seen.length - 1];
      if (!next) throw new Error('script ran out');
      return DecisionSchema.parse({ reply: 'ok', intent: 'product_question', language: 'en', sentiment: 'neutral', confidence: 0.9, ...next });
    },
  };
}

const tools = memoryTools();

describe('runScenario', () => {
  test('an offer opens a checkout at the catalog price with the agreed discount held to the maximum, and the next turn sees it', async () => {
    const provider = scripted([
      { intent: 'buying_signal', discountPercent: 25, actions: [{ type: 'offer_payment', sku: 'TENT-TB2', quantity: 2 }] },
      { intent: 'thanks', reply: 'You are welcome!' },
    ]);
    const scenario: Scenario = {
      id: 'buying.en.runner',
      category: 'buying',
      language: 'en',
      turns: [
        { customer: "I'll take two tents with 25% off", expect: { paymentLink: { sku: 'TENT-TB2', quantity: 2 }, says: ['$448.20'] } },
        { customer: 'thanks', expect: { paymentLink: null } },
      ],
      end: { stage: 'checkout', paymentLink: true, handOff: null },
    };
    const result = await runScenario(scenario, { provider, tools });
    assert.deepEqual(result.failures, []);
    assert.equal(result.passed, true);
    // 2 × $249.00 less the playbook's maximum of 10%, not the 25% the agent agreed.
    assert.deepEqual(result.turns[0]!.paymentLink, { sku: 'TENT-TB2', quantity: 2, amountMinor: 44_820, currency: 'USD' });
    assert.equal(provider.seen[1]!.pendingPayment?.amountMinor, 44_820);
    assert.equal(provider.seen[1]!.stage, 'checkout');
    assert.deepEqual(
      provider.seen[1]!.recent.map((m) => [m.from, m.text]),
      [
        ['customer', "I'll take two tents with 25% off"],
        ['bot', 'ok'],
      ],
    );
  });

  test('missed expectations are reported in words, turn by turn and at the end', async () => {
    const provider = scripted([{ reply: 'We have tents.', language: 'tr' }, { sentiment: 'angry' }]);
    const scenario: Scenario = {
      id: 'anger.en.runner',
      category: 'anger',
      language: 'en',
      playbook: (p) => ({ ...p, businessName: 'Changed Co.' }),
      turns: [
        { customer: 'Do you have tents?', expect: { says: ['Trailblazer'], saysNot: ['tents'], saysOneOf: ['x', 'y'], language: 'en', intent: 'price_question', handOff: null } },
        { customer: 'This is useless!', expect: { handOff: null } },
        { customer: 'Hello?', expect: { says: ['anything'] } },
      ],
      end: { handOff: null, paymentLink: true, slots: { need: 'tent' }, interestedIn: ['TENT-TB2'] },
    };
    const result = await runScenario(scenario, { provider, tools });
    assert.equal(result.passed, false);
    assert.deepEqual(result.failures, [
      'turn 1 ("Do you have tents?"): reply does not say "Trailblazer"',
      'turn 1 ("Do you have tents?"): reply says "tents"',
      'turn 1 ("Do you have tents?"): reply says none of "x", "y"',
      'turn 1 ("Do you have tents?"): reply language "tr", expected en',
      'turn 1 ("Do you have tents?"): intent "product_question", expected price_question',
      'turn 2 ("This is useless!"): hand-off "angry_customer", expected none',
      // A person holds the lead now: the bot says nothing and the agent is not asked.
      'turn 3 ("Hello?"): reply does not say "anything"',
      'turn 3 ("Hello?"): the bot did not reply',
      'end: ended with hand-off "angry_customer", expected none',
      'end: no payment link was sent',
      'end: slot need is none, expected it to hold "tent"',
      'end: TENT-TB2 is not among the lead\'s interests (none)',
    ]);
    assert.equal(provider.seen.length, 2);
    assert.equal(provider.seen[0]!.playbook.businessName, 'Changed Co.', 'the scenario\'s playbook change reaches the agent');
  });

  test('an agent that fails hands the lead to a person, as the workflow does, and fails the turn', async () => {
    const result = await runScenario({ id: 'support.en.runner', category: 'support', language: 'en', turns: [{ customer: 'hi' }] }, { provider: scripted([]), tools });
    assert.equal(result.turns[0]!.handOff, 'agent_unavailable');
    assert.deepEqual(result.failures, ['turn 1 ("hi"): the agent failed: script ran out']);
  });

  test('the table counts per category and language', () => {
    const row = (id: string, passed: boolean) => ({ id, category: id.split('.')[0] as Scenario['category'], language: id.split('.')[1] as 'en' | 'tr', passed, turns: [], failures: [] });
    const table = resultsTable([row('buying.en.a', true), row('buying.en.b', false), row('buying.tr.c', true), row('anger.tr.d', false)], ['anger', 'buying']);
    assert.equal(
      table,
      [
        '| category | language | passed | total | pass rate |',
        '| --- | --- | ---: | ---: | ---: |',
        '| anger | tr | 0 | 1 | 0% |',
        '| buying | en | 1 | 2 | 50% |',
        '| buying | tr | 1 | 1 | 100% |',
        '| **all** | | **2** | **4** | **50%** |',
      ].join('\n'),
    );
  });
});
