import type { Product } from '../../../domain/catalog';
import { fold } from './language';

/** How many people a product should take; `max` is Infinity for "room for a family". */
export interface Size {
  min: number;
  max: number;
}

export interface Capacity {
  sizes: Size[];
  /** Where the size was said, in the folded text (and so in the original, which has the same length). */
  spans: { start: number; end: number }[];
}

const english: Record<string, number> = {
  one: 1, single: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
};
const turkish: Record<string, number> = { bir: 1, tek: 1, iki: 2, uc: 3, dort: 4, bes: 5, alti: 6, yedi: 7, sekiz: 8, dokuz: 9, on: 10 };

const digits = '\\d{1,2}';
const en = `${digits}|${Object.keys(english).join('|')}`;
const tr = `${digits}|${Object.keys(turkish).join('|')}`;

/**
 * On folded text. Each pattern's first group is the number. Turkish number
 * words only count next to a Turkish person word ("on" is ten in Turkish),
 * and "for two" only when nothing follows that would make it a time or a
 * count ("for two weeks", "for 2 tents").
 */
const exactPatterns: RegExp[] = [
  new RegExp(`\\b(${en})[\\s-]?(?:person|persons|people|man|men|adults?|seater|berth)\\b`, 'g'),
  new RegExp(`\\b(${tr})\\s?-?\\s?(?:kisilik\\b|kisi\\s+icin\\b)`, 'g'),
  new RegExp(`\\bfor\\s+(?:the\\s+)?(${en})(?:\\s+of\\s+us)?(?=\\s*(?:$|[.,!?;:)])|\\s+(?:please|and|with)\\b)`, 'g'),
  new RegExp(`\\b(?:sleeps|fits|seats)\\s+(?:up\\s+to\\s+)?(${en})\\b`, 'g'),
];
const couple = /\bfor\s+(?:a|the)\s+couple\b(?!\s+of\b)/g;
const family = /\b(?:famil(?:y|ies)|aile\w*)\b/g;

function numberValue(word: string): number | null {
  const value = /^\d+$/.test(word) ? Number(word) : (english[word] ?? turkish[word]);
  return value !== undefined && value >= 1 && value <= 30 ? value : null;
}

interface Found extends Size {
  start: number;
  end: number;
}

function findSizes(folded: string, withFamily: boolean): Found[] {
  const found: Found[] = [];
  for (const re of exactPatterns) {
    for (const m of folded.matchAll(re)) {
      const value = numberValue(m[1]!);
      if (value !== null) found.push({ min: value, max: value, start: m.index, end: m.index + m[0].length });
    }
  }
  for (const m of folded.matchAll(couple)) found.push({ min: 2, max: 2, start: m.index, end: m.index + m[0].length });
  if (withFamily) for (const m of folded.matchAll(family)) found.push({ min: 3, max: Infinity, start: m.index, end: m.index + m[0].length });
  return found.sort((a, b) => a.start - b.start);
}

/** "2-person", "for two", "iki kişilik", "family", "aile": the size of product the customer means. */
export function parseCapacity(folded: string): Capacity {
  const found = findSizes(folded, true);
  const sizes: Size[] = [];
  for (const { min, max } of found) if (!sizes.some((s) => s.min === min && s.max === max)) sizes.push({ min, max });
  return { sizes, spans: found.map(({ start, end }) => ({ start, end })) };
}

/**
 * The text with its size words blanked out, same length: "2-person" and
 * "for two" are neither product words nor a quantity.
 */
export function withoutCapacity(text: string): string {
  let out = text;
  for (const { start, end } of parseCapacity(fold(text)).spans) out = out.slice(0, start) + ' '.repeat(end - start) + out.slice(end);
  return out;
}

/** A lone small number in a name ("Trailblazer 2 Tent"), not a temperature, a volume or a model number. */
const nameNumber = /(?<![\p{L}\p{N}.,°$€£₺+-])(\d{1,2})(?![\p{L}\p{N}.,°%+-])/u;

/** How many people the product is for: from its text ("two-person", "sleeps 4"), else a small number in its name; null if it does not say. */
export function productCapacity(product: Product): number | null {
  const stated = findSizes(fold([product.name, product.description, ...product.tags].join('. ')), false)[0];
  if (stated) return stated.min;
  const inName = nameNumber.exec(fold(product.name));
  const value = inName ? Number(inName[1]) : 0;
  return value >= 1 && value <= 12 ? value : null;
}

/**
 * Drops the products of another size, but only when some product has the
 * size asked for: a size nobody has keeps every match, and products that
 * state no size (a stove "for two") are never dropped.
 */
export function fitCapacity(products: Product[], capacity: Capacity): Product[] {
  if (!capacity.sizes.length) return products;
  const fits = (p: Product): boolean | null => {
    const c = productCapacity(p);
    return c === null ? null : capacity.sizes.some((s) => c >= s.min && c <= s.max);
  };
  const verdicts = products.map(fits);
  if (!verdicts.includes(true)) return products;
  return products.filter((_, i) => verdicts[i] !== false);
}
