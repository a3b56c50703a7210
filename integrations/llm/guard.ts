/**
 * Checks a model's reply against the catalog and the playbook before the
 * customer sees it. Models quote prices and stock from memory, round them,
 * convert currencies or promise discounts nobody allowed; the catalog and the
 * playbook are the truth, so every money, stock and discount figure in the
 * text is found and compared:
 *
 * - a price that matches no catalog amount the conversation is about (a
 *   product's price, a multiple of it, a pair's total, the agreed discount
 *   applied, the pending payment, a figure quoted in a knowledge answer) is
 *   replaced by the price of the product it is about;
 * - a stock count that differs from the product's stock is replaced;
 * - a discount above the playbook's maximum is lowered to the maximum, or
 *   withdrawn with a short refusal when discounts are not allowed at all.
 *
 * A figure that cannot be tied to a product (no product named in its sentence
 * and more than one candidate) is left as written and counted as unverified.
 * Pure: no I/O, no clock, so it is cheap to test in both languages.
 */
import type { Product } from '../../domain/catalog';
import type { Language } from '../../domain/language';
import { formatMoney, type Money } from '../../domain/money';

export interface GuardInput {
  reply: string;
  language: Language;
  /** Catalog products the conversation is about: looked up this turn, mentioned, offered, of interest. */
  products: readonly Product[];
  maxDiscountPercent: number;
  /** The discount the model says it agreed, before the guard looks at it. */
  discountPercent: number | null;
  /** Other amounts the reply may quote as they are: the pending payment, figures in knowledge answers. */
  allowedAmounts?: readonly Money[];
}

export interface GuardResult {
  reply: string;
  priceCorrections: number;
  stockCorrections: number;
  /** The model offered or recorded more than the playbook allows. */
  discountRefused: boolean;
  /** The discount that stands after the guard: what the checkout may charge. */
  discountPercent: number | null;
  /** Money or stock figures that could not be tied to a catalog product. */
  unverifiedFigures: number;
}

const symbols: Record<string, string> = { $: 'USD', US$: 'USD', '€': 'EUR', '£': 'GBP', '₺': 'TRY' };
const codes: Record<string, string> = { usd: 'USD', eur: 'EUR', gbp: 'GBP', try: 'TRY', tl: 'TRY', dollar: 'USD', dollars: 'USD', euro: 'EUR', euros: 'EUR', lira: 'TRY' };

// Thousands groups with either separator, an optional 1-2 digit fraction; spaces Intl puts between code and number.
const NUMBER = String.raw`\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?`;
const SYMBOL = String.raw`US\$|[$€£₺]`;
// Upper-case codes only ("try" is an English verb); TL is also written in lower case.
const CODE = String.raw`USD|EUR|GBP|TRY|TL|tl|[Dd]ollars?|[Ee]uros?|[Ll]ira`;
const GAP = String.raw`[ \u00a0\u202f]?`;
const prefixMoney = new RegExp(String.raw`(?<![\p{L}\d])(${SYMBOL}|(?:${CODE})(?![\p{L}]))${GAP}(${NUMBER})(?![\d])`, 'gu');
const suffixMoney = new RegExp(String.raw`(?<![\d.,])(${NUMBER})${GAP}(${SYMBOL}|(?:${CODE})(?![\p{L}]))`, 'gu');

const stockPatterns: RegExp[] = [
  /\b(?:only|just)\s+(\d+)\s+(?:(?:units?|pieces?|pcs|items?)\s+)?(?:left|remaining)/giu,
  /\b(\d+)\s+(?:(?:units?|pieces?|pcs|items?)\s+)?(?:left\s+)?in\s+stock\b/giu,
  /\b(\d+)\s+(?:units?|pieces?|pcs|items?)\s+(?:left|available|remaining)\b/giu,
  /\bstokta\s+(\d+)\s+(?:adet|tane)/giu,
  /(?<![\d.,])(\d+)\s+(?:adet|tane)\s+(?:stokta|kaldı|mevcut|var)/giu,
  /\bson\s+(\d+)\s+(?:adet|tane)/giu,
];

