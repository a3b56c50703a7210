import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DecisionSchema, type Decision } from '../../../domain/decision';
import { emptyKnowledge, type KnowledgeEntryInput, type KnowledgeTool } from '../../../domain/knowledge';
import type { Language } from '../../../domain/language';
import { demoKnowledge, demoPlaybook } from '../../../db/demo-data';
import type { AgentContext } from '../provider';
import { createPlaybookProvider } from './index';
import { policyQuestion, policyTopic, shortAnswer } from './knowledge';
import { fold } from './language';
import { replies } from './replies';
import { agentContext, memoryKnowledge } from './testing';

const provider = createPlaybookProvider();

async function say(text: string, overrides: Partial<AgentContext> = {}): Promise<Decision> {
  const decision = await provider.decide(agentContext(text, { knowledge: memoryKnowledge(), ...overrides }));
  assert.deepEqual(DecisionSchema.parse(decision), decision);
  return decision;
}

/** Records what the agent searched for, answering from `entries`. */
function spyKnowledge(entries: KnowledgeEntryInput[] = demoKnowledge): KnowledgeTool & { calls: { query: string; language?: Language }[] } {
  const inner = memoryKnowledge(entries);
  const calls: { query: string; language?: Language }[] = [];
  return {
    calls,
    async search(query, opts) {
      calls.push({ query, language: opts?.language });
      return inner.search(query, opts);
    },
  };
}

const entry = (title: string, lang: Language) => demoKnowledge.find((e) => e.title === title && e.language === lang)!;
const handOffReason = (d: Decision) => d.actions.find((a) => a.type === 'hand_off')?.reason ?? null;

describe('questions about the shop are answered from the merchant\'s knowledge', () => {
  test('a delivery question gets the merchant\'s own answer, in English', async () => {
    const d = await say('How long does delivery take?');
    assert.ok(d.reply!.includes(entry('How long does delivery take?', 'en').body), d.reply!);
    assert.equal(d.language, 'en');
    assert.equal(handOffReason(d), null);
    assert.ok(d.confidence >= demoPlaybook.handOff.minConfidence);
  });

  test('and in Turkish, from the Turkish entry', async () => {
    const d = await say('Kargo ne kadar sürer?', { language: 'tr' });
    assert.equal(d.language, 'tr');
    assert.ok(d.reply!.includes(entry('Kargo ne kadar sürer? Teslimat süresi nedir?', 'tr').body), d.reply!);
    assert.equal(handOffReason(d), null);
  });

  test('the search is in the conversation\'s language and uses the customer\'s words', async () => {
    const knowledge = spyKnowledge();
    await say('Taksit yapıyor musunuz?', { language: 'tr', knowledge });
    assert.deepEqual(knowledge.calls, [{ query: 'Taksit yapıyor musunuz', language: 'tr' }]);
  });

  test('a warranty question is answered from the entry, not as a trust objection', async () => {
    const d = await say('Is there a warranty on your products?');
    assert.equal(d.objection, null);
    assert.ok(d.reply!.includes(entry('Is there a warranty?', 'en').body));
    assert.ok(!d.reply!.includes(demoPlaybook.objectionAnswers.trust.en));
  });

  test('a payment question names the methods the merchant wrote down', async () => {
    const d = await say('Can I pay in instalments with a credit card?');
    assert.match(d.reply!, /up to 6 instalments/);
  });

  test('buying and asking how to pay keeps the offer and answers the question', async () => {
    const d = await say("I'll take the Trailblazer tent, can I pay in instalments?");
    assert.deepEqual(d.actions, [{ type: 'offer_payment', sku: 'TENT-TB2', quantity: 1 }]);
    assert.match(d.reply!, /up to 6 instalments/);
  });

  test('a question about a product and shipping answers both', async () => {
    const d = await say('How much is the Trailblazer tent and do you ship to the UK?');
    assert.match(d.reply!, /\$249/);
    assert.match(d.reply!, /We ship across Turkey, the EU and the UK/);
    assert.deepEqual(d.productsMentioned, ['TENT-TB2']);
  });
});

