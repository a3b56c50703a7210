import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoPlaybook } from '../../../db/demo-data';
import { acknowledgement } from './acknowledgements';
import { canned } from '../../../domain/canned-messages';
import { emptyLeadProfile } from '../../../domain/lead';
import { converse, last, PAYMENT_URL } from './conversation-testing';
import { createPlaybookProvider } from './index';
import { replies } from './replies';
import { agentContext, bot, customer } from './testing';
import { fold } from './language';

const minConfidence = demoPlaybook.handOff.minConfidence;
const interested = (...skus: string[]) => ({ ...emptyLeadProfile(), interestedIn: skus });

describe('acknowledgements', () => {
  test('what counts as one', () => {
    const cases: [string, ReturnType<typeof acknowledgement>][] = [
      ['ok', 'yes'], ['Okay!', 'yes'], ['yes please', 'yes'], ['Sure', 'yes'], ['sounds good', 'yes'], ['great, thanks!', 'yes'], ['👍', 'yes'],
      ['tamam', 'yes'], ['Olur', 'yes'], ['evet lütfen', 'yes'], ['süper', 'yes'], ['Tamamdır, teşekkürler', 'yes'],
      ['thanks', 'thanks'], ['Thank you so much', 'thanks'], ['teşekkürler', 'thanks'], ['sağ olun', 'thanks'],
      ['no thanks', 'no'], ['nope', 'no'], ['hayır', 'no'], ['yok, kalsın', 'no'], ['no problem', 'yes'],
      ['ok, how much is it?', null], ['yes, the tent', null], ['not now', null], ['?', null], ['tamam mı?', null],
    ];
    for (const [text, ack] of cases) assert.equal(acknowledgement(fold(text), text), ack, text);
  });

  test('yes to "would you like to order it?" orders it', async () => {
    for (const [messages, language] of [
      [['Do you have tents?', 'the cheaper one', 'yes please'], 'en'],
      [['Çadırlarınız var mı?', 'ucuz olanı', 'evet lütfen'], 'tr'],
    ] as const) {
      const d = await converse([...messages], { language });
      assert.ok(d[1]!.reply!.endsWith(replies[language].wantToOrder));
      assert.equal(d[2]!.intent, 'buying_signal');
      assert.deepEqual(d[2]!.actions, [{ type: 'offer_payment', sku: 'TENT-TB2', quantity: 1 }]);
    }
    const asked = agentContext('sure', { lead: interested('STOVE-TF'), recent: [customer('How much is the stove?'), bot(`The stove is $69.00. ${replies.en.wantToOrder}`)] });
    assert.deepEqual((await createPlaybookProvider().decide(asked)).actions, [{ type: 'offer_payment', sku: 'STOVE-TF', quantity: 1 }]);
  });

  test('yes to "shall I make it 4?" orders 4', async () => {
    const d = last(await converse(['I want to buy 6 of the Basecamp tents', 'ok']));
    assert.deepEqual(d.actions, [{ type: 'offer_payment', sku: 'TENT-BC4', quantity: 4 }]);
    const tr = last(await converse(['Basecamp çadırdan 6 tane almak istiyorum', 'tamam'], { language: 'tr' }));
    assert.deepEqual(tr.actions, [{ type: 'offer_payment', sku: 'TENT-BC4', quantity: 4 }]);
  });

  test('yes to "shall I suggest a few options?" suggests products for the need', async () => {
    const lead = { ...emptyLeadProfile(), need: 'camping', budget: '$300', timeline: 'next week', decisionMaker: 'self' };
    const d = await createPlaybookProvider().decide(agentContext('sure', { lead, recent: [customer('for myself'), bot(`Thanks! ${replies.en.nextStep}`)] }));
    assert.equal(d.intent, 'product_question');
    assert.ok(d.productsMentioned.length > 0);
    assert.match(d.reply!, /\$\d+\.\d\d/);
  });

  test('no to our question: no order, no hand-off, the conversation goes on', async () => {
    const d = last(await converse(['Do you have tents?', 'the cheaper one', 'no thanks']));
    assert.deepEqual(d.actions, []);
    assert.ok(d.confidence > minConfidence);
    assert.equal(d.reply, 'No problem! Is there anything else I can help you with?');
    // "No" to "do you have a budget in mind?" moves on, and is not recorded as the budget.
    const budget = last(await converse(['How much is the stove?', 'no']));
    assert.deepEqual(budget.qualification, {});
    assert.equal(budget.reply, `No problem! ${replies.en.wantToOrder}`);
  });

  describe('after a payment link', () => {
    for (const [text, language] of [['ok', 'en'], ['thanks', 'en'], ['yes please', 'en'], ['great', 'en'], ['tamam', 'tr'], ['teşekkürler', 'tr'], ['süper', 'tr']] as const) {
      test(`"${text}" points at the link: no second link, no hand-off`, async () => {
        const opening = language === 'en' ? "I'll take the Trailblazer 2 Tent" : 'Trailblazer çadırı satın almak istiyorum';
        const d = last(await converse([opening, text], { language }));
        assert.deepEqual(d.actions, []);
        assert.ok(d.confidence > minConfidence);
        assert.equal(d.language, language);
        assert.ok(!d.reply!.includes(PAYMENT_URL));
        assert.match(d.reply!, /Trailblazer 2 Tent/);
        assert.match(d.reply!, language === 'en' ? /payment link/ : /ödeme bağlantınız/);
      });
    }
  });

  test('after a hand-off, a short answer and nothing more', async () => {
    for (const [messages, language] of [
      [['I want to talk to a person', 'ok thanks'], 'en'],
      [['Where is my order?', 'thanks'], 'en'],
      [['Bir temsilciyle görüşmek istiyorum', 'tamam'], 'tr'],
    ] as const) {
      const d = last(await converse([...messages], { language }));
      assert.deepEqual(d.actions, []);
      assert.ok(d.reply!.length < 80, d.reply!);
      assert.ok(d.confidence > minConfidence);
    }
  });

  test('with no question asked, "ok" moves the sale on', async () => {
    const d = last(await converse(['Hi', 'ok']));
    assert.ok(d.confidence > minConfidence);
    assert.equal(d.reply, `Great! ${demoPlaybook.qualificationQuestions.need.en}`);
    const tr = last(await converse(['Merhaba', 'tamam'], { language: 'tr' }));
    assert.equal(tr.reply, `Harika! ${demoPlaybook.qualificationQuestions.need.tr}`);
  });

  test('yes to a new link after one expired or failed orders again', async () => {
    for (const lastWords of [canned.paymentExpired('en'), canned.paymentFailed('tr')]) {
      const ctx = agentContext('yes please', { lead: interested('BAG-NF5'), recent: [customer("I'll take the sleeping bag"), bot(lastWords)], stage: 'negotiating' });
      assert.deepEqual((await createPlaybookProvider().decide(ctx)).actions, [{ type: 'offer_payment', sku: 'BAG-NF5', quantity: 1 }]);
    }
  });

  test('"ok" as the very first message is answered as a hello', async () => {
    const d = last(await converse(['ok']));
    assert.equal(d.intent, 'greeting');
    assert.equal(d.reply, demoPlaybook.greeting.en);
  });

  test('"ok" is not taken as the answer to a qualification question', async () => {
    const d = last(await converse(['Do you have a headlamp?', 'ok']));
    assert.deepEqual(d.qualification, {});
    assert.ok(d.confidence > minConfidence);
  });

  test('plain thanks gets a plain answer', async () => {
    const d = last(await converse(['How much is the stove?', 'thank you']));
    assert.equal(d.intent, 'thanks');
    assert.deepEqual(d.actions, []);
    assert.match(d.reply!, /You're welcome/);
  });
});
