import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProductSchema } from '../../../domain/catalog';
import { PlaybookSchema } from '../../../domain/playbook';
import { demoCatalog, demoMerchant, demoPlaybook } from '../../../db/demo-data';

test('the demo playbook is a valid playbook for the demo merchant', () => {
  assert.deepEqual(PlaybookSchema.parse(demoPlaybook), demoPlaybook);
  assert.equal(demoMerchant.id, 'demo');
  assert.equal(demoPlaybook.businessName, demoMerchant.name);
  assert.deepEqual(demoPlaybook.languages, ['en', 'tr']);
  assert.equal(demoPlaybook.maxDiscountPercent, 10);
  assert.deepEqual(demoPlaybook.followUpDelaysSeconds, [86_400, 259_200]);
  assert.equal(demoPlaybook.handOff.highValueMinor, 500_000);
});

test('the demo catalog has valid, unique products and one sold out', () => {
  assert.ok(demoCatalog.length >= 6 && demoCatalog.length <= 8);
  for (const product of demoCatalog) assert.deepEqual(ProductSchema.parse(product), product);
  assert.equal(new Set(demoCatalog.map((p) => p.sku)).size, demoCatalog.length);
  assert.ok(demoCatalog.every((p) => p.currency === 'USD' && p.priceMinor > 0));
  assert.equal(demoCatalog.filter((p) => p.stock === 0).length, 1);
});
