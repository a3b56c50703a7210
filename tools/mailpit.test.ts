import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createSmtpMailer } from '../integrations/email/mailer';
import { mailpitInbox } from '../test/support/mailpit-inbox';
import { run } from './binaries';
import { MAILPIT_VERSION, ensureMailpit, startMailpit } from './mailpit';

describe('Mailpit', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mailpit-test-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('the binary is the pinned release', async () => {
    const { stdout } = await run(await ensureMailpit(), ['version', '--no-release-check'], { timeoutMs: 30_000 });
    assert.match(stdout, new RegExp(` ${MAILPIT_VERSION.replaceAll('.', '\\.')} compiled with `));
  });

  test('serves SMTP and its API on loopback, keeps mail in its data file across a restart, and stops', async () => {
    const dataFile = path.join(dir, 'mailpit.db');
    const first = await startMailpit({ smtpPort: 0, uiPort: 0, dataFile });
    assert.match(first.smtpUrl, /^smtp:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(first.apiUrl, `${first.uiUrl}api/v1`);
    const mailer = createSmtpMailer({ url: first.smtpUrl, from: 'dev@autocloser.test' });
    try {
      await mailer.send({ to: 'kept@shop.test', subject: 'kept', html: '<p>kept</p>', text: 'kept' });
      assert.equal((await mailpitInbox(first.apiUrl).only('kept@shop.test')).Subject, 'kept');
    } finally {
      mailer.close();
      await first.stop();
    }
    await assert.rejects(fetch(`${first.uiUrl}readyz`), 'the API is gone once stopped');

    const second = await startMailpit({ smtpPort: 0, uiPort: 0, dataFile });
    try {
      assert.equal((await mailpitInbox(second.apiUrl).to('kept@shop.test')).length, 1);
    } finally {
      await second.stop();
    }
  });
});
