import type { Product } from '../../../domain/catalog';
import type { AgentContext } from '../provider';
import { classify } from './intents';
import { fold } from './language';
import { replies } from './replies';

/** Which of the products just shown the customer points at. */
export type Pointer = { kind: 'position'; index: number } | { kind: 'cheapest' } | { kind: 'dearest' };

interface Found {
  pointer: Pointer;
  start: number;
  end: number;
}

const LAST = -1;

const englishPositions: Record<string, number> = {
  first: 0, '1st': 0, former: 0, one: 0, '1': 0,
  second: 1, '2nd': 1, two: 1, '2': 1,
  third: 2, '3rd': 2, three: 2, '3': 2,
  fourth: 3, '4th': 3, four: 3, '4': 3,
  last: LAST, latter: LAST, final: LAST,
};

const turkishPositions: Record<string, number> = { ilk: 0, birinci: 0, ikinci: 1, ucuncu: 2, dorduncu: 3, son: LAST, sonuncu: LAST, sondaki: LAST };

/** "the first one" but not "the first time" or "last week". */
const notAThing = '(?!\\s+(?:time|times|week|weekend|month|year|day|night|season|trip|visit|order|of\\s+all|thing\\s+i))';
const noun = '(?:\\s+(?:one|option|choice|item|product|model|of\\s+(?:them|those|these|the\\s+two)))?';

/**
 * Patterns on folded text, each with how to read its match. Only phrases that
 * point at a list: "first" alone or "cheaper" alone ("anything cheaper?") is
 * something else, an objection or a time.
 */
