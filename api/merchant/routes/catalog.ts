import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { deleteProduct, listProducts, saveProduct } from '../../../db/queries/catalog';
import { createImport, failInterruptedImports, finishImport, getImport, importBatch, type ImportError } from '../../../db/queries/product-imports';
import type { Product } from '../../../domain/catalog';
import { HttpError, notFound } from '../../errors';
import { auditEntry, type MerchantApiDeps } from '../deps';
import { route, type RouteSpec } from '../route';

export { failInterruptedImports };

const SKU = /^[A-Za-z0-9._-]{1,64}$/;
const SKU_RULE = 'may only contain letters, digits, ".", "_" and "-", up to 64 characters';
const MAX_IMPORT_ROWS = 10_000;
const BATCH_SIZE = 100;
// stock is an INTEGER column.
const MAX_STOCK = 2_147_483_647;
const MAX_TAGS = 30;
const MAX_TAG_LENGTH = 50;

const currencies = new Set(Intl.supportedValuesOf('currency'));
const isCurrency = (code: string) => /^[A-Z]{3}$/.test(code) && currencies.has(code);

/** Decimal places a currency's prices have (2 for TRY and USD, 0 for JPY, 3 for KWD). */
export const fractionDigits = (currency: string): number =>
  new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;

const Sku = z.string().regex(SKU, SKU_RULE);
const Currency = z.string().refine(isCurrency, 'must be an ISO 4217 code in capitals, such as TRY or USD');
const Tag = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_TAG_LENGTH, `must be at most ${MAX_TAG_LENGTH} characters`)
  .refine((t) => !t.includes('|'), 'must not contain "|", which separates tags in CSV files');

const ProductBody = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  description: z.string().max(4000, 'must be at most 4000 characters').default(''),
  priceMinor: z.number().int('must be a whole number of minor units (kuruş, cents)').nonnegative('must not be negative').max(Number.MAX_SAFE_INTEGER, 'is too large'),
  currency: Currency,
  stock: z.number().int('must be a whole number').nonnegative('must not be negative').max(MAX_STOCK, 'is too large'),
  tags: z.array(Tag).max(MAX_TAGS, `must have at most ${MAX_TAGS} tags`).default([]),
  active: z.boolean().default(true).describe('Inactive products stay in the catalog but the agent no longer offers them'),
});

const ProductQuery = z.object({
  q: z.string().max(200).optional().describe('Matches sku, name or description'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  includeInactive: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
});

const CatalogItemSchema = z.object({
  sku: z.string(),
  name: z.string(),
  description: z.string(),
  priceMinor: z.number().int(),
  currency: z.string(),
  stock: z.number().int(),
  reserved: z.number().int().describe('Held by open payment links'),
  available: z.number().int().describe('What can still be sold: stock − reserved'),
  tags: z.array(z.string()),
  active: z.boolean(),
  updatedAt: z.iso.datetime(),
});

const ImportSchema = z.object({
  id: z.uuid(),
  status: z.enum(['running', 'done', 'failed']),
  total: z.number().int().describe('Product rows in the file'),
  processed: z.number().int(),
  imported: z.number().int(),
  errors: z.array(z.object({ line: z.number().int().describe('CSV line the row starts on; 0 for the import as a whole'), message: z.string() })),
  createdAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
});

const EXAMPLE_CSV = 'sku,name,description,price,currency,stock,tags\nTENT-2P,Trail tent,"Two-person, 3-season",249.00,USD,12,tents|camping\n';

// ---------------------------------------------------------------------------
// CSV import

type PriceResult = { minor: number } | { error: string };

/**
 * Turns a price in major units ("249.00", "249,00", "1299") into minor units
 * with string arithmetic, so no float ever rounds a price. Either "." or ","
 * may mark decimals; thousands separators are refused because "1.299" means
 * a different amount in Istanbul and in New York.
 */
export function parsePriceMinor(raw: string, currency: string): PriceResult {
  const text = raw.trim();
  const say = (why: string) => ({ error: `price: "${text}" ${why}` });
  if (!text) return { error: 'price: is empty' };
  if (text.startsWith('-')) return say('must not be negative');
  const separators = text.match(/[.,]/g) ?? [];
  if (/^\d+([.,]\d+)+$/.test(text) && separators.length > 1) {
    return say('has a thousands separator; write it without one, e.g. 1299.90 or 1299,90');
  }
  const m = /^(\d+)(?:([.,])(\d+))?$/.exec(text);
  if (!m) return say('is not a number; write the amount only, e.g. 249.00');
  const [, whole, sep, fraction = ''] = m;
  const digits = fractionDigits(currency);
  if (fraction.length === 3 && digits < 3) {
    return say(`has 3 digits after "${sep}" but ${currency} prices have ${digits || 'no'} decimal places; if "${sep}" separates thousands, write ${whole}${fraction}`);
  }
  if (fraction.length > digits && !/^0+$/.test(fraction.slice(digits))) {
    return say(`has ${fraction.length} decimal places but ${currency} prices have ${digits || 'none'}`);
  }
  const minor = BigInt(`${whole}${fraction.slice(0, digits).padEnd(digits, '0')}`);
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return say('is too large');
  return { minor: Number(minor) };
}

const COLUMNS = ['sku', 'name', 'description', 'price', 'currency', 'stock', 'tags'] as const;
type Column = (typeof COLUMNS)[number];
const REQUIRED: Column[] = ['sku', 'name', 'price', 'currency'];

export type CsvRow = { line: number; product: Product } | { line: number; message: string };

/** Spreadsheets in comma-decimal locales (Turkish Excel among them) save CSV with ";" between fields. */
function delimiterOf(text: string): string {
  const header = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/, 1)[0] ?? '';
  if (header.includes(',')) return ',';
  if (header.includes(';')) return ';';
  if (header.includes('\t')) return '\t';
  return ',';
}

