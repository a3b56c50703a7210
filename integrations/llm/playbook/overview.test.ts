import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoCatalog } from '../../../db/demo-data';
import { last, converse } from './conversation-testing';
import { asksForOverview, catalogueOverview } from './overview';
import { memoryCatalog, withChanges } from './testing';

describe('what the shop sells', () => {
  const asks: [string, 'en' | 'tr'][] = [
    ['What do you sell?', 'en'],
    ['what do you have', 'en'],
    ['Hi! What products do you have?', 'en'],
    ['Can you show me your catalogue?', 'en'],
    ['Neler satıyorsunuz?', 'tr'],
    ['ürünleriniz neler', 'tr'],
    ['Merhaba, elinizde neler var?', 'tr'],
  ];
  for (const [text, language] of asks) {
    test(`${language}: ${text}`, async () => {
      const d = last(await converse([text], { language }));
      assert.equal(d.intent, 'product_question');
      assert.equal(d.language, language);
      assert.ok(d.confidence >= 0.8);
      assert.doesNotMatch(d.reply!, /couldn't find|bulamadım/);
      // A few products, each with its catalog price; and a question that moves on.
      assert.ok(d.productsMentioned.length >= 3 && d.productsMentioned.length <= 4);
      for (const sku of d.productsMentioned) assert.ok(d.reply!.includes(demoCatalog.find((p) => p.sku === sku)!.name));
      assert.match(d.reply!, language === 'en' ? /Trailblazer 2 Tent: \$249\.00/ : /Trailblazer 2 Tent: \$249,00/);
      assert.match(d.reply!, /\?$/);
    });
  }

  test('names the kinds of products from the tags, in the reply language', async () => {
    const en = last(await converse(['What do you sell?']));
    assert.match(en.reply!, /^We sell tents, headlamps, sleeping bags, backpacks, jackets, boots and stoves\./);
    const tr = last(await converse(['Neler satıyorsunuz?'], { language: 'tr' }));
    assert.match(tr.reply!, /^Çadır, kafa lambası, uyku tulumu, sırt çantası, yağmurluk, ayakkabı ve kamp ocağı satıyoruz\./);
  });

  test('shows only what is in stock, at the price the catalog has now', async () => {
    const catalog = memoryCatalog(withChanges({ 'TENT-TB2': { stock: 0 }, 'LAMP-B400': { priceMinor: 4_500 } }));
    const d = last(await converse(['What do you sell?'], { catalog }));
    assert.doesNotMatch(d.reply!, /Trailblazer/);
    assert.match(d.reply!, /Basecamp 4 Family Tent: \$389\.00 \(only 4 left\)/);
    assert.match(d.reply!, /Beam 400 Headlamp: \$45\.00/);
  });

  test('"what else?" shows products not seen yet', async () => {
    const [first, more] = await converse(['What do you sell?', 'What else do you have?']);
    assert.ok(more!.productsMentioned.length > 0);
    assert.ok(more!.productsMentioned.every((sku) => !first!.productsMentioned.includes(sku)));
  });

  test('a product named alongside is a product question, not an overview', async () => {
    const d = last(await converse(['What do you have in sleeping bags?']));
    assert.deepEqual(d.productsMentioned, ['BAG-NF5']);
    assert.doesNotMatch(d.reply!, /We sell/);
  });

  test('any catalog: without tags, products without categories', async () => {
    const kayaks = memoryCatalog([
      { sku: 'K-1', name: 'Ripple Kayak', description: '', priceMinor: 40_000, currency: 'EUR', stock: 3, tags: [] },
      { sku: 'K-2', name: 'Ripple Tandem Kayak', description: '', priceMinor: 60_000, currency: 'EUR', stock: 0, tags: [] },
    ]);
    const overview = await catalogueOverview(kayaks, 'en');
    assert.deepEqual(overview, { categories: [], products: [(await kayaks.get('K-1'))!] });
    const d = last(await converse(['What do you sell?'], { catalog: kayaks }));
    assert.match(d.reply!, /^Here are a few of our products:\n• Ripple Kayak: €400\.00/);
  });

  test('an empty catalog is not an overview', async () => {
    assert.equal(await catalogueOverview(memoryCatalog([]), 'en'), null);
  });

  test('does not fire on questions that only sound alike', () => {
    for (const text of ['What do you think?', 'Do you have tents?', 'What time do you open?', 'Ne zaman gelir?']) assert.equal(asksForOverview(text), null, text);
  });
});
