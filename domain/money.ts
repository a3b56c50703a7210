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

/**
 * What a line costs after an agreed discount, held to the merchant's current
 * maximum: the agent's word never charges more off than the playbook allows.
 */
export function discounted(priceMinor: number, quantity: number, percent: number, maxPercent: number): { amountMinor: number; discountPercent: number } {
  const discountPercent = Math.max(0, Math.min(Math.floor(percent), maxPercent));
  return { amountMinor: Math.round((priceMinor * quantity * (100 - discountPercent)) / 100), discountPercent };
}