const newlines = (field: string) => field.match(/\r\n|\n|\r/g)?.length ?? 0;

/**
 * Reads the whole file and checks every row, so the request can be refused
 * up front for problems with the file itself (header, size, broken quoting)
 * and the import only has to write.
 */
export function parseProductCsv(text: string): CsvRow[] {
  const delimiter = delimiterOf(text);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      delimiter,
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    throw new HttpError(400, 'invalid_request', `The CSV file could not be read: ${(err as Error).message}`);
  }
  records = records.filter((r) => r.record.some((f) => f.trim() !== ''));
  const [header, ...data] = records;
  if (!header) throw new HttpError(400, 'invalid_request', 'The CSV file is empty; the first row must name the columns');

  const names = header.record.map((h) => h.trim().toLowerCase());
  const expected = `the columns are ${COLUMNS.join(', ')}`;
  for (const name of names) {
    if (!(COLUMNS as readonly string[]).includes(name)) throw new HttpError(400, 'invalid_request', `Unknown column "${name}" in the header row; ${expected}`);
  }
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated) throw new HttpError(400, 'invalid_request', `The header row names "${repeated}" twice`);
  const missing = REQUIRED.filter((c) => !names.includes(c));
  if (missing.length) {
    throw new HttpError(400, 'invalid_request', `The header row is missing ${missing.join(', ')}; the first row must name the columns (${COLUMNS.join(', ')}; description, stock and tags are optional)`);
  }
  if (!data.length) throw new HttpError(400, 'invalid_request', 'The CSV file has a header row but no products');
  if (data.length > MAX_IMPORT_ROWS) {
    throw new HttpError(400, 'invalid_request', `The CSV file has ${data.length.toLocaleString('en')} products; one import takes at most ${MAX_IMPORT_ROWS.toLocaleString('en')}, so split it into smaller files`);
  }

  const firstLineOf = new Map<string, number>();
  return data.map(({ record, info }) => {
    // csv-parse reports the line a record ends on; quoted fields may span lines.
    const line = info.lines - record.reduce((n, f) => n + newlines(f), 0);
    if (record.length !== names.length) {
      return { line, message: `has ${record.length} fields but the header has ${names.length}; put values that contain "${delimiter}" in double quotes` };
    }
    const cell = (c: Column) => {
      const i = names.indexOf(c);
      return (record[i] ?? '').trim();
    };
    const problems: string[] = [];
    const sku = cell('sku');
    if (!sku) problems.push('sku: is empty');
    else if (!SKU.test(sku)) problems.push(`sku: "${sku}" ${SKU_RULE}`);
    else if (firstLineOf.has(sku)) problems.push(`sku: "${sku}" already appears on line ${firstLineOf.get(sku)}; each sku may appear once`);
    else firstLineOf.set(sku, line);

    const name = cell('name');
    if (!name) problems.push('name: is empty');
    else if (name.length > 200) problems.push('name: is longer than 200 characters');
    const description = cell('description');
    if (description.length > 4000) problems.push('description: is longer than 4000 characters');

    const currency = cell('currency').toUpperCase();
    let priceMinor = 0;
    if (!currency) problems.push('currency: is empty');
    else if (!isCurrency(currency)) problems.push(`currency: "${cell('currency')}" is not an ISO 4217 code such as TRY or USD`);
    else {
      const price = parsePriceMinor(cell('price'), currency);
      if ('error' in price) problems.push(price.error);
      else priceMinor = price.minor;
    }

    const stockText = cell('stock');
    let stock = 0;
    if (stockText) {
      if (!/^\d+$/.test(stockText)) problems.push(`stock: "${stockText}" is not a whole number of 0 or more`);
      else if (Number(stockText) > MAX_STOCK) problems.push(`stock: "${stockText}" is too large`);
      else stock = Number(stockText);
    }

    const tags = [...new Set(cell('tags').split('|').map((t) => t.trim()).filter(Boolean))];
    const longTag = tags.find((t) => t.length > MAX_TAG_LENGTH);
    if (longTag) problems.push(`tags: "${longTag.slice(0, 20)}…" is longer than ${MAX_TAG_LENGTH} characters`);
    if (tags.length > MAX_TAGS) problems.push(`tags: ${tags.length} tags; at most ${MAX_TAGS}`);

    if (problems.length) return { line, message: problems.join('; ') };
    return { line, product: { sku, name, description, priceMinor, currency, stock, tags } };
  });
}

