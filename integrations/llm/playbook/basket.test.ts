import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoCatalog } from '../../../db/demo-data';
import type { Decision } from '../../../domain/decision';
import { offeredLines } from '../../../domain/order-lines';
import { createPlaybookProvider } from '.';
import { basketLines } from './basket';
import { agentContext, memoryCatalog } from './testing';

const { decide } = createPlaybookProvider();
// The demo catalog has two tents; a shop with one makes "a tent" name a single product.
const shop = memoryCatalog(demoCatalog.filter((p) => p.sku !== 'TENT-BC4'));
const lines = (d: Decision) => offeredLines(d.actions);

describe('several products in one order', () => {
  test('"one tent and two sleeping bags" is one order with two lines', async () => {
    const d = await decide(agentContext("I'll take one tent and two sleeping bags", { catalog: shop }));
    assert.equal(d.intent, 'buying_signal');
    assert.deepEqual(lines(d), [
      { sku: 'TENT-TB2', quantity: 1 },
      { sku: 'BAG-NF5', quantity: 2 },
    ]);
    // 249.00 + 2 × 149.00
    assert.match(d.reply ?? '', /1 × Trailblazer 2 Tent and 2 × Nightfall -5°C Sleeping Bag \(total \$547\.00\)/);
  });

  test('Turkish: "bir çadır ve iki uyku tulumu alayım"', async () => {
    const d = await decide(agentContext('bir çadır ve iki uyku tulumu alayım', { catalog: shop, language: 'tr' }));
    assert.equal(d.language, 'tr');
    assert.deepEqual(lines(d), [
      { sku: 'TENT-TB2', quantity: 1 },
      { sku: 'BAG-NF5', quantity: 2 },
    ]);
    assert.match(d.reply ?? '', /tek bir güvenli ödeme bağlantısı/);
  });

  test('three products joined by commas and "and"', async () => {
    const d = await decide(agentContext("I'd like to order a headlamp, a stove and 2 sleeping bags", { catalog: shop }));
    assert.deepEqual(lines(d), [
      { sku: 'LAMP-B400', quantity: 1 },
      { sku: 'STOVE-TF', quantity: 1 },
      { sku: 'BAG-NF5', quantity: 2 },
    ]);
  });

  test('a line the shelf cannot fill: no offer, the stock is said', async () => {
    const scarce = memoryCatalog(demoCatalog.filter((p) => p.sku !== 'TENT-BC4').map((p) => (p.sku === 'BAG-NF5' ? { ...p, stock: 1 } : p)));
    const d = await decide(agentContext("I'll take one tent and two sleeping bags", { catalog: scarce }));
    assert.deepEqual(lines(d), []);
    assert.match(d.reply ?? '', /only have 1 of the Nightfall/);
  });

  test('an ambiguous part is not guessed: with two tents in the catalog, no basket', async () => {
    assert.equal(await basketLines('one tent and two sleeping bags', memoryCatalog(), 'en'), null);
    const d = await decide(agentContext("I'll take one tent and two sleeping bags"));
    assert.ok(lines(d).length <= 1, 'at most the single-product path');
  });

  test('the lead’s interest settles an ambiguous part', async () => {
    const basket = await basketLines('one tent and two sleeping bags', memoryCatalog(), 'en', ['TENT-BC4']);
    assert.deepEqual(basket?.map((l) => [l.product.sku, l.quantity]), [
      ['TENT-BC4', 1],
      ['BAG-NF5', 2],
    ]);
  });
});

describe('offeredLines', () => {
  test('the single-action form is one line; a repeated sku keeps the larger quantity', () => {
    assert.deepEqual(offeredLines([{ type: 'offer_payment', sku: 'A', quantity: 2 }]), [{ sku: 'A', quantity: 2 }]);
    assert.deepEqual(
      offeredLines([
        { type: 'offer_payment', sku: 'A', quantity: 2 },
        { type: 'hand_off', reason: 'x' },
        { type: 'offer_payment', sku: 'B', quantity: 1 },
        { type: 'offer_payment', sku: 'A', quantity: 1 },
      ]),
      [
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 1 },
      ],
    );
  });
});
