/**
 * Rotating CREDENTIALS_KEY: a new first key seals, the old one keeps opening,
 * and `npm run migrate` re-seals every stored secret under the new key, after
 * which the old key is no longer needed to read them.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import { newMasterKey, SecretBox } from '../config/secrets';
import { repoRoot } from '../config/env';
import { createDb } from '../db/knex';
import { channelById, rememberWhatsAppCustomer, resealStoredSecrets, upsertChannel, whatsAppRecipient } from '../db/queries/channels';
import { upsertMerchant } from '../db/queries/merchants';
import { demoPlaybook } from '../db/demo-data';
import { requireEnv } from './support/stack';

const run = promisify(execFile);

describe('credential key rotation', () => {
  const db = createDb(requireEnv('TEST_DATABASE_URL'), { max: 2 });
  after(() => db.destroy());

  const accessToken = async (box: SecretBox, channelId: string) => ((await channelById(db, box, channelId))?.credentials as { accessToken?: string } | undefined)?.accessToken;

  async function sealedFixture(box: SecretBox) {
    const merchantId = `m-${randomUUID().slice(0, 8)}`;
    await upsertMerchant(db, { id: merchantId, name: 'Rotation test' }, demoPlaybook);
    const channelId = await upsertChannel(db, box, { merchantId, provider: 'meta', address: `addr-${randomUUID()}`, credentials: { accessToken: 'SECRET-META-TOKEN' } });
    const conversationId = `lead:${merchantId}:whatsapp:${randomUUID()}`;
    await db('conversations').insert({ id: conversationId, merchant_id: merchantId, channel: 'whatsapp', customer_key: randomUUID() });
    await rememberWhatsAppCustomer(db, box, conversationId, { channelId: channelId!, phone: '+905551112233' });
    return { channelId: channelId!, conversationId };
  }

  test('the old key opens after the rotation; the re-seal moves everything to the new key, once', async () => {
    const original = newMasterKey();
    const before = SecretBox.fromBase64(original);
    const { channelId, conversationId } = await sealedFixture(before);

    const newKey = `k2:${newMasterKey()}`;
    const rotated = SecretBox.fromBase64(`${newKey},${original}`);
    assert.equal(await accessToken(rotated, channelId), 'SECRET-META-TOKEN', 'read with the old key in the list');

    const first = await resealStoredSecrets(db, rotated);
    assert.ok(first.channels >= 1 && first.customers >= 1, JSON.stringify(first));
    const row = await db('merchant_channels').where({ id: channelId }).first();
    assert.match(row.credentialsEncrypted, /^v2\.k2\./);
    // Only the new key is needed to open them now.
    const newOnly = SecretBox.fromBase64(newKey);
    assert.equal(await accessToken(newOnly, channelId), 'SECRET-META-TOKEN');
    assert.equal((await whatsAppRecipient(db, newOnly, conversationId))?.phone, '+905551112233');
    // A second run leaves what is already under the new key as it is.
    await resealStoredSecrets(db, rotated);
    assert.equal((await db('merchant_channels').where({ id: channelId }).first()).credentialsEncrypted, row.credentialsEncrypted);
  });

  test('npm run migrate re-seals after a rotation', { timeout: 120_000 }, async () => {
    const original = newMasterKey();
    const { channelId } = await sealedFixture(SecretBox.fromBase64(original));
    const newKey = `k9:${newMasterKey()}`;
    await run(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts'], {
      cwd: repoRoot,
      timeout: 110_000,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        DATABASE_URL: requireEnv('TEST_DATABASE_URL'),
        TEMPORAL_ADDRESS: requireEnv('TEST_TEMPORAL_ADDRESS'),
        CREDENTIALS_KEY: `${newKey},${original}`,
      },
    });
    const row = await db('merchant_channels').where({ id: channelId }).first();
    assert.match(row.credentialsEncrypted, /^v2\.k9\./);
    assert.equal(await accessToken(SecretBox.fromBase64(newKey), channelId), 'SECRET-META-TOKEN');
  });
});