async function runImport(deps: MerchantApiDeps, merchantId: string, importId: string, rows: CsvRow[]): Promise<void> {
  const { db } = deps;
  let processed = 0;
  try {
    for (let start = 0; start < rows.length; start += BATCH_SIZE) {
      const batch = rows.slice(start, start + BATCH_SIZE);
      // Sorted so two imports touching the same skus lock rows in the same order.
      const products = batch.flatMap((r) => ('product' in r ? [r.product] : [])).sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
      const errors: ImportError[] = batch.flatMap((r) => ('message' in r ? [{ line: r.line, message: r.message }] : []));
      await importBatch(db, merchantId, importId, { products, processed: batch.length, errors });
      processed += batch.length;
    }
    await finishImport(db, merchantId, importId, 'done');
  } catch (err) {
    deps.log.error({ err, merchantId, importId, processed, total: rows.length }, 'product import failed');
    const message = `Something went wrong on our side after ${processed} of ${rows.length} rows; upload the file again (rows already imported are kept)`;
    try {
      await finishImport(db, merchantId, importId, 'failed', [{ line: 0, message }]);
    } catch (finishErr) {
      deps.log.error({ err: finishErr, merchantId, importId }, 'could not mark the product import as failed');
    }
  }
}

// ---------------------------------------------------------------------------

export function catalogRoutes(deps: MerchantApiDeps): RouteSpec[] {
  const { db } = deps;

  return [
    route({
      method: 'get', path: '/products', tag: 'catalog', access: 'viewer',
      summary: 'List the catalog, by name; inactive products only when asked',
      query: ProductQuery, responses: { 200: z.object({ items: z.array(CatalogItemSchema) }) },
      async handle({ caller, query }) {
        return { status: 200, body: { items: await listProducts(db, caller.merchantId, query) } };
      },
    }),
    route({
      method: 'post', path: '/products/imports', tag: 'catalog', access: 'admin', contentType: 'text/csv',
      summary: 'Import products from a CSV file (sku,name,description,price,currency,stock,tags; price in major units, tags separated by |); poll the import or watch the live socket',
      example: EXAMPLE_CSV, responses: { 202: ImportSchema },
      async handle({ caller, req }) {
        const text: unknown = req.body;
        if (typeof text !== 'string' || !text.trim()) {
          throw new HttpError(400, 'invalid_request', 'Send the CSV file as the body with content-type text/csv');
        }
        const rows = parseProductCsv(text);
        const job = await createImport(db, caller.merchantId, rows.length, auditEntry(caller, req, 'product.import', null, { rows: rows.length }));
        void runImport(deps, caller.merchantId, job.id, rows);
        return { status: 202, body: job };
      },
    }),
    route({
      method: 'get', path: '/products/imports/:importId', tag: 'catalog', access: 'viewer',
      summary: 'Progress and row errors of a CSV import',
      responses: { 200: ImportSchema },
      async handle({ caller, params }) {
        const job = await getImport(db, caller.merchantId, params.importId ?? '');
        if (!job) throw notFound('Import');
        return { status: 200, body: job };
      },
    }),
    route({
      method: 'put', path: '/products/:sku', tag: 'catalog', access: 'admin',
      summary: 'Create or replace a product (201 when created)',
      params: z.object({ sku: Sku }),
      body: ProductBody, responses: { 200: CatalogItemSchema.describe('Replaced'), 201: CatalogItemSchema.describe('Created') },
      example: { name: 'Trail tent', description: 'Two-person, 3-season', priceMinor: 24_900, currency: 'USD', stock: 12, tags: ['tents', 'camping'], active: true },
      async handle({ caller, params, body, req }) {
        const { sku } = params as { sku: string };
        const { product, created } = await saveProduct(
          db,
          caller.merchantId,
          { sku, ...body },
          auditEntry(caller, req, 'product.upsert', sku, { priceMinor: body.priceMinor, currency: body.currency, stock: body.stock, active: body.active }),
        );
        return { status: created ? 201 : 200, body: product };
      },
    }),
    route({
      method: 'delete', path: '/products/:sku', tag: 'catalog', access: 'admin',
      summary: 'Remove a product from the catalog (to stop offering it but keep it, PUT it with active: false)',
      responses: { 204: null },
      async handle({ caller, params, req }) {
        // No format check: products seeded before the API existed may have skus the PUT rule would refuse.
        const sku = params.sku ?? '';
        if (!(await deleteProduct(db, caller.merchantId, sku, auditEntry(caller, req, 'product.delete', sku)))) throw notFound('Product');
        return { status: 204 };
      },
    }),
  ];
}
