import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoCatalog } from '../../../db/demo-data';
import { emptyLeadProfile } from '../../../domain/lead';
import { createPlaybookProvider } from '.';
import { withoutCapacity } from './capacity';
import { fold } from './language';
import { earlierQuantity, parseQuantity } from './quantity';
import { agentContext, bot, customer } from './testing';

const { decide } = createPlaybookProvider();
const tent = demoCatalog.find((p) => p.sku === 'TENT-TB2')!;
const count = (text: string) => parseQuantity(withoutCapacity(fold(text)), [tent]);

describe('quantities', () => {
  const cases: [string, number | null][] = [
    ['2 of them', 2],
    ['two tents', 2],
    ['a pair', 2],
    ['a pair of headlamps', 2],
    ['iki tane', 2],
    ['3 adet', 3],
    ['üç çadır', 3],
    ['bir çift', 2],
    ["I'll take the Trailblazer 2 Tent", null],
    ['a tent for 2 people', null],
  ];
  for (const [text, want] of cases) test(text, () => assert.equal(count(text), want));

  test('a count said earlier with the product’s kind', () => {
    assert.equal(earlierQuantity(['I need two tents for a trip'], tent), 2);
    assert.equal(earlierQuantity(['iki çadır lazım'], tent), 2);
    assert.equal(earlierQuantity(['I need two headlamps'], tent), null);
    assert.equal(earlierQuantity(['a tent for 2 people'], tent), null);
  });
});

describe('the quantity reaches the payment link and the reply', () => {
  test('"2 of them" after a product', async () => {
    const d = await decide(
      agentContext("I'll take 2 of them", {
        lead: { ...emptyLeadProfile(), interestedIn: ['LAMP-B400'] },
        recent: [customer('How much is the Beam 400 headlamp?'), bot('The Beam 400 Headlamp is $39.00, and it is in stock.')],
        stage: 'engaged',
      }),
    );
    assert.deepEqual(d.actions, [{ type: 'offer_payment', sku: 'LAMP-B400', quantity: 2 }]);
    assert.match(d.reply!, /2 × Beam 400 Headlamp \(total \$78\.00\)/);
  });

  test('a count from an earlier message', async () => {
    const d = await decide(
      agentContext("I'll take the Trailblazer", {
        lead: { ...emptyLeadProfile(), interestedIn: ['TENT-BC4', 'TENT-TB2'] },
        recent: [customer('I need two tents for a group trip'), bot("Here's what we have:")],
        stage: 'engaged',
      }),
    );
    assert.deepEqual(d.actions, [{ type: 'offer_payment', sku: 'TENT-TB2', quantity: 2 }]);
  });

  test('a bare count is an order for the product discussed, unless it answers our question', async () => {
    const recent = [customer('How much is the Beam 400 headlamp?'), bot('The Beam 400 Headlamp is $39.00, and it is in stock. Would you like to order it?')];
    const lead = { ...emptyLeadProfile(), interestedIn: ['LAMP-B400'] };
    for (const text of ['two please', 'I want two', 'Can I get two?', 'iki tane istiyorum', '2 adet lazım']) {
      const d = await decide(agentContext(text, { lead, recent, stage: 'engaged' }));
      assert.deepEqual(d.actions, [{ type: 'offer_payment', sku: 'LAMP-B400', quantity: 2 }], text);
    }
    const counted = await decide(agentContext('2 adet lazım', { lead, recent: [bot('Do you have a budget in mind?')], stage: 'engaged', language: 'tr' }));
    assert.deepEqual(counted.actions, [{ type: 'offer_payment', sku: 'LAMP-B400', quantity: 2 }]);
    assert.deepEqual(counted.qualification, {});
    const budget = await decide(agentContext('300', { lead, recent: [bot('Do you have a budget in mind?')], stage: 'engaged' }));
    assert.deepEqual(budget.actions, []);
    assert.equal(budget.qualification.budget, '300');
  });

  test('more than the stock is said honestly, also when only asked about', async () => {
    const buy = await decide(agentContext('Beş tane Basecamp 4 çadır alayım', { language: 'tr' }));
    assert.deepEqual(buy.actions, []);
    assert.match(buy.reply!, /yalnızca 4 adet var/);
    const ask = await decide(agentContext('Do you have 6 Basecamp 4 tents?'));
    assert.match(ask.reply!, /We only have 4 of the Basecamp 4 Family Tent in stock, so I can't do 6 right now/);
  });
});
