import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Product } from '../../domain/catalog';
import { findMoney, guardReply, parseAmountMinor } from './guard';
import type { GuardInput } from './guard';

const product = (sku: string, name: string, priceMinor: number, currency: string, stock: number): Product => ({
  sku,
  name,
  description: '',
  priceMinor,
  currency,
  stock,
  tags: [],
});

const tent = product('TENT-TB2', 'Trailblazer 2 Tent', 24_900, 'USD', 12);
const bag = product('BAG-NF', 'Nightfall Sleeping Bag', 14_900, 'USD', 20);
const kettle = product('KTL-1', 'Çaydanlık Deluxe', 129_900, 'TRY', 3);

const guard = (reply: string, extra: Partial<GuardInput> = {}) =>
  guardReply({ reply, language: 'en', products: [tent, bag], maxDiscountPercent: 10, discountPercent: null, ...extra });

describe('reading amounts', () => {
  test('both number formats, with and without decimals', () => {
    assert.equal(parseAmountMinor('1.299,00')?.amountMinor, 129_900);
    assert.equal(parseAmountMinor('1,299.00')?.amountMinor, 129_900);
    assert.equal(parseAmountMinor('1.299')?.amountMinor, 129_900);
    assert.equal(parseAmountMinor('1,299')?.amountMinor, 129_900);
    assert.equal(parseAmountMinor('12.5')?.amountMinor, 1_250);
    assert.equal(parseAmountMinor('12,50')?.amountMinor, 1_250);
    assert.equal(parseAmountMinor('1.234.567,8')?.amountMinor, 123_456_780);
    assert.equal(parseAmountMinor('189')?.amountMinor, 18_900);
  });

  test('symbols and codes before or after the number', () => {
    const found = findMoney('Tent $189, bag 189 USD, kettle 1.299,00 TL, or ₺1.299,00, or USD 1,299.00, 50 euros.');
    assert.deepEqual(
      found.map((f) => `${f.money.currency} ${f.money.amountMinor}`),
      ['USD 18900', 'USD 18900', 'TRY 129900', 'TRY 129900', 'USD 129900', 'EUR 5000'],
    );
  });

  test('words that look like codes are not money', () => {
    assert.deepEqual(findMoney('You could try 2 of them, or pick 3 tents.'), []);
  });
});

describe('prices', () => {
  test('a catalog price passes untouched', () => {
    const r = guard('The Trailblazer 2 Tent is $249.00 and the Nightfall bag is $149.');
    assert.equal(r.reply, 'The Trailblazer 2 Tent is $249.00 and the Nightfall bag is $149.');
    assert.equal(r.priceCorrections, 0);
  });

  test('a wrong price is replaced by the catalog price of the product named next to it', () => {
    const r = guard('The Trailblazer 2 Tent is $189 and the Nightfall bag is $99.99, both in stock.');
    assert.equal(r.reply, 'The Trailblazer 2 Tent is $249 and the Nightfall bag is $149.00, both in stock.');
    assert.equal(r.priceCorrections, 2);
  });

  test('Turkish format and currency, corrected in the same notation', () => {
    const r = guardReply({ reply: 'Çaydanlık Deluxe şu an 1.199,00 TL.', language: 'tr', products: [kettle], maxDiscountPercent: 0, discountPercent: null });
    assert.equal(r.reply, 'Çaydanlık Deluxe şu an 1.299,00 TL.');
    assert.equal(r.priceCorrections, 1);
  });

  test('a price in a currency the product is not sold in becomes the catalog price', () => {
    const r = guard('The Trailblazer tent costs €230.');
    assert.equal(r.reply, 'The Trailblazer tent costs $249.00.');
    assert.equal(r.priceCorrections, 1);
  });

  test('totals, pair sums and allowed figures are not corrections', () => {
    const r = guard('Two Trailblazer tents are $498, with the bag $398. Shipping is free over $50.', { allowedAmounts: [{ amountMinor: 5_000, currency: 'USD' }] });
    assert.equal(r.priceCorrections, 0);
    assert.equal(r.unverifiedFigures, 0);
  });

  test('a figure tied to no product is counted, not rewritten', () => {
    const r = guard('Shipping costs $7 and the tent is $249.', { products: [tent, bag] });
    assert.equal(r.reply, 'Shipping costs $7 and the tent is $249.');
    assert.equal(r.unverifiedFigures, 1);
    const next = guard('The Trailblazer 2 Tent is $249. Shipping is $7.', { products: [tent, bag] });
    assert.equal(next.reply, 'The Trailblazer 2 Tent is $249. Shipping is $7.');
    assert.equal(next.unverifiedFigures, 1);
  });
});

