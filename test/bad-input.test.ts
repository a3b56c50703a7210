/**
 * Inputs that once made the API answer 500, and the classes of bad input
 * every route must refuse with a 4xx naming the problem. The fuzz suite
 * explores at random; these are fixed, so each regression fails by name.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { suiteStack } from './support/stack';

interface Answer {
  status: number;
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}

describe('bad input gets a clear 4xx and changes nothing', () => {
  const stack = suiteStack({ noWorker: true });

  async function call(method: string, path: string, init: { body?: string; contentType?: string } = {}): Promise<Answer> {
    const merchant = await stack.createMerchant();
    const { headers } = await stack.member(merchant, 'owner');
    const res = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { ...headers, ...(init.contentType ? { 'content-type': init.contentType } : {}) },
      body: init.body,
    });
    const body = (await res.json()) as { error: Answer['error'] };
    return { status: res.status, error: body.error };
  }

  const json = (value: unknown) => ({ body: JSON.stringify(value), contentType: 'application/json' });
  const product = { name: 'Trail tent', priceMinor: 24_900, currency: 'USD', stock: 12 };
  const template = { provider: 'meta', name: 'order_reminder', language: 'en', category: 'utility', purpose: 'payment_reminder', body: 'Hi {{1}}' };

  const cases: { name: string; method: string; path: string; init?: { body?: string; contentType?: string }; status: number; names?: string }[] = [
    { name: 'a date centuries away', method: 'GET', path: '/api/v1/analytics?from=2828-03-22', status: 400, names: 'from' },
    { name: 'a long malformed cursor', method: 'GET', path: `/api/v1/conversations?before=${'x'.repeat(5_000)}`, status: 400, names: 'before' },
    { name: 'a NUL character in a search', method: 'GET', path: '/api/v1/products?q=%00', status: 400, names: 'q' },
    { name: 'a NUL character in a product', method: 'PUT', path: '/api/v1/products/TENT-9', init: json({ ...product, name: 'Trail\u0000tent' }), status: 400, names: 'name' },
    { name: 'a NUL character in a template', method: 'PUT', path: '/api/v1/templates', init: json({ ...template, body: 'Hi\u0000{{1}}' }), status: 400, names: 'body' },
    { name: 'a template sync with no connected number', method: 'POST', path: '/api/v1/templates/sync', status: 409 },
    { name: 'malformed JSON', method: 'PUT', path: '/api/v1/products/TENT-9', init: { body: '{"name": "Trail', contentType: 'application/json' }, status: 400 },
    { name: 'an empty body', method: 'PUT', path: '/api/v1/products/TENT-9', init: { body: '', contentType: 'application/json' }, status: 400 },
    { name: 'a body of the wrong content type', method: 'PUT', path: '/api/v1/products/TENT-9', init: { body: 'name=tent', contentType: 'application/x-www-form-urlencoded' }, status: 415 },
    { name: 'a body far over the limit', method: 'PUT', path: '/api/v1/products/TENT-9', init: json({ ...product, description: 'x'.repeat(2_000_000) }), status: 413 },
  ];

  for (const c of cases) {
    test(`${c.name}: ${c.status}`, async () => {
      const answer = await call(c.method, c.path, c.init);
      assert.equal(answer.status, c.status, `${c.method} ${c.path.slice(0, 80)} answered ${answer.status}: ${answer.error?.message}`);
      assert.ok(answer.error.message.length > 0, 'the error says what is wrong');
      if (c.names) {
        const named = [answer.error.message, ...(answer.error.details ?? []).map((d) => d.path)].join(' ');
        assert.match(named, new RegExp(`\\b${c.names}\\b`), `the error names ${c.names}: ${answer.error.message}`);
      }
    });
  }

  test('a refused write leaves nothing behind', async () => {
    const merchant = await stack.createMerchant();
    const { headers } = await stack.member(merchant, 'owner');
    const res = await fetch(`${stack.apiUrl}/api/v1/products/NUL-1`, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ ...product, name: 'bad\u0000name' }),
    });
    assert.equal(res.status, 400);
    const rows = await stack.db('products').where({ merchant_id: merchant, sku: 'NUL-1' });
    assert.equal(rows.length, 0);
  });
});
