import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CatalogTool } from '../../../domain/catalog';
import type { PendingPayment } from '../../../domain/conversation';
import { DecisionSchema, type Decision, type Intent, type ObjectionKind } from '../../../domain/decision';
import type { Language } from '../../../domain/language';
import { applyQualification, emptyLeadProfile, type LeadProfile } from '../../../domain/lead';
import { PlaybookSchema } from '../../../domain/playbook';
import { demoCatalog, demoPlaybook } from '../../../db/demo-data';
import type { AgentContext } from '../provider';
import { createPlaybookProvider } from './index';
import { agentContext, bot, customer, memoryCatalog, withChanges } from './testing';

const provider = createPlaybookProvider();
const q = demoPlaybook.qualificationQuestions;

/** Every decision must already be what DecisionSchema would produce. */
async function decide(ctx: AgentContext): Promise<Decision> {
  const decision = await provider.decide(ctx);
  assert.deepEqual(DecisionSchema.parse(decision), decision);
  assert.ok(decision.summary === undefined || decision.summary.length < 500);
  return decision;
}

const say = (text: string, overrides: Parameters<typeof agentContext>[1] = {}) => decide(agentContext(text, overrides));
const interested = (...skus: string[]): LeadProfile => ({ ...emptyLeadProfile(), interestedIn: skus });

/** The customer's answer to our reply to `first`, with what the workflow would carry over from `previous`. */
const sayNext = (first: string, previous: Decision, text: string, lead: LeadProfile, overrides: Parameters<typeof agentContext>[1] = {}) =>
  say(text, {
    lead: applyQualification(lead, previous.qualification, previous.productsMentioned),
    recent: [customer(first), bot(previous.reply!)],
    stage: 'engaged',
    ...overrides,
  });

describe('intents in English and Turkish', () => {
  const cases: [string, Language, Intent, ObjectionKind | null][] = [
    ['Hello!', 'en', 'greeting', null],
    ['Merhaba', 'tr', 'greeting', null],
    ['Do you have tents?', 'en', 'product_question', null],
    ['Çadırınız var mı?', 'tr', 'product_question', null],
    ['How much is the Trailblazer tent?', 'en', 'price_question', null],
    ['Uyku tulumunun fiyatı ne kadar?', 'tr', 'price_question', null],
    ['My budget is $300 and I need it by Friday', 'en', 'qualification', null],
    ['Bütçem 300 TL, bu hafta lazım', 'tr', 'qualification', null],
    ["That's way too expensive", 'en', 'objection', 'price'],
    ['Bu çok pahalı', 'tr', 'objection', 'price'],
    ['How do I know this is not a scam?', 'en', 'objection', 'trust'],
    ['Güvenilir bir site misiniz?', 'tr', 'objection', 'trust'],
    ["I'll think about it, maybe later", 'en', 'objection', 'timing'],
    ['Daha sonra bakarım, düşüneceğim', 'tr', 'objection', 'timing'],
    ['I found the same thing cheaper on Amazon', 'en', 'objection', 'competitor'],
    ['Başka sitede daha ucuz gördüm', 'tr', 'objection', 'competitor'],
    ["I'll take the Trailblazer 2 Tent", 'en', 'buying_signal', null],
    ['Trailblazer çadırı satın almak istiyorum', 'tr', 'buying_signal', null],
    ['Can I talk to a real person?', 'en', 'human_request', null],
    ['Bir temsilciyle görüşmek istiyorum', 'tr', 'human_request', null],
    ['Thank you so much!', 'en', 'thanks', null],
    ['Çok teşekkürler', 'tr', 'thanks', null],
    ['Bye, have a nice day', 'en', 'goodbye', null],
    ['Hoşça kalın, görüşürüz', 'tr', 'goodbye', null],
    ["What's the weather like today?", 'en', 'off_topic', null],
    ['Bugün hava durumu nasıl?', 'tr', 'off_topic', null],
    ['asdf qwerty zxcv', 'en', 'unknown', null],
  ];
  for (const [text, language, intent, objection] of cases) {
    test(`${language}: ${text}`, async () => {
      const d = await say(text);
      assert.equal(d.intent, intent);
      assert.equal(d.language, language);
      assert.equal(d.objection, objection);
      assert.ok(d.reply && d.reply.length > 0);
      assert.deepEqual(d.usage, { provider: 'playbook', model: 'playbook-v1', inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 });
    });
  }

  test('confidence is high for clear intents and low for unknown ones', async () => {
    assert.ok((await say('Can I talk to a real person?')).confidence >= 0.9);
    assert.ok((await say('How much is the Trailblazer tent?')).confidence >= 0.8);
    // Not understood once: a clarifying question the workflow lets through; twice in a row: low enough to hand off.
    const first = await say('asdf qwerty zxcv');
    assert.ok(first.confidence > demoPlaybook.handOff.minConfidence);
    assert.ok((await say('zxcv qwerty', { recent: [customer('asdf qwerty zxcv'), bot(first.reply!)] })).confidence <= 0.3);
  });
});

