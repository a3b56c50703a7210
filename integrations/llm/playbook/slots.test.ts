import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractSlots } from './slots';
import { detectLanguage, fold } from './language';
import { parseQuantity } from './quantity';
import { demoCatalog } from '../../../db/demo-data';

const none = { asked: null };

describe('extractSlots: budget', () => {
  const cases: [string, string][] = [
    ['My budget is $200', '$200'],
    ['around 200 dollars', '$200'],
    ["I can't spend more than 150 USD", '$150'],
    ['bütçem 300', '300'],
    ['Bütçem 500 TL civarı', '500 TL'],
    ['en fazla 1.500 TL harcayabilirim', '1.500 TL'],
  ];
  for (const [text, budget] of cases) test(text, () => assert.equal(extractSlots(text, none).budget, budget));

  test('a quoted price is not a budget', () => {
    assert.equal(extractSlots('Is the $249 tent still in stock today?', none).budget, undefined);
  });
  test('a bare number answers the budget question we asked', () => {
    assert.equal(extractSlots('250', { asked: 'budget' }).budget, '250');
    assert.equal(extractSlots('250', none).budget, undefined);
  });
});

describe('extractSlots: timeline', () => {
  const cases: [string, string][] = [
    ['I need it this week', 'this week'],
    ['planning a trip next month', 'next month'],
    ['It has to arrive by Friday!', 'by Friday'],
    ['within 2 weeks please', 'within 2 weeks'],
    ['Bu hafta lazım', 'Bu hafta'],
    ['gelecek ay kampa gidiyoruz', 'gelecek ay'],
    ['cumaya kadar elimde olmalı', 'cumaya kadar'],
  ];
  for (const [text, timeline] of cases) test(text, () => assert.equal(extractSlots(text, none).timeline, timeline));

  test('no time words, no timeline', () => assert.equal(extractSlots('Do you have tents?', none).timeline, undefined));
});

describe('extractSlots: decision maker', () => {
  const cases: [string, string][] = [
    ["It's a gift for my wife", 'for my wife'],
    ['I decide', 'self'],
    ['my boss decides on purchases', 'my boss'],
    ['I have to check with my husband first', 'my husband'],
    ['kendim için bakıyorum', 'self'],
    ['eşim için bir hediye', 'eşim için'],
    ['patronum karar verir', 'patronum'],
  ];
  for (const [text, who] of cases) test(text, () => assert.equal(extractSlots(text, none).decisionMaker, who));

  test('"me" only counts as an answer to our question', () => {
    assert.equal(extractSlots('just me', { asked: 'decisionMaker' }).decisionMaker, 'self');
    assert.equal(extractSlots('can you help me with tents', none).decisionMaker, undefined);
  });
});

describe('extractSlots: need', () => {
  const cases: [string, string][] = [
    ['I need a tent for two people', 'a tent for two people'],
    ["Hi! I'm looking for a warm sleeping bag", 'a warm sleeping bag'],
    ['looking for boots by Friday, budget $200', 'boots'],
    ['Merhaba, kamp için çadır arıyorum', 'kamp için çadır'],
    ['Kışlık bir mont lazım', 'Kışlık bir mont'],
  ];
  for (const [text, need] of cases) test(text, () => assert.equal(extractSlots(text, none).need, need));

  test('requests are not needs', () => {
    for (const text of ['I need to talk to a person', 'I want to buy it', 'sipariş vermek istiyorum', 'satın almak istiyorum', 'I need it by Friday', 'bu hafta lazım']) {
      assert.equal(extractSlots(text, none).need, undefined, text);
    }
  });
});

test('extractSlots reads several slots from one message', () => {
  assert.deepEqual(extractSlots("Hi, I'm looking for a tent for my wife, budget around 300 dollars, we leave next week", none), {
    need: 'a tent for my wife',
    budget: '$300',
    timeline: 'next week',
    decisionMaker: 'for my wife',
  });
});

describe('parseQuantity', () => {
  const tent = demoCatalog.find((p) => p.sku === 'TENT-TB2')!;
  const cases: [string, number | null][] = [
    ["I'll take 3 of them", 3],
    ['two tents please', 2],
    ['Trailblazer 2 Tent x4', 4],
    ['5 adet alayım', 5],
    ['iki tane alayım', 2],
    ["I'll take the Trailblazer 2 Tent", null],
    ['is it good for 2 people?', null],
    ['my budget is $200', null],
  ];
  for (const [text, quantity] of cases) test(text, () => assert.equal(parseQuantity(fold(text), [tent]), quantity));
});

describe('language', () => {
  test('fold keeps the length, so spans map back to the original text', () => {
    for (const text of ['İSTANBUL’da ŞÖYLE çığ', 'Ünlü 🏕️ çadır', 'I’ll take it']) assert.equal(fold(text).length, text.length);
    assert.equal(fold('Sipariş vermek İSTİYORUM'), 'siparis vermek istiyorum');
  });

  test('detects Turkish and English from the text, falls back when it cannot tell', () => {
    assert.equal(detectLanguage('Merhaba, fiyatı ne kadar?', 'en'), 'tr');
    assert.equal(detectLanguage('siparis vermek istiyorum', 'en'), 'tr');
    assert.equal(detectLanguage('How much is the tent?', 'tr'), 'en');
    assert.equal(detectLanguage('$200', 'tr'), 'tr');
    assert.equal(detectLanguage('👍', 'en'), 'en');
  });
});
