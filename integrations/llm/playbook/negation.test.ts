import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyLeadProfile } from '../../../domain/lead';
import { createPlaybookProvider } from '.';
import { findNegations } from './negation';
import { agentContext, bot, customer } from './testing';

const { decide } = createPlaybookProvider();

describe('what the customer turns down', () => {
  const cases: [string, string[], boolean][] = [
    ['not the tent', ['tent'], false],
    ["I don't want the backpack, show me something else", ['backpack'], false],
    ['Not the Trailblazer, the other tent', ['Trailblazer'], false],
    ['anything but the boots', ['boots'], false],
    ["I don't want it", [], true],
    ['No, not that one.', [], true],
    ['çadır istemiyorum', ['çadır'], false],
    ['çadır değil', ['çadır'], false],
    ['Çadır yerine yağmurluk bakıyorum', ['Çadır'], false],
    ['bunu istemiyorum', [], true],
    // Not a product turned down: a state, a time, a polite no.
    ['Trailblazer stokta değil mi?', [], false],
    ['not now', [], false],
    ['no thanks', [], false],
    ["I'm not sure yet", [], false],
    ['Do you have a tent?', [], false],
  ];
  for (const [text, phrases, reference] of cases) {
    test(text, () => {
      const found = findNegations(text);
      assert.deepEqual(found.phrases, phrases);
      assert.equal(found.reference, reference);
      assert.equal(found.rest.length, text.length);
    });
  }
});

describe('a turned-down product', () => {
  test('is not offered or recorded, and the reply moves to other products', async () => {
    const d = await decide(agentContext("I don't want the backpack, show me something else", { lead: { ...emptyLeadProfile(), interestedIn: ['PACK-RL45'] } }));
    assert.ok(!d.productsMentioned.includes('PACK-RL45'));
    assert.ok(d.productsMentioned.length > 0);
    assert.match(d.reply!, /leave out the Ridgeline 45L Backpack/);
    assert.doesNotMatch(d.reply!, /\$179\.00/);
    // "backpacking" in a tent's tags does not make the tent a backpack.
    assert.doesNotMatch(d.reply!, /Trailblazer/);
    assert.deepEqual(d.actions, []);
  });

  test('a turned-down kind leaves only other kinds', async () => {
    const d = await decide(agentContext('Çadır istemiyorum, başka ne var?', { language: 'tr' }));
    assert.equal(d.language, 'tr');
    assert.ok(!d.productsMentioned.includes('TENT-TB2') && !d.productsMentioned.includes('TENT-BC4'));
    assert.match(d.reply!, /Diğer seçenekler:/);
  });

  test('"bunu istemiyorum" turns down the product just discussed', async () => {
    const d = await decide(
      agentContext('Bunu istemiyorum', {
        language: 'tr',
        lead: { ...emptyLeadProfile(), interestedIn: ['BAG-NF5', 'PACK-RL45'] },
        recent: [customer('Ridgeline sırt çantası ne kadar?'), bot('Ridgeline 45L Backpack fiyatı $179,00; stokta mevcut.')],
        stage: 'engaged',
      }),
    );
    assert.ok(!d.productsMentioned.includes('PACK-RL45'));
    assert.doesNotMatch(d.reply!, /\$179,00/);
  });

  test('a word only in a description turns nothing down', async () => {
    const d = await decide(agentContext('Is the Trailblazer not waterproof?'));
    assert.deepEqual(d.productsMentioned, ['TENT-TB2']);
    assert.match(d.reply!, /\$249\.00/);
  });

  test('what else the customer names is answered', async () => {
    const d = await decide(agentContext('Not the Trailblazer, the other tent. How much is it?'));
    assert.deepEqual(d.productsMentioned, ['TENT-BC4']);
    assert.match(d.reply!, /\$389\.00/);
    const buy = await decide(agentContext("I don't want the tent, I'll take the Beam 400 headlamp"));
    assert.deepEqual(buy.actions, [{ type: 'offer_payment', sku: 'LAMP-B400', quantity: 1 }]);
  });
});