describe('replies', () => {
  test('first contact gets the playbook greeting in the customer language', async () => {
    assert.equal((await say('Hi')).reply, demoPlaybook.greeting.en);
    assert.equal((await say('Merhaba')).reply, demoPlaybook.greeting.tr);
  });

  test('objections are answered with the playbook text', async () => {
    const d = await say('Bu çok pahalı');
    assert.ok(d.reply?.startsWith(demoPlaybook.objectionAnswers.price.tr));
    const t = await say('How do I know this is not a scam?');
    assert.ok(t.reply?.startsWith(demoPlaybook.objectionAnswers.trust.en));
  });

  test('a price objection about a known product suggests a cheaper one from the catalog', async () => {
    const d = await say('Hmm, that is too expensive', { lead: interested('TENT-BC4') });
    assert.match(d.reply!, /Trailblazer 2 Tent is \$249\.00/);
  });

  test('off-topic questions are redirected politely, with the business name', async () => {
    const d = await say('Tell me a joke');
    assert.equal(d.intent, 'off_topic');
    assert.match(d.reply!, /Demo Outdoor Co\./);
  });

  test('answers in the conversation language when the text gives no clue', async () => {
    const d = await say('👍', { language: 'tr' });
    assert.equal(d.language, 'tr');
  });

  test('answers in a language the playbook supports', async () => {
    const englishOnly = PlaybookSchema.parse({ ...demoPlaybook, languages: ['en'], defaultLanguage: 'en' });
    const d = await say('Merhaba, çadırınız var mı?', { playbook: englishOnly });
    assert.equal(d.language, 'en');
    assert.match(d.reply!, /Here's what we have/);
  });

  test('the business name and tone come from the playbook', async () => {
    const formal = PlaybookSchema.parse({ ...demoPlaybook, businessName: 'Peak Supply', tone: 'formal' });
    assert.match((await say('I want to talk to a person', { playbook: formal })).reply!, /Peak Supply team/);
    assert.match((await say("I'll take the Trailblazer 2 Tent", { playbook: formal })).reply!, /^Certainly\./);
    assert.match((await say("I'll take the Trailblazer 2 Tent")).reply!, /^Great choice!/);
  });
});

describe('catalog: prices and stock only from the catalog tool', () => {
  test('the quoted price follows the catalog', async () => {
    const before = await say('How much is the Trailblazer tent?');
    assert.match(before.reply!, /\$249\.00/);
    const cheaper = memoryCatalog(withChanges({ 'TENT-TB2': { priceMinor: 19_900 } }));
    const after = await say('How much is the Trailblazer tent?', { catalog: cheaper });
    assert.match(after.reply!, /\$199\.00/);
    assert.doesNotMatch(after.reply!, /249/);
    assert.deepEqual(after.productsMentioned, ['TENT-TB2']);
  });

  test('prices are formatted for the reply language', async () => {
    const d = await say('Trailblazer ne kadar?');
    assert.match(d.reply!, /\$249,00/);
  });

  test('a product list shows every match with its price', async () => {
    const d = await say('Do you have tents?');
    assert.deepEqual([...d.productsMentioned].sort(), ['TENT-BC4', 'TENT-TB2']);
    assert.match(d.reply!, /Basecamp 4 Family Tent: \$389\.00/);
    assert.match(d.reply!, /Trailblazer 2 Tent: \$249\.00/);
  });

  test('a product the catalog does not have is not invented', async () => {
    const d = await say('Do you have kayaks?');
    assert.deepEqual(d.productsMentioned, []);
    assert.match(d.reply!, /couldn't find/);
    assert.doesNotMatch(d.reply!, /\$/);
  });

  test('out of stock is said, in both languages', async () => {
    const en = await say('How much are the hiking boots?');
    assert.match(en.reply!, /\$219\.00, but they are out of stock/);
    const tr = await say('Botlarınız var mı?');
    assert.deepEqual(tr.productsMentioned, ['BOOT-SP']);
    assert.match(tr.reply!, /stokta yok/);
  });

  test('stock changes in the catalog change the reply', async () => {
    const restocked = memoryCatalog(withChanges({ 'BOOT-SP': { stock: 7 } }));
    const d = await say('How much are the hiking boots?', { catalog: restocked });
    assert.match(d.reply!, /in stock/);
    assert.doesNotMatch(d.reply!, /out of stock/);
  });

  test('"how much is it?" uses the product discussed last', async () => {
    const d = await say('How much is it?', { lead: interested('BAG-NF5', 'STOVE-TF') });
    assert.deepEqual(d.productsMentioned, ['STOVE-TF']);
    assert.match(d.reply!, /\$69\.00/);
  });

  test('looks products up through the catalog tool', async () => {
    const queries: string[] = [];
    const inner = memoryCatalog();
    const spy: CatalogTool = { ...inner, search: (query, limit) => (queries.push(query), inner.search(query, limit)) };
    await say('Do you have a headlamp?', { catalog: spy });
    assert.ok(queries.some((query) => query.includes('headlamp')));
  });
});

describe('buying signals', () => {
  test('offers payment for the named product', async () => {
    const d = await say("I'll take the Trailblazer 2 Tent");
    assert.deepEqual(d.actions, [{ type: 'offer_payment', sku: 'TENT-TB2', quantity: 1 }]);
    assert.match(d.reply!, /1 × Trailblazer 2 Tent \(total \$249\.00\)/);
  });

  test('takes the quantity from the text', async () => {
    const d = await say("Great, I'll take 3 of the headlamps");
    assert.deepEqual(d.actions, [{ type: 'offer_payment', sku: 'LAMP-B400', quantity: 3 }]);
    assert.match(d.reply!, /\$117\.00/);
  });

  test('uses the most recent product of interest when none is named (Turkish)', async () => {
    const d = await say('Tamam, 2 tane alayım', { lead: interested('BAG-NF5', 'TENT-TB2'), language: 'tr' });
    assert.deepEqual(d.actions, [{ type: 'offer_payment', sku: 'TENT-TB2', quantity: 2 }]);
    assert.equal(d.language, 'tr');
    assert.match(d.reply!, /toplam \$498,00/);
  });

  test('recognises the common ways of saying it', async () => {
    const lead = interested('STOVE-TF');
    for (const text of ['how do I pay?', 'I want to buy it', 'send me the payment link', 'sipariş vermek istiyorum', 'satın almak istiyorum', 'alayım']) {
      const d = await say(text, { lead });
      assert.equal(d.intent, 'buying_signal', text);
      assert.deepEqual(d.actions, [{ type: 'offer_payment', sku: 'STOVE-TF', quantity: 1 }], text);
    }
  });

  test('asks which product when none is known', async () => {
    const d = await say('How do I pay?');
    assert.equal(d.intent, 'buying_signal');
    assert.deepEqual(d.actions, []);
    assert.match(d.reply!, /Which product/);
  });

  test('asks which one when the words fit several products', async () => {
    const d = await say("I'll take the tent");
    assert.deepEqual(d.actions, []);
    assert.match(d.reply!, /Which one would you like: Basecamp 4 Family Tent or Trailblazer 2 Tent\?/);
  });

  test('a product named before settles which one', async () => {
    const d = await say("I'll take the tent", { lead: interested('TENT-BC4') });
    assert.deepEqual(d.actions, [{ type: 'offer_payment', sku: 'TENT-BC4', quantity: 1 }]);
  });

  test('never offers an out-of-stock product', async () => {
    const d = await say("I'll take the hiking boots");
    assert.deepEqual(d.actions, []);
    assert.match(d.reply!, /out of stock/);
  });

  test('never offers more than the stock', async () => {
    const d = await say('I want to buy 20 of the Basecamp tents');
    assert.deepEqual(d.actions, []);
    assert.match(d.reply!, /only have 4/);
  });

  describe('with a payment pending', () => {
    const pending: PendingPayment = {
      orderId: 'ord_1',
      sku: 'TENT-TB2',
      name: 'Trailblazer 2 Tent',
      quantity: 1,
      amountMinor: 24_900,
      currency: 'USD',
      url: 'https://pay.example/ord_1',
      expiresAt: '2025-05-02T10:00:00.000Z',
    };
    for (const text of ['where is the link?', "I'll take it", 'how do I pay?', 'ödeme linki nerede?']) {
      test(`repeats the link: ${text}`, async () => {
        const d = await say(text, { pendingPayment: pending, lead: interested('TENT-TB2') });
        assert.equal(d.intent, 'buying_signal');
        assert.deepEqual(d.actions, []);
        assert.ok(d.reply!.includes(pending.url));
        assert.ok(d.reply!.includes('1 × Trailblazer 2 Tent'));
      });
    }

    test('a different product is a new offer', async () => {
      const d = await say("I'll also take the headlamp", { pendingPayment: pending, lead: interested('TENT-TB2') });
      assert.deepEqual(d.actions, [{ type: 'offer_payment', sku: 'LAMP-B400', quantity: 1 }]);
    });
  });
});

describe('human request', () => {
  for (const text of ['I want to talk to a person', 'Can I speak with a human?', 'temsilci lütfen', 'insanla görüşmek istiyorum']) {
    test(text, async () => {
      const d = await say(text);
      assert.equal(d.intent, 'human_request');
      assert.deepEqual(d.actions, [{ type: 'hand_off', reason: 'customer_request' }]);
      assert.match(d.reply!, /Demo Outdoor Co\./);
    });
  }
});

describe('after the sale: orders, deliveries, refunds and complaints go to a person', () => {
  const cases: [string, Language][] = [
    ['Where is my order?', 'en'],
    ["My package still hasn't arrived", 'en'],
    ['I want a refund for the tent', 'en'],
    ['The sleeping bag arrived damaged', 'en'],
    ['Siparişim nerede?', 'tr'],
    ['Kargom hâlâ gelmedi, ne zaman gelecek?', 'tr'],
    ['İade etmek istiyorum', 'tr'],
  ];
  for (const [text, language] of cases) {
    test(text, async () => {
      const d = await say(text);
      assert.equal(d.intent, 'support_request');
      assert.deepEqual(d.actions, [{ type: 'hand_off', reason: 'support_request' }]);
      assert.equal(d.language, language);
    });
  }

  test('a question about buying is still a sale', async () => {
    const d = await say('How do I order the Trailblazer tent?');
    assert.notEqual(d.intent, 'support_request');
    assert.equal(d.actions?.some((a) => a.type === 'hand_off'), false);
  });
});

describe('qualification', () => {
  test('extracts slots and asks the next missing question', async () => {
    const d = await say('My budget is $300 and I need it by Friday');
    assert.deepEqual(d.qualification, { budget: '$300', timeline: 'by Friday' });
    assert.ok(d.reply!.endsWith(q.need.en));
  });

  test('does not re-ask a slot the lead already has', async () => {
    const lead = { ...emptyLeadProfile(), need: 'camping', budget: '$300' };
    const d = await say('We are going next month', { lead });
    assert.deepEqual(d.qualification, { timeline: 'next month' });
    assert.ok(d.reply!.endsWith(q.decisionMaker.en));
    assert.ok(!d.reply!.includes(q.budget.en));
  });

  test('answers first, then asks at most one question', async () => {
    const d = await say('Do you have a headlamp?');
    assert.match(d.reply!, /^Beam 400 Headlamp \(\$39\.00\)/);
    const asked = Object.values(q).filter((question) => d.reply!.includes(question.en));
    assert.deepEqual(asked, [q.budget]);
  });

  test('does not ask again right after asking', async () => {
    const d = await say('Do you have a headlamp?', { recent: [customer('hi'), bot(q.budget.en)] });
    assert.ok(Object.values(q).every((question) => !d.reply!.includes(question.en)));
  });

  test('a short answer to our question fills that slot', async () => {
    const d = await say('weekend trips in the mountains', { recent: [bot(q.need.en)] });
    assert.equal(d.intent, 'qualification');
    assert.equal(d.qualification.need, 'weekend trips in the mountains');
    const budget = await say('250', { recent: [bot(q.budget.tr)], language: 'tr' });
    assert.equal(budget.qualification.budget, '250');
    assert.ok(budget.reply!.endsWith(q.need.tr));
  });

  test('once qualified, suggests in-stock products for the need', async () => {
    const lead = { ...emptyLeadProfile(), need: 'hiking boots and a rain jacket', budget: '$400', timeline: 'next week' };
    const d = await say('It is for myself', { lead });
    assert.equal(d.qualification.decisionMaker, 'self');
    assert.match(d.reply!, /Stormshell Rain Jacket: \$159\.00/);
    assert.doesNotMatch(d.reply!, /Summit Pro Hiking Boots/);
  });

  test('Turkish slots', async () => {
    const d = await say('Merhaba, eşim için kamp çadırı arıyorum, bütçem 400 dolar, gelecek ay lazım');
    assert.equal(d.language, 'tr');
    assert.equal(d.intent, 'product_question');
    assert.equal(d.qualification.budget, '$400');
    assert.equal(d.qualification.timeline, 'gelecek ay');
    assert.equal(d.qualification.decisionMaker, 'eşim için');
    assert.deepEqual([...d.productsMentioned].sort(), ['TENT-BC4', 'TENT-TB2']);
  });
});

describe('sentiment', () => {
  const cases: [string, Decision['sentiment']][] = [
    ['This is terrible, you are useless', 'angry'],
    ['WHY IS NOBODY ANSWERING MY QUESTION', 'angry'],
    ['Rezalet bir hizmet', 'angry'],
    ['I am a bit disappointed with the delivery times', 'negative'],
    ['Maalesef bu hiç olmadı', 'negative'],
    ['Perfect, sounds great', 'positive'],
    ['Harika, çok teşekkürler', 'positive'],
    ['Do you have tents?', 'neutral'],
  ];
  for (const [text, sentiment] of cases) test(text, async () => assert.equal((await say(text)).sentiment, sentiment));

  test('an angry customer gets an apology and the offer of a person', async () => {
    const d = await say('This is terrible, you are useless');
    assert.match(d.reply!, /sorry/);
    assert.match(d.reply!, /someone from our team/);
  });
});

describe('summary', () => {
  test('is a compact running summary of the lead', async () => {
    const d = await say("I'll take it, my budget is $300", { lead: interested('TENT-TB2'), summary: 'Interested in Trailblazer 2 Tent (TENT-TB2); objections: price' });
    assert.equal(d.summary, 'Interested in Trailblazer 2 Tent (TENT-TB2); budget $300; objections: price; payment offered: TENT-TB2 x1');
  });

  test('adds this turn\'s objection to the earlier ones', async () => {
    const d = await say('Is your shop legit?', { summary: 'objections: price' });
    assert.match(d.summary!, /objections: price, trust/);
  });

  test('stays short whatever the lead says', async () => {
    const long = 'very '.repeat(200);
    const lead = { ...emptyLeadProfile(), need: long.slice(0, 490), budget: '$300', timeline: 'next month', decisionMaker: 'self' };
    const d = await say('hello again', { lead: { ...lead, interestedIn: demoCatalog.map((p) => p.sku) }, stage: 'engaged' });
    assert.ok(d.summary!.length < 500);
  });
});

describe('determinism', () => {
  const conversation = [
    'Hi, I am looking for a tent for my wife, budget around 300 dollars',
    'Trailblazer ne kadar?',
    "That's too expensive",
    "I'll take 2 of the Trailblazer 2 Tent",
    'THIS IS RIDICULOUS',
    'insanla görüşmek istiyorum',
  ];
  for (const text of conversation) {
    test(text, async () => {
      const ctx = () => agentContext(text, { lead: interested('TENT-BC4'), recent: [customer('hi'), bot(demoPlaybook.greeting.en)], stage: 'engaged' });
      assert.deepEqual(await decide(ctx()), await decide(ctx()));
    });
  }
});

describe('capacity words pick the product of that size', () => {
  const twoPerson = [
    'Hi! How much is the 2-person tent?',
    'How much is the 2 person tent?',
    'How much is the two-person tent?',
    'How much is a tent for two?',
    '2 kişilik çadır ne kadar?',
    'İki kişilik çadırın fiyatı ne kadar?',
  ];
  for (const text of twoPerson) {
    test(`${text} -> Trailblazer 2 Tent`, async () => {
      const d = await say(text);
      assert.deepEqual(d.productsMentioned, ['TENT-TB2']);
      assert.match(d.reply!, /Trailblazer 2 Tent/);
      assert.doesNotMatch(d.reply!, /Basecamp/);
    });
  }

  const family = ['How much is the family tent?', 'How much is the 4-person tent?', '4 kişilik çadır ne kadar?', 'Aile çadırı ne kadar?'];
  for (const text of family) {
    test(`${text} -> Basecamp 4 Family Tent`, async () => {
      const d = await say(text);
      assert.deepEqual(d.productsMentioned, ['TENT-BC4']);
      assert.match(d.reply!, /Basecamp 4 Family Tent/);
      assert.doesNotMatch(d.reply!, /Trailblazer/);
    });
  }

  test('a size no product has keeps every match', async () => {
    const d = await say('How much is the 3-person tent?');
    assert.deepEqual([...d.productsMentioned].sort(), ['TENT-BC4', 'TENT-TB2']);
  });

  test('a size does not drop products that have none ("for two" with a stove)', async () => {
    const d = await say('Do you have a stove for two?');
    assert.deepEqual(d.productsMentioned, ['STOVE-TF']);
  });

  test('the number in the name counts when the description gives no size', async () => {
    const bare = memoryCatalog(withChanges({ 'TENT-TB2': { description: '' }, 'TENT-BC4': { description: '' } }));
    assert.deepEqual((await say('How much is the 2-person tent?', { catalog: bare })).productsMentioned, ['TENT-TB2']);
    assert.deepEqual((await say('How much is the 4 person tent?', { catalog: bare })).productsMentioned, ['TENT-BC4']);
  });

  test('works for any catalog, not only the demo tents', async () => {
    const kayaks = memoryCatalog([
      { sku: 'K-1', name: 'Ripple Kayak', description: 'Stable single-person sit-on-top kayak.', priceMinor: 40_000, currency: 'USD', stock: 3, tags: ['kayak'] },
      { sku: 'K-2', name: 'Ripple Tandem Kayak', description: 'Two-seater sit-on-top kayak.', priceMinor: 60_000, currency: 'USD', stock: 3, tags: ['kayak'] },
    ]);
    assert.deepEqual((await say('I need a kayak for two', { catalog: kayaks })).productsMentioned, ['K-2']);
    assert.deepEqual((await say('Do you have a 1 person kayak?', { catalog: kayaks })).productsMentioned, ['K-1']);
  });

  test('once qualified, a need with a size suggests the product of that size', async () => {
    const lead = { ...emptyLeadProfile(), need: 'a tent for two people', budget: '$400', timeline: 'next week' };
    const d = await say('It is for myself', { lead });
    assert.match(d.reply!, /Trailblazer 2 Tent: \$249\.00/);
    assert.doesNotMatch(d.reply!, /Basecamp/);
  });
});

describe('buying a product named by its size', () => {
  const cases: [string, string][] = [
    ["Hi! I'd like the 2-person tent, I'll take it", 'TENT-TB2'],
    ["I'll take the tent for two", 'TENT-TB2'],
    ['İki kişilik çadırı alayım', 'TENT-TB2'],
    ["I'll take the family tent", 'TENT-BC4'],
    ['4 kişilik çadırı alayım', 'TENT-BC4'],
  ];
  for (const [text, sku] of cases) {
    test(text, async () => {
      const d = await say(text);
      assert.equal(d.intent, 'buying_signal');
      assert.deepEqual(d.actions, [{ type: 'offer_payment', sku, quantity: 1 }]);
    });
  }

  test('a size is not a quantity, a count still is', async () => {
    const d = await say("I'll take 2 of the 4-person tents");
    assert.deepEqual(d.actions, [{ type: 'offer_payment', sku: 'TENT-BC4', quantity: 2 }]);
  });
});

describe('a suggested alternative is what "that one" means', () => {
  const soldOut = memoryCatalog(withChanges({ 'TENT-TB2': { stock: 0 } }));

  const next = (first: string, previous: Decision, text: string, lead = emptyLeadProfile()) => sayNext(first, previous, text, lead, { catalog: soldOut });

  test('out of stock with one alternative: the alternative is mentioned last', async () => {
    const d = await say('How much is the Trailblazer tent?', { catalog: soldOut });
    assert.match(d.reply!, /You might like the Basecamp 4 Family Tent/);
    assert.deepEqual(d.productsMentioned, ['TENT-TB2', 'TENT-BC4']);
  });

  test('"OK, I\'ll take that one" after the suggestion offers the alternative', async () => {
    const first = 'How much is the Trailblazer tent?';
    const d = await say(first, { catalog: soldOut });
    const then = await next(first, d, "OK, I'll take that one");
    assert.deepEqual(then.actions, [{ type: 'offer_payment', sku: 'TENT-BC4', quantity: 1 }]);
  });

  test('a buying signal for a sold-out product suggests and remembers the alternative', async () => {
    const first = "I'll take the Trailblazer 2 Tent";
    const d = await say(first, { catalog: soldOut });
    assert.deepEqual(d.actions, []);
    assert.deepEqual(d.productsMentioned, ['TENT-TB2', 'TENT-BC4']);
    const then = await next(first, d, "OK, I'll take that one");
    assert.deepEqual(then.actions, [{ type: 'offer_payment', sku: 'TENT-BC4', quantity: 1 }]);
  });

  test('the suggestion wins even when the alternative was of interest before', async () => {
    const first = 'How much is the Trailblazer tent?';
    const lead = interested('TENT-BC4');
    const d = await say(first, { catalog: soldOut, lead });
    const then = await next(first, d, "OK, I'll take that one", lead);
    assert.deepEqual(then.actions, [{ type: 'offer_payment', sku: 'TENT-BC4', quantity: 1 }]);
  });

  test('a cheaper option after a price objection is the one taken next', async () => {
    const first = 'Hmm, that is too expensive';
    const lead = interested('TENT-BC4');
    const d = await say(first, { lead });
    assert.equal(d.productsMentioned.at(-1), 'TENT-TB2');
    const then = await sayNext(first, d, "OK, I'll take that one", lead);
    assert.deepEqual(then.actions, [{ type: 'offer_payment', sku: 'TENT-TB2', quantity: 1 }]);
  });

  test('"it" is the one product our last message was about, even if it was of interest before', async () => {
    const lead = interested('TENT-BC4', 'TENT-TB2');
    const first = 'How much is the 4-person tent?';
    const d = await say(first, { lead, stage: 'engaged', recent: [customer('What tents do you have?'), bot('Here are our tents')] });
    const then = await sayNext(first, d, "Great, I'll take it", lead);
    assert.deepEqual(then.actions, [{ type: 'offer_payment', sku: 'TENT-BC4', quantity: 1 }]);
  });

  test('a list in our last message leaves the latest interest', async () => {
    const listed = await say('Do you have tents?');
    const then = await say("I'll take it", { lead: interested('TENT-TB2', 'TENT-BC4'), recent: [customer('Do you have tents?'), bot(listed.reply!)] });
    assert.deepEqual(then.actions, [{ type: 'offer_payment', sku: 'TENT-BC4', quantity: 1 }]);
  });

  test('two alternatives are not guessed between', async () => {
    const third = { ...demoCatalog.find((p) => p.sku === 'TENT-BC4')!, sku: 'TENT-X3', name: 'Ridge 3 Tent', priceMinor: 29_900 };
    const catalog = memoryCatalog([...withChanges({ 'TENT-TB2': { stock: 0 } }), third]);
    const d = await say('How much is the Trailblazer tent?', { catalog });
    assert.match(d.reply!, /Ridge 3 Tent .* or the Basecamp 4 Family Tent/);
    assert.deepEqual(d.productsMentioned, ['TENT-TB2']);
  });
});

describe('a greeting with a question', () => {
  test('first turn: a short welcome, then the answer', async () => {
    const d = await say('Hi! How much is the 2-person tent?');
    assert.equal(d.intent, 'price_question');
    assert.match(d.reply!, /^Hi, and welcome to Demo Outdoor Co\.! The Trailblazer 2 Tent is \$249\.00, and it is in stock\./);
  });

  test('later turns answer without welcoming again', async () => {
    const after = [customer('Hi'), bot(demoPlaybook.greeting.en)];
    const d = await say('Hi! How much is the Trailblazer tent?', { recent: after, stage: 'engaged' });
    assert.doesNotMatch(d.reply!, /welcome/i);
    assert.match(d.reply!, /The Trailblazer 2 Tent is \$249\.00/);
  });

  test('a message sent before our first reply is not welcomed twice', async () => {
    const d = await say('Hello, how much is the Trailblazer tent?', { recent: [customer('Hi')] });
    assert.doesNotMatch(d.reply!, /welcome/i);
    assert.match(d.reply!, /The Trailblazer 2 Tent is \$249\.00/);
    const tr = await say('Merhaba, Trailblazer ne kadar?', { recent: [customer('Selam')], language: 'tr' });
    assert.doesNotMatch(tr.reply!, /memnuniyet/);
    assert.match(tr.reply!, /Trailblazer 2 Tent fiyatı/);
  });
});
