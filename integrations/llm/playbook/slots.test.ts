import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractSlots } from './slots';
import { detectLanguage, fold } from './language';
import { parseQuantity } from './quantity';
import { demoCatalog } from '../../../db/demo-data';

const none = { asked: null };

/** What a customer writes, and what each slot should read from it when we asked nothing. */
const slotExamples: Record<'budget' | 'timeline' | 'decisionMaker' | 'need', [text: string, expected: string][]> = {
  budget: [
    ['My budget is $200', '$200'],
    ['around 200 dollars', '$200'],
    ["I can't spend more than 150 USD", '$150'],
    ['bütçem 300', '300'],
    ['Bütçem 500 TL civarı', '500 TL'],
    ['en fazla 1.500 TL harcayabilirim', '1.500 TL'],
  ],
  timeline: [
    ['I need it this week', 'this week'],
    ['planning a trip next month', 'next month'],
    ['It has to arrive by Friday!', 'by Friday'],
    ['within 2 weeks please', 'within 2 weeks'],
    ['Bu hafta lazım', 'Bu hafta'],
    ['gelecek ay kampa gidiyoruz', 'gelecek ay'],
    ['cumaya kadar elimde olmalı', 'cumaya kadar'],
  ],
  decisionMaker: [
    ["It's a gift for my wife", 'for my wife'],
    ['I decide', 'self'],
    ['my boss decides on purchases', 'my boss'],
    ['I have to check with my husband first', 'my husband'],
    ['kendim için bakıyorum', 'self'],
    ['eşim için bir hediye', 'eşim için'],
    ['patronum karar verir', 'patronum'],
  ],
  need: [
    ['I need a tent for two people', 'a tent for two people'],
    ["Hi! I'm looking for a warm sleeping bag", 'a warm sleeping bag'],
    ['looking for boots by Friday, budget $200', 'boots'],
    ['Merhaba, kamp için çadır arıyorum', 'kamp için çadır'],
    ['Kışlık bir mont lazım', 'Kışlık bir mont'],
  ],
};

/** Messages that look as if they carry the slot but do not. */
const slotNonExamples: Record<keyof typeof slotExamples, string[]> = {
  // A quoted price is not a budget.
  budget: ['Is the $249 tent still in stock today?'],
  timeline: ['Do you have tents?'],
  decisionMaker: [],
  // Requests are not needs.
  need: ['I need to talk to a person', 'I want to buy it', 'sipariş vermek istiyorum', 'satın almak istiyorum', 'I need it by Friday', 'bu hafta lazım'],
};

for (const slot of Object.keys(slotExamples) as (keyof typeof slotExamples)[]) {
  describe(`extractSlots: ${slot}`, () => {
    for (const [text, expected] of slotExamples[slot]) test(text, () => assert.equal(extractSlots(text, none)[slot], expected));
    for (const text of slotNonExamples[slot]) test(`no ${slot} in: ${text}`, () => assert.equal(extractSlots(text, none)[slot], undefined));
  });
}

describe('extractSlots: a short answer counts only when we asked for it', () => {
  test('a bare number is the budget', () => {
    assert.equal(extractSlots('250', { asked: 'budget' }).budget, '250');
    assert.equal(extractSlots('250', none).budget, undefined);
  });
  test('"me" is the decision maker', () => {
    assert.equal(extractSlots('just me', { asked: 'decisionMaker' }).decisionMaker, 'self');
    assert.equal(extractSlots('can you help me with tents', none).decisionMaker, undefined);
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
