import type { Product } from '../../../domain/catalog';
import { withoutCapacity } from './capacity';
import { fold, words } from './language';

const numberWords: Record<string, number> = {
  two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, couple: 2,
  iki: 2, uc: 3, dort: 4, bes: 5, alti: 6, yedi: 7, sekiz: 8, dokuz: 9,
};

/** Words after a number that make it a size, a price or a time, not a count. */
const notACount = new Set([
  'person', 'people', 'persons', 'kisi', 'kisilik', 'day', 'days', 'week', 'weeks', 'month', 'months', 'year', 'years', 'hours',
  'gun', 'hafta', 'ay', 'yil', 'saat', 'dollar', 'dollars', 'usd', 'bucks', 'tl', 'lira', 'euro', 'euros', 'eur', 'kg', 'lt',
  'litre', 'liter', 'lumen', 'lumens', 'season', 'seasons', 'sezon', 'percent', 'yuzde', 'c', 'l', 'cm', 'mm', 'km', 'gb',
]);
const countWords = new Set(['pieces', 'piece', 'units', 'unit', 'of']);
const orderVerbs = new Set(['take', 'buy', 'order', 'get', 'want', 'need', 'alayim', 'al', 'alirim', 'alacagim', 'istiyorum']);

/**
 * How many the customer wants, from "2 tents", "take three", "x2", "3 adet",
 * "iki tane"; null when they did not say. A number right after a product's
 * own word ("Trailblazer 2", "Beam 400") is part of its name, and a price
 * ("$200") or a size ("2 person") is not a count.
 */
export function parseQuantity(folded: string, products: Product[]): number | null {
  // "a pair", "a pair of boots", "bir çift": two.
  if (/\b(?:a|one)\s+pair\b|\b(?:bir\s+)?cift\b/.test(folded)) return 2;
  const explicit = /(?:^|\s)x\s?(\d{1,3})\b|\b(\d{1,3})\s?(?:x|pcs|pieces|units|adet|tane)\b/.exec(folded);
  if (explicit) {
    const value = Number(explicit[1] ?? explicit[2]);
    if (value >= 1 && value <= 100) return value;
  }
  const tokens = words(folded);
  const nameWords = new Set(products.flatMap((p) => words(fold(p.name))));
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const value = /^\d{1,3}$/.test(token) ? Number(token) : numberWords[token];
    if (value === undefined || value < 2 || value > 100) continue;
    const before = tokens[i - 1];
    const after = tokens[i + 1];
    if (before && nameWords.has(before)) continue;
    if (new RegExp(`[$€₺£]\\s*${token}\\b`).test(folded)) continue;
    if (after && notACount.has(after)) continue;
    if ((after && (countWords.has(after) || /^[a-z]{3,}$/.test(after))) || (before && orderVerbs.has(before)) || !after) return value;
  }
  return null;
}

/**
 * A count said earlier with the product's kind ("I need two tents", then
 * "I'll take the Trailblazer"): the latest of the customer's recent messages
 * that names the product or its kind and says how many. `named` are the
 * products those messages may name, so "Trailblazer 2" is not a count of two.
 * Null when none did.
 */
export function earlierQuantity(earlier: string[], product: Product, named: Product[] = []): number | null {
  const kinds = new Set([...words(fold(product.name)), ...product.tags.flatMap((t) => words(fold(t)))].filter((w) => w.length >= 3));
  for (const text of [...earlier].reverse()) {
    const folded = fold(text);
    const said = words(folded).some((w) => kinds.has(w) || kinds.has(w.replace(/(?:es|s|lar|ler)$/, '')));
    if (!said) continue;
    const quantity = parseQuantity(withoutCapacity(folded), [product, ...named]);
    if (quantity !== null) return quantity;
  }
  return null;
}

const count = `\\d{1,3}|${Object.keys(numberWords).join('|')}|a pair|bir cift`;
/**
 * A message that is only a count, said as a wish: "two please", "I want 3 of
 * them", "can I get two?", "iki tane istiyorum", "3 adet lazım". With a
 * product under discussion it is an order for it.
 */
const bareOrderPattern = new RegExp(
  `^(?:(?:yes|yeah|ok|okay|sure|evet|tamam)\\W+)?` +
    `(?:i(?:'ll| will)? (?:want|need|take|get|have|order) |i'?d like |i would like |can i (?:get|have) |could i (?:get|have) |give me |send me |make it )?` +
    `(?:${count})(?: (?:of (?:them|these|those|it)|tane|adet|pieces|units))?` +
    `(?: (?:please|pls|lutfen|istiyorum|lazim|alayim|alirim|olsun|gonderin))?\\W*$`,
);

/**
 * `order` when the count comes with a unit or a wish ("2 adet", "can I get
 * two?"), `count` for a number alone, which may instead answer a question we
 * asked ("300" for the budget); null when the message is more than a count.
 */
export function bareOrder(folded: string): 'order' | 'count' | null {
  const text = folded.trim();
  if (!bareOrderPattern.test(text)) return null;
  return /^\d{1,3}\W*$/.test(text) ? 'count' : 'order';
}
