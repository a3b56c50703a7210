import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { build } from 'vite';
import { repoRoot } from '../config/env';
import { setSubscription } from '../db/queries/billing';
import { createStripeBilling } from '../integrations/billing/stripe-billing';
import { launchChromium } from './support/browser';
import { startStack, type Stack } from './support/stack';
import { playStripeBillingLedger } from './support/stripe-billing-ledger';
import { stripeMockForSuite } from './support/stripe-mock';

const artifacts = path.join(repoRoot, 'test-artifacts');
const PASSWORD = 'a long enough password';

/**
 * The Billing page in Debian's Chromium against the real API, with Stripe Billing on stripe-mock: an owner
 * whose plan is paid through Stripe upgrades, cancels at the period end, resumes, and opens the portal.
 */
describe('changing the plan on the Billing page', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const stripe = stripeMockForSuite();

  before(async () => {
    await build({ configFile: path.join(repoRoot, 'dashboard', 'vite.config.ts'), logLevel: 'warn' });
    playStripeBillingLedger(stripe.proxy);
    stack = await startStack({
      noWorker: true,
      billing: createStripeBilling({ secretKey: 'sk_test_123', webhookSecret: 'whsec_dashboard_billing', apiBaseUrl: stripe.proxy.url }),
    });
    browser = await launchChromium();
    await mkdir(artifacts, { recursive: true });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(String(err)));
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
      const alerts = await page.locator('[role="alert"]').allInnerTexts().catch(() => []);
      await page.screenshot({ path: path.join(artifacts, 'billing-failure.png') }).catch(() => {});
      throw new Error(`${(err as Error).message}\npage alerts: ${JSON.stringify(alerts)}, page errors: ${JSON.stringify(pageErrors)} at ${page.url()}`, { cause: err });
    }
  }

  test('an owner on Starter upgrades to Growth, cancels at period end, resumes, and opens the portal', async () => {
    const email = `owner-${randomUUID().slice(0, 8)}@billing.example`;
    const registered = await fetch(`${stack.apiUrl}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ businessName: 'Kestrel Outdoor', name: 'Defne', email, password: PASSWORD }),
    });
    assert.equal(registered.status, 201, await registered.clone().text());
    const merchantId = ((await registered.json()) as { merchant: { id: string } }).merchant.id;
    const subscriptionId = `sub_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const start = new Date(Date.now() - 86_400_000);
    await setSubscription(stack.db, {
      merchantId, planCode: 'starter', status: 'active', provider: 'stripe', providerRef: subscriptionId,
      currentPeriodStart: start, currentPeriodEnd: new Date(start.getTime() + 30 * 86_400_000), cancelAtPeriodEnd: false, updatedAt: start,
    });
    const stored = () => stack.db('subscriptions').where({ merchant_id: merchantId }).first() as Promise<{ planCode: string; cancelAtPeriodEnd: boolean }>;

    await page.goto(`${stack.apiUrl}/app/login?redirect=/billing`);
    await page.getByTestId('login-email').fill(email);
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/app\/billing$/, { timeout: 15_000 });
    await visible(page.getByTestId('billing-plan'));
    assert.equal(await page.getByTestId('billing-plan').innerText(), 'Starter');

    // The cards say what a choice would be against the plan in force.
    await visible(page.getByTestId('plan-starter').getByTestId('plan-current'));
    assert.equal(await page.getByTestId('plan-action-growth').innerText(), 'Upgrade to Growth');
    assert.equal(await page.getByTestId('plan-action-scale').innerText(), 'Upgrade to Scale');
    assert.equal(await page.getByTestId('plan-starter').getByTestId('plan-action-starter').count(), 0);
    // A plan in another currency cannot be reached by changing this subscription.
    await visible(page.getByTestId('plan-blocked-starter_try'));
    assert.equal(await page.getByTestId('plan-action-starter_try').count(), 0);

    // Upgrade: the subscription's price changes at Stripe, no checkout page opens, and the page shows the new plan.
    await page.getByTestId('plan-action-growth').click();
    await visible(page.getByTestId('billing-notice'));
    assert.equal(await page.getByTestId('billing-notice').innerText(), 'Your plan is now Growth.');
    await page.getByTestId('plan-growth').getByTestId('plan-current').waitFor();
    assert.equal(await page.getByTestId('billing-plan').innerText(), 'Growth');
    assert.equal(await page.getByTestId('plan-action-starter').innerText(), 'Downgrade to Starter');
    assert.match(page.url(), /\/app\/billing$/, 'no redirect to a checkout page');
    assert.equal((await stored()).planCode, 'growth');
    const update = stripe.proxy.exchanges.findLast((e) => e.method === 'POST' && e.url.pathname === `/v1/subscriptions/${subscriptionId}`);
    assert.equal(update?.body.get('proration_behavior'), 'always_invoice');
    assert.equal(stripe.proxy.exchanges.some((e) => e.url.pathname === '/v1/checkout/sessions'), false);
    await page.screenshot({ path: path.join(artifacts, 'dashboard-billing-upgraded.png') });

    // Cancel asks first, then ends the subscription at the period end; resume takes it back.
    await page.getByTestId('billing-cancel').click();
    await visible(page.getByTestId('cancel-dialog'));
    assert.match(await page.getByTestId('cancel-dialog').innerText(), /stays until .* You can resume it until then\./);
    await page.getByTestId('cancel-confirm').click();
    await visible(page.getByTestId('billing-cancels'));
    assert.equal((await stored()).cancelAtPeriodEnd, true);
    assert.equal(await page.getByTestId('billing-cancel').count(), 0);
    await page.getByTestId('billing-resume').click();
    await page.getByTestId('billing-cancels').waitFor({ state: 'detached' });
    await visible(page.getByTestId('billing-cancel'));
    assert.equal((await stored()).cancelAtPeriodEnd, false);

    // The portal button sends the owner to the session Stripe created (answered here, not fetched from the internet).
    const away = (url: URL) => url.origin !== new URL(stack.apiUrl).origin;
    await page.route(away, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Stripe portal</title>' }));
    await page.getByTestId('billing-portal').click();
    await page.waitForURL(away, { timeout: 10_000 });
    const session = stripe.proxy.exchanges.findLast((e) => e.url.pathname === '/v1/billing_portal/sessions')!;
    assert.equal(page.url(), new URL(JSON.parse(session.responseBody).url as string).href);
    assert.equal(session.body.get('return_url'), `${stack.apiUrl}/app/billing`);
    assert.deepEqual(pageErrors, []);
  });
});
