import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { renderInvoicePdf } from '../integrations/billing/invoice-pdf';
import {
  countNewConversation,
  issueInvoice,
  markInvoicePaid,
  quotaFor,
  recordPlatformFee,
  setSubscription,
  subscriptionFor,
} from '../db/queries/billing';
import { invoiceLine } from '../domain/billing';
import { startStack, type Stack } from './support/stack';

// Windows-1252's 0x80–0x9F (Node 20's TextDecoder treats the label as plain Latin-1).
const cp1252High = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const winAnsi = { decode: (b: Buffer) => [...b].map((x) => (x >= 0x80 && x <= 0x9f ? cp1252High[x - 0x80]! : String.fromCharCode(x))).join('') };

/** The text a PDF draws: pdfkit writes standard-font text as hex strings inside TJ arrays, in (optionally deflated) content streams. */
function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const out: string[] = [];
  for (const m of raw.matchAll(/<<([^]*?)>>\s*stream\r?\n/g)) {
    const start = m.index + m[0].length;
    const end = raw.indexOf('endstream', start);
    let body = pdf.subarray(start, end);
    if (/\/FlateDecode/.test(m[1]!)) {
      try {
        body = inflateSync(body);
      } catch {
        continue;
      }
    }
    for (const tj of body.toString('latin1').matchAll(/\[([^\]]*)\]\s*TJ/g)) {
      out.push([...tj[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => winAnsi.decode(Buffer.from(h[1]!, 'hex'))).join(''));
    }
  }
  return out.join('\n');
}