const patterns: { re: RegExp; read: (m: RegExpExecArray) => Pointer | null }[] = [
  {
    re: new RegExp(`\\b(?:the\\s+)?(first|second|third|fourth|last|1st|2nd|3rd|4th)\\s+(?:one|option|choice|item|product|model)s?\\b`),
    read: (m) => position(englishPositions[m[1]!]),
  },
  { re: new RegExp(`\\bthe\\s+(first|second|third|fourth|last|latter|former|final)\\b${notAThing}`), read: (m) => position(englishPositions[m[1]!]) },
  // Not "no." ("no one"), and "#" has no word boundary before it.
  { re: /(?:\b(?:number|option)\s*|#\s*)(one|two|three|four|[1-4])\b/, read: (m) => position(englishPositions[m[1]!]) },
  {
    re: new RegExp(`\\b(?:the\\s+)?(?:cheaper|cheapest|less\\s+expensive|least\\s+expensive|more\\s+affordable|most\\s+affordable|lower[-\\s]priced)${noun}\\b`),
    read: (m) => (choosing(m[0]) ? { kind: 'cheapest' } : null),
  },
  {
    re: new RegExp(`\\b(?:the\\s+)?(?:more\\s+expensive|most\\s+expensive|expensive|pricier|priciest|dearer|higher[-\\s]priced)${noun}\\b`),
    read: (m) => (choosing(m[0]) ? { kind: 'dearest' } : null),
  },
  // "ilkini", "ikincisi", "sonuncuyu", "ilk olanı", "sondakini"; not "ikinci el", "ilk kez".
  {
    re: /\b(ilk|birinci|ikinci|ucuncu|dorduncu|sonuncu|sondaki)(si|su|sini|sunu|sinin|sunun|sine|sune|yi|yu|ni|nu|nin|i|ini|inin|ine)?\b(\s+(olan\w*|urun\w*|secenek\w*|model\w*))?(?!\s+(el|kez|defa|kere|kat|sefer|gun|hafta|ay|sinif|kalite))/,
    read: (m) => (m[1] === 'ilk' && !m[2] && !m[3] ? null : position(turkishPositions[m[1]!])),
  },
  { re: /\b(en\s+)?son\s+(olan\w*|urun\w*|secenek\w*)/, read: () => position(LAST) },
  { re: /\b(daha\s+|en\s+)?ucuz\s+olan\w*|\ben\s+ucuz(u|unu|olan\w*)?\b|\bucuzu(nu)?\b/, read: () => ({ kind: 'cheapest' }) },
  { re: /\b(daha\s+|en\s+)?pahali\s+olan\w*|\ben\s+pahali(si|sini|olan\w*)?\b|\bpahalisi(ni)?\b/, read: () => ({ kind: 'dearest' }) },
];

/** "The cheaper one", "your cheapest": picking from several; "cheaper" alone asks for something else. */
const choosing = (phrase: string) => /^the\s|\s(one|option|choice|item|product|model|of)\b|cheapest|least|most|priciest/.test(phrase);

function position(index: number | undefined): Pointer | null {
  return index === undefined ? null : { kind: 'position', index };
}

/** The first phrase in the message that points at a product in a list. */
export function findPointer(folded: string): Found | null {
  let best: Found | null = null;
  for (const { re, read } of patterns) {
    const m = re.exec(folded);
    if (!m) continue;
    const pointer = read(m);
    if (pointer && (!best || m.index < best.start)) best = { pointer, start: m.index, end: m.index + m[0].length };
  }
  return best;
}

export function lastBotMessage(ctx: AgentContext): string | null {
  for (let i = ctx.recent.length - 1; i >= 0; i--) if (ctx.recent[i]!.from !== 'customer') return ctx.recent[i]!.text;
  return null;
}

/** How many of the lead's latest interests are looked up to find what our last message showed. */
const LOOKBACK = 10;

/**
 * The products our last message named, in the order it named them: a list,
 * "the A or the B", a suggestion. The lead's interests say which products
 * were discussed; the bullet lines of a list are looked up too, so a list is
 * understood even when the interests were not carried over.
 */
export async function shownProducts(ctx: AgentContext): Promise<Product[]> {
  const lastBot = lastBotMessage(ctx);
  if (!lastBot) return [];
  const candidates = new Map<string, Product>();
  for (const sku of ctx.lead.interestedIn.slice(-LOOKBACK)) {
    const product = await ctx.catalog.get(sku);
    if (product) candidates.set(product.sku, product);
  }
  for (const line of lastBot.split('\n')) {
    const name = /^•\s*(.+?):\s/.exec(line)?.[1];
    if (!name) continue;
    const found = (await ctx.catalog.search(name, 5)).find((p) => p.name === name);
    if (found) candidates.set(found.sku, found);
  }
  return [...candidates.values()]
    .map((p) => ({ p, at: lastBot.indexOf(p.name) }))
    .filter((c) => c.at >= 0)
    .sort((a, b) => a.at - b.at)
    .map((c) => c.p);
}

function pick(pointer: Pointer, products: Product[]): Product | null {
  if (!products.length) return null;
  if (pointer.kind === 'position') return products.at(pointer.index) ?? null;
  const [first, ...rest] = products;
  const cheaper = pointer.kind === 'cheapest';
  const best = rest.reduce((a, b) => ((cheaper ? b.priceMinor < a.priceMinor : b.priceMinor > a.priceMinor) ? b : a), first!);
  // A tie is not a choice.
  return products.filter((p) => p.priceMinor === best.priceMinor).length === 1 ? best : null;
}

const negatedBefore = /\b(not|no|don'?t\s+(want|need|like)|do\s+not\s+(want|need|like)|except|instead\s+of|rather\s+than|other\s+than)\s+$/;
const negatedAfter = /^\s*(istemiyorum|istemem|istemiyoruz|degil|olmasin|haric|disinda|yerine|almayacagim|almam)/;

const pointingWords = new Set(['this', 'that', 'it', 'bu', 'bunu', 'onu', 'sunu', 'su', 'o']);
const fillerWords = new Set(['one', 'the', 'please', 'pls', 'yes', 'ok', 'okay', 'olan', 'olsun', 'lutfen', 'evet', 'tamam']);

/** "That one", "this one please", "bunu", "evet şunu": nothing but pointing. */
function onlyPointsBack(folded: string): boolean {
  const tokens = folded.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  return tokens.some((t) => pointingWords.has(t)) && tokens.every((t) => pointingWords.has(t) || fillerWords.has(t));
}

/**
 * What "that one" means: of the products our last message named, the one
 * discussed most recently (as "I'll take that one" after a list has always
 * meant); with none named, the latest interest.
 */
async function latestShown(ctx: AgentContext): Promise<Product | null> {
  const shown = await shownProducts(ctx);
  const rank = (p: Product) => ctx.lead.interestedIn.lastIndexOf(p.sku);
  if (shown.length) return shown.reduce((a, b) => (rank(b) > rank(a) ? b : a));
  const sku = ctx.lead.interestedIn.at(-1);
  return sku ? ctx.catalog.get(sku) : null;
}

export interface Reference {
  product: Product;
  /** The message without the words that pointed, so they are not read as an objection ("the cheaper one") or a product search. */
  text: string;
}

/**
 * "The first one", "the cheaper one", "ikincisi", "ucuz olanı": the product
 * meant, from the list our last message showed. `named` finds the products
 * the rest of the message names: "the first tent" counts among the tents
 * shown, and "the cheapest tent" works with no list at all. Null when nothing
 * points, or when what it points at is not there to find.
 */
export async function resolveReference(
  ctx: AgentContext,
  text: string,
  named: (text: string) => Promise<Product[]>,
): Promise<Reference | null> {
  const folded = fold(text);
  if (onlyPointsBack(folded)) {
    const product = await latestShown(ctx);
    return product ? { product, text: '' } : null;
  }
  const found = findPointer(folded);
  // "Not the first one", "ilkini istemiyorum": turning it down is not choosing it.
  if (!found || negatedBefore.test(folded.slice(0, found.start)) || negatedAfter.test(folded.slice(found.end))) return null;
  const rest = `${text.slice(0, found.start)} ${text.slice(found.end)}`.replace(/\s+/g, ' ').trim();
  const shown = await shownProducts(ctx);
  const mentioned = await named(rest);
  const both = shown.filter((p) => mentioned.some((m) => m.sku === p.sku));
  let pool: Product[];
  if (both.length) pool = both;
  else if (mentioned.length > 1 && found.pointer.kind !== 'position') pool = mentioned;
  else if (mentioned.length) return null;
  else pool = shown;
  const product = pick(found.pointer, pool);
  return product ? { product, text: rest } : null;
}

/**
 * Our last message asked the customer to choose what to buy ("Which one
 * would you like: A or B?", or "Which product?" after "how do I pay?"), so
 * naming or pointing at one product is the choice: a wish to buy it. "Which
 * product?" after "how much is it?" asks what to price, not what to buy.
 */
export function askedToChoose(ctx: AgentContext): boolean {
  let at = ctx.recent.length - 1;
  while (at >= 0 && ctx.recent[at]!.from === 'customer') at--;
  const lastBot = ctx.recent[at]?.text;
  if (!lastBot) return false;
  const says = Object.values(replies);
  if (says.some((say) => lastBot.includes(say.whichOne([]).replace(/:.*$/, '')))) return true;
  if (!says.some((say) => lastBot.includes(say.whichProduct))) return false;
  const before = ctx.recent.slice(0, at).findLast((m) => m.from === 'customer');
  return !!before && classify(fold(before.text), { hasProducts: false, hasSlots: false, paymentPending: ctx.pendingPayment !== null }).intent === 'buying_signal';
}
