import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { converse, last } from './conversation-testing';
import { findPointer } from './references';
import { memoryCatalog, withChanges } from './testing';

/** Our list: "Basecamp 4 Family Tent" ($389) first, "Trailblazer 2 Tent" ($249) second. */
const tents = { en: 'Do you have tents?', tr: 'Çadırlarınız var mı?' };
/** The overview: Trailblazer 2 Tent, Beam 400 Headlamp, Nightfall -5°C Sleeping Bag, Ridgeline 45L Backpack. */
const overview = { en: 'What do you sell?', tr: 'Neler satıyorsunuz?' };

describe('"the first one", "ikincisi": products from the list we just showed', () => {
  const offers: [string, 'en' | 'tr', string, string][] = [
    [overview.en, 'en', "I'll take the first one", 'TENT-TB2'],
    [overview.en, 'en', 'I want to buy the second one', 'LAMP-B400'],
    [overview.en, 'en', "I'll take the last one", 'PACK-RL45'],
    [tents.en, 'en', "I'll take the cheaper one", 'TENT-TB2'],
    [tents.en, 'en', "I'll take the more expensive one", 'TENT-BC4'],
    [overview.tr, 'tr', 'İlkini alayım', 'TENT-TB2'],
    [overview.tr, 'tr', 'ikincisini satın almak istiyorum', 'LAMP-B400'],
    [overview.tr, 'tr', 'sonuncusunu alıyorum', 'PACK-RL45'],
    [tents.tr, 'tr', 'ucuz olanı alayım', 'TENT-TB2'],
    [tents.tr, 'tr', 'pahalı olanı alayım', 'TENT-BC4'],
  ];
  for (const [list, language, text, sku] of offers) {
    test(`${text} → ${sku}`, async () => {
      const d = last(await converse([list, text], { language }));
      assert.equal(d.intent, 'buying_signal');
      assert.equal(d.language, language);
      assert.deepEqual(d.actions, [{ type: 'offer_payment', sku, quantity: 1 }]);
    });
  }

  test('pointing alone describes the product and asks to order it', async () => {
    const en = last(await converse([tents.en, 'the cheaper one']));
    assert.deepEqual(en.productsMentioned, ['TENT-TB2']);
    assert.match(en.reply!, /^Trailblazer 2 Tent \(\$249\.00\).*Would you like to order it\?$/s);
    assert.deepEqual(en.actions, []);
    const tr = last(await converse([overview.tr, 'ikincisi'], { language: 'tr' }));
    assert.deepEqual(tr.productsMentioned, ['LAMP-B400']);
    assert.match(tr.reply!, /^Beam 400 Headlamp: \$39,00\. Stokta var\. Sipariş vermek ister misiniz\?$/);
  });

  test('"the cheaper one" is a choice, not a price objection', async () => {
    const d = last(await converse([tents.en, 'The cheaper one please']));
    assert.equal(d.objection, null);
    assert.deepEqual(d.productsMentioned, ['TENT-TB2']);
  });

  test('a question about one of them answers about that one', async () => {
    const d = last(await converse([tents.en, 'How much is the second one?']));
    assert.equal(d.intent, 'price_question');
    assert.match(d.reply!, /^The Trailblazer 2 Tent is \$249\.00/);
    const tr = last(await converse([tents.tr, 'ilkinin fiyatı ne kadar?'], { language: 'tr' }));
    assert.match(tr.reply!, /^Basecamp 4 Family Tent fiyatı \$389,00/);
  });

  test('asked "which one?", pointing or naming is the choice', async () => {
    assert.deepEqual(last(await converse(["I'll take the tent", 'the second one'])).actions, [{ type: 'offer_payment', sku: 'TENT-TB2', quantity: 1 }]);
    assert.deepEqual(last(await converse(["I'll take the tent", 'The Basecamp'])).actions, [{ type: 'offer_payment', sku: 'TENT-BC4', quantity: 1 }]);
    assert.deepEqual(last(await converse(['Nasıl sipariş verebilirim?', 'kafa lambası'], { language: 'tr' })).actions, [
      { type: 'offer_payment', sku: 'LAMP-B400', quantity: 1 },
    ]);
  });

  test('"that one" and "bunu" keep meaning the product discussed last', async () => {
    assert.deepEqual(last(await converse(['How much is the stove?', "I'll take that one"])).actions, [{ type: 'offer_payment', sku: 'STOVE-TF', quantity: 1 }]);
    assert.deepEqual(last(await converse(['Kamp ocağı ne kadar?', 'bunu alayım'], { language: 'tr' })).actions, [
      { type: 'offer_payment', sku: 'STOVE-TF', quantity: 1 },
    ]);
  });

  test('pointing and nothing else: "that one", "bunu", "şunu"', async () => {
    assert.deepEqual(last(await converse(["I'll take the tent", 'that one'])).actions, [{ type: 'offer_payment', sku: 'TENT-TB2', quantity: 1 }]);
    const stove = last(await converse(['Kamp ocağı ne kadar?', 'bunu'], { language: 'tr' }));
    assert.deepEqual(stove.productsMentioned, ['STOVE-TF']);
    assert.deepEqual(stove.qualification, {}, 'not taken as the budget asked about');
    assert.match(stove.reply!, /Sipariş vermek ister misiniz\?$/);
    const yes = last(await converse(['How much is the stove?', 'this one please']));
    assert.deepEqual(yes.productsMentioned, ['STOVE-TF']);
  });

  test('a sold-out product picked from a list is not offered', async () => {
    const catalog = memoryCatalog(withChanges({ 'TENT-BC4': { stock: 0 } }));
    const d = last(await converse([tents.en, "I'll take the first one"], { catalog }));
    assert.deepEqual(d.actions, []);
    assert.match(d.reply!, /Basecamp 4 Family Tent is out of stock/);
  });

  test('with no list, "the cheapest tent" is the cheapest of the tents named', async () => {
    const d = last(await converse(['How much is your cheapest tent?']));
    assert.deepEqual(d.productsMentioned, ['TENT-TB2']);
  });

  test('nothing shown, nothing guessed', async () => {
    const d = last(await converse(["I'll take the first one"]));
    assert.deepEqual(d.actions, []);
  });

  test('turning one down is not choosing it', async () => {
    const d = last(await converse([tents.en, "I don't want the first one"]));
    assert.notDeepEqual(d.actions, [{ type: 'offer_payment', sku: 'TENT-BC4', quantity: 1 }]);
  });

  test('words that are not pointers', () => {
    for (const text of ['is this your first time?', 'i bought one last week', 'anything cheaper?', 'that is too expensive', 'ikinci el var mı', 'ilk kez alıyorum'])
      assert.equal(findPointer(text.toLowerCase().replace('ı', 'i')), null, text);
  });
});
