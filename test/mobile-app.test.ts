import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { build } from 'vite';
import { repoRoot } from '../config/env';
import { startFcmPeer, type FcmPeer } from './peers/fcm-peer';
import { launchChromium } from './support/browser';
import { createFcmSender } from '../integrations/push/fcm';
import { suiteStack, type StackOptions } from './support/stack';

const artifacts = path.join(repoRoot, 'test-artifacts');
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(artifacts, `mobile-${name}.png`) });
const pageErrors: string[] = [];

/** Waits for a locator; on timeout the page's alerts and errors go into the failure message. */
async function visible(page: Page, locator: Locator, timeout = 15_000): Promise<void> {
  try {
    await locator.waitFor({ state: 'visible', timeout });
  } catch (err) {
    const alerts = await page.locator('[role="alert"]').allInnerTexts().catch(() => []);
    await page.screenshot({ path: path.join(artifacts, 'mobile-failure.png') }).catch(() => {});
    throw new Error(`${(err as Error).message}\npage alerts: ${JSON.stringify(alerts)}, page errors: ${JSON.stringify(pageErrors)} at ${page.url()}`, { cause: err });
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The merchant phone app as a person uses it on a phone: Debian's Chromium
 * with a phone's viewport and touch, against the real stack serving the app's
 * web build at /m/. Pushes go to a local FCM peer.
 */
describe('the merchant phone app at /m/', () => {
  let fcm: FcmPeer;
  // Filled in before the stack starts: the worker's FCM sender points at the local peer.
  const options: StackOptions = {};
  before(async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const clientEmail = 'autocloser-push@autocloser-test.iam.gserviceaccount.com';
    fcm = await startFcmPeer({ projectId: 'autocloser-test', clientEmail, publicKey });
    const serviceAccount = {
      project_id: 'autocloser-test',
      client_email: clientEmail,
      private_key: String(privateKey.export({ type: 'pkcs8', format: 'pem' })),
      token_uri: fcm.tokenUri,
    };
    options.push = {
      senders: { android: createFcmSender({ serviceAccount, baseUrl: fcm.baseUrl }) },
      config: { webPushPublicKey: null, platforms: { android: true, ios: false, web: false } },
    };
    // Built once per run from the current source, so the test never runs against a stale bundle.
    await build({ configFile: path.join(repoRoot, 'mobile', 'vite.config.ts'), logLevel: 'warn' });
  });
  const stack = suiteStack(options);

  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const email = `owner-${randomUUID().slice(0, 8)}@phone.example`;
  const password = 'a long enough phone password';
  let merchantId = '';
  let conversationId = '';
  const customer = `m-e2e-${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const app = (p: string) => `${stack.apiUrl}/m${p}`;

  const customerWrites = async (text: string) => {
    const res = await fetch(`${stack.apiUrl}/api/webchat/${merchantId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: customer, text, clientMessageId: randomUUID() }),
    });
    const body = await res.text();
    assert.equal(res.status, 202, body);
    return (JSON.parse(body) as { conversationId: string }).conversationId;
  };
  const customerTranscript = async () =>
    (await (await fetch(`${stack.apiUrl}/api/webchat/${merchantId}/sessions/${customer}/messages`)).json()) as { from: string; text: string }[];
  const row = () => page.locator(`[data-testid="inbox-row"][data-conversation-id="${conversationId}"]`);

  before(async () => {
    await mkdir(artifacts, { recursive: true });
    const res = await fetch(`${stack.apiUrl}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ businessName: 'Kestrel Phones', name: 'Deniz Kaya', email, password, locale: 'en' }),
    });
    const session = (await res.json()) as { merchant: { id: string } };
    assert.equal(res.status, 201, JSON.stringify(session));
    merchantId = session.merchant.id;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, hasTouch: true, isMobile: true, locale: 'en-US', serviceWorkers: 'allow' });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(String(err)));
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await fcm?.close();
  });

  test('the app type-checks (vue-tsc, strict templates)', async () => {
    await promisify(execFile)(process.execPath, [path.join(repoRoot, 'node_modules', 'vue-tsc', 'bin', 'vue-tsc.js'), '--noEmit', '-p', 'mobile/tsconfig.json'], {
      cwd: repoRoot,
      timeout: 300_000,
    });
  });

  test('/m/ is an installable app: manifest, service worker, and the SPA fallback', async () => {
    const manifest = (await (await fetch(app('/manifest.webmanifest'))).json()) as { start_url: string; scope: string; display: string; icons: { sizes: string }[] };
    assert.equal(manifest.start_url, '/m/');
    assert.equal(manifest.scope, '/m/');
    assert.equal(manifest.display, 'standalone');
    assert.ok(manifest.icons.some((i) => i.sizes === '512x512'));
    const sw = await fetch(app('/sw.js'));
    assert.equal(sw.status, 200);
    assert.match(await sw.text(), /notificationclick/);
    const deep = await fetch(app('/c/some-conversation'));
    assert.equal(deep.status, 200);
    assert.match(await deep.text(), /<div id="app">/);
  });

  test('the owner signs in on the phone', async () => {
    await page.goto(app('/'));
    await page.waitForURL(/\/m\/login/);
    await page.getByTestId('login-email').fill(email);
    await page.getByTestId('login-password').fill(password);
    await shot(page, 'sign-in');
    await page.getByTestId('login-submit').tap();
    await page.waitForURL(/\/m\/inbox$/, { timeout: 15_000 });
    await visible(page, page.getByTestId('tab-inbox'));
    // The service worker takes over the page, so the app opens without a network later on.
    await until('the service worker to control the page', () => page.evaluate<boolean>('!!navigator.serviceWorker.controller'));
  });

  test('a web-chat message appears in the inbox live', async () => {
    await page.evaluate('window.__sameDocument = true');
    conversationId = await customerWrites('Hi! Do you have a tent for two people?');
    await visible(page, row(), 20_000);
    assert.equal(await page.evaluate('window.__sameDocument'), true, 'the page was not reloaded');
    await shot(page, 'inbox');
  });

  test('a lead that asks for a person is marked, goes first, and buzzes the phone', async () => {
    // The member's Android phone, registered as the native app does after sign-in.
    const login = (await (
      await fetch(`${stack.apiUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })
    ).json()) as { accessToken: string };
    const fcmToken = `fcm-${randomUUID()}:APA91b${randomUUID().replace(/-/g, '')}`;
    const device = await fetch(`${stack.apiUrl}/api/v1/devices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${login.accessToken}` },
      body: JSON.stringify({ platform: 'android', token: fcmToken, label: 'Pixel test' }),
    });
    assert.equal(device.status, 201, await device.text());

    // A second lead, so "first" means something.
    const other = `m-e2e-other-${randomUUID().slice(0, 8)}`;
    await fetch(`${stack.apiUrl}/api/webchat/${merchantId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: other, text: 'Hello, just looking around', clientMessageId: randomUUID() }),
    });
    await customerWrites('Can I talk to a real person?');
    await visible(page, page.locator(`[data-testid="inbox-row"][data-conversation-id="${conversationId}"][data-needs-human="true"]`), 30_000);
    await until('the lead to head the inbox', async () => (await page.getByTestId('inbox-row').first().getAttribute('data-conversation-id')) === conversationId);
    await shot(page, 'needs-human');

    const push = await until(
      'the FCM peer to receive the needs-human push',
      async () => fcm.deliveries.find((d) => d.token === fcmToken && d.data?.conversationId === conversationId && d.data?.kind === 'needs_human'),
      30_000,
    );
    assert.ok(push.notification?.title || push.notification?.body, 'a visible notification');
    assert.deepEqual(fcm.rejections, []);
  });

  test('take over and reply; the customer sees it', async () => {
    await row().tap();
    await page.waitForURL(/\/m\/c\/.+/);
    await visible(page, page.locator('[data-testid="message"][data-from="customer"]').first());
    await visible(page, page.getByTestId('take-over'));
    await page.getByTestId('take-over').tap();
    await visible(page, page.getByTestId('release'));

    const text = `Hi, Deniz here from Kestrel (${randomUUID().slice(0, 6)})`;
    await page.getByTestId('reply-input').fill(text);
    await page.getByTestId('reply-send').tap();
    await visible(page, page.locator('[data-testid="message"][data-from="human"]', { hasText: text }));
    await until('the customer to see the reply', async () => (await customerTranscript()).some((m) => m.from === 'human' && m.text === text));
    await page.getByTestId('tab-lead').tap();
    await visible(page, page.getByTestId('lead-score'));
    await shot(page, 'conversation-lead');
    await page.getByTestId('tab-chat').tap();
    await shot(page, 'conversation');
  });

  test('offline: the saved inbox shows after a reload, a reply is queued and delivered once when the network is back', async () => {
    await page.getByTestId('conversation-back').tap();
    await visible(page, row());
    // The saved copy is written shortly after the list changes.
    await page.waitForTimeout(800);

    await context.setOffline(true);
    await page.reload();
    await visible(page, page.getByTestId('offline-marker'));
    await visible(page, row());
    await visible(page, page.getByTestId('inbox-cached'));
    await shot(page, 'offline-inbox');

    await row().tap();
    await visible(page, page.locator('[data-testid="message"][data-from="human"]').first());
    const text = `Sent from a train (${randomUUID().slice(0, 6)})`;
    await page.getByTestId('reply-input').fill(text);
    await page.getByTestId('reply-send').tap();
    const pending = page.locator('[data-testid="pending-message"][data-state="queued"]', { hasText: text });
    await visible(page, pending);
    await shot(page, 'offline-queued');
    await page.waitForTimeout(1000);
    assert.equal((await customerTranscript()).filter((m) => m.text === text).length, 0, 'nothing leaves the phone while offline');

    await context.setOffline(false);
    await visible(page, page.locator('[data-testid="message"][data-from="human"]', { hasText: text }), 30_000);
    await pending.waitFor({ state: 'detached', timeout: 15_000 });
    await until('the customer to get the queued reply', async () => (await customerTranscript()).some((m) => m.text === text));
    // Retries (the online event, the backoff timer, the reconnect) must not make a second message.
    await page.waitForTimeout(3000);
    assert.equal((await customerTranscript()).filter((m) => m.from === 'human' && m.text === text).length, 1, 'delivered exactly once');
    assert.equal(await page.locator('[data-testid="message"][data-from="human"]', { hasText: text }).count(), 1);
    await visible(page, page.getByTestId('release'));
    await page.getByTestId('offline-marker').waitFor({ state: 'detached', timeout: 10_000 });
    await shot(page, 'back-online');
  });

  test('a reply queued offline to a lead closed meanwhile shows as not sent, with the reason', async () => {
    await context.setOffline(true);
    await visible(page, page.getByTestId('offline-marker'));
    const text = `Written before the close (${randomUUID().slice(0, 6)})`;
    await page.getByTestId('reply-input').fill(text);
    await page.getByTestId('reply-send').tap();
    await visible(page, page.locator('[data-testid="pending-message"][data-state="queued"]', { hasText: text }));

    // Meanwhile, at the desk, the lead is closed.
    const login = await fetch(`${stack.apiUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const closed = await fetch(`${stack.apiUrl}/api/v1/conversations/${encodeURIComponent(conversationId)}/close`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ reason: 'bought in store' }),
    });
    assert.equal(closed.status, 200, await closed.text());

    await context.setOffline(false);
    const refused = page.locator('[data-testid="pending-message"][data-state="failed"]', { hasText: text });
    await visible(page, refused, 30_000);
    assert.match(await refused.getByTestId('pending-reason').innerText(), /the conversation was closed/);
    await shot(page, 'not-sent');
    assert.equal((await customerTranscript()).filter((m) => m.text === text).length, 0, 'the customer never gets it');
  });
});
