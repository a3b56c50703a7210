import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { repoRoot } from '../config/env';
import { launchChromium } from './support/browser';
import { startStack, type Stack } from './support/stack';

const artifacts = path.join(repoRoot, 'test-artifacts');

/** The demo page as a person uses it: a real Chromium against the real stack. */
describe('the demo chat in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  before(async () => {
    stack = await startStack();
    browser = await launchChromium();
    await mkdir(artifacts, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await stack.stop();
  });

  test('a visitor asks for a price and the agent answers in the widget, live', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
    await page.goto(`${stack.apiUrl}/`);

    const input = page.getByTestId('chat-input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill('How much is the 2-person tent?');
    await input.press('Enter');

    const reply = page.locator('[data-from="bot"]').first();
    await reply.waitFor({ state: 'visible', timeout: 20_000 });
    assert.match(await reply.innerText(), /\$249/);
    assert.equal(await page.locator('[data-from="customer"]').count(), 1, 'the message is shown once, not echoed twice');
    await page.screenshot({ path: path.join(artifacts, 'demo-chat.png') });
    assert.deepEqual(errors, []);

    // A returning visitor gets the same conversation back.
    await page.reload();
    await page.locator('[data-from="bot"]').first().waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await page.locator('[data-from="customer"]').count(), 1);
    await page.close();
  });
});
