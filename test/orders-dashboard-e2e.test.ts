import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { build } from 'vite';
import { hashPassword } from '../api/auth/passwords';
import { repoRoot } from '../config/env';
import { recordPlatformFee } from '../db/queries/billing';
import { createPendingOrder, recordCheckout, setProviderStatus, transitionOrder } from '../db/queries/orders';
import { insertUser } from '../db/queries/users';
import { launchChromium } from './support/browser';
import { startStack, type Stack } from './support/stack';

const artifacts = path.join(repoRoot, 'test-artifacts');
const PASSWORD = 'a long enough password';

/**
 * The Orders page in Debian's Chromium against the real API and Postgres: an
 * owner finds an order by its customer, opens it, refunds part of it with a
 * double click that refunds once, and sees the refund in the timeline; a
 * dispute shows its deadline; a viewer sees no way to refund.
 */
describe('orders in the dashboard', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    await build({ configFile: path.join(repoRoot, 'dashboard', 'vite.config.ts'), logLevel: 'warn' });
    stack = await startStack({ noWorker: true });
    browser = await launchChromium();
    await mkdir(artifacts, { recursive: true });
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await stack?.stop();
  });

  async function visible(locator: Locator, timeout = 10_000): Promise<void> {
    try {
      await locator.waitFor({ state: 'visible', timeout });
    } catch (err) {
      const alerts = await page.locator('[role="alert"], .field-error:not(:empty)').allInnerTexts().catch(() => []);
      await page.screenshot({ path: path.join(artifacts, 'orders-failure.png') }).catch(() => {});
      throw new Error(`${(err as Error).message}\npage alerts: ${JSON.stringify(alerts)}, page errors: ${JSON.stringify(pageErrors)} at ${page.url()}`, { cause: err });
    }
  }

  /** A paid order as a checkout makes it, for a customer of the merchant's web chat. */
  async function paidOrder(merchantId: string, customer: string, amountMinor: number): Promise<string> {
    const key = `c-${randomUUID().slice(0, 8)}`;
    const conversationId = `${merchantId}:webchat:${key}`;
    await stack.db('conversations').insert({ id: conversationId, merchant_id: merchantId, channel: 'webchat', customer_key: key, lead: JSON.stringify({ name: customer }) });
    const id = randomUUID();
    await createPendingOrder(stack.db, { id, merchantId, conversationId, sku: 'TENT-2P', quantity: 1, amountMinor, discountPercent: 0, currency: 'USD', provider: 'demo' });
    await recordCheckout(stack.db, id, { provider: 'demo', providerRef: id, checkoutUrl: `${stack.apiUrl}/pay/demo/${id}`, expiresAt: new Date(Date.now() + 3_600_000), attempts: [] });
    await setProviderStatus(stack.db, id, 'paid');
    await transitionOrder(stack.db, id, 'paid');
    await recordPlatformFee(stack.db, id);
    return id;
  }

  async function signIn(email: string): Promise<void> {
    await context?.close();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    await page.goto(`${stack.apiUrl}/app/login?redirect=/orders`);
    await page.getByTestId('login-email').fill(email);
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/app\/orders$/, { timeout: 30_000 });
  }

  test('an owner filters the list, opens an order, refunds part of it once, and the timeline shows it', async () => {
    const email = `owner-${randomUUID().slice(0, 8)}@orders.example`;
    const registered = await fetch(`${stack.apiUrl}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ businessName: 'Kestrel Outdoor', name: 'Defne', email, password: PASSWORD }),
    });
    assert.equal(registered.status, 201, await registered.clone().text());
    const merchantId = ((await registered.json()) as { merchant: { id: string } }).merchant.id;
    const tent = await paidOrder(merchantId, 'Ayşe Kaya', 18_900);
    const other = await paidOrder(merchantId, 'Bora Demir', 5_000);
    // Bora disputed the payment at the provider; the evidence is due on a fixed day.
    await transitionOrder(stack.db, other, 'disputed', { providerEventId: 'evt_dispute_e2e', disputeDueBy: new Date('2026-12-10T12:00:00Z'), details: { provider: 'demo' } });

    await signIn(email);
    await visible(page.getByTestId('nav-orders'));
    const rows = page.getByTestId('orders-table').locator('tbody tr');
    await visible(rows.nth(1));
    assert.equal(await rows.count(), 2);

    // Filters: the customer's name, then the status.
    await page.getByTestId('orders-filter-customer').fill('ayşe');
    await page.getByTestId('orders-apply').click();
    await page.locator(`[data-order-id="${other}"]`).waitFor({ state: 'detached' });
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().innerText(), /Ayşe Kaya[\s\S]*\$189\.00[\s\S]*Paid[\s\S]*demo/);
    await page.getByTestId('orders-filter-customer').fill('');
    await page.getByTestId('orders-filter-status').selectOption('disputed');
    await page.getByTestId('orders-apply').click();
    await page.locator(`[data-order-id="${tent}"]`).waitFor({ state: 'detached' });
    await visible(page.locator(`[data-order-id="${other}"]`));

    // The disputed order says what to do and by when.
    await page.locator(`[data-order-id="${other}"]`).getByTestId('order-open').click();
    await visible(page.getByTestId('order-dispute'));
    assert.match(await page.getByTestId('order-dispute').innerText(), /disputed this payment\. Send your evidence to demo by Dec 10, 2026/);
    assert.equal(await page.getByTestId('refund-open').count(), 0, 'a disputed order is not refunded from here');

    await page.getByTestId('orders-filter-status').selectOption('');
    await page.getByTestId('orders-apply').click();
    await visible(page.locator(`[data-order-id="${tent}"]`));
    await page.locator(`[data-order-id="${tent}"]`).getByTestId('order-open').click();
    await page.waitForURL(new RegExp(`/app/orders/${tent}$`));
    const detail = page.getByTestId('order-detail');
    await visible(detail.getByTestId('order-timeline'));
    assert.match(await detail.getByTestId('order-customer').innerText(), /Ayşe Kaya/);
    const { conversationId } = (await stack.db('orders').where({ id: tent }).first()) as { conversationId: string };
    assert.equal(decodeURIComponent((await detail.getByTestId('order-conversation').getAttribute('href')) ?? ''), `/app/inbox/${conversationId}`);
    assert.equal(await detail.getByTestId('order-fee').innerText(), '− $3.78');
    assert.equal(await detail.getByTestId('order-net').innerText(), '$185.22');
    assert.deepEqual(await detail.getByTestId('order-timeline').locator('li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-kind'))), ['created', 'link_sent', 'paid']);

    // A partial refund of $50.00, confirmed with a double click.
    await detail.getByTestId('refund-open').click();
    const dialog = page.getByTestId('refund-dialog');
    await visible(dialog);
    await dialog.getByTestId('refund-partial').check();
    await dialog.getByTestId('refund-amount').fill('50');
    await dialog.getByTestId('refund-confirm').click();
    await visible(dialog.locator('.field-error'));
    assert.match(await dialog.locator('.field-error').innerText(), /Required/, 'a reason is required');
    await dialog.getByTestId('refund-reason').fill('Scratched on arrival');
    assert.equal(await dialog.getByTestId('refund-confirm').innerText(), 'Refund $50.00');
    await dialog.getByTestId('refund-confirm').dblclick();
    await visible(page.getByTestId('refund-note'));
    assert.equal(await page.getByTestId('refund-note').innerText(), 'Refunded $50.00.');
    await dialog.waitFor({ state: 'detached' });

    const timeline = detail.getByTestId('order-timeline');
    await visible(timeline.locator('li[data-kind="partially_refunded"]'));
    assert.match(await timeline.locator('li[data-kind="refund_requested"]').innerText(), /Refund requested · \$50\.00[\s\S]*“Scratched on arrival” · by owner-/);
    assert.match(await timeline.locator('li[data-kind="partially_refunded"]').innerText(), /Partly refunded · \$50\.00/);
    assert.equal(await detail.getByTestId('order-status').innerText(), 'Partly refunded');
    assert.equal(await detail.getByTestId('order-refunded').innerText(), '− $50.00');
    assert.equal(await detail.getByTestId('order-net').innerText(), '$135.22');

    const refunds = await stack.db('refunds').where({ order_id: tent });
    assert.deepEqual(refunds.map((r) => [r.amountMinor, r.status]), [[5_000, 'succeeded']], 'the double click refunded once');
    assert.equal((await stack.db('orders').where({ id: tent }).first()).refundedMinor, 5_000);
    await page.screenshot({ path: path.join(artifacts, 'dashboard-orders-refunded.png') });

    // A viewer sees the order but no way to refund it.
    const viewer = `viewer-${randomUUID().slice(0, 8)}@orders.example`;
    await insertUser(stack.db, { merchantId, email: viewer, name: 'Viewer', role: 'viewer', locale: 'en', passwordHash: await hashPassword(PASSWORD) });
    await signIn(viewer);
    await page.goto(`${stack.apiUrl}/app/orders/${tent}`);
    await visible(page.getByTestId('order-timeline'));
    assert.equal(await page.getByTestId('refund-open').isDisabled(), true);
    assert.deepEqual(pageErrors, []);
  });
});