const percentPatterns: RegExp[] = [/(?<![\d.,])(\d{1,3}(?:[.,]\d+)?)\s?%/gu, /%\s?(\d{1,3}(?:[.,]\d+)?)(?![\d])/gu, /\b(\d{1,3})\s+percent\b/giu, /\byüzde\s+(\d{1,3})\b/giu];
const discountWords = /discount|\boff\b|reduction|markdown|coupon|promo|indirim|iskonto/iu;
const priceWords = /price|costs?\b|\bis\b|\bonly\b|\bfor\b|fiyat|tutar|sadece|\bTL\b/iu;

const refusal: Record<Language, string> = {
  en: "I'm sorry, I can't offer a discount on this price.",
  tr: 'Maalesef bu fiyata indirim yapamıyorum.',
};

interface Span {
  start: number;
  end: number;
}

interface Edit extends Span {
  text: string;
}

function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return out;
}

/** Sentence boundaries: a stop followed by space or a line break; a stop inside `1.299,00` is not one. */
function sentences(text: string): Span[] {
  const spans: Span[] = [];
  let start = 0;
  for (const m of text.matchAll(/[.!?…]+(?=\s|$)|\n+/gu)) {
    const end = m.index + m[0].length;
    spans.push({ start, end });
    start = end;
  }
  if (start < text.length) spans.push({ start, end: text.length });
  return spans;
}

function sentenceAt(spans: Span[], index: number): Span {
  return spans.find((s) => index >= s.start && index < s.end) ?? { start: 0, end: Number.MAX_SAFE_INTEGER };
}

type NumberStyle = 'en' | 'tr' | null;

/**
 * Reads `1.299,00`, `1,299.00`, `1299`, `12.5` and `1.299` as minor units with
 * integer arithmetic. With both separators the last one is the decimal mark;
 * with one, it is a thousands mark when it repeats or three digits follow.
 */
export function parseAmountMinor(raw: string): { amountMinor: number; style: NumberStyle; fraction: boolean } | null {
  const s = raw.replace(/[\s\u00a0\u202f]/gu, '');
  const dot = s.lastIndexOf('.');
  const comma = s.lastIndexOf(',');
  let whole: string;
  let fraction = '';
  let style: NumberStyle = null;
  if (dot >= 0 && comma >= 0) {
    const mark = Math.max(dot, comma);
    whole = s.slice(0, mark).replace(/[.,]/gu, '');
    fraction = s.slice(mark + 1);
    style = mark === comma ? 'tr' : 'en';
  } else if (dot >= 0 || comma >= 0) {
    const sep = dot >= 0 ? '.' : ',';
    const parts = s.split(sep);
    if (parts.length > 2 || parts.at(-1)!.length === 3) {
      whole = parts.join('');
      style = sep === '.' ? 'tr' : 'en';
    } else {
      whole = parts[0]!;
      fraction = parts[1]!;
      style = sep === ',' ? 'tr' : 'en';
    }
  } else {
    whole = s;
  }
  if (!/^\d+$/u.test(whole) || fraction.length > 2 || (fraction && !/^\d+$/u.test(fraction))) return null;
  return { amountMinor: Number(whole) * 100 + Number(fraction.padEnd(2, '0') || '0'), style, fraction: fraction.length > 0 };
}

interface MoneyFigure extends Span {
  money: Money;
  /** Where the number itself sits, so a correction keeps the currency as the model wrote it. */
  number: Span;
  style: NumberStyle;
  fraction: boolean;
}

function currencyOf(token: string): string {
  return symbols[token] ?? symbols[token.toUpperCase()] ?? codes[token.toLowerCase()] ?? 'USD';
}

