import PDFDocument from 'pdfkit';
import { formatDay, formatPeriod, type InvoiceLine } from '../../domain/billing';
import { formatMoney } from '../../domain/money';
import type { Invoice } from '../../db/queries/billing';

export interface InvoicePdfOptions {
  /** Tests turn compression off to read the text back. */
  compress?: boolean;
  /**
   * A TrueType/OpenType font (path or bytes). The built-in Helvetica only has
   * Latin-1 glyphs; names with letters such as ş, ğ or İ need a font that has them.
   */
  font?: string | Buffer;
}

// Windows-1252 beyond Latin-1: what the built-in fonts can draw besides U+0020–U+007E and U+00A0–U+00FF.
const winAnsiExtras = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const drawable = (c: string) => {
  const code = c.codePointAt(0)!;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || winAnsiExtras.has(c);
};

/**
 * Helvetica has no ş, ğ, ı or İ; without a font that does, such letters are
 * drawn as their base letter (Ayşe → Ayse) rather than as garbage.
 */
export function toWinAnsi(text: string): string {
  let out = '';
  for (const c of text) {
    if (drawable(c)) out += c;
    else if (c === 'ı') out += 'i';
    else if (/\s/.test(c)) out += ' ';
    else {
      const base = c.normalize('NFKD').replace(/\p{M}/gu, '');
      out += [...base].every(drawable) ? base : '?';
    }
  }
  return out;
}

type InvoiceFields = Pick<Invoice, 'number' | 'periodStart' | 'periodEnd' | 'currency' | 'subtotalMinor' | 'totalMinor' | 'status' | 'issuedAt' | 'paidAt'>;

/** The invoice the platform sends a merchant, as an A4 PDF. */
export function renderInvoicePdf(
  invoice: InvoiceFields,
  lines: readonly InvoiceLine[],
  merchant: { id: string; name: string },
  platform: { name: string; address?: string } = { name: 'AutoCloser' },
  options: InvoicePdfOptions = {},
): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    compress: options.compress ?? true,
    info: { Title: `Invoice ${invoice.number}`, Author: platform.name, Subject: `${platform.name} invoice for ${merchant.name}` },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const [regular, bold] = options.font ? (doc.registerFont('body', options.font), ['body', 'body']) : ['Helvetica', 'Helvetica-Bold'];
  const safe = options.font ? (t: string) => t : toWinAnsi;
  const money = (amountMinor: number) => safe(formatMoney({ amountMinor, currency: invoice.currency }));
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const cols = { description: left, quantity: left + width * 0.55, unit: left + width * 0.65, amount: left + width * 0.82 };
  const colWidth = { description: width * 0.53, quantity: width * 0.1, unit: width * 0.17, amount: width * 0.18 };

  doc.font(bold).fontSize(20).text(safe(platform.name), left, 50);
  if (platform.address) doc.font(regular).fontSize(9).text(safe(platform.address));
  doc.font(bold).fontSize(16).text('Invoice', left, 50, { width, align: 'right' });
  doc.font(regular).fontSize(10).text(invoice.number, { width, align: 'right' });

  doc.moveDown(2);
  const facts: [string, string][] = [
    ['Invoice number', invoice.number],
    ['Issued', formatDay(invoice.issuedAt)],
    ['Billing period', formatPeriod({ start: invoice.periodStart, end: invoice.periodEnd })],
    ['Status', invoice.status === 'paid' && invoice.paidAt ? `Paid on ${formatDay(invoice.paidAt)}` : invoice.status],
  ];
  const factsTop = doc.y;
  for (const [label, value] of facts) {
    const y = doc.y;
    doc.font(bold).fontSize(10).text(label, left, y, { width: 90 });
    doc.font(regular).text(safe(value), left + 90, y, { width: width / 2 - 100 });
  }
  const factsBottom = doc.y;
  doc.font(bold).text('Bill to', left + width / 2, factsTop, { width: width / 2 });
  doc.font(regular).text(safe(merchant.name), { width: width / 2 }).text(safe(`Merchant ID: ${merchant.id}`), { width: width / 2 });
  doc.y = Math.max(doc.y, factsBottom) + 25;

  const row = (cells: { description: string; quantity: string; unit: string; amount: string }, font: string) => {
    const y = doc.y;
    doc.font(font).fontSize(10);
    doc.text(cells.description, cols.description, y, { width: colWidth.description });
    const bottom = doc.y;
    doc.text(cells.quantity, cols.quantity, y, { width: colWidth.quantity, align: 'right' });
    doc.text(cells.unit, cols.unit, y, { width: colWidth.unit, align: 'right' });
    doc.text(cells.amount, cols.amount, y, { width: colWidth.amount, align: 'right' });
    doc.y = Math.max(bottom, doc.y) + 6;
  };
  const rule = () => {
    doc.moveTo(left, doc.y).lineTo(left + width, doc.y).lineWidth(0.5).strokeColor('#999999').stroke();
    doc.y += 6;
  };

  row({ description: 'Description', quantity: 'Qty', unit: 'Unit price', amount: 'Amount' }, bold);
  rule();
  for (const l of lines) row({ description: safe(l.description), quantity: String(l.quantity), unit: money(l.unitMinor), amount: money(l.amountMinor) }, regular);
  rule();
  const total = (label: string, amountMinor: number, font: string) => {
    const y = doc.y;
    doc.font(font).fontSize(10).text(label, cols.unit - width * 0.1, y, { width: colWidth.unit + width * 0.1, align: 'right' });
    doc.text(money(amountMinor), cols.amount, y, { width: colWidth.amount, align: 'right' });
    doc.moveDown(0.4);
  };
  total('Subtotal', invoice.subtotalMinor, regular);
  total(`Total (${invoice.currency})`, invoice.totalMinor, bold);

  doc.moveDown(3);
  doc.font(regular).fontSize(8).fillColor('#555555').text(`Amounts in ${invoice.currency}. Questions about this invoice: quote ${invoice.number}.`, left, doc.y, { width });

  doc.end();
  return done;
}
