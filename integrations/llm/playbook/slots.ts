import type { QualificationSlot, QualificationUpdate } from '../../../domain/lead';
import { parseAmount, parseCurrency } from './budget';
import { fold, words } from './language';

interface Span {
  start: number;
  end: number;
}

const weekdays = 'monday|tuesday|wednesday|thursday|friday|saturday|sunday';
const months = 'january|february|march|april|may|june|july|august|september|october|november|december';
const seasons = 'summer|winter|spring|fall|autumn';
const trWeekdays = 'pazartesi|sali|carsamba|persembe|cumartesi|cuma|pazar';

/** Everything below runs on folded text, so a span cuts the customer's own words out of the original. */
const timelinePatterns: RegExp[] = [
  new RegExp(
    `\\b(today|tonight|tomorrow|asap|as soon as possible|right away|urgently|immediately|no rush|not urgent|` +
      `(this|next|coming) (week|weekend|month|year|${seasons}|${weekdays})|` +
      `(by|before|on|until|for|this) (${weekdays}|the weekend|tomorrow|next \\w+|(the )?end of (the )?\\w+|(${months})( \\d{1,2})?|\\d{1,2}(st|nd|rd|th)? (of )?(${months}))|` +
      `(in|within) (a|one|two|three|four|\\d+|a few|a couple of) (days?|weeks?|months?))\\b`,
  ),
  new RegExp(
    `\\b(bugun|yarin|bu aksam|bu hafta ?sonu|bu hafta|bu ay|haftaya|hafta ?sonuna kadar|ay sonuna kadar|acil|hemen|en kisa surede|acelem yok|` +
      `(gelecek|onumuzdeki|haftaya) (hafta|ay|yil|${trWeekdays})|` +
      `(\\d+|bir|iki|uc|dort|birkac) (gun|hafta|ay) (icinde|icerisinde|sonra)|` +
      `(${trWeekdays})(ya|ye|a|e)? kadar)`,
  ),
];