/** Every money figure in the text, in order: `$189`, `189 USD`, `1.299,00 TL`, `₺1.299,00`, `USD 1,299.00`. */
export function findMoney(text: string): MoneyFigure[] {
  const found: MoneyFigure[] = [];
  for (const m of text.matchAll(prefixMoney)) {
    const [all, cur, num] = m as unknown as [string, string, string];
    const parsed = parseAmountMinor(num);
    if (!parsed) continue;
    const numberStart = m.index + all.length - num.length;
    found.push({ start: m.index, end: m.index + all.length, money: { amountMinor: parsed.amountMinor, currency: currencyOf(cur) }, number: { start: numberStart, end: numberStart + num.length }, style: parsed.style, fraction: parsed.fraction });
  }
  for (const m of text.matchAll(suffixMoney)) {
    const [all, num, cur] = m as unknown as [string, string, string];
    const parsed = parseAmountMinor(num);
    if (!parsed) continue;
    found.push({ start: m.index, end: m.index + all.length, money: { amountMinor: parsed.amountMinor, currency: currencyOf(cur) }, number: { start: m.index, end: m.index + num.length }, style: parsed.style, fraction: parsed.fraction });
  }
  // `₺1.299,00 TL` would match both ways; the earlier, then longer, match wins.
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: MoneyFigure[] = [];
  for (const f of found) if (!kept.some((k) => f.start < k.end && k.start < f.end)) kept.push(f);
  return kept;
}

function formatNumber(amountMinor: number, style: NumberStyle, language: Language, fraction: boolean): string {
  const locale = (style ?? language) === 'tr' ? 'tr-TR' : 'en-US';
  const digits = fraction || amountMinor % 100 !== 0 ? 2 : 0;
  return new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(amountMinor / 100);
}

const nameKey = (product: Product): string[] => {
  const first = product.name.split(/\s+/u)[0] ?? '';
  return [product.name, product.sku, ...(first.length >= 4 ? [first] : [])].map((s) => s.toLowerCase());
};

/**
 * The product a figure is about: the one named nearest before it in its
 * sentence (after it, if none before); for a sentence about a discount, the
 * one named last before it ("…the Trailblazer tent. 5% off, so $236.55"),
 * while "Shipping is $7" after a product stays its own figure; else the only
 * candidate, when the sentence talks about a price or stock at all.
 */
function productFor(text: string, sentence: Span, at: number, candidates: readonly Product[], single: boolean): Product | null {
  const aboutDiscount = discountWords.test(text.slice(sentence.start, sentence.end));
  return (
    namedIn(text, sentence, at, candidates) ??
    (aboutDiscount ? namedIn(text, { start: 0, end: sentence.start }, sentence.start, candidates) : null) ??
    (single && candidates.length === 1 ? candidates[0]! : null)
  );
}

function namedIn(text: string, sentence: Span, at: number, candidates: readonly Product[]): Product | null {
  const lower = text.slice(sentence.start, sentence.end).toLowerCase();
  const offset = at - sentence.start;
  let best: { product: Product; distance: number } | null = null;
  for (const product of candidates) {
    for (const key of nameKey(product)) {
      for (let i = lower.indexOf(key); i >= 0; i = lower.indexOf(key, i + 1)) {
        // A name before the figure is what it describes; one after counts, but farther.
        const distance = i <= offset ? offset - i : (i - offset) * 4;
        if (!best || distance < best.distance) best = { product, distance };
      }
    }
  }
  return best?.product ?? null;
}

const discounted = (amountMinor: number, percent: number) => Math.round((amountMinor * (100 - percent)) / 100);

function acceptableAmounts(products: readonly Product[], discount: number | null, extra: readonly Money[]): Set<string> {
  const ok = new Set<string>(extra.map((m) => `${m.currency}:${m.amountMinor}`));
  const add = (currency: string, amountMinor: number) => ok.add(`${currency}:${amountMinor}`);
  for (const p of products) {
    for (let q = 1; q <= 10; q++) {
      add(p.currency, p.priceMinor * q);
      if (discount) {
        add(p.currency, discounted(p.priceMinor, discount) * q);
        add(p.currency, discounted(p.priceMinor * q, discount));
        add(p.currency, p.priceMinor * q - discounted(p.priceMinor * q, discount));
      }
    }
    for (const other of products) if (other !== p && other.currency === p.currency) add(p.currency, p.priceMinor + other.priceMinor);
  }
  return ok;
}

