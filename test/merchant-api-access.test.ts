/**
 * Walks every route of the published OpenAPI document: unauthenticated is 401,
 * a role below the route's is 403, and another merchant's ids are 404 with none
 * of that merchant's data in the answer. New routes are covered as soon as
 * they are published.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { upsertChannel } from '../db/queries/channels';
import { issueInvoice } from '../db/queries/billing';
import { Roles, type Role } from '../domain/roles';
import { startStack, type Stack } from './support/stack';

interface Operation {
  'x-required-role'?: Role;
  requestBody?: { content: Record<string, { example?: unknown }> };
}

describe('merchant API: every route checks who is asking', () => {
  let stack: Stack;
  let doc: { openapi: string; paths: Record<string, Record<string, Operation>> };
  let mine: string;
  let theirs: string;
  const theirIds: Record<string, string> = {};
  const secrets: string[] = [];

  before(async () => {
    stack = await startStack({ noWorker: true });
    doc = (await (await fetch(`${stack.apiUrl}/api/v1/openapi.json`)).json()) as typeof doc;
    mine = await stack.createMerchant();
    theirs = await stack.createMerchant();

    // One of everything that belongs to the other merchant.
    const conversationId = `lead:${theirs}:webchat:${randomUUID()}`;
    await stack.db('conversations').insert({ id: conversationId, merchant_id: theirs, channel: 'webchat', customer_key: randomUUID(), summary: 'SECRET-SUMMARY' });
    secrets.push('SECRET-SUMMARY');
    const orderId = randomUUID();
    await stack.db('orders').insert({ id: orderId, merchant_id: theirs, conversation_id: conversationId, sku: 'TENT-2P', quantity: 1, amount_minor: 18_900, currency: 'USD', status: 'paid', provider: 'demo', provider_ref: 'x' });
    const [imp] = await stack.db('product_imports').insert({ id: randomUUID(), merchant_id: theirs, status: 'done' }).returning('id');
    const [invite] = await stack.db('invites').insert({ merchant_id: theirs, email: 'secret-invitee@x.test', role: 'agent', token_hash: randomUUID().replace(/-/g, ''), expires_at: new Date(Date.now() + 3600_000) }).returning('id');
    secrets.push('secret-invitee@x.test');
    const member = await stack.member(theirs, 'agent');
    const deviceId = randomUUID();
    await stack.db('devices').insert({ id: deviceId, merchant_id: theirs, user_id: member.userId, platform: 'android', token: 'SECRET-DEVICE-TOKEN', token_hash: randomUUID().replace(/-/g, '') });
    secrets.push('SECRET-DEVICE-TOKEN');
    const channelId = await upsertChannel(stack.db, stack.box, { merchantId: theirs, provider: 'meta', address: String(Date.now()), credentials: { accessToken: 'SECRET-ACCESS-TOKEN-0000' } });
    secrets.push('SECRET-ACCESS-TOKEN-0000');
    const period = { start: new Date('2025-01-01T00:00:00Z'), end: new Date('2025-02-01T00:00:00Z') };
    const invoice = await issueInvoice(stack.db, theirs, period, [{ description: 'Plan', quantity: 1, unitMinor: 100, amountMinor: 100 }], { currency: 'USD' });
    const [note] = await stack.db('notifications').insert({ merchant_id: theirs, kind: 'needs_human', body: JSON.stringify({ secret: 'SECRET-NOTE' }) }).returning('id');
    // A SKU only they have: both merchants start from the same demo catalog.
    const sku = `THEIRS-${randomUUID().slice(0, 8)}`;
    await stack.db('products').insert({ merchant_id: theirs, sku, name: 'Their secret product', price_minor: 100, currency: 'USD' });
    const [entry] = await stack.db('knowledge_entries').insert({ merchant_id: theirs, kind: 'faq', title: 'Secret question?', body: 'SECRET-KNOWLEDGE', language: 'en' }).returning('id');
    secrets.push('SECRET-KNOWLEDGE');
    Object.assign(theirIds, {
      entryId: entry.id ?? entry,
      conversationId,
      orderId,
      importId: imp.id ?? imp,
      inviteId: invite.id ?? invite,
      userId: member.userId,
      channelId: channelId!,
      invoiceId: invoice.invoice.id,
      notificationId: String(note.id ?? note),
      deviceId,
      sku,
    });
  });
  after(() => stack.stop());

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })));

  const call = (method: string, path: string, op: Operation, headers: Record<string, string>) => {
    const [type, media] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
    const example = media?.example;
    return fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { ...headers, ...(type ? { 'content-type': type } : {}) },
      body: type ? (typeof example === 'string' ? example : JSON.stringify(example ?? {})) : undefined,
    });
  };
  const fill = (path: string, ids: Record<string, string>) =>
    path.replace(/\{(\w+)\}/g, (_m, name: string) => {
      assert.ok(ids[name], `the test has no id for {${name}}; add one above`);
      return encodeURIComponent(ids[name]!);
    });

  test('the document is OpenAPI 3.1 and covers the merchant surface', () => {
    assert.equal(doc.openapi, '3.1.0');
    const paths = Object.keys(doc.paths);
    for (const expected of ['/api/v1/auth/login', '/api/v1/conversations/{conversationId}/takeover', '/api/v1/products/imports', '/api/v1/playbook', '/api/v1/analytics', '/api/v1/team/invites', '/api/v1/orders/{orderId}/refunds', '/api/v1/billing']) {
      assert.ok(paths.includes(expected), `${expected} is documented`);
    }
    assert.ok(operations().length >= 40, `${operations().length} operations`);
  });

  test('without a token every merchant route is 401', async () => {
    for (const { path, method, op } of operations()) {
      if (!op['x-required-role']) continue;
      const res = await call(method, fill(path, theirIds), op, {});
      assert.equal(res.status, 401, `${method} ${path}`);
    }
  });

  test('a role below the route is 403', async () => {
    for (const { path, method, op } of operations()) {
      const least = op['x-required-role'];
      if (!least || least === 'viewer') continue;
      const below = Roles[Roles.indexOf(least) - 1]!;
      const { headers } = await stack.member(mine, below);
      const res = await call(method, fill(path, theirIds), op, headers);
      assert.equal(res.status, 403, `${method} ${path} as ${below}`);
    }
  });

  test("another merchant's ids are 404, and nothing of theirs leaks", async () => {
    const { headers } = await stack.member(mine, 'owner');
    let checked = 0;
    // Deletes first, so the upsert below cannot create what a delete would then find.
    const ordered = operations().sort((a, b) => Number(b.method === 'DELETE') - Number(a.method === 'DELETE'));
    for (const { path, method, op } of ordered) {
      if (!op['x-required-role'] || !path.includes('{')) continue;
      const res = await call(method, fill(path, theirIds), op, headers);
      const text = await res.text();
      // SKUs are names each merchant chooses: PUT with theirs creates one of mine, and leaves theirs alone.
      const upsertByName = method === 'PUT' && path.endsWith('{sku}');
      assert.equal(res.status, upsertByName ? 201 : 404, `${method} ${path}: ${text}`);
      for (const secret of secrets) assert.ok(!text.includes(secret), `${method} ${path} leaked ${secret}`);
      checked++;
    }
    assert.ok(checked >= 12, `${checked} routes with ids`);
    // And nothing of theirs changed.
    assert.equal((await stack.db('orders').where({ id: theirIds.orderId }).first()).status, 'paid');
    assert.ok(await stack.db('users').where({ id: theirIds.userId }).first());
    assert.ok(await stack.db('devices').where({ id: theirIds.deviceId }).first());
    const theirProduct = await stack.db('products').where({ merchant_id: theirs, sku: theirIds.sku }).first();
    assert.equal(theirProduct.name, 'Their secret product');
    assert.equal((await stack.db('refunds').where({ order_id: theirIds.orderId })).length, 0);
    assert.equal((await stack.db('knowledge_entries').where({ id: theirIds.entryId }).first()).body, 'SECRET-KNOWLEDGE');
  });

  test('lists never include another merchant\'s rows', async () => {
    const { headers } = await stack.member(mine, 'owner');
    for (const path of ['/conversations', '/orders', '/team', '/notifications', '/channels', '/products', '/audit']) {
      const text = await (await fetch(`${stack.apiUrl}/api/v1${path}`, { headers })).text();
      for (const secret of [...secrets, theirIds.conversationId!, theirIds.orderId!]) assert.ok(!text.includes(secret), `${path} leaked ${secret}`);
    }
  });

  test('malformed bodies are 400s that name the field', async () => {
    const { headers } = await stack.member(mine, 'owner');
    const json = { ...headers, 'content-type': 'application/json' };
    const cases: [string, string, unknown, string][] = [
      ['PUT', '/products/TENT-9', { name: 'Tent', priceMinor: -1, currency: 'usd', stock: 1 }, 'priceMinor'],
      ['POST', '/team/invites', { email: 'nope', role: 'king' }, 'email'],
      ['PUT', '/settings/payments', { routes: 42 }, 'routes'],
      ['POST', '/channels', { provider: 'twilio', address: '123', credentials: {} }, 'address'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await fetch(`${stack.apiUrl}/api/v1${path}`, { method, headers: json, body: JSON.stringify(body) });
      assert.equal(res.status, 400, `${method} ${path}`);
      const error = ((await res.json()) as { error: { code: string; details: { path: string }[] } }).error;
      assert.equal(error.code, 'invalid_request');
      assert.ok(error.details.some((d) => d.path.startsWith(field)), `${method} ${path} names ${field}: ${JSON.stringify(error.details)}`);
    }
    const broken = await fetch(`${stack.apiUrl}/api/v1/team/invites`, { method: 'POST', headers: json, body: '{"email":' });
    assert.equal(broken.status, 400);
  });
});
