import type { CatalogTool, Product } from '../../../domain/catalog';
import type { Language } from '../../../domain/language';
import { fold } from './language';

/**
 * "What do you sell?", "ürünleriniz neler?": the customer asks what the shop
 * has rather than for a product. On folded text; `more` is "what else…",
 * which leaves out what they have already seen.
 */
const asks: RegExp[] = [
  /\bwhat\s+(else\s+)?(do|can|could)\s+(you|u|ya)\s+(guys\s+)?(sell|have|offer|carry|stock|got)\b/,
  /\bwhat\s+(else\s+)?(have|ha)\s+(you|u)\s+got\b/,
  /\bwhat('?s|\s+is)\s+(else\s+)?(available|on\s+offer|in\s+stock|in\s+(your\s+)?(shop|store|catalog|catalogue))\b/,
  /\bwhat\s+(do\s+you\s+have|have\s+you\s+got)\s+in\s+stock\b/,
  /\bwhat\s+(kind|kinds|sort|sorts|type|types)\s+of\s+(products|things|stuff|items|gear|equipment)\b/,
  /\bwhat\s+(products|items|things|gear|stuff)\s+(else\s+)?(do|can|are)\b/,
  /\b(show|send|give)\s+(me\s+)?(your|the|all\s+(of\s+)?your)\s+(products|catalog|catalogue|range|items|gear|product\s+list|price\s+list|collection)\b/,
  /\bwhat\s+are\s+(your|the)\s+(products|items|options)\b/,
  /\b(your|the)\s+(catalog|catalogue|product\s+list|price\s+list|product\s+range)\b/,
  /\bwhat\s+(else\s+)?(can|could)\s+i\s+(buy|get|order)\b/,
  /\b(ne|neler|hangi\s+urunler(i)?)\s+(satiyorsunuz|satiyorsun|satilir|var|mevcut|bulunuyor)/,
  /\b(urunleriniz|urunlerin|urunler)\s+(neler|nelerdir|ne|hangileri)\b/,
  /\b(neleriniz|nelere)\s+(var|sahipsiniz)/,
  /\b(baska\s+(neler|ne)|neler)\s+var\b/,
  /\bwhat\s+(would|do|can)\s+you\s+(recommend|suggest)\b/,
  /\bne\s+(onerirsiniz|onerirsin|tavsiye\s+edersiniz)/,
  /\b(elinizde|sizde|magazanizda|dukkaninizda)\s+(baska\s+)?(neler|ne)\s+(var|mevcut)/,
  /\bne\s+(tur|cesit|cesit\s+)\s*urun/,
  /\b(katalog|urun\s+listesi|fiyat\s+listesi|urun\s+yelpazesi)/,
  /\b(urunlerinizi|katalogunuzu)\s+(gorebilir|gosterir|gonderir|at)/,
];

export interface OverviewRequest {
  /** "What else…": show what they have not seen yet. */
  more: boolean;
  /** The message without the asking words, where a product may still be named ("what do you have for camping?"). */
  rest: string;
}

export function asksForOverview(text: string): OverviewRequest | null {
  const folded = fold(text);
  for (const re of asks) {
    const m = re.exec(folded);
    if (!m) continue;
    // Folding keeps lengths, so the match cuts the same words out of the original.
    const rest = `${text.slice(0, m.index)} ${text.slice(m.index + m[0].length)}`.replace(/\s+/g, ' ').trim();
    return { more: /\b(else|other|baska)\b/.test(folded), rest };
  }
  return null;
}

/** Products shown in an overview: one per category, so the answer shows the range rather than five tents. */
const SHOWN = 4;
const turkishLetter = /[çğıöşüÇĞİÖŞÜ]/;
/** Turkish letters, or a compound noun's ending ("uyku tulumu", "kafa lambasi"): the tag is a Turkish word. */
const isTurkish = (tag: string) => turkishLetter.test(tag) || /\s\S+[iıuü]$/i.test(tag.trim());

/** "sleeping bag" → "sleeping bags"; good enough for the category words merchants tag with. */
function plural(tag: string): string {
  const [, head, last] = /^(.*?)(\S+)$/.exec(tag) ?? ['', '', tag];
  if (/[^aeiou]y$/.test(last!)) return `${head}${last!.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(last!)) return tag;
  return `${head}${last}s`;
}

/**
 * A category's name in the reply language, from the product's own tags: the
 * first English tag names its kind in English, the first Turkish one in
 * Turkish (the demo tags "tent" and "çadır"). Null when the tags have no word
 * for it in that language: better a category left out than one in the wrong language.
 */
function categoryName(product: Product, lang: Language): string | null {
  if (lang === 'tr') return product.tags.find(isTurkish) ?? null;
  const tag = product.tags.find((t) => !isTurkish(t));
  return tag ? plural(tag) : null;
}

export interface Overview {
  /** What the shop sells, most stocked kinds first; empty when the tags cannot say. */
  categories: string[];
  /** A few in-stock products, the cheapest of each kind, so prices and stock come from the catalog. */
  products: Product[];
}

/**
 * What the shop sells, from the catalog alone. Products are grouped by their
 * first tag (the demo catalog and imports put the kind first); without tags
 * each product is its own group.
 */
export async function catalogueOverview(catalog: CatalogTool, lang: Language, seen: string[] = []): Promise<Overview | null> {
  const all = await catalog.list();
  if (!all.length) return null;
  const groups = new Map<string, Product[]>();
  for (const p of all) {
    const key = p.tags[0]?.toLowerCase() ?? `sku:${p.sku}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const ordered = [...groups.values()].sort((a, b) => b.length - a.length);
  const names = ordered.map((g) => categoryName(g[0]!, lang)).filter((n): n is string => n !== null);
  // Most kinds named, or none: a list missing half the shop misleads more than no list.
  const categories = ordered.length > 1 && names.length * 2 > ordered.length ? [...new Set(names)] : [];

  const pickFrom = (group: Product[], skip: Set<string>) =>
    group.filter((p) => p.stock > 0 && !skip.has(p.sku)).sort((a, b) => a.priceMinor - b.priceMinor || a.sku.localeCompare(b.sku, 'en'))[0];
  const choose = (skip: Set<string>) => ordered.map((g) => pickFrom(g, skip)).filter((p): p is Product => !!p).slice(0, SHOWN);
  const unseen = choose(new Set(seen));
  const products = unseen.length ? unseen : choose(new Set());
  return { categories, products };
}