function findPercents(text: string): Array<Span & { percent: number }> {
  const out: Array<Span & { percent: number }> = [];
  for (const pattern of percentPatterns) {
    for (const m of text.matchAll(pattern)) {
      const raw = m[1]!;
      const start = m.index + m[0].indexOf(raw);
      if (out.some((o) => start < o.end && o.start < start + raw.length)) continue;
      out.push({ start, end: start + raw.length, percent: Number(raw.replace(',', '.')) });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Lowers discounts above the maximum in the text; with no discount allowed, the offering sentences go. */
function guardDiscounts(text: string, input: GuardInput): { text: string; offered: number | null; refused: boolean } {
  const spans = sentences(text);
  const offers = findPercents(text).filter((p) => discountWords.test(text.slice(sentenceAt(spans, p.start).start, sentenceAt(spans, p.start).end)));
  const max = input.maxDiscountPercent;
  const over = offers.filter((o) => o.percent > max);
  const offered = offers.length ? Math.min(max, Math.max(...offers.map((o) => o.percent))) : null;
  if (!over.length) return { text, offered, refused: false };
  if (max > 0) {
    return { text: applyEdits(text, over.map((o) => ({ ...o, text: String(max) }))), offered, refused: true };
  }
  const dropped = new Map<number, Span>();
  for (const o of over) {
    const s = sentenceAt(spans, o.start);
    dropped.set(s.start, s);
  }
  const kept = applyEdits(text, [...dropped.values()].map((s) => ({ ...s, text: '' }))).trim();
  return { text: kept ? `${kept} ${refusal[input.language]}` : refusal[input.language], offered: null, refused: true };
}

export function guardReply(input: GuardInput): GuardResult {
  const max = input.maxDiscountPercent;
  const modelDiscount = input.discountPercent !== null && input.discountPercent > 0 ? input.discountPercent : null;
  const discountStep = guardDiscounts(input.reply, input);
  let text = discountStep.text;
  const claimed = modelDiscount ?? discountStep.offered;
  const discountPercent = claimed === null || max <= 0 ? null : Math.min(claimed, max);
  const discountRefused = discountStep.refused || (modelDiscount !== null && modelDiscount > max);

  // Prices.
  let priceCorrections = 0;
  let unverifiedFigures = 0;
  const ok = acceptableAmounts(input.products, discountPercent, input.allowedAmounts ?? []);
  {
    const spans = sentences(text);
    const edits: Edit[] = [];
    for (const figure of findMoney(text)) {
      if (ok.has(`${figure.money.currency}:${figure.money.amountMinor}`)) continue;
      const sentence = sentenceAt(spans, figure.start);
      const sentenceText = text.slice(sentence.start, sentence.end);
      const sameCurrency = input.products.filter((p) => p.currency === figure.money.currency);
      const product =
        productFor(text, sentence, figure.start, input.products, false) ??
        productFor(text, sentence, figure.start, sameCurrency.length ? sameCurrency : input.products, priceWords.test(sentenceText));
      if (!product) {
        unverifiedFigures++;
        continue;
      }
      const listPrice = product.priceMinor;
      // A lower figure in a sentence about the discount is the discounted price; anywhere else, the list price.
      const aboutDiscount = discountWords.test(sentenceText) && figure.money.amountMinor < listPrice;
      const target = discountPercent && aboutDiscount ? discounted(listPrice, discountPercent) : listPrice;
      priceCorrections++;
      if (product.currency === figure.money.currency) {
        edits.push({ ...figure.number, text: formatNumber(target, figure.style, input.language, figure.fraction) });
      } else {
        edits.push({ ...figure, text: formatMoney({ amountMinor: target, currency: product.currency }, input.language) });
      }
    }
    text = applyEdits(text, edits);
  }

  // Stock counts.
  let stockCorrections = 0;
  {
    const spans = sentences(text);
    const edits: Edit[] = [];
    const seen = new Set<number>();
    for (const pattern of stockPatterns) {
      for (const m of text.matchAll(pattern)) {
        const raw = m[1]!;
        const start = m.index + m[0].indexOf(raw);
        if (seen.has(start)) continue;
        seen.add(start);
        const product = productFor(text, sentenceAt(spans, start), start, input.products, true);
        if (!product) {
          unverifiedFigures++;
          continue;
        }
        if (Number(raw) === product.stock) continue;
        stockCorrections++;
        edits.push({ start, end: start + raw.length, text: String(product.stock) });
      }
    }
    text = applyEdits(text, edits);
  }

  return { reply: text, priceCorrections, stockCorrections, discountRefused, discountPercent, unverifiedFigures };
}
