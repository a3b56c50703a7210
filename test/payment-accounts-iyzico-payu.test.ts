/**
 * Merchants' own iyzico and PayU accounts end to end against the local peers:
 * connecting (keys checked with the provider before anything is stored, never
 * returned), checkouts made with that merchant's account (its own keys, or a
 * marketplace split to its sub-merchant), and notifications on the account's
 * own endpoint verified with that account's secret only.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { checkoutActivities } from '../activities/checkout';
import type { ActivityDeps } from '../activities/deps';
import { redact } from '../config/logger';
import { setSubscription } from '../db/queries/billing';
import { marketplaceFee } from '../domain/billing';
import { fromIyzicoPrice } from '../integrations/payments/iyzico';
import { iyzicoAccountProvider, type IyzicoAccountsConfig } from '../integrations/payments/iyzico-accounts';
import { createPaymentRegistry } from '../integrations/payments/registry';
import { payuAccountProvider } from '../integrations/payments/payu-accounts';
import { leadWorkflowId, stateQuery } from '../workflows/contract';
import { IYZICO_PATHS, iyzicoError, startIyzicoPeer, type IyzicoPeer } from './peers/iyzico-peer';
import { startPayUPeer, type PayUOrderBody, type PayUPeer } from './peers/payu-peer';
import { eventually, getTranscript, postMessage, sessionId } from './support/chat';
import { startStack, type Stack } from './support/stack';

const PLATFORM_IYZICO = { apiKey: 'sandbox-platform-marketplace-key', secretKey: 'sandbox-platform-marketplace-secret' };
const SHOP_A_IYZICO = { apiKey: 'sandbox-shop-a-api-key-0001', secretKey: 'sandbox-shop-a-SECRET-never-shown' };
const SHOP_B_IYZICO = { apiKey: 'sandbox-shop-b-api-key-0002', secretKey: 'sandbox-shop-b-SECRET-never-shown' };
const PLATFORM_PAYU = { posId: '300746', clientId: '300746', clientSecret: '2ee86a66e5d97e3fadc400c9f19b065d', secondKey: 'b6ca15b0d1020e8094d9b5f8d163db54' };
const SHOP_PAYU = { posId: '411222', clientId: '411222', clientSecret: 'c0ffeec0ffeec0ffeec0ffeec0ffee42', secondKey: '0f1e2d3c4b5a69788796a5b4c3d2e1f0' };
const OTHER_PAYU = { posId: '522333', clientId: '522333', clientSecret: 'deadbeefdeadbeefdeadbeefdeadbeef', secondKey: 'aabbccddeeff00112233445566778899' };
const SECRETS = [SHOP_A_IYZICO.secretKey, SHOP_B_IYZICO.secretKey, SHOP_PAYU.clientSecret, SHOP_PAYU.secondKey, OTHER_PAYU.clientSecret, OTHER_PAYU.secondKey];

const PERSONAL = {
  kind: 'sub_merchant',
  type: 'PERSONAL',
  name: "Ayşe's ceramics",
  email: 'ayse@ceramics.example',
  gsmNumber: '+905350000000',
  address: 'Nidakule Göztepe, Merdivenköy Mah. Bora Sok. No:1',
  iban: 'TR18 0006 2001 1900 0006 6723 15',
  contactName: 'Ayşe',
  contactSurname: 'Yılmaz',
  identityNumber: '31300864726',
};

type Json = Record<string, unknown>;

describe("merchants' own iyzico and PayU accounts", () => {
  let stack: Stack;
  let iyzico: IyzicoPeer;
  let payu: PayUPeer;
  let iyzicoAccounts: IyzicoAccountsConfig;
  const callbackUrl = 'http://127.0.0.1/payments/iyzico/callback';
  /** Merchants whose marketplace items this installation leaves to a person to approve (IYZICO_APPROVE_ITEMS=manual). */
  const manualApproval = new Set<string>();

  before(async () => {
    iyzico = await startIyzicoPeer({ ...PLATFORM_IYZICO, marketplace: true });
    iyzico.addAccount(SHOP_A_IYZICO);
    iyzico.addAccount(SHOP_B_IYZICO);
    payu = await startPayUPeer(PLATFORM_PAYU);
    payu.addPos(SHOP_PAYU);
    payu.addPos(OTHER_PAYU);
    iyzicoAccounts = { baseUrl: iyzico.baseUrl, callbackUrl, platform: PLATFORM_IYZICO };
    const payuAccounts = { baseUrl: payu.baseUrl, publicBaseUrl: 'http://127.0.0.1' };
    stack = await startStack({
      // No installation provider serves TRY or PLN: a checkout in them can only go through the merchant's account.
      paymentRoutes: 'TRY:iyzico;PLN:payu;*:demo',
      paymentAccounts: {
        factories: {
          iyzico: (account, credentials) => iyzicoAccountProvider({ ...iyzicoAccounts, approveItems: manualApproval.has(account.merchantId) ? 'manual' : 'on_payment' })(account, credentials),
          payu: payuAccountProvider(payuAccounts),
        },
      },
      iyzicoAccounts,
      payuAccounts,
    });
  });
  after(async () => {
    await stack?.stop();
    await iyzico?.close();
    await payu?.close();
  });

  const api = async (merchantId: string, method: string, path: string, body?: unknown, role: 'owner' | 'admin' | 'agent' = 'admin') => {
    const { headers } = await stack.member(merchantId, role);
    return fetch(`${stack.apiUrl}/api/v1${path}`, { method, headers: { ...headers, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  };
  const accountRow = async (merchantId: string, provider: string) => (await stack.db('payment_accounts').where({ merchant_id: merchantId, provider }).first()) as Json | undefined;
  const webhook = (accountId: string, body: string, headers: Record<string, string>) =>
    fetch(`${stack.apiUrl}/webhooks/payments/${accountId}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const noSecretIn = (text: string, where: string) => {
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `${where} must not contain a secret`);
  };

  /** A lead of `merchantId` who wants the 2-person tent, priced in `currency`. */
  async function buyer(merchantId: string, currency: string) {
    await stack.db('products').where({ merchant_id: merchantId }).update({ currency });
    const s = sessionId();
    await postMessage(stack.apiUrl, merchantId, { sessionId: s, text: "I'd like the 2-person tent, I'll take it" });
    const handle = stack.client.workflow.getHandle(leadWorkflowId(merchantId, 'webchat', s));
    const state = await eventually(() => handle.query(stateQuery), (x) => x.pendingPayment !== null, 'a checkout', 30_000);
    const order = (await stack.db('orders').where({ id: state.pendingPayment!.orderId }).first()) as Json & { id: string; providerRef: string; amountMinor: number };
    return { merchantId, s, handle, order };
  }
  const won = async (b: Awaited<ReturnType<typeof buyer>>) => {
    await eventually(() => b.handle.query(stateQuery), (x) => x.stage === 'won', 'won', 30_000);
    assert.equal(((await stack.db('orders').where({ id: b.order.id }).first()) as Json).status, 'paid');
    const transcript = await getTranscript(stack.apiUrl, b.merchantId, b.s);
    assert.equal(transcript.filter((m) => /Payment received/.test(m.text)).length, 1, 'one receipt');
  };
  const orderStatus = async (id: string) => ((await stack.db('orders').where({ id }).first()) as Json).status;

  describe('iyzico with the merchant’s own keys', () => {
    test('bad keys are refused with a clear 422 and nothing is stored', async () => {
      const merchantId = await stack.createMerchant();
      const wrongSecret = await api(merchantId, 'PUT', '/payment-accounts/iyzico', { kind: 'own_keys', apiKey: SHOP_A_IYZICO.apiKey, secretKey: 'sandbox-not-the-secret' });
      assert.equal(wrongSecret.status, 422);
      const body = (await wrongSecret.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'invalid_credentials');
      assert.match(body.error.message, /iyzico refused these keys.*nothing was saved/);
      const unknownKey = await api(merchantId, 'PUT', '/payment-accounts/iyzico', { kind: 'own_keys', apiKey: 'sandbox-nobody-at-all', secretKey: 'sandbox-whatever-1' });
      assert.equal(unknownKey.status, 422);
      assert.equal(await accountRow(merchantId, 'iyzico'), undefined);
      assert.equal((await api(merchantId, 'PUT', '/payment-accounts/iyzico', { kind: 'own_keys', ...SHOP_A_IYZICO }, 'agent')).status, 403);
      assert.equal(await accountRow(merchantId, 'iyzico'), undefined);
    });

    test('the checkout uses the merchant’s keys; only its own signed notification is taken on its endpoint', async () => {
      const a = await stack.createMerchant();
      const b = await stack.createMerchant();
      const saved = await api(a, 'PUT', '/payment-accounts/iyzico', { kind: 'own_keys', ...SHOP_A_IYZICO });
      const savedText = await saved.text();
      assert.equal(saved.status, 200, savedText);
      noSecretIn(savedText, 'the PUT answer');
      const savedBody = JSON.parse(savedText) as { account: Json & { id: string; details: Json }; webhookUrl: string };
      assert.equal(savedBody.account.kind, 'own_keys');
      assert.equal(savedBody.account.status, 'active');
      assert.equal(savedBody.account.details.keyHint, `…${SHOP_A_IYZICO.apiKey.slice(-4)}`);
      assert.ok(savedBody.webhookUrl.endsWith(`/webhooks/payments/${savedBody.account.id}`));
      assert.equal((await api(b, 'PUT', '/payment-accounts/iyzico', { kind: 'own_keys', ...SHOP_B_IYZICO })).status, 200);

      // Secrets are sealed at rest and appear in no answer and no audit entry.
      const row = (await accountRow(a, 'iyzico'))!;
      noSecretIn(String(row.credentialsEncrypted), 'the sealed column');
      assert.deepEqual(stack.box.openJson(String(row.credentialsEncrypted)), SHOP_A_IYZICO);
      for (const path of ['/payment-accounts', '/payment-accounts/iyzico', '/payment-accounts/payu']) {
        const res = await api(a, 'GET', path);
        assert.equal(res.status, 200, path);
        noSecretIn(await res.text(), `GET ${path}`);
      }
      noSecretIn(JSON.stringify(await stack.db('audit_log').where({ merchant_id: a })), 'the audit log');

      const sale = await buyer(a, 'TRY');
      assert.equal(sale.order.provider, 'iyzico');
      assert.equal(sale.order.paymentAccountId, savedBody.account.id);
      const checkout = iyzico.checkouts.get(sale.order.providerRef)!;
      assert.equal(checkout.apiKey, SHOP_A_IYZICO.apiKey, "made with the merchant's own keys");
      assert.ok((checkout.request.basketItems as Json[]).every((i) => i.subMerchantKey === undefined), 'no marketplace split on own keys');
      iyzico.setState(sale.order.providerRef, 'success');

      const accountId = savedBody.account.id;
      const valid = iyzico.notification(sale.order.providerRef);
      // Forged, and signed with merchant B's secret: refused, nothing stored, the order still pending.
      const forged = await webhook(accountId, valid.body, { ...valid.headers, 'x-iyz-signature-v3': '0'.repeat(64) });
      assert.equal(forged.status, 403);
      const withB = iyzico.notification(sale.order.providerRef, { secret: SHOP_B_IYZICO.secretKey });
      assert.equal((await webhook(accountId, withB.body, withB.headers)).status, 403);
      const bAccount = (await accountRow(b, 'iyzico'))!;
      assert.equal((await webhook(String(bAccount.id), valid.body, valid.headers)).status, 403, "A's notification on B's endpoint");
      assert.equal(await orderStatus(sale.order.id), 'pending');
      assert.equal((await stack.db('webhook_events').where({ merchant_id: a })).length, 0, 'nothing recorded');

      // Correctly signed by B, but naming A's order: B's endpoint takes it and changes nothing.
      const bSignedAOrder = iyzico.notification(sale.order.providerRef, { secret: SHOP_B_IYZICO.secretKey, referenceCode: 'b-names-a' });
      const crossed = await webhook(String(bAccount.id), bSignedAOrder.body, bSignedAOrder.headers);
      assert.equal(crossed.status, 200);
      assert.deepEqual(((await crossed.json()) as { results: string[] }).results, ['unknown_order']);
      assert.equal(await orderStatus(sale.order.id), 'pending');

      const ok = await webhook(accountId, valid.body, valid.headers);
      assert.equal(ok.status, 200, await ok.clone().text());
      assert.deepEqual(((await ok.json()) as { results: string[] }).results, ['applied']);
      await won(sale);
    });

    test("iyzico's callback for an own-key checkout is confirmed with the merchant's keys", async () => {
      const merchantId = await stack.createMerchant();
      assert.equal((await api(merchantId, 'PUT', '/payment-accounts/iyzico', { kind: 'own_keys', ...SHOP_A_IYZICO })).status, 200);
      const sale = await buyer(merchantId, 'TRY');
      iyzico.setState(sale.order.providerRef, 'success');
      const before = iyzico.requestsTo(IYZICO_PATHS.retrieve).length;
      const res = await fetch(`${stack.apiUrl}/payments/iyzico/callback`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${sale.order.providerRef}` });
      assert.equal(res.status, 303);
      await won(sale);
      const retrieves = iyzico.requestsTo(IYZICO_PATHS.retrieve).slice(before);
      assert.ok(retrieves.length > 0);
      for (const r of retrieves) assert.match(Buffer.from(String(r.headers.authorization).slice('IYZWSv2 '.length), 'base64').toString(), new RegExp(`apiKey:${SHOP_A_IYZICO.apiKey}&`));
    });

    test('disconnecting deletes the keys and closes the endpoint', async () => {
      const merchantId = await stack.createMerchant();
      const saved = (await (await api(merchantId, 'PUT', '/payment-accounts/iyzico', { kind: 'own_keys', ...SHOP_A_IYZICO })).json()) as { account: { id: string } };
      assert.equal((await api(merchantId, 'DELETE', '/payment-accounts/iyzico')).status, 204);
      const row = (await accountRow(merchantId, 'iyzico'))!;
      assert.equal(row.status, 'disabled');
      assert.equal(row.credentialsEncrypted, null);
      assert.equal(((await (await api(merchantId, 'GET', '/payment-accounts/iyzico')).json()) as { account: unknown }).account, null);
      assert.equal((await webhook(saved.account.id, '{}', { 'x-iyz-signature-v3': 'ab' })).status, 404);
      assert.equal((await api(merchantId, 'DELETE', '/payment-accounts/iyzico')).status, 404);
    });
  });

  describe('iyzico marketplace: the merchant as a sub-merchant', () => {
    test('registers the sub-merchant, updates it, and splits each checkout by the plan’s fee', async () => {
      const merchantId = await stack.createMerchant();
      await stack.db('plans').insert({ code: 'iyzico_marketplace_5', name: 'Marketplace 5%', price_minor: 0, currency: 'TRY', conversation_quota: 1000, grace_percent: 0, marketplace_fee_bps: 500, active: false }).onConflict('code').ignore();
      const now = new Date();
      await setSubscription(stack.db, { merchantId, planCode: 'iyzico_marketplace_5', status: 'active', provider: 'manual', providerRef: null, currentPeriodStart: now, currentPeriodEnd: new Date(now.getTime() + 30 * 86_400_000), cancelAtPeriodEnd: false, updatedAt: now });

      // Our own checks first (400), then iyzico's (422); neither stores anything.
      const { identityNumber: _omitted, ...withoutId } = PERSONAL;
      const incomplete = await api(merchantId, 'PUT', '/payment-accounts/iyzico', withoutId);
      assert.equal(incomplete.status, 400);
      assert.match(await incomplete.text(), /identityNumber/);
      assert.equal((await api(merchantId, 'PUT', '/payment-accounts/iyzico', { ...PERSONAL, iban: 'TR18 0006 2001 1900 0006 6723 16' })).status, 400);
      iyzico.enqueue(IYZICO_PATHS.subMerchant, iyzicoError('2015', 'Geçersiz gsmNumber'));
      const refused = await api(merchantId, 'PUT', '/payment-accounts/iyzico', PERSONAL);
      assert.equal(refused.status, 422);
      assert.match(await refused.text(), /Geçersiz gsmNumber/);
      assert.equal(await accountRow(merchantId, 'iyzico'), undefined);

      const res = await api(merchantId, 'PUT', '/payment-accounts/iyzico', PERSONAL);
      assert.equal(res.status, 200, await res.clone().text());
      const { account } = (await res.json()) as { account: Json & { externalRef: string; details: Json } };
      assert.equal(account.kind, 'sub_merchant');
      assert.equal(account.details.ibanHint, '…2315');
      const registered = iyzico.subMerchants.get(account.externalRef)!;
      assert.equal(registered.externalId, merchantId);
      assert.equal(registered.apiKey, PLATFORM_IYZICO.apiKey);
      assert.equal(registered.fields.iban, 'TR180006200119000006672315');

      const updated = await api(merchantId, 'PUT', '/payment-accounts/iyzico', { ...PERSONAL, address: 'Moda, Kadıköy' });
      assert.equal(updated.status, 200);
      assert.equal(((await updated.json()) as { account: { externalRef: string } }).account.externalRef, account.externalRef, 'the same sub-merchant');
      assert.equal(registered.fields.address, 'Moda, Kadıköy');
      assert.equal(iyzico.subMerchants.size > 0 && [...iyzico.subMerchants.values()].filter((m) => m.externalId === merchantId).length, 1);
      const company = await api(merchantId, 'PUT', '/payment-accounts/iyzico', { ...PERSONAL, type: 'LIMITED_OR_JOINT_STOCK_COMPANY', taxOffice: 'Kadıköy', taxNumber: '1234567890', legalCompanyTitle: 'Seramik A.Ş.' });
      assert.equal(company.status, 409, 'iyzico does not change a sub-merchant’s type');

      const sale = await buyer(merchantId, 'TRY');
      const checkout = iyzico.checkouts.get(sale.order.providerRef)!;
      assert.equal(checkout.apiKey, PLATFORM_IYZICO.apiKey, 'charged with the platform’s marketplace keys');
      const lines = checkout.request.basketItems as Json[];
      assert.ok(lines.every((l) => l.subMerchantKey === account.externalRef), 'every line names the sub-merchant');
      const fee = Number(sale.order.platformFeeMinor);
      assert.equal(fee, marketplaceFee(sale.order.amountMinor, 500));
      assert.ok(fee > 0);
      const toMerchant = lines.reduce((sum, l) => sum + fromIyzicoPrice(String(l.subMerchantPrice)), 0);
      assert.equal(toMerchant, sale.order.amountMinor - fee, 'the merchant gets the amount minus the platform fee, to the cent');

      // The sub-merchant's payments are the platform's: notifications come signed with the platform's secret.
      iyzico.setState(sale.order.providerRef, 'success');
      const res2 = await fetch(`${stack.apiUrl}/payments/iyzico/callback`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${sale.order.providerRef}` });
      assert.equal(res2.status, 303);
      await won(sale);
    });
  });

  describe("iyzico marketplace: releasing the sub-merchant's share", () => {
    /** A merchant selling as a sub-merchant of the platform's marketplace, on a plan with a 5% fee. */
    async function subMerchant(): Promise<string> {
      const merchantId = await stack.createMerchant();
      await stack.db('plans').insert({ code: 'iyzico_marketplace_5', name: 'Marketplace 5%', price_minor: 0, currency: 'TRY', conversation_quota: 1000, grace_percent: 0, marketplace_fee_bps: 500, active: false }).onConflict('code').ignore();
      const now = new Date();
      await setSubscription(stack.db, { merchantId, planCode: 'iyzico_marketplace_5', status: 'active', provider: 'manual', providerRef: null, currentPeriodStart: now, currentPeriodEnd: new Date(now.getTime() + 30 * 86_400_000), cancelAtPeriodEnd: false, updatedAt: now });
      const res = await api(merchantId, 'PUT', '/payment-accounts/iyzico', PERSONAL);
      assert.equal(res.status, 200, await res.clone().text());
      return merchantId;
    }
    /** The customer pays and iyzico sends them back: the checkout verifies, settles and sends the receipt. */
    async function paidSale(merchantId: string) {
      const sale = await buyer(merchantId, 'TRY');
      iyzico.setState(sale.order.providerRef, 'success');
      const res = await fetch(`${stack.apiUrl}/payments/iyzico/callback`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${sale.order.providerRef}` });
      assert.equal(res.status, 303);
      await won(sale);
      return sale;
    }
    const approvalsOf = (token: string) => iyzico.approvals.filter((a) => a.token === token).map((a) => a.paymentTransactionId);
    const eventsOf = async (orderId: string, kind: string) => (await stack.db('order_events').where({ order_id: orderId, kind })) as Array<Json & { details: Json }>;
    const approvalEventsOf = async (orderId: string) => (await stack.db('order_events').where({ order_id: orderId }).whereIn('kind', ['items_approved', 'approval_pending', 'approval_failed'])) as Json[];
    /** `settleOrder` run again for a paid order, as Temporal retries it, on an installation that approves on payment. */
    async function settleAgain(orderId: string) {
      const registry = createPaymentRegistry([], 'TRY:iyzico', { db: stack.db, box: stack.box, factories: { iyzico: iyzicoAccountProvider({ ...iyzicoAccounts, approveItems: 'on_payment' }) }, marketplace: false });
      // settleOrder uses only the database and the payment registry of the worker's dependencies.
      const activities = checkoutActivities({ db: stack.db, payments: registry, publicBaseUrl: stack.apiUrl, checkoutTtlMs: 60_000 } as unknown as ActivityDeps);
      const env = new MockActivityEnvironment({ attempt: 2, taskQueue: stack.taskQueue }, { client: stack.client });
      return env.run(activities.settleOrder, { orderId, status: 'paid' as const });
    }

    test('a paid order: every item is approved once when the payment is verified; a retried settle approves nothing twice', async () => {
      const merchantId = await subMerchant();
      const sale = await paidSale(merchantId);
      const lines = iyzico.checkouts.get(sale.order.providerRef)!.request.basketItems as Json[];
      const approved = approvalsOf(sale.order.providerRef);
      assert.equal(approved.length, lines.length, 'one approval per basket item');
      assert.equal(new Set(approved).size, approved.length);
      const [event, ...more] = await eventsOf(sale.order.id, 'items_approved');
      assert.equal(more.length, 0);
      assert.deepEqual((event!.details.items as Json[]).map((i) => i.ref), approved, 'the timeline shows the items iyzico released');
      assert.equal(event!.details.provider, 'iyzico');

      const sent = iyzico.requestsTo(IYZICO_PATHS.approve).length;
      assert.equal(await settleAgain(sale.order.id), false, 'the order was already paid');
      assert.equal(iyzico.requestsTo(IYZICO_PATHS.approve).length, sent, 'nothing sent again');
      assert.deepEqual(approvalsOf(sale.order.providerRef), approved);
      assert.equal((await eventsOf(sale.order.id, 'items_approved')).length, 1, 'one line on the timeline');
    });

    test('manual approval approves nothing and lists the waiting items; after a refund nothing is approved', async () => {
      const merchantId = await subMerchant();
      manualApproval.add(merchantId);
      const sent = iyzico.requestsTo(IYZICO_PATHS.approve).length;
      const sale = await paidSale(merchantId);
      assert.equal(iyzico.requestsTo(IYZICO_PATHS.approve).length, sent);
      assert.deepEqual(approvalsOf(sale.order.providerRef), []);
      const [pending] = await eventsOf(sale.order.id, 'approval_pending');
      assert.equal(pending!.details.reason, 'manual');
      const lines = iyzico.checkouts.get(sale.order.providerRef)!.request.basketItems as Json[];
      assert.deepEqual((pending!.details.items as Json[]).map((i) => i.state), lines.map(() => 'awaiting_approval'));

      // The merchant refunds part of it; a settle that would approve on payment now leaves the items alone.
      const { headers } = await stack.member(merchantId, 'admin');
      const refund = await fetch(`${stack.apiUrl}/api/v1/orders/${sale.order.id}/refunds`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': `refund-${sale.order.id}` },
        body: JSON.stringify({ amountMinor: 1_000, reason: 'damaged in transit' }),
      });
      assert.equal(refund.status, 200, await refund.clone().text());
      await settleAgain(sale.order.id);
      assert.equal(iyzico.requestsTo(IYZICO_PATHS.approve).length, sent, 'a refunded order is not approved');
      assert.deepEqual(approvalsOf(sale.order.providerRef), []);
    });

    test("an order on the merchant's own keys asks for no approval", async () => {
      const merchantId = await stack.createMerchant();
      assert.equal((await api(merchantId, 'PUT', '/payment-accounts/iyzico', { kind: 'own_keys', ...SHOP_B_IYZICO })).status, 200);
      const sent = iyzico.requestsTo(IYZICO_PATHS.approve).length;
      const sale = await paidSale(merchantId);
      assert.equal(iyzico.checkouts.get(sale.order.providerRef)!.apiKey, SHOP_B_IYZICO.apiKey);
      await settleAgain(sale.order.id);
      assert.equal(iyzico.requestsTo(IYZICO_PATHS.approve).length, sent);
      assert.deepEqual(await approvalEventsOf(sale.order.id), []);
    });
  });

  describe('PayU with the merchant’s own POS', () => {
    test('bad client credentials are refused and nothing is stored', async () => {
      const merchantId = await stack.createMerchant();
      const res = await api(merchantId, 'PUT', '/payment-accounts/payu', { ...SHOP_PAYU, clientSecret: 'not-the-client-secret' });
      assert.equal(res.status, 422);
      assert.match(await res.text(), /PayU refused this client id and secret/);
      assert.equal(await accountRow(merchantId, 'payu'), undefined);
      assert.equal((await api(merchantId, 'PUT', '/payment-accounts/payu', { ...SHOP_PAYU, secondKey: 'short' })).status, 400);
    });

    test('the order goes to the merchant’s POS with its OAuth client; its notification is verified with its second key', async () => {
      const merchantId = await stack.createMerchant();
      const other = await stack.createMerchant();
      const saved = await api(merchantId, 'PUT', '/payment-accounts/payu', SHOP_PAYU);
      const text = await saved.text();
      assert.equal(saved.status, 200, text);
      noSecretIn(text, 'the PUT answer');
      const { account } = JSON.parse(text) as { account: { id: string; externalRef: string } };
      assert.equal(account.externalRef, SHOP_PAYU.posId);
      assert.equal((await api(other, 'PUT', '/payment-accounts/payu', OTHER_PAYU)).status, 200);
      for (const path of ['/payment-accounts', '/payment-accounts/payu']) noSecretIn(await (await api(merchantId, 'GET', path)).text(), `GET ${path}`);

      const sale = await buyer(merchantId, 'PLN');
      assert.equal(sale.order.paymentAccountId, account.id);
      const create = payu.orderCreates().find((r) => (r.body as PayUOrderBody).extOrderId === sale.order.id)!;
      assert.equal((create.body as PayUOrderBody).merchantPosId, SHOP_PAYU.posId);
      assert.equal(payu.posOf(create), SHOP_PAYU.posId, "authorised with the merchant's OAuth client");
      assert.equal((create.body as PayUOrderBody).notifyUrl, `http://127.0.0.1/webhooks/payments/${account.id}`);

      payu.setOrderStatus(sale.order.providerRef, 'COMPLETED');
      const valid = payu.orderNotification(sale.order.providerRef);
      const forged = await webhook(account.id, valid.body, { ...valid.headers, 'openpayu-signature': valid.headers['openpayu-signature']!.replace(/signature=\w+/, `signature=${'0'.repeat(32)}`) });
      assert.equal(forged.status, 403);
      // The same body signed with the other merchant's second key (or the platform's): refused on this endpoint.
      for (const secondKey of [OTHER_PAYU.secondKey, PLATFORM_PAYU.secondKey]) {
        const signature = createHash('md5').update(valid.body + secondKey).digest('hex');
        const res = await webhook(account.id, valid.body, { 'openpayu-signature': `sender=checkout;signature=${signature};algorithm=MD5;content=DOCUMENT` });
        assert.equal(res.status, 403);
      }
      assert.equal(await orderStatus(sale.order.id), 'pending');

      const ok = await webhook(account.id, valid.body, valid.headers);
      assert.equal(ok.status, 200, await ok.clone().text());
      await won(sale);

      // A refund goes through the same POS.
      const { headers } = await stack.member(merchantId, 'admin');
      const refund = await fetch(`${stack.apiUrl}/api/v1/orders/${sale.order.id}/refunds`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': `refund-${sale.order.id}` },
        body: JSON.stringify({ amountMinor: 1_000, reason: 'damaged in transit' }),
      });
      assert.equal(refund.status, 200, await refund.clone().text());
      assert.equal(payu.posOf(payu.refundRequests().at(-1)!), SHOP_PAYU.posId);
      assert.equal(payu.orders.get(sale.order.providerRef)!.refunds.length, 1);
    });
  });

  test('the logger never writes the keys merchants enter', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = pino({ redact }, sink);
    log.warn({ body: { kind: 'own_keys', ...SHOP_A_IYZICO } }, 'connect');
    log.warn({ ...SHOP_PAYU }, 'top level');
    log.warn({ credentials: { secretKey: SHOP_B_IYZICO.secretKey } }, 'credentials');
    log.warn({ req: { body: { ...OTHER_PAYU } } }, 'nested');
    assert.equal(lines.length, 4);
    noSecretIn(lines.join('\n'), 'the log');
  });
});
