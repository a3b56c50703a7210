import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoCatalog } from '../../../db/demo-data';
import { emptyLeadProfile } from '../../../domain/lead';
import { createPlaybookProvider } from '.';
import { fitBudget, parseAmount, readBudget } from './budget';
import { fold } from './language';
import { extractSlots } from './slots';
import { agentContext } from './testing';

const { decide } = createPlaybookProvider();

describe('budgets in both languages and currencies', () => {
  const said: [string, string][] = [
    ['under 2000 lira', '2000 TL'],
    ['my budget is $100', '$100'],
    ['max 1.500 TL', '1.500 TL'],
    ["1500 TL'den ucuz", '1500 TL'],
    ['bütçem 2 bin lira', '2000 TL'],
    ['€80 or less', '€80'],
    ['300 dolardan ucuz çadır var mı?', '$300'],
    ['2000 liraya kadar bir çadır arıyorum', '2000 TL'],
    ['budget is 2k', '2000'],
  ];
  for (const [text, slot] of said) test(text, () => assert.equal(extractSlots(text, { asked: null }).budget, slot));

  test('amounts: thousands marks, decimals and thousands words', () => {
    assert.equal(parseAmount('1.500'), 1500);
    assert.equal(parseAmount('1,500'), 1500);
    assert.equal(parseAmount('99,90'), 99.9);
    assert.equal(parseAmount('1.500,50'), 1500.5);
    assert.equal(parseAmount('2 bin'), 2000);
    assert.equal(parseAmount(fold('iki bin')), 2000);
    assert.equal(parseAmount('2k'), 2000);
    assert.equal(parseAmount('none'), null);
  });

  test('a recorded slot reads back as an amount and a currency', () => {
    assert.deepEqual(readBudget('$300'), { amountMinor: 30_000, currency: 'USD' });
    assert.deepEqual(readBudget('1.500 TL'), { amountMinor: 150_000, currency: 'TRY' });
    assert.deepEqual(readBudget('€80'), { amountMinor: 8_000, currency: 'EUR' });
    assert.deepEqual(readBudget('300'), { amountMinor: 30_000, currency: null });
    assert.equal(readBudget('soon'), null);
    assert.equal(readBudget(null), null);
  });

  test('products within the budget, else the nearest', () => {
    const tents = demoCatalog.filter((p) => p.tags.includes('tent'));
    assert.deepEqual(fitBudget(tents, { amountMinor: 30_000, currency: 'USD' }).within.map((p) => p.sku), ['TENT-TB2']);
    assert.deepEqual(fitBudget(tents, { amountMinor: 10_000, currency: null }), { within: [], nearest: tents.find((p) => p.sku === 'TENT-TB2') });
  });
});

describe('a budget changes what is offered', () => {
  test('a list is narrowed to the budget', async () => {
    const d = await decide(agentContext('Do you have a tent under $300?'));
    assert.equal(d.qualification.budget, '$300');
    assert.deepEqual(d.productsMentioned, ['TENT-TB2']);
    assert.match(d.reply!, /Within your budget of \$300\.00/);
    assert.doesNotMatch(d.reply!, /\$389\.00/);
  });

  test('with nothing within it, the nearest is offered with an honest note', async () => {
    const d = await decide(agentContext('Any tents for $100 or less?'));
    assert.match(d.reply!, /Nothing we have is within \$100\.00/);
    assert.match(d.reply!, /Trailblazer 2 Tent/);
    assert.doesNotMatch(d.reply!, /Basecamp/);
  });

  test('a product named above the budget is described, with what fits', async () => {
    const lead = { ...emptyLeadProfile(), budget: '$300' };
    const d = await decide(agentContext('How much is the Basecamp 4 tent?', { lead }));
    assert.match(d.reply!, /\$389\.00/);
    assert.match(d.reply!, /above your budget of \$300\.00/);
    assert.match(d.reply!, /Trailblazer 2 Tent/);
  });

  test('a budget stated after the need suggests what fits (Turkish)', async () => {
    const lead = { ...emptyLeadProfile(), need: 'kamp için malzeme' };
    const d = await decide(agentContext('Bütçem 100 dolar', { lead, language: 'tr' }));
    assert.equal(d.language, 'tr');
    assert.match(d.reply!, /\$100,00 bütçenize uygun olanlar/);
    assert.match(d.reply!, /Trailfire Camp Stove/);
    assert.doesNotMatch(d.reply!, /\$149,00|\$249,00/);
  });

  test('a budget in another currency is not compared as if it were the catalog’s', async () => {
    const d = await decide(agentContext('Do you have tents under 2000 lira?'));
    assert.equal(d.qualification.budget, '2000 TL');
    assert.match(d.reply!, /our prices are in US dollars \(USD\)/);
    // Not filtered by 2000 as if it were dollars: both tents are listed.
    assert.match(d.reply!, /Basecamp 4 Family Tent/);
    assert.match(d.reply!, /Trailblazer 2 Tent/);
    const tr = await decide(agentContext('Uyku tulumu arıyorum, bütçem 2 bin lira', { language: 'tr' }));
    assert.match(tr.reply!, /fiyatlarımız ABD doları \(USD\) cinsinden/);
  });
});