const currencyAmount: { re: RegExp; format: (n: string) => string }[] = [
  { re: /(?:\$|\busd ?)(\d[\d,.]*)/, format: (n) => `$${n}` },
  { re: /\b(\d[\d,.]*) ?(?:dollars?|dolar\w*|usd|bucks)\b/, format: (n) => `$${n}` },
  { re: /(?:₺|\btl ?)(\d[\d,.]*)/, format: (n) => `${n} TL` },
  // Turkish case endings stay on the currency: "2000 liraya kadar", "1500 TL'den ucuz".
  { re: /\b(\d[\d,.]*) ?(?:tl|lira|try|₺)(?:'?(?:y?[ae]|[dt][ae]n|lik))?(?![a-z])(?: kadar\b)?/, format: (n) => `${n} TL` },
  { re: /(?:€|\beur ?)(\d[\d,.]*)/, format: (n) => `€${n}` },
  { re: /\b(\d[\d,.]*) ?(?:euros?|eur|€)(?![a-z])/, format: (n) => `€${n}` },
];
const budgetWords =
  'budget|butce\\w*|spend|afford|up to|under|below|less than|no more than|not over|max|maximum|around|roughly|en fazla|civari\\w*|altinda|harcamak|harcayabilirim|' +
  "or less|at most|tops|cheaper than|maksimum|en cok|\\w*[dt][ae]n (?:ucuz|az|asagi|dusuk)|(?:tl|lira)'?y?[ae] kadar";
const budgetKeyword = new RegExp(`\\b(${budgetWords})\\b`);
const keywordAmount = new RegExp(`\\b(?:${budgetWords})\\D{0,20}?(\\d[\\d,.]*)`);

const relations =
  'wife|husband|partner|girlfriend|boyfriend|fiancee?|son|daughter|kids?|children|mom|mum|mother|dad|father|parents|brother|sister|friend|boss|manager|team|company|family';
const trRelations = 'esim|karim|kocam|oglum|kizim|cocuklarim|cocugum|annem|babam|kardesim|arkadasim|patronum|mudurum|sirketim|ailem|sevgilim|yegenim';

const selfDecides = [
  /\b(i (decide|make the decisions?|am the decision ?maker|am the one deciding)|i'm the (decision ?maker|one (deciding|who decides))|it'?s (my|up to me) (decision|call|choice)|up to me|for myself|my own decision)\b/,
  /\b(kendim icin|kendime|ben karar ver\w*|karar benim|kendim karar ver\w*|benim icin)/,
];
/** "for me" is too common to count unless it answers "who is it for?" or is the whole message. */
const selfAnswer = /\b((just|only) )?(for )?(me|myself)\b|\b(ben|kendim|kendime|bana)\b/;
const selfWholeMessage = /^\W*((just|only) )?(for )?(me|myself|ben|kendim|kendime|bana)\W*$/;

const decidedByOther: { re: RegExp; group: number }[] = [
  { re: new RegExp(`\\b(for (my|our) (${relations}))\\b`, 'd'), group: 1 },
  { re: new RegExp(`\\b(my (${relations}))('s)? (decides|will decide|has to (approve|decide|agree)|makes the decisions?|needs to (approve|decide|agree)|has the final say)`, 'd'), group: 1 },
  { re: new RegExp(`\\b(ask|check with|talk to|consult) (my (${relations}))\\b`, 'd'), group: 2 },
  { re: new RegExp(`\\b((${trRelations}) icin)`, 'd'), group: 1 },
  { re: new RegExp(`\\b(${trRelations}) karar ver`, 'd'), group: 1 },
  { re: new RegExp(`\\b(${trRelations})(e|a|ye|ya) (sor|danis)`, 'd'), group: 1 },
];

const needPatterns: { re: RegExp; group: number }[] = [
  {
    re: /\b(?:i need|i'?m looking for|looking for|i'?m searching for|searching for|i want|i'?d like|i would like|i'?m after|shopping for|in the market for)\s+(.{3,120}?)(?=[.!?;\n]|,\s*(?:and|but|my|i)\b|$)/d,
    group: 1,
  },
  { re: /([^.!?,;\n]{3,120}?)\s+(?:ariyorum|ariyoruz|lazim|gerekiyor|ihtiyacim var|bakiyorum|almak istiyorum|istiyorum)(?![a-z])/d, group: 1 },
];
/** Captures that are a request, not a need ("I want to buy", "sipariş vermek istiyorum", "I need it by Friday"). */
const notANeed = [
  /^(to|it|them|this|that|these|those|one|you|your|help|someone|somebody|a (person|human)|the link|bunu|onu|sunu|satin|siparis)\b/,
  /\b\w+(mek|mak)$/,
  /\b(refund|discount|person|human|link|payment|iade|indirim|temsilci|yetkili|odeme)\b/,
  // A count ("2 adet lazım", "I need 3 of these") is a quantity, not what they need.
  /^(?:\d{1,3}|two|three|four|five|iki|uc|dort|bes)?\s*(?:adet|tane|cift|pieces?|units?|of (?:them|these|those))?$/,
];
const leadingNoise = /^(?:(?:hi|hello|hey|merhaba|selam|selamlar|and|ve|also|ayrica|ama|but)\b[\s,]*)+/i;
const trailingNoise = /[\s,;:-]+(?:(?:and|ve|but|ama|also|with|ile)\b)?$/i;

const spanOf = (m: RegExpExecArray): Span => ({ start: m.index, end: m.index + m[0].length });

function firstSpan(patterns: RegExp[], folded: string): Span | null {
  for (const re of patterns) {
    const m = re.exec(folded);
    if (m) return spanOf(m);
  }
  return null;
}

function groupSpan(re: RegExp, group: number, folded: string): Span | null {
  const indices = re.exec(folded)?.indices?.[group];
  return indices ? { start: indices[0], end: indices[1] } : null;
}

const cut = (text: string, span: Span) => text.slice(span.start, span.end).trim();

const amount = (digits: string) => digits.replace(/[.,]$/, '');

const thousandsAmount =
  /(?:([$€₺£])\s?)?\b(\d{1,3}(?:[.,]\d)?\s?(?:k|bin)|(?:bir|iki|uc|dort|bes|alti|yedi|sekiz|dokuz|on) bin)\b(?:\s?(tl|lira|try|dolar|dollars?|usd|euros?|eur)\b)?/;
const symbolFormat: Record<string, (n: string) => string> = { $: (n) => `$${n}`, '€': (n) => `€${n}`, '£': (n) => `£${n}`, '₺': (n) => `${n} TL` };

/** "2 bin lira", "$2k", "iki bin TL": written out as the number, so the slot reads "2000 TL" and not "2". */
function inThousands(folded: string, budgetContext: boolean): { value: string; spans: Span[] } | null {
  const m = thousandsAmount.exec(folded);
  if (!m || !(budgetContext || m[1] || m[3])) return null;
  const amount = parseAmount(m[2]!);
  if (amount === null) return null;
  const n = String(amount);
  const currency = m[1] ?? (m[3] ? parseCurrency(m[3]) : null);
  const value =
    currency === null ? n : (symbolFormat[currency] ?? ((x: string) => (currency === 'TRY' ? `${x} TL` : currency === 'EUR' ? `€${x}` : `$${x}`)))(n);
  return { value, spans: [spanOf(m)] };
}

/** A price the customer quotes ("is the $249 one in stock?") is not a budget: it needs a budget word, a short answer or our question. */
function extractBudget(folded: string, asked: boolean, short: boolean): { value: string; spans: Span[] } | null {
  const thousands = inThousands(folded, asked || short || budgetKeyword.test(folded));
  if (thousands) return thousands;
  const keyed = keywordAmount.exec(folded);
  const spans = keyed ? [spanOf(keyed)] : [];
  if (asked || short || budgetKeyword.test(folded)) {
    for (const { re, format } of currencyAmount) {
      const m = re.exec(folded);
      if (m?.[1]) return { value: format(amount(m[1])), spans: [...spans, spanOf(m)] };
    }
  }
  if (keyed?.[1]) return { value: amount(keyed[1]), spans };
  if (asked) {
    const bare = /\b\d{1,7}(?:[.,]\d{3})*\b/.exec(folded);
    if (bare) return { value: bare[0], spans: [spanOf(bare)] };
  }
  return null;
}

function extractDecisionMaker(text: string, folded: string, asked: boolean): string | null {
  if (selfDecides.some((re) => re.test(folded))) return 'self';
  for (const { re, group } of decidedByOther) {
    const span = groupSpan(re, group, folded);
    if (span) return cut(text, span);
  }
  if (asked ? selfAnswer.test(folded) : selfWholeMessage.test(folded)) return 'self';
  return null;
}

function extractNeed(text: string, folded: string, remove: Span[]): string | null {
  for (const { re, group } of needPatterns) {
    const span = groupSpan(re, group, folded);
    if (!span) continue;
    // Timeline and budget said in the same breath are slots of their own, not part of the need: one
    // leading the need ("bu hafta çadır lazım") is skipped, one following it ("boots by Friday") ends it.
    let start = span.start;
    let end = span.end;
    for (const r of [...remove].sort((a, b) => a.start - b.start)) {
      if (r.end <= start || r.start >= end) continue;
      if (words(folded.slice(start, r.start)).length === 0) start = r.end;
      else {
        end = r.start;
        break;
      }
    }
    let need = text.slice(start, Math.max(start, end)).replace(/\s+/g, ' ').trim();
    need = need.replace(leadingNoise, '');
    while (trailingNoise.test(need)) need = need.replace(trailingNoise, '');
    const folding = fold(need);
    if (words(folding).join('').length < 3 || notANeed.some((re) => re.test(folding))) continue;
    return need.slice(0, 300);
  }
  return null;
}

const namePattern = /\b(?:my name is|my name's|i am called|adim|ismim|benim adim)\s+(\p{L}{2,30})/du;
const notAName = /^(not|just|only|the|a|an|ve|ile|ne)$/;

function extractName(text: string, folded: string): string | null {
  const span = groupSpan(namePattern, 1, folded);
  if (!span) return null;
  const name = cut(text, span);
  return notAName.test(fold(name)) ? null : name;
}

export interface SlotHints {
  /** The slot the bot asked about in its last message, so a bare answer ("$200", "me") counts. */
  asked: QualificationSlot | null;
}

/**
 * Reads what the customer stated about the four qualification slots. Simple,
 * anchored patterns on purpose: a missed slot is asked again later, a wrong
 * one would mislead the merchant.
 */
export function extractSlots(message: string, hints: SlotHints): QualificationUpdate {
  // One space between words keeps every pattern linear, whatever the customer pasted.
  const text = message.replace(/\s+/g, ' ').trim();
  const folded = fold(text);
  const short = words(folded).length <= 5;
  const update: QualificationUpdate = {};

  const name = extractName(text, folded);
  if (name) update.name = name;

  const timelineSpan = firstSpan(timelinePatterns, folded);
  if (timelineSpan) update.timeline = cut(text, timelineSpan);

  const budget = extractBudget(folded, hints.asked === 'budget', short);
  if (budget) update.budget = budget.value;

  const decisionMaker = extractDecisionMaker(text, folded, hints.asked === 'decisionMaker');
  if (decisionMaker) update.decisionMaker = decisionMaker;

  const need = extractNeed(text, folded, [...(timelineSpan ? [timelineSpan] : []), ...(budget?.spans ?? [])]);
  if (need) update.need = need;

  return update;
}