describe('billing: metering, quotas, fees, invoices', () => {
  let stack: Stack;
  let apiUrl: string;

  before(async () => {
    stack = await startStack({ noWorker: true });
    apiUrl = stack.apiUrl;
  });
  after(() => stack.stop());

  // Merchants read their own billing as owners; the installation's operator sets plans and issues invoices.
  const owners = new Map<string, Record<string, string>>();
  const ownerOf = async (merchantId: string) => {
    if (!owners.has(merchantId)) owners.set(merchantId, (await stack.member(merchantId, 'owner')).headers);
    return owners.get(merchantId)!;
  };
  const json = (body: unknown): Record<string, string> => (body === undefined ? {} : { 'content-type': 'application/json' });
  const operator = (path: string, body?: unknown) =>
    fetch(`${apiUrl}/api/platform${path}`, { method: 'POST', headers: { authorization: `Bearer ${stack.adminToken}`, ...json(body) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const call = async (method: string, path: string, body?: Record<string, unknown>) => {
    const { merchantId, ...rest } = body ?? {};
    if (path === '/billing/subscription') return operator(`/merchants/${merchantId}/subscription`, rest);
    if (path === '/billing/invoices') return operator(`/merchants/${merchantId}/invoices`, rest);
    const url = new URL(`${apiUrl}/api/v1${path}`);
    const as = url.searchParams.get('merchantId');
    url.searchParams.delete('merchantId');
    return fetch(url, { method, headers: as ? await ownerOf(as) : {} });
  };

  async function paidOrder(merchantId: string, amountMinor: number, paidAt: Date, currency = 'USD') {
    const conversationId = `lead:${merchantId}:webchat:${randomUUID()}`;
    await stack.db('conversations').insert({ id: conversationId, merchant_id: merchantId, channel: 'webchat', customer_key: randomUUID() });
    const id = randomUUID();
    await stack.db('orders').insert({
      id,
      merchant_id: merchantId,
      conversation_id: conversationId,
      sku: 'TENT-2P',
      quantity: 1,
      amount_minor: amountMinor,
      currency,
      status: 'paid',
      provider: 'demo',
      paid_at: paidAt,
    });
    return id;
  }

  test('a conversation counts once per period, however often the call is retried', async () => {
    const merchant = await stack.createMerchant();
    const at = new Date('2025-03-10T12:00:00Z');
    const results = await Promise.all(Array.from({ length: 5 }, () => countNewConversation(stack.db, merchant, 'lead:a', at)));
    assert.equal(results.filter((r) => r.counted).length, 1);
    assert.equal((await countNewConversation(stack.db, merchant, 'lead:b', at)).used, 2);
    assert.equal((await countNewConversation(stack.db, merchant, 'lead:a', new Date('2025-03-31T23:00:00Z'))).counted, false);
    const quota = await quotaFor(stack.db, merchant, at);
    assert.equal(quota.used, 2);
    assert.equal(quota.planCode, 'starter');
    assert.deepEqual(quota.period, { start: new Date('2025-03-01T00:00:00Z'), end: new Date('2025-04-01T00:00:00Z') });
    // The next calendar month starts from zero.
    assert.equal((await quotaFor(stack.db, merchant, new Date('2025-04-01T00:00:00Z'))).used, 0);
  });

  test('quota goes ok → grace → exceeded on the plan (starter: 100 conversations, 10% grace)', async () => {
    const merchant = await stack.createMerchant();
    const at = new Date('2025-05-05T00:00:00Z');
    const states = [];
    for (let i = 1; i <= 111; i++) states.push((await countNewConversation(stack.db, merchant, `lead:${i}`, at)).state);
    assert.equal(states[98], 'ok'); // 99 used
    assert.equal(states[99], 'grace'); // 100 used: the next one is in the grace allowance
    assert.equal(states[108], 'grace'); // 109 used
    assert.equal(states[109], 'exceeded'); // 110 used
    const quota = await quotaFor(stack.db, merchant, at);
    assert.equal(quota.state, 'exceeded');
    assert.match(quota.message, /^You have used 111 of 100 conversations this period/);
  });

  test('subscription events apply in event order; a late older one is ignored', async () => {
    const merchant = await stack.createMerchant();
    const base = {
      merchantId: merchant,
      status: 'active' as const,
      provider: 'stripe' as const,
      providerRef: 'sub_123',
      currentPeriodStart: new Date('2025-06-15T00:00:00Z'),
      currentPeriodEnd: new Date('2025-07-15T00:00:00Z'),
      cancelAtPeriodEnd: false,
    };
    assert.equal(await setSubscription(stack.db, { ...base, planCode: 'growth', updatedAt: new Date('2025-06-15T00:00:02Z') }), true);
    assert.equal(await setSubscription(stack.db, { ...base, planCode: 'starter', updatedAt: new Date('2025-06-15T00:00:01Z') }), false);
    assert.equal(await setSubscription(stack.db, { ...base, planCode: 'starter', updatedAt: new Date('2025-06-15T00:00:02Z') }), false);
    assert.equal((await subscriptionFor(stack.db, merchant))?.planCode, 'growth');
    await assert.rejects(setSubscription(stack.db, { ...base, planCode: 'nope', updatedAt: new Date() }), /plan "nope" does not exist/);
    // Metering follows the subscription's period and plan.
    await countNewConversation(stack.db, merchant, 'lead:x', new Date('2025-06-20T00:00:00Z'));
    const quota = await quotaFor(stack.db, merchant, new Date('2025-07-01T00:00:00Z'));
    assert.deepEqual([quota.planCode, quota.limit, quota.used, quota.period.start.toISOString()], ['growth', 1000, 1, '2025-06-15T00:00:00.000Z']);
  });

  test('the platform fee is recorded once from the plan, and not before the order is paid', async () => {
    const merchant = await stack.createMerchant();
    const orderId = await paidOrder(merchant, 12_345, new Date());
    const fees = await Promise.all([recordPlatformFee(stack.db, orderId), recordPlatformFee(stack.db, orderId)]);
    assert.deepEqual(fees, [247, 247]); // starter: 2% of 123.45, half up
    await call('POST', '/billing/subscription', { merchantId: merchant, planCode: 'scale' });
    assert.equal(await recordPlatformFee(stack.db, orderId), 247, 'a later plan change leaves it');
    assert.equal((await stack.db('orders').where({ id: orderId }).first()).platformFeeMinor, 247);

    await stack.db('orders').where({ id: orderId }).update({ platform_fee_minor: null, paid_at: null, status: 'pending' });
    assert.equal(await recordPlatformFee(stack.db, orderId), null);
    await assert.rejects(recordPlatformFee(stack.db, randomUUID()), /not found/);
  });

  test('ten concurrent invoices get numbers 1..10, without gaps or duplicates', async () => {
    const merchant = await stack.createMerchant();
    const issuedAt = new Date('2025-02-01T00:00:00Z');
    const issued = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        issueInvoice(stack.db, merchant, { start: new Date(Date.UTC(2024, i, 1)), end: new Date(Date.UTC(2024, i + 1, 1)) }, [invoiceLine('Starter plan', 1, 2_900)], { currency: 'USD', issuedAt }),
      ),
    );
    assert.deepEqual(issued.map((r) => r.invoice.sequence).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(new Set(issued.map((r) => r.invoice.number)).size, 10);
    for (const r of issued) assert.equal(r.invoice.number, `INV-2025-${String(r.invoice.sequence).padStart(6, '0')}`);

    // The same period again, ten times at once: the one invoice comes back and no number is used up.
    const again = await Promise.all(
      Array.from({ length: 10 }, () => issueInvoice(stack.db, merchant, { start: new Date(Date.UTC(2024, 0, 1)), end: new Date(Date.UTC(2024, 1, 1)) }, [], { currency: 'USD' })),
    );
    assert.ok(again.every((r) => !r.created && r.invoice.id === issued[0]!.invoice.id));
    assert.equal(again[0]!.lines.length, 1);
    const next = await issueInvoice(stack.db, merchant, { start: new Date(Date.UTC(2025, 0, 1)), end: new Date(Date.UTC(2025, 1, 1)) }, [], { currency: 'USD', issuedAt });
    assert.equal(next.invoice.number, 'INV-2025-000011');

    // Another merchant has its own sequence.
    const other = await stack.createMerchant();
    assert.equal((await issueInvoice(stack.db, other, { start: issuedAt, end: new Date('2025-03-01T00:00:00Z') }, [], { currency: 'USD', issuedAt })).invoice.sequence, 1);
  });

  test('an invoice is marked paid once, by our id or the provider id', async () => {
    const merchant = await stack.createMerchant();
    const period = { start: new Date('2025-01-01T00:00:00Z'), end: new Date('2025-02-01T00:00:00Z') };
    const { invoice } = await issueInvoice(stack.db, merchant, period, [invoiceLine('Growth plan', 1, 9_900)], { currency: 'USD', providerInvoiceId: `in_${randomUUID()}` });
    const at = new Date('2025-02-03T10:00:00Z');
    const results = await Promise.all([markInvoicePaid(stack.db, { providerInvoiceId: invoice.providerInvoiceId! }, at), markInvoicePaid(stack.db, { invoiceId: invoice.id }, at)]);
    assert.deepEqual(results.sort(), [false, true]);
    const row = await stack.db('invoices').where({ id: invoice.id }).first();
    assert.equal(row.status, 'paid');
    assert.equal(row.paidAt.toISOString(), at.toISOString());
    assert.equal(await markInvoicePaid(stack.db, { providerInvoiceId: 'in_unknown' }), false);
  });

  test('the PDF is a PDF with the number, the merchant, the lines and the totals', async () => {
    const invoice = {
      number: 'INV-2025-000042',
      periodStart: new Date('2025-01-01T00:00:00Z'),
      periodEnd: new Date('2025-02-01T00:00:00Z'),
      currency: 'USD',
      subtotalMinor: 10_147,
      totalMinor: 10_147,
      status: 'open' as const,
      issuedAt: new Date('2025-02-01T00:00:00Z'),
      paidAt: null,
    };
    const lines = [invoiceLine('Growth plan, Jan 1, 2025 – Jan 31, 2025', 1, 9_900), invoiceLine('Marketplace fees (1%) on 2 customer payments', 1, 247)];
    for (const compress of [false, true]) {
      const pdf = await renderInvoicePdf(invoice, lines, { id: 'm-1', name: 'Ayşe Yılmaz Kamp & Co' }, undefined, { compress });
      assert.equal(pdf.subarray(0, 4).toString('latin1'), '%PDF');
      const text = pdfText(pdf);
      for (const expected of ['INV-2025-000042', 'AutoCloser', 'Ayse Yilmaz Kamp & Co', 'Marketplace fees (1%) on 2 customer payments', '$99.00', '$2.47', '$101.47', 'Jan 1, 2025 – Jan 31, 2025']) {
        assert.ok(text.includes(expected), `${compress ? 'compressed' : 'plain'} PDF shows ${expected}`);
      }
    }
  });

  test('API: plans, manual plan change, usage, invoice issue (idempotent) and its PDF', async () => {
    const merchant = await stack.createMerchant();
    const plans = (await (await call('GET', `/billing/plans?merchantId=${merchant}`)).json()) as { items: { code: string; currency: string }[] };
    // Suites share the database, and another may add a plan of its own: the seeded ones must all be offered.
    const codes = plans.items.map((p) => p.code);
    for (const seeded of ['growth', 'scale', 'starter', 'starter_try']) assert.ok(codes.includes(seeded), `${seeded} is offered (got ${codes.join(', ')})`);

    const changed = await call('POST', '/billing/subscription', { merchantId: merchant, planCode: 'growth' });
    assert.equal(changed.status, 200, await changed.clone().text());
    const sub = (await changed.json()) as { subscription: { planCode: string; provider: string; status: string } };
    assert.deepEqual([sub.subscription.planCode, sub.subscription.provider, sub.subscription.status], ['growth', 'manual', 'active']);
    // A second change right after the first still applies.
    assert.equal(((await (await call('POST', '/billing/subscription', { merchantId: merchant, planCode: 'scale' })).json()) as typeof sub).subscription.planCode, 'scale');
    await call('POST', '/billing/subscription', { merchantId: merchant, planCode: 'growth' });

    await countNewConversation(stack.db, merchant, 'lead:api');
    const overview = (await (await call('GET', `/billing?merchantId=${merchant}`)).json()) as {
      plan: { code: string };
      subscription: { planCode: string };
      usage: { used: number; limit: number; state: string; message: string };
      invoices: unknown[];
    };
    assert.equal(overview.plan.code, 'growth');
    assert.deepEqual([overview.usage.used, overview.usage.limit, overview.usage.state], [1, 1000, 'ok']);
    assert.equal(overview.usage.message, 'You have used 1 of 1000 conversations this period; 999 remaining.');
    assert.deepEqual(overview.invoices, []);

    // Two payments in January (fees 1% each: 123 + 1), one in February, one in another currency.
    await paidOrder(merchant, 12_300, new Date('2025-01-10T00:00:00Z'));
    await paidOrder(merchant, 50, new Date('2025-01-31T23:59:59Z'));
    await paidOrder(merchant, 99_999, new Date('2025-02-01T00:00:00Z'));
    await paidOrder(merchant, 40_000, new Date('2025-01-15T00:00:00Z'), 'TRY');
    const body = { merchantId: merchant, periodStart: '2025-01-01T00:00:00Z', periodEnd: '2025-02-01T00:00:00Z' };
    const first = await call('POST', '/billing/invoices', body);
    assert.equal(first.status, 201, await first.clone().text());
    const issued = (await first.json()) as {
      invoice: { id: string; number: string; totalMinor: number; currency: string; pdfUrl: string };
      lines: { description: string; amountMinor: number }[];
      unbilled: { currency: string; feeMinor: number }[];
    };
    assert.equal(issued.invoice.currency, 'USD');
    assert.deepEqual(issued.lines.map((l) => l.amountMinor), [9_900, 124]);
    assert.equal(issued.invoice.totalMinor, 10_024);
    assert.deepEqual(issued.unbilled, [{ currency: 'TRY', feeMinor: 400, payments: 1 }]);
    assert.match(issued.invoice.number, /^INV-\d{4}-000001$/);

    const repeat = await call('POST', '/billing/invoices', body);
    assert.equal(repeat.status, 200);
    assert.equal(((await repeat.json()) as typeof issued).invoice.id, issued.invoice.id);

    const pdf = await fetch(`${apiUrl}${issued.invoice.pdfUrl}`, { headers: await ownerOf(merchant) });
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    assert.equal(bytes.subarray(0, 4).toString('latin1'), '%PDF');
    assert.ok(pdfText(bytes).includes(issued.invoice.number));

    const listed = (await (await call('GET', `/billing?merchantId=${merchant}`)).json()) as typeof overview;
    assert.equal(listed.invoices.length, 1);

    // Another merchant cannot read it: the same answer as for a missing invoice.
    const stranger = await stack.createMerchant();
    assert.equal((await call('GET', `/billing/invoices/${issued.invoice.id}/pdf?merchantId=${stranger}`)).status, 404);
    assert.equal((await call('GET', `/billing/invoices/${randomUUID()}/pdf?merchantId=${merchant}`)).status, 404);
  });

  test('API: bad requests are 400s, unknown merchants 404s, and the right credentials are required', async () => {
    const merchant = await stack.createMerchant();
    const expect400 = async (res: Response) => {
      assert.equal(res.status, 400, await res.clone().text());
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'invalid_request');
    };
    await expect400(await call('POST', '/billing/subscription', { merchantId: merchant }));
    await expect400(await call('POST', '/billing/subscription', { merchantId: merchant, planCode: 'platinum' }));
    await expect400(await call('POST', '/billing/invoices', { merchantId: merchant, periodStart: 'yesterday', periodEnd: '2025-02-01T00:00:00Z' }));
    await expect400(await call('POST', '/billing/invoices', { merchantId: merchant, periodStart: '2025-02-01T00:00:00Z', periodEnd: '2025-01-01T00:00:00Z' }));
    assert.equal((await call('GET', `/billing/invoices/not-a-uuid/pdf?merchantId=${merchant}`)).status, 404);

    assert.equal((await call('POST', '/billing/subscription', { merchantId: 'm-nobody', planCode: 'growth' })).status, 404);
    assert.equal((await call('POST', '/billing/invoices', { merchantId: 'm-nobody', periodStart: '2025-01-01T00:00:00Z', periodEnd: '2025-02-01T00:00:00Z' })).status, 404);
    assert.equal((await fetch(`${apiUrl}/api/v1/billing/plans`)).status, 401);
    assert.equal((await fetch(`${apiUrl}/api/platform/merchants/${merchant}/invoices`, { method: 'POST' })).status, 401, 'the operator token is required');
    const agent = await stack.member(merchant, 'admin');
    assert.equal((await fetch(`${apiUrl}/api/v1/billing`, { headers: agent.headers })).status, 403, 'billing is for owners');
  });
});
