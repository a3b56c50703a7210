import type { CatalogTool, Product } from '../../../domain/catalog';
import type { Language } from '../../../domain/language';
import { fitCapacity, parseCapacity, withoutCapacity } from './capacity';
import { fold, words } from './language';

/** Words that never name a product: function words, and words our own intents and slots already use. */
const stopwords = new Set(
  (
    "the and for you your yours are was were with this that these those have has had does did can could would should will shall " +
    "what which who whom whose when where why how much many any some all one ones its it's i'm i'll i'd i've please thanks thank " +
    "hello hey there want need looking look search searching like love get got take buy order purchase pay paying payment link " +
    "price prices cost costs stock available availability cheap cheaper expensive pricey discount budget dollars dollar usd bucks " +
    "today tonight tomorrow week weeks weekend month months year years day days next this coming soon later now asap " +
    "monday tuesday wednesday thursday friday saturday sunday wife husband partner son daughter kids children friend boss family " +
    "myself mine our ours they them their from about into just only also really very more most less than then too yes okay " +
    "person human someone somebody talk speak agent representative help tell show recommend suggest something anything other " +
    "joke weather great good nice perfect awesome bye goodbye sure well know think maybe still again " +
    "merhaba selam selamlar gunaydin iyi gunler aksamlar fiyat fiyati fiyatlar fiyatlari kac para kadar ucret var mi mu midir " +
    "musunuz misiniz icin ile ben sen siz biz onlar bir bu su ne neler nasil hangi hangisi istiyorum ariyorum lazim gerekiyor " +
    "almak alayim satin siparis vermek odeme butce butcem hafta haftaya ay gun yarin bugun gelecek esim kendim tesekkur " +
    "tesekkurler cok daha ama fakat gibi stok stokta mevcut tamam evet hayir temsilci yetkili insan gorusmek konusmak " +
    "pahali ucuz indirim olur olsun degil yok lutfen acaba sizde sizin bana beni " +
    // Counts are quantities, never product words ("two please" is not the two-person tent).
    "two three four five six seven eight nine ten twice pair couple iki dort bes yedi sekiz dokuz tane adet cift"
  ).split(' '),
);

/** Possessive, plural and case endings, longest first: "çadırınız" and "botları" should find "çadır" and "bot". */
const turkishSuffixes = [
  'larimiz', 'lerimiz', 'lariniz', 'leriniz', 'lari', 'leri', 'lar', 'ler', 'iniz', 'unuz', 'imiz', 'umuz', 'niz', 'nuz',
  'dan', 'den', 'tan', 'ten', 'nin', 'nun', 'si', 'su', 'yi', 'yu', 'ya', 'ye', 'da', 'de', 'ta', 'te', 'in', 'un', 'i', 'u', 'a', 'e',
];

function turkishStem(word: string): string {
  for (const suffix of turkishSuffixes) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) return word.slice(0, -suffix.length);
  }
  return word;
}

