import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { build } from 'vite';
import { repoRoot } from '../config/env';
import { launchChromium } from './support/browser';
import { startStack, type Stack } from './support/stack';

const artifacts = path.join(repoRoot, 'test-artifacts');
/** Waits for a locator; on timeout the page's error alerts go into the failure message. */
const pageErrors: string[] = [];
async function visible(page: Page, locator: Locator, timeout = 10_000): Promise<void> {
  try {
    await locator.waitFor({ state: 'visible', timeout });
  } catch (err) {
    const alerts = await page.locator('[role="alert"], .field-error:not(:empty)').allInnerTexts().catch(() => []);
    await page.screenshot({ path: path.join(artifacts, 'dashboard-failure.png') }).catch(() => {});
    throw new Error(`${(err as Error).message}\npage alerts: ${JSON.stringify(alerts)}, page errors: ${JSON.stringify(pageErrors)} at ${page.url()}`, { cause: err });
  }
}
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(artifacts, `dashboard-${name}.png`), fullPage: false });

/**
 * The merchant dashboard as a person uses it: Debian's Chromium against the
 * real stack (API, worker, Temporal, Postgres), with the dashboard built from
 * source and served by the API at /app/.
 */
describe('the merchant dashboard in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let merchantId = '';
  const customerSession = `e2e-${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  let conversationId = '';

  before(async () => {
    // Built from the current source so the test never runs against a stale bundle.
    await build({ configFile: path.join(repoRoot, 'dashboard', 'vite.config.ts'), logLevel: 'warn' });
    stack = await startStack();
    browser = await launchChromium();
    await mkdir(artifacts, { recursive: true });
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US' });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(String(err)));
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await stack?.stop();
  });

  const app = (p: string) => `${stack.apiUrl}/app${p}`;

  test('a new merchant signs up and goes through onboarding; the agent answers in the try-it chat', async () => {
    await page.goto(app('/register'));
    await page.getByTestId('register-business').fill('Kestrel Outdoor');
    await page.getByTestId('register-name').fill('Defne Yılmaz');
    await page.getByTestId('register-email').fill(`owner-${randomUUID().slice(0, 8)}@kestrel.example`);
    await page.getByTestId('register-password').fill('a long enough password');
    await page.getByTestId('register-submit').click();
    await page.waitForURL(/\/app\/onboarding$/, { timeout: 15_000 });

    // (a) channel: web chat shows the embed snippet with this merchant's id.
    await page.getByTestId('choose-webchat').click();
    const snippet = await page.getByTestId('embed-snippet').innerText();
    const match = /data-merchant="([^"]+)"/.exec(snippet);
    assert.ok(match, `embed snippet names the merchant: ${snippet}`);
    merchantId = match[1]!;
    assert.ok(snippet.includes(`${stack.apiUrl}/widget.js`), snippet);
    await page.getByTestId('onboarding-next').click();

    // (b) a product through the form.
    await page.getByTestId('onboarding-panel-products').waitFor();
    await page.getByTestId('product-sku').fill('tent-2p');
    await page.getByTestId('product-name').fill('2-person tent');
    await page.getByTestId('product-description').fill('Light three-season tent for two, quick to pitch.');
    await page.getByTestId('product-price').fill('249.00');
    await page.getByTestId('product-currency').fill('USD');
    await page.getByTestId('product-stock').fill('12');
    await page.getByTestId('product-tags').fill('camping, tents');
    await page.getByTestId('product-save').click();
    await visible(page, page.getByTestId('onboarding-products'));
    const product = await stack.db('products').where({ merchant_id: merchantId, sku: 'tent-2p' }).first();
    assert.ok(product, 'the product was stored');
    assert.equal(product.priceMinor, 24_900);
    await page.getByTestId('onboarding-next').click();

    // (c) playbook basics, starting from the stored playbook.
    await page.getByTestId('onboarding-panel-playbook').waitFor();
    assert.equal(await page.getByTestId('playbook-business-name').inputValue(), 'Kestrel Outdoor');
    await page.getByTestId('playbook-tone').selectOption('friendly');
    await page.getByTestId('playbook-save').click();
    await visible(page, page.getByTestId('onboarding-panel-try'));
    const stored = await stack.db('playbooks').where({ merchant_id: merchantId }).first();
    const config = typeof stored.config === 'string' ? JSON.parse(stored.config) : stored.config;
    assert.equal(config.tone, 'friendly');
    assert.equal(config.businessName, 'Kestrel Outdoor');

    // (d) try the agent through the public web-chat API, as the widget does.
    await page.getByTestId('try-input').fill('How much is the 2-person tent?');
    await page.getByTestId('try-send').click();
    const reply = page.locator('[data-testid="try-message"][data-from="bot"]').first();
    await visible(page, reply, 30_000);
    const replyText = await reply.innerText();
    assert.ok(replyText.trim().length > 0, 'the agent answered');
    assert.match(replyText, /249/, 'the price comes from the catalog');
    await shot(page, 'onboarding');

    await page.getByTestId('onboarding-finish').click();
    await page.waitForURL(/\/app\/inbox$/);
    await page.getByTestId('inbox-list').waitFor({ state: 'attached' });
  });

  test('a web-chat customer message appears in the inbox live, without a reload', async () => {
    assert.ok(merchantId, 'onboarding ran');
    await page.locator('.live-dot[data-status="live"]').waitFor({ timeout: 15_000 });
    // A marker on the window survives only if the page is not reloaded.
    await page.evaluate('window.__sameDocument = true');

    const res = await fetch(`${stack.apiUrl}/api/webchat/${merchantId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: customerSession, text: 'Hi! Do you have a tent for two people?', clientMessageId: randomUUID() }),
    });
    const accepted = await res.text();
    assert.equal(res.status, 202, accepted);
    conversationId = (JSON.parse(accepted) as { conversationId: string }).conversationId;

    const row = page.locator(`[data-testid="inbox-row"][data-conversation-id="${conversationId}"]`);
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await page.evaluate('window.__sameDocument'), true, 'the page was not reloaded');
    // New conversations go to the top.
    assert.equal(await page.getByTestId('inbox-row').first().getAttribute('data-conversation-id'), conversationId);
    await shot(page, 'inbox');
  });

  test('take over, reply (the customer sees it), release', async () => {
    assert.ok(conversationId, 'the customer wrote');
    await page.locator(`[data-testid="inbox-row"][data-conversation-id="${conversationId}"]`).click();
    await page.waitForURL(/\/app\/inbox\/.+/);
    await page.locator('[data-testid="message"][data-from="customer"]').first().waitFor({ timeout: 15_000 });
    // Let the agent answer first so its reply cannot land after the takeover.
    await page.locator('[data-testid="message"][data-from="bot"]').first().waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('mode-badge').getAttribute('data-mode'), 'bot');
    assert.ok(await page.getByTestId('reply-input').isDisabled(), 'replying needs a takeover first');

    await page.getByTestId('takeover').click();
    await page.locator('[data-testid="mode-badge"][data-mode="human"]').waitFor({ timeout: 15_000 });
    assert.match(await page.getByTestId('mode-badge').innerText(), /Human/);

    const text = `Hello from the Kestrel team (${randomUUID().slice(0, 6)})`;
    await page.getByTestId('reply-input').fill(text);
    await page.getByTestId('reply-input').press('Control+Enter');
    const human = page.locator('[data-testid="message"][data-from="human"]', { hasText: text });
    await visible(page, human, 15_000);
    assert.equal(await human.count(), 1, 'shown once although it arrives by response and by live event');
    assert.match(await human.getByTestId('message-author').innerText(), /Defne/);

    // The customer's own transcript, as the widget reads it.
    const deadline = Date.now() + 10_000;
    let seen = false;
    while (!seen && Date.now() < deadline) {
      const list = (await (await fetch(`${stack.apiUrl}/api/webchat/${merchantId}/sessions/${customerSession}/messages`)).json()) as { from: string; text: string }[];
      seen = list.some((m) => m.from === 'human' && m.text === text);
      if (!seen) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(seen, 'the customer sees the human reply');
    await shot(page, 'conversation');

    await page.getByTestId('release').click();
    await page.locator('[data-testid="mode-badge"][data-mode="bot"]').waitFor({ timeout: 15_000 });
    assert.ok(await page.getByTestId('takeover').isVisible());
  });

  test('analytics: the conversation count matches the database and every chart renders', async () => {
    await page.getByTestId('nav-analytics').click();
    await page.waitForURL(/\/app\/analytics$/);
    const kpi = page.getByTestId('kpi-conversations');
    await kpi.waitFor({ timeout: 15_000 });
    const [row] = await stack.db('conversations').where({ merchant_id: merchantId }).count<{ count: string }[]>({ count: '*' });
    const count = Number(row?.count);
    assert.equal(Number(count), 2, 'the try-it chat and the customer');
    assert.equal(Number((await kpi.innerText()).trim()), Number(count));
    for (const id of ['kpi-conversion-rate', 'kpi-revenue', 'kpi-hand-off-rate', 'kpi-first-response-p50', 'kpi-reply-p50', 'kpi-messages-per-conversation']) {
      assert.ok((await page.getByTestId(id).innerText()).trim().length > 0, `${id} shows a value`);
    }
    for (const id of ['chart-funnel', 'chart-revenue', 'chart-hand-off-reasons', 'chart-objections', 'chart-channels']) {
      const canvas = page.locator(`canvas[data-testid="${id}"]`);
      await canvas.waitFor({ timeout: 10_000 });
      const box = await canvas.boundingBox();
      assert.ok(box && box.width > 0 && box.height > 0, `${id} has a size: ${JSON.stringify(box)}`);
    }
    await shot(page, 'analytics');
  });

  test('knowledge base: add a question, edit it, import a Markdown file, search and filter', async () => {
    await page.getByTestId('nav-knowledge').click();
    await page.waitForURL(/\/app\/knowledge$/);
    await visible(page, page.getByTestId('knowledge-empty'));

    // A FAQ entry through the form.
    await page.getByTestId('knowledge-add').click();
    await page.getByTestId('knowledge-title').fill('How long does delivery take?');
    await page.getByTestId('knowledge-body').fill('Delivery takes 3-5 business days.');
    await page.getByTestId('knowledge-topic-shipping').check();
    await page.getByTestId('knowledge-save').click();
    const row = page.getByTestId('knowledge-row').filter({ hasText: 'How long does delivery take?' });
    await visible(page, row);
    const saved = await stack.db('knowledge_entries').where({ merchant_id: merchantId, title: 'How long does delivery take?' }).first();
    assert.deepEqual([saved.kind, saved.language, saved.topics, saved.body], ['faq', 'en', ['shipping'], 'Delivery takes 3-5 business days.']);

    // Edited in place.
    await row.getByTestId('knowledge-edit').click();
    await page.getByTestId('knowledge-body').fill('Delivery takes 1-2 business days.');
    await page.getByTestId('knowledge-save').click();
    await visible(page, page.getByTestId('knowledge-row').filter({ hasText: '1-2 business days' }));
    assert.equal((await stack.db('knowledge_entries').where({ id: saved.id }).first()).body, 'Delivery takes 1-2 business days.');

    // A Markdown file: two sections, one of them empty, reported by line.
    await page.getByTestId('knowledge-import-toggle').click();
    await page.getByTestId('knowledge-file').setInputFiles({
      name: 'care.md',
      mimeType: 'text/markdown',
      buffer: Buffer.from('# Care\n\n## Tent care\nDry the tent before packing it.\n\n## Empty section\n'),
    });
    assert.equal(await page.getByTestId('knowledge-import-format').inputValue(), 'markdown', 'the format follows the file name');
    await page.getByTestId('knowledge-upload').click();
    const result = page.getByTestId('knowledge-import-result');
    await visible(page, result);
    assert.match(await result.innerText(), /1 created, 0 updated/);
    assert.match(await page.getByTestId('knowledge-import-errors').innerText(), /6\s+section: is empty/);
    await visible(page, page.getByTestId('knowledge-row').filter({ hasText: 'Tent care' }));

    // The server's full-text search ("deliveries" finds "delivery"), then a filter.
    await page.getByTestId('knowledge-search').fill('deliveries');
    await page.getByTestId('knowledge-row').filter({ hasText: 'Tent care' }).waitFor({ state: 'detached', timeout: 10_000 });
    assert.equal(await page.getByTestId('knowledge-row').count(), 1);
    assert.match(await page.getByTestId('knowledge-row').innerText(), /How long does delivery take\?/);
    await page.getByTestId('knowledge-search').fill('');
    await page.getByTestId('knowledge-filter-kind').selectOption('document');
    await page.getByTestId('knowledge-row').filter({ hasText: 'delivery' }).waitFor({ state: 'detached', timeout: 10_000 });
    await visible(page, page.getByTestId('knowledge-row').filter({ hasText: 'Tent care' }));
    assert.equal(await page.getByTestId('knowledge-row').count(), 1);
    await shot(page, 'knowledge');

    // The agent now answers from it.
    const session = `e2e-kb-${randomUUID().slice(0, 8)}`;
    const asked = await fetch(`${stack.apiUrl}/api/webchat/${merchantId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: session, text: 'How long does delivery take?' }),
    });
    assert.equal(asked.status, 202);
    const deadline = Date.now() + 20_000;
    let answer = '';
    while (!answer && Date.now() < deadline) {
      const list = (await (await fetch(`${stack.apiUrl}/api/webchat/${merchantId}/sessions/${session}/messages`)).json()) as { from: string; text: string }[];
      answer = list.find((m) => m.from === 'bot')?.text ?? '';
      if (!answer) await new Promise((r) => setTimeout(r, 250));
    }
    assert.match(answer, /1-2 business days/);
  });

  test('at 375px the sidebar becomes a top bar and nothing scrolls sideways', async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    await page.goto(app('/inbox'));
    await page.getByTestId('inbox-list').waitFor({ state: 'attached', timeout: 15_000 });
    assert.ok(await page.getByTestId('nav-toggle').isVisible());
    assert.equal(await page.getByTestId('nav-inbox').isVisible(), false, 'the navigation is folded away');
    await page.getByTestId('nav-toggle').click();
    assert.ok(await page.getByTestId('nav-analytics').isVisible());
    await page.keyboard.press('Escape');
    assert.equal(await page.getByTestId('nav-analytics').isVisible(), false, 'Escape folds it again');
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    assert.ok(overflow <= 0, `no horizontal scrolling (overflow ${overflow}px)`);
    await shot(page, 'mobile-inbox');

    // A conversation is its own page on a phone.
    await page.locator(`[data-testid="inbox-row"][data-conversation-id="${conversationId}"]`).click();
    await page.getByTestId('transcript').waitFor();
    assert.equal(await page.getByTestId('inbox-list').isVisible(), false);
    await shot(page, 'mobile-conversation');
    assert.deepEqual(pageErrors, []);
  });
});
