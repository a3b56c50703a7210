import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoCatalog } from '../../../db/demo-data';
import { parseCapacity, productCapacity, withoutCapacity } from './capacity';
import { fold } from './language';

const sizes = (text: string) => parseCapacity(fold(text)).sizes;

describe('parseCapacity', () => {
  const exact: [string, number][] = [
    ['the 2-person tent', 2],
    ['a 2 person tent', 2],
    ['two-person tent', 2],
    ['is it good for 2 people?', 2],
    ['a tent for two', 2],
    ['a tent for two, please', 2],
    ['a tent for the two of us', 2],
    ['a tent for a couple', 2],
    ['one-man tent', 1],
    ['a tent that sleeps 4', 4],
    ['4-person tent', 4],
    ['2 kişilik çadır', 2],
    ['iki kişilik çadır', 2],
    ['İKİ KİŞİLİK', 2],
    ['4 kişi için çadır', 4],
    ['dört kişilik', 4],
  ];
  for (const [text, size] of exact) test(text, () => assert.deepEqual(sizes(text), [{ min: size, max: size }]));

  for (const text of ['family tent', 'a tent for my family', 'aile çadırı', 'ailem için çadır']) {
    test(`${text}: room for a family`, () => assert.deepEqual(sizes(text), [{ min: 3, max: Infinity }]));
  }

  const none = [
    'Do you have tents?',
    'I need it for two weeks',
    'for 2 days',
    'for a couple of days',
    "I'll take 2 tents",
    'I want to talk to a person',
    'bir kişiyle görüşmek istiyorum',
    'Beam 400 Headlamp',
    'my budget is $200',
  ];
  for (const text of none) test(`no size: ${text}`, () => assert.deepEqual(sizes(text), []));
});

test('withoutCapacity blanks the size words and keeps the length', () => {
  const text = 'Hi! How much is the 2-person tent for two?';
  const out = withoutCapacity(text);
  assert.equal(out.length, text.length);
  assert.doesNotMatch(out, /person|two/);
  assert.match(out, /How much is the +tent/);
  assert.equal(withoutCapacity('İki kişilik çadır'), '            çadır');
});

test('productCapacity reads sizes from the description, else from the name', () => {
  const capacity = Object.fromEntries(demoCatalog.map((p) => [p.sku, productCapacity(p)]));
  assert.deepEqual(capacity, {
    'TENT-TB2': 2,
    'TENT-BC4': 4,
    'BAG-NF5': null,
    'PACK-RL45': null,
    'BOOT-SP': null,
    'JKT-SS': null,
    'LAMP-B400': null,
    'STOVE-TF': null,
  });
  const tent = demoCatalog.find((p) => p.sku === 'TENT-TB2')!;
  assert.equal(productCapacity({ ...tent, description: '' }), 2);
  assert.equal(productCapacity({ ...tent, name: 'Trailblazer Tent', description: 'Sleeps 3 comfortably.' }), 3);
});
