import type { CatalogTool, Product } from '../../../domain/catalog';
import type { Language } from '../../../domain/language';
import { formatMoney } from '../../../domain/money';
import type { Playbook } from '../../../domain/playbook';
import { withoutCapacity } from './capacity';
import { fold } from './language';
import { findProducts } from './products';
import { parseQuantity } from './quantity';

/** One product of a basket and how many of it. */
export interface BasketLine {
  product: Product;
  quantity: number;
}

/**
 * What joins the parts of one order: "a tent and two sleeping bags", "a tent,
 * a stove", "bir çadır ve iki uyku tulumu", "çadır ile tulum", "bir de fener".
 */
const joiners = /\s*(?:[,;&+]|\band\b|\bplus\b|\bve\b|\bile\b|\bbir de\b)\s*/iu;

/**
 * Several products ordered in one message, each with its count ("one tent and
 * two sleeping bags", "bir çadır ve iki uyku tulumu"). Each part between the
 * joining words must name exactly one product (or several of which one is
 * already among the lead's interests) and the parts must name different
 * products; otherwise null, and the turn is handled as a single-product order
 * (which asks "which one?" when the message is ambiguous). A part without a
 * count is one of it.
 */
export async function basketLines(text: string, catalog: CatalogTool, language: Language, interestedIn: readonly string[] = []): Promise<BasketLine[] | null> {
  const parts = text.split(joiners).map((p) => p.trim()).filter(Boolean);
  if (parts.length < 2) return null;
  const lines: BasketLine[] = [];
  for (const part of parts) {
    const found = await findProducts(catalog, part, language);
    const known = found.filter((p) => interestedIn.includes(p.sku));
    const product = found.length === 1 ? found[0]! : known.length === 1 ? known[0]! : null;
    if (!product || lines.some((l) => l.product.sku === product.sku)) return null;
    lines.push({ product, quantity: parseQuantity(withoutCapacity(fold(part)), [product]) ?? 1 });
  }
  return lines;
}

const listed = (lines: BasketLine[], and: string) => {
  const items = lines.map((l) => `${l.quantity} × ${l.product.name}`);
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} ${and} ${items.at(-1)}` : (items[0] ?? '');
};

const total = (lines: BasketLine[], language: Language) =>
  formatMoney({ amountMinor: lines.reduce((sum, l) => sum + l.product.priceMinor * l.quantity, 0), currency: lines[0]?.product.currency ?? 'USD' }, language);

/** The reply to a basket that is in stock: one link for all of it, with the total the checkout will charge before any discount. */
export const basketOffer: Record<Language, (lines: BasketLine[], tone: Playbook['tone']) => string> = {
  en: (lines, tone) => {
    const opener = tone === 'friendly' ? 'Great choice! ' : tone === 'formal' ? 'Certainly. ' : '';
    return `${opener}I'm preparing one secure payment link for ${listed(lines, 'and')} (total ${total(lines, 'en')}). You'll receive it in a moment.`;
  },
  tr: (lines, tone) => {
    const opener = tone === 'friendly' ? 'Harika seçim! ' : tone === 'formal' ? 'Elbette. ' : '';
    return `${opener}${listed(lines, 've')} (toplam ${total(lines, 'tr')}) için tek bir güvenli ödeme bağlantısı hazırlıyorum, birazdan size ulaşacak.`;
  },
};

/** The first line the shelf cannot fill, if any: the reply then says so for that product, as a single order would. */
export function shortLine(lines: BasketLine[]): BasketLine | null {
  return lines.find((l) => l.quantity > l.product.stock) ?? null;
}