describe('stock', () => {
  test('English and Turkish counts are set to the catalog stock', () => {
    assert.equal(guard('Hurry, only 2 left of the Trailblazer 2 Tent!').reply, 'Hurry, only 12 left of the Trailblazer 2 Tent!');
    const tr = guardReply({ reply: 'Çaydanlık Deluxe için stokta 10 adet var.', language: 'tr', products: [kettle], maxDiscountPercent: 0, discountPercent: null });
    assert.equal(tr.reply, 'Çaydanlık Deluxe için stokta 3 adet var.');
    assert.equal(tr.stockCorrections, 1);
    assert.equal(guard('We have 12 in stock of the Trailblazer tent.').stockCorrections, 0);
  });
});

describe('discounts', () => {
  test('a discount within the maximum stands and is recorded, discounted prices included', () => {
    const r = guard('I can give you 10% off the Trailblazer 2 Tent: $224.10 instead of $249.');
    assert.equal(r.reply, 'I can give you 10% off the Trailblazer 2 Tent: $224.10 instead of $249.');
    assert.equal(r.discountPercent, 10);
    assert.equal(r.discountRefused, false);
    assert.equal(r.priceCorrections, 0);
  });

  test('a discount above the maximum is lowered to it, and so is the discounted price', () => {
    const r = guard('Special deal: 25% discount on the Trailblazer 2 Tent, only $186.75!', { discountPercent: 25 });
    assert.equal(r.reply, 'Special deal: 10% discount on the Trailblazer 2 Tent, only $224.10!');
    assert.equal(r.discountRefused, true);
    assert.equal(r.discountPercent, 10);
    assert.equal(r.priceCorrections, 1);
  });

  test('the list price and the discounted price are told apart, across sentences', () => {
    const r = guard('The Trailblazer 2 Tent is $199.00. I can do 20% off today, so $159.20.', { products: [tent, product('TENT-BC4', 'Basecamp 4 Family Tent', 38_900, 'USD', 4)], maxDiscountPercent: 5 });
    assert.equal(r.reply, 'The Trailblazer 2 Tent is $249.00. I can do 5% off today, so $236.55.');
    assert.equal(r.priceCorrections, 2);
    assert.equal(r.discountPercent, 5);
  });

  test('Turkish: %20 indirim with a 15% maximum', () => {
    const r = guardReply({ reply: 'Size %20 indirim yapabilirim.', language: 'tr', products: [kettle], maxDiscountPercent: 15, discountPercent: null });
    assert.equal(r.reply, 'Size %15 indirim yapabilirim.');
    assert.equal(r.discountPercent, 15);
  });

  test('with no discount allowed the offer is withdrawn and nothing is recorded', () => {
    const r = guard('The tent is $249. For you, 5% off today! Shall I send the link?', { maxDiscountPercent: 0, discountPercent: 5 });
    assert.equal(r.reply, "The tent is $249. Shall I send the link? I'm sorry, I can't offer a discount on this price.");
    assert.equal(r.discountRefused, true);
    assert.equal(r.discountPercent, null);
  });

  test('a percentage that is no discount is left alone', () => {
    const r = guard('The Stormshell fabric is 100% waterproof.', { maxDiscountPercent: 0 });
    assert.equal(r.discountRefused, false);
    assert.equal(r.reply, 'The Stormshell fabric is 100% waterproof.');
  });
});
