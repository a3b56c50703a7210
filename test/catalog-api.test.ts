import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, Connection } from '@temporalio/client';
import express from 'express';
import pg from 'pg';
import { pino } from 'pino';
import { errorHandler, HttpError } from '../api/errors';
import type { MerchantApiDeps } from '../api/merchant/deps';
import { openApiDocument } from '../api/merchant/openapi';
import { mountRoutes } from '../api/merchant/route';
import { catalogRoutes, failInterruptedImports, parsePriceMinor } from '../api/merchant/routes/catalog';
import { playbookRoutes } from '../api/merchant/routes/playbook';
import { createDb } from '../db/knex';
import { upsertMerchant } from '../db/queries/merchants';
import { insertUser } from '../db/queries/users';
import { starterPlaybook } from '../db/starter-playbook';
import type { Caller } from '../domain/roles';
import { requireEnv } from './support/stack';

const dbUrl = requireEnv('TEST_DATABASE_URL');
const db = createDb(dbUrl);
const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
// A playbook change starts a broadcast workflow; no worker runs here, so it only waits on its queue.
const connection = Connection.lazy({ address: requireEnv('TEST_TEMPORAL_ADDRESS') });
const temporal = new Client({ connection });
const deps = { db, log, temporal, taskQueue: `catalog-api-${randomUUID()}` } as unknown as MerchantApiDeps;

const suffix = randomUUID().slice(0, 8);
const shopA = `catalog-a-${suffix}`;
const shopB = `catalog-b-${suffix}`;
const shopC = `catalog-c-${suffix}`;
const caller = (merchantId: string, role: Caller['role'], who: string): Caller => ({ userId: '', merchantId, role, email: `${who}-${suffix}@example.test`, name: who });
const callers: Record<string, Caller> = {
  adminA: caller(shopA, 'admin', 'admin-a'),
  viewerA: caller(shopA, 'viewer', 'viewer-a'),
  adminB: caller(shopB, 'admin', 'admin-b'),
  // The example walker rewrites its merchant's playbook, so it gets one of its own.
  adminC: caller(shopC, 'admin', 'admin-c'),
};
type Who = keyof typeof callers;

const app = express();
app.use(express.json());
app.use(express.text({ type: 'text/csv', limit: '5mb' }));
const router = express.Router();
mountRoutes(router, [...catalogRoutes(deps), ...playbookRoutes(deps)], {
  async authenticate(req) {
    const found = callers[req.get('x-test-caller') ?? ''];
    if (!found) throw new HttpError(401, 'unauthorized', 'No test caller');
    return found;
  },
});
app.use('/api/v1', router);
app.use(errorHandler(log));

let server: Server;
let base = '';

interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function call(who: Who, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Reply> {
  const headers: Record<string, string> = { 'x-test-caller': who };
  if (body !== undefined) headers['content-type'] = contentType;
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function untilFinished(who: Who, importId: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { status, body } = await call(who, 'GET', `/products/imports/${importId}`);
    assert.equal(status, 200);
    if (body.status !== 'running') return body;
    if (Date.now() > deadline) assert.fail(`import ${importId} still running: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const tent = { name: 'Trail tent', description: 'Two-person', priceMinor: 24_900, currency: 'USD', stock: 12, tags: ['tents', 'camping'] };

before(async () => {
  await upsertMerchant(db, { id: shopA, name: 'Shop A' }, starterPlaybook('Shop A'));
  await upsertMerchant(db, { id: shopB, name: 'Shop B' }, starterPlaybook('Shop B'));
  await upsertMerchant(db, { id: shopC, name: 'Shop C' }, starterPlaybook('Shop C'));
  // Audit entries point at real users.
  for (const c of Object.values(callers)) {
    c.userId = (await insertUser(db, { merchantId: c.merchantId, email: c.email, name: c.name, role: c.role, locale: 'en', passwordHash: 'unused' })).id;
  }
  server = app.listen(0);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await db.destroy();
  await connection.close();
});

describe('every route', () => {
  test('is described in the OpenAPI document', () => {
    const doc = openApiDocument([...catalogRoutes(deps), ...playbookRoutes(deps)], { version: 'test', serverUrl: 'http://localhost' }) as { paths: Record<string, Record<string, unknown>> };
    assert.deepEqual(Object.keys(doc.paths).sort(), ['/api/v1/playbook', '/api/v1/products', '/api/v1/products/imports', '/api/v1/products/imports/{importId}', '/api/v1/products/{sku}']);
    assert.ok(doc.paths['/api/v1/products/imports']?.post);
  });

  test('each route with a body accepts its own example', async () => {
    for (const spec of [...catalogRoutes(deps), ...playbookRoutes(deps)]) {
      if (spec.example === undefined) {
        assert.ok(!spec.body && !spec.contentType, `${spec.method} ${spec.path} has a body but no example`);
        continue;
      }
      assert.ok(Object.keys(spec.responses).length, `${spec.method} ${spec.path} has no response schema`);
      const path = spec.path.replace(':sku', `EXAMPLE-${suffix}`);
      const res = await call('adminC', spec.method.toUpperCase(), path, spec.example, spec.contentType ?? 'application/json');
      assert.ok(res.status < 300, `${spec.method} ${spec.path}: ${res.status} ${JSON.stringify(res.body)}`);
      if (spec.contentType) assert.equal((await untilFinished('adminC', res.body.id)).imported, 1);
    }
  });
});

describe('products', () => {
  test('PUT creates (201), then replaces (200), and GET lists it', async () => {
    const created = await call('adminA', 'PUT', '/products/TENT-1', tent);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    // Nothing is held by an open payment link yet, so all of it is available.
    assert.deepEqual({ ...created.body, updatedAt: undefined }, { sku: 'TENT-1', ...tent, reserved: 0, available: tent.stock, active: true, updatedAt: undefined });
    assert.ok(!Number.isNaN(Date.parse(created.body.updatedAt)));

    const replaced = await call('adminA', 'PUT', '/products/TENT-1', { ...tent, priceMinor: 19_900, tags: undefined });
    assert.equal(replaced.status, 200);
    assert.equal(replaced.body.priceMinor, 19_900);
    assert.deepEqual(replaced.body.tags, []);

    const list = await call('viewerA', 'GET', '/products?q=trail');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.items.map((p: { sku: string }) => p.sku), ['TENT-1']);

    const audits = await db('audit_log').where({ merchant_id: shopA, action: 'product.upsert', target: 'TENT-1' });
    assert.equal(audits.length, 2);
  });

  test('inactive products are hidden unless asked for, and the agent stops offering them', async () => {
    await call('adminA', 'PUT', '/products/LAMP-1', { ...tent, name: 'Lantern', active: false });
    const plain = await call('viewerA', 'GET', '/products?q=lantern');
    assert.deepEqual(plain.body.items, []);
    const all = await call('viewerA', 'GET', '/products?q=lantern&includeInactive=true');
    assert.deepEqual(all.body.items.map((p: { sku: string; active: boolean }) => [p.sku, p.active]), [['LAMP-1', false]]);
    const { createDbCatalog } = await import('../db/queries/catalog');
    assert.equal(await createDbCatalog(db, shopA).get('LAMP-1'), null);
  });

  test('a search term with LIKE wildcards matches literally', async () => {
    const res = await call('viewerA', 'GET', `/products?q=${encodeURIComponent('%')}`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.items, []);
  });

  test('validation errors name the field', async () => {
    const cases: [string, unknown, string][] = [
      ['/products/TENT-1', { ...tent, currency: 'usd' }, 'currency'],
      ['/products/TENT-1', { ...tent, currency: 'ABC' }, 'currency'],
      ['/products/TENT-1', { ...tent, priceMinor: 12.5 }, 'priceMinor'],
      ['/products/TENT-1', { ...tent, stock: -1 }, 'stock'],
      ['/products/TENT-1', { ...tent, name: '  ' }, 'name'],
      ['/products/TENT-1', { ...tent, colour: 'red' }, 'colour'],
      ['/products/bad%20sku', tent, 'sku'],
      [`/products/${'x'.repeat(65)}`, tent, 'sku'],
    ];
    for (const [path, body, field] of cases) {
      const res = await call('adminA', 'PUT', path, body);
      assert.equal(res.status, 400, `${path} ${JSON.stringify(body)}`);
      assert.equal(res.body.error.code, 'invalid_request');
      assert.match(res.body.error.message, new RegExp(field), res.body.error.message);
    }
    const list = await call('viewerA', 'GET', '/products?limit=0');
    assert.equal(list.status, 400);
    assert.match(list.body.error.message, /limit/);
  });

  test('a viewer cannot write', async () => {
    const put = await call('viewerA', 'PUT', '/products/TENT-2', tent);
    assert.equal(put.status, 403);
    assert.equal(put.body.error.code, 'forbidden');
    assert.equal((await call('viewerA', 'DELETE', '/products/TENT-1')).status, 403);
    assert.equal((await call('viewerA', 'POST', '/products/imports', 'sku,name,price,currency\nA,B,1,USD\n', 'text/csv')).status, 403);
    assert.equal(await db('products').where({ merchant_id: shopA, sku: 'TENT-2' }).first(), undefined);
  });

  test("another merchant's product answers 404 and stays as it was", async () => {
    assert.equal((await call('adminB', 'PUT', '/products/B-ONLY', { ...tent, name: 'B tent' })).status, 201);
    const before = await db('products').where({ merchant_id: shopB, sku: 'B-ONLY' }).first();

    const del = await call('adminA', 'DELETE', '/products/B-ONLY');
    assert.equal(del.status, 404);
    assert.equal(del.body.error.code, 'not_found');
    const missing = await call('adminA', 'DELETE', '/products/NO-SUCH-SKU');
    assert.deepEqual(missing.body, del.body);

    const listA = await call('adminA', 'GET', '/products?q=B%20tent&includeInactive=true');
    assert.deepEqual(listA.body.items, []);
    assert.deepEqual(await db('products').where({ merchant_id: shopB, sku: 'B-ONLY' }).first(), before);
  });

  test('DELETE removes the product (204), then 404', async () => {
    await call('adminA', 'PUT', '/products/GONE-1', tent);
    const del = await call('adminA', 'DELETE', '/products/GONE-1');
    assert.equal(del.status, 204);
    assert.equal(del.body, undefined);
    assert.equal((await call('adminA', 'DELETE', '/products/GONE-1')).status, 404);
    assert.equal(await db('products').where({ merchant_id: shopA, sku: 'GONE-1' }).first(), undefined);
    assert.equal((await db('audit_log').where({ merchant_id: shopA, action: 'product.delete', target: 'GONE-1' })).length, 1);
  });
});

describe('prices in major units', () => {
  test('convert exactly with the currency decimal places', () => {
    // Per currency: what a person types, and the minor units it means.
    const ok: Record<string, [raw: string, minor: number][]> = {
      USD: [['249.00', 24_900], ['249,00', 24_900], ['19.99', 1999], ['4.35', 435], ['007', 700]],
      TRY: [['1299.90', 129_990], ['1299,90', 129_990], ['1299,9', 129_990]],
      EUR: [['0.1', 10]],
      JPY: [['1500', 1500], ['1500.00', 1500]],
      KWD: [['12.345', 12_345]],
    };
    for (const [currency, cases] of Object.entries(ok)) {
      for (const [raw, minor] of cases) assert.deepEqual(parsePriceMinor(raw, currency), { minor }, `${raw} ${currency}`);
    }
  });

  test('refuse what a person could misread, saying how to fix it', () => {
    const bad: [string, string, RegExp][] = [
      ['abc', 'USD', /^price: "abc" is not a number/],
      ['1.299,90', 'TRY', /thousands separator/],
      ['1,299.90', 'USD', /thousands separator/],
      ['1.299', 'TRY', /3 digits after "\." .*write 1299/],
      ['1,299', 'JPY', /write 1299/],
      ['9.9999', 'TRY', /4 decimal places/],
      ['12.5', 'JPY', /decimal places/],
      ['-5', 'USD', /negative/],
      ['', 'USD', /empty/],
      ['₺249', 'TRY', /not a number/],
      ['99999999999999999', 'USD', /too large/],
    ];
    for (const [raw, currency, message] of bad) {
      const result = parsePriceMinor(raw, currency);
      assert.ok('error' in result, `${raw} should be refused`);
      assert.match(result.error, message);
    }
  });
});

describe('CSV import', () => {
  /** 250 product rows, a few of them wrong, with the CSV line each starts on. */
  function catalogCsv() {
    const lines = ['SKU,Name,Description,Price,Currency,Stock,Tags'];
    const bad = new Map<number, RegExp>();
    for (let i = 1; i <= 250; i++) {
      const sku = `IMP-${String(i).padStart(3, '0')}`;
      let row = `${sku},Item ${i},Imported item ${i},${i}.50,TRY,${i},imported|batch`;
      if (i === 7) row = `${sku},Item 7,"Two-line\ndescription, with comma",1299.90,TRY,1,`;
      if (i === 20) row = `${sku},Item 20,,abc,TRY,1,`;
      if (i === 60) row = `${sku},Item 60,,"1299,90",try,,`;
      if (i === 90) row = `${sku},Item 90,,"1.299,90",TRY,1,`;
      if (i === 120) row = `BAD SKU,Item 120,,1.00,TRY,1,`;
      if (i === 150) row = `IMP-001,Item 150 again,,1.00,TRY,1,`;
      if (i === 180) row = `${sku},Item 180,,1.00,XYZ,1,`;
      if (i === 210) row = `${sku},Item 210,,1.00,TRY,lots,`;
      if (i === 240) row = `${sku},Item 240,,1299,90,TRY,1,`;
      if (i === 100) lines.push('');
      const line = lines.join('\n').split('\n').length + 1;
      if (i === 20) bad.set(line, /^price: "abc" is not a number/);
      if (i === 90) bad.set(line, /price: "1\.299,90" has a thousands separator/);
      if (i === 120) bad.set(line, /sku: "BAD SKU" may only contain/);
      if (i === 150) bad.set(line, /sku: "IMP-001" already appears on line 2/);
      if (i === 180) bad.set(line, /currency: "XYZ"/);
      if (i === 210) bad.set(line, /stock: "lots" is not a whole number/);
      if (i === 240) bad.set(line, /has 8 fields but the header has 7/);
      lines.push(row);
    }
    return { csv: `${lines.join('\r\n')}\r\n`, bad };
  }

  test('imports in batches, reports bad rows by line, and can be repeated', async () => {
    const { csv, bad } = catalogCsv();
    const listener = new pg.Client({ connectionString: dbUrl });
    await listener.connect();
    const events: unknown[] = [];
    listener.on('notification', (msg) => {
      const event = JSON.parse(msg.payload ?? '{}') as { kind?: string; merchantId?: string };
      if (event.kind === 'import' && event.merchantId === shopA) events.push(event);
    });
    await listener.query('LISTEN autocloser_events');
    try {
      const started = await call('adminA', 'POST', '/products/imports', csv, 'text/csv');
      assert.equal(started.status, 202, JSON.stringify(started.body));
      assert.deepEqual({ ...started.body, id: undefined, createdAt: undefined }, { id: undefined, status: 'running', total: 250, processed: 0, imported: 0, errors: [], createdAt: undefined, finishedAt: null });

      const done = await untilFinished('adminA', started.body.id);
      assert.equal(done.status, 'done', JSON.stringify(done.errors));
      assert.equal(done.processed, 250);
      assert.equal(done.imported, 250 - bad.size);
      assert.ok(done.finishedAt);
      assert.deepEqual(done.errors.map((e: { line: number }) => e.line), [...bad.keys()]);
      for (const e of done.errors as { line: number; message: string }[]) assert.match(e.message, bad.get(e.line)!);

      // Three batches and the finish, each announced to the live socket.
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(events.length, 4);
    } finally {
      await listener.end();
    }

    const rows = await db('products').where({ merchant_id: shopA }).andWhere('sku', 'like', 'IMP-%').orderBy('sku');
    assert.equal(rows.length, 250 - bad.size);
    const bySku = new Map(rows.map((r) => [r.sku as string, r]));
    assert.equal(bySku.get('IMP-001')?.name, 'Item 1');
    assert.equal(bySku.get('IMP-007')?.description, 'Two-line\ndescription, with comma');
    assert.equal(bySku.get('IMP-007')?.priceMinor, 129_990);
    assert.equal(bySku.get('IMP-060')?.priceMinor, 129_990);
    assert.equal(bySku.get('IMP-060')?.currency, 'TRY');
    assert.equal(bySku.get('IMP-060')?.stock, 0);
    assert.deepEqual(bySku.get('IMP-060')?.tags, []);
    assert.equal(bySku.get('IMP-003')?.priceMinor, 350);
    assert.deepEqual(bySku.get('IMP-003')?.tags, ['imported', 'batch']);

    const listed = await call('viewerA', 'GET', '/products?q=IMP-00&limit=200');
    assert.equal(listed.body.items.length, 9);

    const again = await call('adminA', 'POST', '/products/imports', csv, 'text/csv');
    const second = await untilFinished('adminA', again.body.id);
    assert.equal(second.imported, 250 - bad.size);
    assert.equal((await db('products').where({ merchant_id: shopA }).andWhere('sku', 'like', 'IMP-%')).length, 250 - bad.size);
    assert.equal((await db('audit_log').where({ merchant_id: shopA, action: 'product.import' })).length >= 2, true);
  });

  test('reads semicolon-separated files from comma-decimal spreadsheets', async () => {
    const csv = 'sku;name;price;currency\nSEMI-1;Çay bardağı;1299,90;TRY\nSEMI-2;Tepsi;1.299,90;TRY\n';
    const started = await call('adminA', 'POST', '/products/imports', csv, 'text/csv');
    const done = await untilFinished('adminA', started.body.id);
    assert.equal(done.imported, 1);
    assert.deepEqual(done.errors.map((e: { line: number }) => e.line), [3]);
    const row = await db('products').where({ merchant_id: shopA, sku: 'SEMI-1' }).first();
    assert.equal(row.priceMinor, 129_990);
    assert.equal(row.name, 'Çay bardağı');
  });

  test('re-importing a product offers it again', async () => {
    await call('adminA', 'PUT', '/products/BACK-1', { ...tent, active: false });
    const started = await call('adminA', 'POST', '/products/imports', 'sku,name,price,currency\nBACK-1,Back again,5,USD\n', 'text/csv');
    await untilFinished('adminA', started.body.id);
    const row = await db('products').where({ merchant_id: shopA, sku: 'BACK-1' }).first();
    assert.equal(row.active, true);
    assert.equal(row.name, 'Back again');
  });

  test('refuses files it cannot import, before starting', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ sku: 'x' }, 'application/json', /Send the body with content-type text\/csv/],
      ['   ', 'text/csv', /Send the CSV file/],
      ['name,price,currency\nTent,1,USD\n', 'text/csv', /missing sku/],
      ['sku,name,prce,currency\nA,Tent,1,USD\n', 'text/csv', /Unknown column "prce"/],
      ['sku,name,price,currency\n', 'text/csv', /no products/],
      ['sku,name,price,currency\nA,"Tent,1,USD\n', 'text/csv', /could not be read/],
      [`sku,name,price,currency\n${Array.from({ length: 10_001 }, (_, i) => `S${i},N,1,USD`).join('\n')}`, 'text/csv', /10,001 products.*at most 10,000/],
    ];
    const before = await db('product_imports').where({ merchant_id: shopA }).count<{ count: string }[]>('id as count');
    for (const [body, type, message] of cases) {
      const res = await call('adminA', 'POST', '/products/imports', body, type);
      assert.equal(res.status, type === 'text/csv' ? 400 : 415, JSON.stringify(res.body));
      assert.match(res.body.error.message, message);
    }
    const afterCount = await db('product_imports').where({ merchant_id: shopA }).count<{ count: string }[]>('id as count');
    assert.deepEqual(afterCount, before);
  });

  test("another merchant's import, or a malformed id, answers 404", async () => {
    const started = await call('adminB', 'POST', '/products/imports', 'sku,name,price,currency\nB-1,B,1,USD\n', 'text/csv');
    await untilFinished('adminB', started.body.id);
    const theirs = await call('viewerA', 'GET', `/products/imports/${started.body.id}`);
    assert.equal(theirs.status, 404);
    assert.deepEqual((await call('viewerA', 'GET', `/products/imports/${randomUUID()}`)).body, theirs.body);
    assert.equal((await call('viewerA', 'GET', '/products/imports/not-a-uuid')).status, 404);
  });

  test('an import that breaks midway ends failed, keeping the batches already written', async () => {
    // The database refuses the second batch's transaction; everything else goes through.
    let transactions = 0;
    const flaky = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop !== 'transaction') return Reflect.get(target, prop, receiver);
        return (fn: Parameters<typeof db.transaction>[0]) => {
          transactions += 1;
          return transactions === 3 ? Promise.reject(new Error('connection lost')) : target.transaction(fn);
        };
      },
    });
    const routes = catalogRoutes({ ...deps, db: flaky } as MerchantApiDeps);
    const importRoute = routes.find((r) => r.method === 'post' && r.path === '/products/imports')!;
    const csv = `sku,name,price,currency\n${Array.from({ length: 150 }, (_, i) => `FLAKY-${i},Flaky ${i},1,USD`).join('\n')}\n`;
    const started = (await importRoute.handle({ caller: callers.adminA!, params: {}, query: undefined, body: undefined, req: { body: csv, ip: '127.0.0.1' } } as never)).body as { id: string };
    const done = await untilFinished('adminA', started.id);
    assert.equal(done.status, 'failed');
    assert.equal(done.imported, 100);
    assert.deepEqual(done.errors, [{ line: 0, message: 'Something went wrong on our side after 100 of 150 rows; upload the file again (rows already imported are kept)' }]);
    assert.equal((await db('products').where({ merchant_id: shopA }).andWhere('sku', 'like', 'FLAKY-%')).length, 100);
  });

  test('imports cut off by a restart are marked failed', async () => {
    const id = randomUUID();
    await db('product_imports').insert({ id, merchant_id: shopA, status: 'running', total: 10, processed: 5 });
    await failInterruptedImports(db);
    const res = await call('viewerA', 'GET', `/products/imports/${id}`);
    assert.equal(res.body.status, 'failed');
    assert.ok(res.body.finishedAt);
    assert.deepEqual(res.body.errors, [{ line: 0, message: 'The server restarted during the import; upload the file again (rows already imported are kept)' }]);
  });
});

describe('playbook', () => {
  test('GET and PUT round-trip, auditing which parts changed', async () => {
    const got = await call('viewerA', 'GET', '/playbook');
    assert.equal(got.status, 200);
    assert.equal(got.body.businessName, 'Shop A');

    const next = { ...got.body, tone: 'formal', greeting: { en: 'Good day.', tr: 'İyi günler.' } };
    const put = await call('adminA', 'PUT', '/playbook', next);
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body, next);
    assert.deepEqual((await call('viewerA', 'GET', '/playbook')).body, next);

    const entry = await db('audit_log').where({ merchant_id: shopA, action: 'playbook.update' }).orderBy('id', 'desc').first();
    assert.deepEqual(entry.details, { changed: ['tone', 'greeting'] });
    assert.equal((await call('adminB', 'GET', '/playbook')).body.businessName, 'Shop B');
  });

  test('what the agent does with a language it does not serve is a playbook setting', async () => {
    const current = (await call('viewerA', 'GET', '/playbook')).body;
    assert.equal(current.otherLanguages, 'reply_in_default');
    const put = await call('adminA', 'PUT', '/playbook', { ...current, otherLanguages: 'hand_off' });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal((await call('viewerA', 'GET', '/playbook')).body.otherLanguages, 'hand_off');
    const bad = await call('adminA', 'PUT', '/playbook', { ...current, otherLanguages: 'ignore' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /otherLanguages/);
    assert.equal((await call('adminA', 'PUT', '/playbook', current)).status, 200);
  });

  test('refuses a bad playbook, naming the field, and keeps the old one', async () => {
    const current = (await call('viewerA', 'GET', '/playbook')).body;
    const cases: [unknown, RegExp][] = [
      [{ ...current, tone: 'angry' }, /tone/],
      [{ ...current, greeting: { en: 'Hi' } }, /greeting\.tr/],
      [{ ...current, greting: current.greeting }, /greting: is not a playbook field/],
      [{ ...current, handOff: { ...current.handOff, minConfidnce: 0.5 } }, /handOff\.minConfidnce/],
      [{ ...current, languages: ['en'], defaultLanguage: 'tr' }, /defaultLanguage/],
      [{ ...current, maxDiscountPercent: 95 }, /maxDiscountPercent/],
    ];
    for (const [body, message] of cases) {
      const res = await call('adminA', 'PUT', '/playbook', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.body.error.message, message);
    }
    assert.equal((await call('viewerA', 'PUT', '/playbook', current)).status, 403);
    assert.deepEqual((await call('viewerA', 'GET', '/playbook')).body, current);
  });
});
