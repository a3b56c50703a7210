/** Amounts are integer minor units (cents, kuruş) everywhere; floats never touch money. */
export interface Money {
  amountMinor: number;
  currency: string;
}

const localeFor: Record<string, string> = { en: 'en-US', tr: 'tr-TR' };

export function formatMoney(money: Money, language = 'en'): string {
  return new Intl.NumberFormat(localeFor[language] ?? 'en-US', {
    style: 'currency',
    currency: money.currency,
  }).format(money.amountMinor / 100);
}

export function multiply(money: Money, quantity: number): Money {
  return { amountMinor: money.amountMinor * quantity, currency: money.currency };
}
