import type { CatalogTool, Product } from '../../../domain/catalog';
import type { Language } from '../../../domain/language';
import { fold, words } from './language';
import { findProducts, productTerms } from './products';

const englishSingular = (w: string) => w.replace(/s$/, '');

/** Where the customer said what they do not want, in the folded text (and so in the original, which has the same length). */
interface Span {
  start: number;
  end: number;
}

const article = '(?:(?:the|a|an|any|this|that|these|those|your)\\s+)?';

/** English puts the negated thing after the negation: "not the tent", "I don't want the backpack". */
const negationBefore: RegExp[] = [
  new RegExp(`\\b(?:not\\s+interested\\s+in|no\\s+longer\\s+want|anything\\s+but|other\\s+than|except(?:\\s+for)?|instead\\s+of|rather\\s+than|apart\\s+from|forget(?:\\s+about)?)\\s+${article}`, 'g'),
  new RegExp(`\\b(?:don'?t|do\\s+not|doesn'?t|does\\s+not|won'?t|wouldn'?t|dont)\\s+(?:really\\s+)?(?:want|need|like|fancy|care\\s+for)\\s+(?:to\\s+(?:buy|get|order)\\s+)?${article}`, 'g'),
  new RegExp(`\\b(?:not|no|without)\\s+${article}`, 'g'),
];
/** Words that end the negated phrase: what follows is something else ("not the tent, but the backpack"). */
const phraseEnd = /^(?:but|and|or|show|i|i'm|i'd|please|instead|rather|just|give|what|how|do|can|could|maybe|else|anything|something|any|is|are|we|you|for|thanks|yet|now|sure|really|too|so|very|in|at|on)$/;

/**
 * Turkish puts it before: "çadır istemiyorum", "çadır değil", "çadır yerine",
 * "çadır hariç". A state ("stokta değil", "pahalı değil") is not a product turned down.
 */
const negationAfter = /(?:^|[\s,.;!?])((?:[^\s,.;!?]+\s+){0,2}?[^\s,.;!?]+)\s+(?:istemiyorum|istemiyoruz|istemem|istemiyom|olmasin|degil|haric|disinda|yerine|almayacagim|almayalim|almam|almayayim|ilgilenmiyorum)(?![\p{L}])/gu;
const notAThing = /^(?:stokta|mevcut|pahali|ucuz|uygun|emin|hazir|var|yok|cok|hic|boyle|oyle|simdi|henuz|ben|biz|sart|gerek|lazim|acil|kotu|iyi|guzel)$/;

/** "it", "that one", "bunu": the product the conversation is on, not a name. */
const referenceWords = new Set(['it', 'this', 'that', 'them', 'these', 'those', 'one', 'ones', 'bu', 'bunu', 'onu', 'sunu', 'o', 'su', 'bunlari', 'onlari', 'bunlar', 'onlar']);

export interface Negation {
  /** The negated phrases, cut from the customer's own text. */
  phrases: string[];
  /** The text with the negated phrases blanked out (same length): what the customer does want is looked up in it. */
  rest: string;
  /** The customer turned down the product being discussed ("I don't want it", "bunu istemiyorum"). */
  reference: boolean;
}

/** What the customer says they do not want. Empty phrases and no reference when they turned nothing down. */
export function findNegations(text: string): Negation {
  const folded = fold(text);
  const spans: Span[] = [];
  let reference = false;
  const taken = (start: number) => spans.some((s) => start >= s.start && start < s.end);

  for (const re of negationBefore) {
    for (const m of folded.matchAll(re)) {
      const start = m.index + m[0].length;
      if (taken(start)) continue;
      const rest = folded.slice(start);
      let end = start;
      let count = 0;
      for (const w of rest.matchAll(/[^\s,.;!?]+/g)) {
        // Punctuation between the words ends the phrase.
        if (/[,.;!?]/.test(rest.slice(end - start, w.index))) break;
        if (phraseEnd.test(w[0]) || count === 4) break;
        end = start + w.index + w[0].length;
        count++;
      }
      if (end > start) spans.push({ start, end });
    }
  }
  for (const m of folded.matchAll(negationAfter)) {
    const phrase = m[1]!;
    const last = phrase.split(/\s+/).at(-1)!;
    if (notAThing.test(last)) continue;
    const start = m.index + (/^[\s,.;!?]/.test(m[0]) ? 1 : 0);
    spans.push({ start, end: start + phrase.length });
  }

  const phrases: string[] = [];
  let rest = text;
  for (const span of spans) {
    const tokens = words(folded.slice(span.start, span.end));
    if (tokens.length && tokens.every((t) => referenceWords.has(t))) reference = true;
    else phrases.push(text.slice(span.start, span.end));
    rest = rest.slice(0, span.start) + ' '.repeat(span.end - span.start) + rest.slice(span.end);
  }
  return { phrases, reference, rest };
}

/**
 * The catalog products the customer turned down: those the negated phrases
 * name, and for "not that one" the product being discussed (`current`).
 */
export async function negatedProducts(
  catalog: CatalogTool,
  negation: Negation,
  language: Language,
  current: () => Promise<Product | null>,
): Promise<Product[]> {
  const found = new Map<string, Product>();
  for (const phrase of negation.phrases) {
    const matches = await findProducts(catalog, phrase, language);
    // "not the backpack" turns down the backpack, not the tent tagged "backpacking": products named by the phrase win.
    // A word only in a description ("not waterproof?") turns nothing down.
    const terms = productTerms(phrase, language).map((t) => t.folded);
    const has = (text: string, loose: boolean) =>
      words(fold(text)).some((w) => terms.some((t) => w === t || englishSingular(w) === t || (loose && t.length >= 4 && (w.startsWith(t) || t.startsWith(w)))));
    const named = matches.filter((p) => has(p.name, false));
    for (const p of named.length ? named : matches.filter((p) => has([p.name, p.sku, ...p.tags].join(' '), true))) found.set(p.sku, p);
  }
  if (negation.reference) {
    const product = await current();
    if (product) found.set(product.sku, product);
  }
  return [...found.values()];
}

/**
 * What to show instead: in-stock products of the same kind first, then the
 * rest of the catalog, never one turned down. A turned-down kind ("not the
 * tents") leaves only other kinds, which is what the customer asked for.
 */
export async function otherProducts(catalog: CatalogTool, rejected: Product[], limit = 3): Promise<Product[]> {
  const excluded = new Set(rejected.map((p) => p.sku));
  const all = (await catalog.list()).filter((p) => !excluded.has(p.sku) && p.stock > 0);
  const tags = new Set(rejected.flatMap((p) => p.tags.slice(0, 1)));
  const sameKind = all.filter((p) => p.tags.some((t) => tags.has(t)));
  const others = all.filter((p) => !sameKind.includes(p));
  const byPrice = (a: Product, b: Product) => a.priceMinor - b.priceMinor || a.sku.localeCompare(b.sku, 'en');
  return [...sameKind.sort(byPrice), ...others.sort(byPrice)].slice(0, limit);
}