/** Plurals, so "tents" finds "tent" even in a catalog that matches substrings. */
function englishStem(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && /(s|x|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

export interface Term {
  /** Folded form used to compare with product text. */
  folded: string;
  /** What is sent to the catalog: the customer's spelling, and the stem when it differs. */
  queries: string[];
}

/** Content words of the message, in order, without duplicates. */
export function productTerms(text: string, language: Language): Term[] {
  const raw = text.toLocaleLowerCase(language === 'tr' ? 'tr' : 'en').split(/[^\p{L}\p{N}'-]+/u);
  const seen = new Set<string>();
  const terms: Term[] = [];
  for (const original of raw) {
    const clean = original.replace(/^['-]+|['-]+$/g, '').replace(/'.*$/, '');
    const folded = fold(clean);
    if (folded.length < 3 || /^\d/.test(folded) || stopwords.has(folded) || seen.has(folded)) continue;
    // "bot" is boots in Turkish, but in English it is the customer talking about us.
    if (language === 'en' && (folded === 'bot' || folded === 'robot')) continue;
    seen.add(folded);
    let stem = language === 'tr' ? turkishStem(folded) : englishStem(folded);
    if (stem !== folded && stopwords.has(stem)) continue;
    // Folding keeps lengths, so the stem in the customer's own letters is a prefix of what they typed.
    const queries = [clean, clean.slice(0, stem.length), folded, stem];
    // A Turkish k softens to ğ before a vowel ending ("yağmurluğunuz" is "yağmurluk"): search without the last letter.
    if (language === 'tr' && stem !== folded && stem.endsWith('g') && stem.length >= 5) {
      queries.push(clean.slice(0, stem.length - 1), stem.slice(0, -1));
      stem = `${stem.slice(0, -1)}k`;
    }
    terms.push({ folded: stem, queries: [...new Set(queries)] });
  }
  return terms.slice(0, 6);
}

function wordsMatch(productWord: string, term: string): boolean {
  if (productWord === term) return true;
  const shorter = Math.min(productWord.length, term.length);
  return shorter >= 4 && (productWord.startsWith(term) || term.startsWith(productWord));
}

interface Hits {
  product: Product;
  strong: Set<string>;
  weak: Set<string>;
}

function hitsFor(product: Product, terms: Term[]): Hits {
  const strongWords = words(fold([product.name, product.sku, ...product.tags].join(' ')));
  const weakWords = words(fold(product.description));
  const strong = new Set<string>();
  const weak = new Set<string>();
  for (const term of terms) {
    if (strongWords.some((w) => wordsMatch(w, term.folded))) strong.add(term.folded);
    else if (weakWords.some((w) => wordsMatch(w, term.folded))) weak.add(term.folded);
  }
  return { product, strong, weak };
}

const isSubset = (a: Set<string>, b: Set<string>) => a.size < b.size && [...a].every((x) => b.has(x));

/**
 * Keeps the products no other candidate beats: "Trailblazer tent" drops the
 * other tents (they match fewer of the words), "tents and sleeping bags"
 * keeps both kinds. A match on name, SKU or tag beats a match in the
 * description alone.
 */
function bestMatches(candidates: Hits[]): Product[] {
  const strong = candidates.filter((c) => c.strong.size > 0);
  const pool = strong.length ? strong : candidates.filter((c) => c.weak.size > 0);
  const key = (c: Hits) => (strong.length ? c.strong : c.weak);
  return pool
    .filter((c) => !pool.some((other) => isSubset(key(c), key(other))))
    .sort((a, b) => key(b).size - key(a).size || a.product.name.localeCompare(b.product.name, 'en'))
    .map((c) => c.product);
}

const skuLike = /\b[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+\b/g;

/**
 * Products the message names, straight from the catalog tool (prices and
 * stock are never taken from anywhere else). One search per content word, so
 * it works whether the catalog matches whole queries or single words; the
 * results are then ranked here on the words they actually share with the message,
 * and a size the customer gave ("2-person", "aile") narrows them.
 */
export async function findProducts(catalog: CatalogTool, text: string, language: Language, limit = 4): Promise<Product[]> {
  // "2-person" looks like a SKU and "two" like a product word; the size is applied after the search instead.
  const capacity = parseCapacity(fold(text));
  const named = withoutCapacity(text);
  for (const sku of named.match(skuLike) ?? []) {
    const exact = (await catalog.get(sku)) ?? (await catalog.get(sku.toUpperCase()));
    if (exact) return [exact];
  }

  const terms = productTerms(named, language);
  if (!terms.length) return [];
  const found = new Map<string, Product>();
  const queries = [...new Set(terms.flatMap((t) => t.queries))].slice(0, 12);
  for (const query of queries) {
    for (const product of await catalog.search(query, 10)) if (!found.has(product.sku)) found.set(product.sku, product);
  }
  // Turkish typed without its letters ("cadir") misses a catalog that spells it ("çadır"); the
  // catalog's own words are then compared folded, here, which the search cannot do.
  if (!found.size && terms.some((t) => /^[a-z]+$/.test(t.queries[0] ?? ''))) for (const product of await catalog.list()) found.set(product.sku, product);
  const ranked = [...found.values()].sort((a, b) => a.sku.localeCompare(b.sku, 'en')).map((p) => hitsFor(p, terms));
  return fitCapacity(bestMatches(ranked), capacity).slice(0, limit);
}

/** In-stock products that share a tag with `product`, cheapest first: what to suggest when it is sold out or too dear. */
export async function alternativesTo(catalog: CatalogTool, product: Product, opts: { cheaperOnly?: boolean } = {}): Promise<Product[]> {
  const tag = product.tags[0];
  if (!tag) return [];
  const results = await catalog.search(tag, 10);
  return results
    .filter(
      (p) =>
        p.sku !== product.sku &&
        p.stock > 0 &&
        p.currency === product.currency &&
        p.tags.some((t) => product.tags.includes(t)) &&
        (!opts.cheaperOnly || p.priceMinor < product.priceMinor),
    )
    .sort((a, b) => a.priceMinor - b.priceMinor || a.sku.localeCompare(b.sku, 'en'))
    .slice(0, 2);
}

/** A number after a name word that counts pieces, not a model: "Trailblazer 3 adet" is three Trailblazers. */
const countWord = /^\s*(x\b|adet|tane|pcs|pieces?|units?|of\s+them)/;

/**
 * The customer named a model the catalog does not have: "Trailblazer 3" when
 * the product is the "Trailblazer 2 Tent". Search matches on the name word
 * alone, so without this the agent would quote and sell a different model.
 */
export function namesOtherModel(text: string, product: Product): boolean {
  const folded = fold(text);
  const name = words(fold(product.name));
  for (let i = 0; i + 1 < name.length; i++) {
    const word = name[i]!;
    const model = name[i + 1]!;
    if (word.length < 3 || !/^\d+$/.test(model)) continue;
    for (const m of folded.matchAll(new RegExp(`\\b${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*(\\d+)\\b`, 'g'))) {
      if (m[1] !== model && !countWord.test(folded.slice(m.index + m[0].length))) return true;
    }
  }
  return false;
}
