import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createSmtpMailer } from '../integrations/email/mailer';
import { mailpitInbox } from '../test/support/mailpit-inbox';
import { run } from './binaries';
import { MAILPIT_UI_CACHE_DIR, MAILPIT_VERSION, ensureMailpit, startMailpit } from './mailpit';

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

  // A release binary given through MAILPIT_PATH is the user's choice; the project's own build must have the UI.
  test('the project-built binary serves the web UI, not a blank page', { skip: process.env.MAILPIT_PATH ? 'MAILPIT_PATH is set' : false }, async () => {
    const bin = await ensureMailpit();
    assert.equal(path.dirname(bin), MAILPIT_UI_CACHE_DIR, 'the build with the web UI was used, not the API-only fallback');
    const mailpit = await startMailpit({ smtpPort: 0, uiPort: 0 });
    try {
      const page = await (await fetch(mailpit.uiUrl)).text();
      const script = /<script src="([^"]*dist\/app\.js[^"]*)"/.exec(page)?.[1];
      assert.ok(script, 'the UI page loads the app script');
      const res = await fetch(new URL(script, mailpit.uiUrl));
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /javascript/);
      assert.ok((await res.text()).length > 10_000, 'a real bundle, not an empty file');
      const css = await fetch(new URL('dist/app.css', mailpit.uiUrl));
      assert.equal(css.status, 200);
      assert.equal(mailpit.webUi, true);
    } finally {
      await mailpit.stop();
    }
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