describe('no entry, no claim', () => {
  test('a shop question the knowledge cannot answer is handed to a person, honestly', async () => {
    const d = await say('How long does delivery take?', { knowledge: emptyKnowledge });
    assert.equal(handOffReason(d), 'unanswered_question');
    assert.equal(d.reply, replies.en.unanswered);
    assert.doesNotMatch(d.reply!, /\d/, 'no figure may be invented');
  });

  test('in Turkish too', async () => {
    const d = await say('İade koşullarınız nedir?', { language: 'tr', knowledge: emptyKnowledge });
    assert.equal(handOffReason(d), 'unanswered_question');
    assert.equal(d.reply, replies.tr.unanswered);
  });

  test('an entry in another language does not answer: the customer would not read it', async () => {
    const turkishOnly = demoKnowledge.filter((e) => e.language === 'tr');
    const d = await say('How long does delivery take?', { knowledge: memoryKnowledge(turkishOnly) });
    assert.equal(handOffReason(d), 'unanswered_question');
  });

  test('a product question with a shop word and no entry still gets its product answer', async () => {
    const d = await say('How much is the Trailblazer tent with delivery?', { knowledge: emptyKnowledge });
    assert.equal(handOffReason(d), null);
    assert.match(d.reply!, /\$249/);
  });
});

describe('what knowledge does not take over', () => {
  test('product questions never search the knowledge', async () => {
    const knowledge = spyKnowledge();
    const d = await say('Do you have tents?', { knowledge });
    assert.equal(knowledge.calls.length, 0);
    assert.equal(d.intent, 'product_question');
  });

  test('asking for a person stays a request for a person', async () => {
    const d = await say('I want to talk to a real person about my delivery', { knowledge: emptyKnowledge });
    assert.equal(handOffReason(d), 'customer_request');
  });

  test('"is this a scam?" is still a trust objection', async () => {
    const d = await say('How do I know this is not a scam?');
    assert.equal(d.objection, 'trust');
  });
});

describe('policyTopic', () => {
  const cases: [string, string | null][] = [
    ['Do you ship to Germany?', 'shipping'],
    ['Kargo ücreti ne kadar?', 'shipping'],
    ['Can I return it if it does not fit?', 'returns'],
    ['Ürünü iade edebilir miyim?', 'returns'],
    ['Do your tents have a guarantee?', 'warranty'],
    ['Garantisi var mı?', 'warranty'],
    ['Which payment methods do you accept?', 'payment'],
    ['Taksit var mı?', 'payment'],
    ['What are your opening hours?', 'hours'],
    ['Pazar günü açık mısınız?', 'hours'],
    ['Where is your store?', 'locations'],
    ['Mağazanız nerede?', 'locations'],
    ['Do you have a 2-person tent?', null],
    ['Is the tent easy to open?', null],
    ['Çadırın fiyatı ne kadar?', null],
  ];
  for (const [text, topic] of cases) test(text, () => assert.equal(policyTopic(fold(text)), topic));
});

describe('policyQuestion', () => {
  test('the clause that asks about the shop is what is searched', () => {
    assert.equal(policyQuestion("I'll take the Trailblazer tent, can I pay in instalments?"), 'can I pay in instalments');
    assert.equal(policyQuestion('Çadırı alacağım ama kargo ne kadar sürer?'), 'kargo ne kadar sürer');
    assert.equal(policyQuestion('Do you have tents?'), 'Do you have tents?');
  });
});

describe('shortAnswer', () => {
  test('a short answer is kept whole', () => {
    assert.equal(shortAnswer('Delivery takes 2-4 days.'), 'Delivery takes 2-4 days.');
  });

  test('a long one is cut after the last whole sentence that fits', () => {
    const long = `${'First sentence is here. '.repeat(10)}${'x'.repeat(300)}.`;
    const short = shortAnswer(long);
    assert.ok(short.length <= 420);
    assert.ok(short.endsWith('here.'));
  });
});
