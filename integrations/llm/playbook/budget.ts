import type { Product } from '../../../domain/catalog';
import { formatMoney } from '../../../domain/money';
import { fold } from './language';

/** What the customer can spend. `currency` is null when they gave a bare number ("bütçem 300"). */
export interface Budget {
  amountMinor: number;
  currency: string | null;
}

const currencies: [RegExp, string][] = [
  [/\$|\busd\b|\bdollars?\b|\bdolar\w*|\bbucks\b/, 'USD'],
  [/₺|\btl\b|\blira\w*|\btry\b/, 'TRY'],
  [/€|\beur\b|\beuros?\b|\beuro\w*/, 'EUR'],
  [/£|\bgbp\b|\bpounds?\b|\bsterlin\w*/, 'GBP'],
];

const numberWords: Record<string, number> = { bir: 1, iki: 2, uc: 3, dort: 4, bes: 5, alti: 6, yedi: 7, sekiz: 8, dokuz: 9, on: 10 };

/**
 * "1.500" and "1,500" are fifteen hundred (a group of three after the mark),
 * "99.90" and "99,90" are decimals; "2 bin", "iki bin" and "2k" are thousands.
 */
export function parseAmount(folded: string): number | null {
  const m = /(\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)(?:\s?(k|bin)\b)?|\b(bir|iki|uc|dort|bes|alti|yedi|sekiz|dokuz|on)\s+bin\b/.exec(folded);
  if (!m) return null;
  if (m[3]) return numberWords[m[3]]! * 1000;
  const digits = m[1]!;
  let value: number;
  if (/^\d{1,3}(?:[.,]\d{3})+$/.test(digits)) value = Number(digits.replace(/[.,]/g, ''));
  else {
    const decimal = /[.,](\d{1,2})$/.exec(digits);
    const whole = decimal ? digits.slice(0, decimal.index) : digits;
    value = Number(whole.replace(/[.,]/g, '')) + (decimal ? Number(`0.${decimal[1]}`) : 0);
  }
  if (m[2]) value *= 1000;
  return Number.isFinite(value) && value > 0 ? value : null;
}

/** The currency a budget is stated in, or null when it names none. */
export function parseCurrency(folded: string): string | null {
  return currencies.find(([re]) => re.test(folded))?.[1] ?? null;
}

/**
 * A budget recorded as a slot ("$300", "1.500 TL", "2000", "€80") read back
 * as an amount. Slots hold the customer's own words, so this reads them again
 * each turn rather than storing a second copy.
 */
export function readBudget(slot: string | null): Budget | null {
  if (!slot) return null;
  const folded = fold(slot);
  const amount = parseAmount(folded);
  if (amount === null) return null;
  return { amountMinor: Math.round(amount * 100), currency: parseCurrency(folded) };
}

export function formatBudget(budget: Budget, catalogCurrency: string, language: string): string {
  return formatMoney({ amountMinor: budget.amountMinor, currency: budget.currency ?? catalogCurrency }, language);
}

/** A budget in another currency than the catalog's cannot be compared without a rate we do not have. */
export const comparable = (budget: Budget, catalogCurrency: string) => budget.currency === null || budget.currency === catalogCurrency;

export interface BudgetFit {
  /** The products within the budget, in the order given. */
  within: Product[];
  /** When none is within: the cheapest, to offer with an honest note. */
  nearest: Product | null;
}

/** Splits products by the budget; products in another currency than the budget's are left out of both. */
export function fitBudget(products: Product[], budget: Budget): BudgetFit {
  const priced = products.filter((p) => budget.currency === null || p.currency === budget.currency);
  const within = priced.filter((p) => p.priceMinor <= budget.amountMinor);
  const nearest = within.length ? null : ([...priced].sort((a, b) => a.priceMinor - b.priceMinor)[0] ?? null);
  return { within, nearest };
}
