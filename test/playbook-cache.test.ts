import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { demoPlaybook } from '../db/demo-data';
import { createDb } from '../db/knex';
import { createPlaybookCache } from '../db/playbook-cache';
import { replacePlaybook, upsertMerchant } from '../db/queries/merchants';
import { eventually } from './support/chat';
import { requireEnv } from './support/stack';

const url = requireEnv('TEST_DATABASE_URL');
const db = createDb(url);
const cache = createPlaybookCache(db, url);
after(async () => {
  await cache.close();
  await db.destroy();
});

describe('the workers’ playbook cache', () => {
  test('keeps a playbook between turns and drops it when a change is announced', async () => {
    const merchant = `cache-${randomUUID().slice(0, 8)}`;
    await upsertMerchant(db, { id: merchant, name: 'Cache shop' }, { ...demoPlaybook, businessName: 'Before' });
    // Reads go to the database until the listener is in place; then one is kept, so a write made
    // behind the cache's back (no NOTIFY) is not seen.
    let n = 0;
    await eventually(
      async () => {
        const first = await cache.get(merchant);
        const written = `Written behind its back ${++n}`;
        await db('playbooks').where({ merchantId: merchant }).update({ config: JSON.stringify({ ...demoPlaybook, businessName: written }) });
        const second = await cache.get(merchant);
        return second.businessName === first.businessName && second.businessName !== written;
      },
      (kept) => kept,
      'a kept copy',
    );

    const audit = { merchantId: merchant, userId: null, actor: 'test', action: 'playbook.update', target: null, ip: null };
    await replacePlaybook(db, merchant, { ...demoPlaybook, businessName: 'After' }, audit);
    await eventually(() => cache.get(merchant), (p) => p.businessName === 'After', 'the changed playbook');
  });
});
