import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  addMonthsUtc,
  billingPeriod,
  formatInvoiceNumber,
  formatPeriod,
  invoiceLine,
  invoiceTotals,
  marketplaceFee,
  periodInvoiceLines,
  quotaState,
} from './billing';

const d = (iso: string) => new Date(iso);

describe('billing periods', () => {
  test('calendar month (UTC) without a subscription', () => {
    assert.deepEqual(billingPeriod(d('2025-02-14T23:59:00Z')), { start: d('2025-02-01T00:00:00Z'), end: d('2025-03-01T00:00:00Z') });
    assert.deepEqual(billingPeriod(d('2024-12-31T23:59:59.999Z'), null), { start: d('2024-12-01T00:00:00Z'), end: d('2025-01-01T00:00:00Z') });
  });

  test("the subscription's current period when it contains the instant, start inclusive and end exclusive", () => {
    const sub = { currentPeriodStart: d('2025-01-15T10:00:00Z'), currentPeriodEnd: d('2025-02-15T10:00:00Z') };
    assert.deepEqual(billingPeriod(d('2025-01-15T10:00:00Z'), sub), { start: sub.currentPeriodStart, end: sub.currentPeriodEnd });
    assert.deepEqual(billingPeriod(d('2025-02-15T09:59:59Z'), sub), { start: sub.currentPeriodStart, end: sub.currentPeriodEnd });
  });

  test('rolls monthly on the same anchor when the renewal has not been recorded yet', () => {
    const sub = { currentPeriodStart: d('2025-01-15T10:00:00Z'), currentPeriodEnd: d('2025-02-15T10:00:00Z') };
    assert.deepEqual(billingPeriod(d('2025-02-15T10:00:00Z'), sub), { start: d('2025-02-15T10:00:00Z'), end: d('2025-03-15T10:00:00Z') });
    assert.deepEqual(billingPeriod(d('2025-04-15T09:00:00Z'), sub), { start: d('2025-03-15T10:00:00Z'), end: d('2025-04-15T10:00:00Z') });
    assert.deepEqual(billingPeriod(d('2024-12-20T00:00:00Z'), sub), { start: d('2024-12-15T10:00:00Z'), end: d('2025-01-15T10:00:00Z') });
  });

  test('an anchor on the 31st falls on the last day of shorter months', () => {
    assert.deepEqual(addMonthsUtc(d('2025-01-31T00:00:00Z'), 1), d('2025-02-28T00:00:00Z'));
    assert.deepEqual(addMonthsUtc(d('2024-01-31T00:00:00Z'), 1), d('2024-02-29T00:00:00Z'));
    assert.deepEqual(addMonthsUtc(d('2025-01-31T00:00:00Z'), 2), d('2025-03-31T00:00:00Z'));
    assert.deepEqual(addMonthsUtc(d('2025-01-31T00:00:00Z'), -2), d('2024-11-30T00:00:00Z'));
  });

  test('a period reads with its last day', () => {
    assert.equal(formatPeriod({ start: d('2025-01-01T00:00:00Z'), end: d('2025-02-01T00:00:00Z') }), 'Jan 1, 2025 – Jan 31, 2025');
  });
});

describe('conversation quota', () => {
  test('ok below the quota, grace up to the allowance, exceeded after it', () => {
    const ok = quotaState(100, 40, 10);
    assert.equal(ok.state, 'ok');
    assert.equal(ok.remaining, 60);
    assert.equal(ok.message, 'You have used 40 of 100 conversations this period; 60 remaining.');
    assert.equal(quotaState(100, 99, 10).state, 'ok');

    const grace = quotaState(100, 100, 10);
    assert.equal(grace.state, 'grace');
    assert.equal(grace.remaining, 0);
    assert.equal(grace.graceRemaining, 10);
    assert.match(grace.message, /^You have used 100 of 100 conversations this period\. .*10 conversations more can start/);
    assert.equal(quotaState(100, 109, 10).state, 'grace');
    assert.match(quotaState(100, 109, 10).message, /1 conversation more/);

    const exceeded = quotaState(100, 110, 10);
    assert.equal(exceeded.state, 'exceeded');
    assert.equal(exceeded.graceRemaining, 0);
    assert.match(exceeded.message, /^You have used 110 of 100 conversations this period, including the grace allowance\. New conversations are paused/);
    assert.equal(quotaState(100, 150, 10).state, 'exceeded');
  });

  test('the grace allowance rounds down, and without one the quota is the hard limit', () => {
    assert.equal(quotaState(15, 16, 10).state, 'exceeded'); // 10% of 15 is 1.5 → 1
    assert.equal(quotaState(15, 15, 10).state, 'grace');
    assert.equal(quotaState(100, 100, 0).state, 'exceeded');
    assert.equal(quotaState(0, 0, 10).state, 'exceeded');
    assert.match(quotaState(1, 0, 0).message, /of 1 conversation this period/);
  });

  test('rejects nonsense', () => {
    assert.throws(() => quotaState(-1, 0, 10), RangeError);
    assert.throws(() => quotaState(100, 1.5, 10), RangeError);
  });
});

describe('marketplace fee', () => {
  test('basis points of the payment, rounded half up', () => {
    assert.equal(marketplaceFee(10_000, 200), 200);
    assert.equal(marketplaceFee(25, 200), 1); // 0.5 → 1
    assert.equal(marketplaceFee(24, 200), 0); // 0.48 → 0
    assert.equal(marketplaceFee(12_345, 150), 185); // 185.175
    assert.equal(marketplaceFee(12_300, 50), 62); // 61.5 → 62
    assert.equal(marketplaceFee(0, 200), 0);
    assert.equal(marketplaceFee(-25, 200), -1);
    assert.equal(marketplaceFee(10_000, 0), 0);
  });
  test('exact for amounts where amount × bps passes 2^53', () => {
    assert.equal(marketplaceFee(9_007_199_254_740_991, 10_000), 9_007_199_254_740_991);
    assert.equal(marketplaceFee(9_007_199_254_740_991, 5_000), 4_503_599_627_370_496);
  });
  test('rejects fractional amounts and out-of-range rates', () => {
    assert.throws(() => marketplaceFee(10.5, 200), RangeError);
    assert.throws(() => marketplaceFee(100, 10_001), RangeError);
    assert.throws(() => marketplaceFee(100, 1.5), RangeError);
  });
});

describe('invoices', () => {
  test('numbers carry the year issued and a zero-padded per-merchant sequence', () => {
    assert.equal(formatInvoiceNumber(d('2025-03-04T00:00:00Z'), 123), 'INV-2025-000123');
    assert.equal(formatInvoiceNumber(d('2025-12-31T23:59:59Z'), 1), 'INV-2025-000001');
    assert.equal(formatInvoiceNumber(d('2026-01-01T00:00:00Z'), 1_234_567), 'INV-2026-1234567');
    assert.throws(() => formatInvoiceNumber(new Date(), 0), RangeError);
  });

  test('lines and totals in integer minor units', () => {
    const lines = [invoiceLine('Growth plan', 1, 9_900), invoiceLine('Extra seats', 3, 1_050)];
    assert.equal(lines[1]!.amountMinor, 3_150);
    assert.deepEqual(invoiceTotals(lines), { subtotalMinor: 13_050, totalMinor: 13_050 });
    assert.deepEqual(invoiceTotals([]), { subtotalMinor: 0, totalMinor: 0 });
  });

  test("a period's invoice: the plan fee plus fees in the plan's currency; other currencies are left unbilled", () => {
    const plan = { name: 'Growth', priceMinor: 9_900, currency: 'USD', marketplaceFeeBps: 100 };
    const period = { start: d('2025-01-01T00:00:00Z'), end: d('2025-02-01T00:00:00Z') };
    const out = periodInvoiceLines(plan, period, [
      { currency: 'TRY', feeMinor: 5_000, payments: 2 },
      { currency: 'USD', feeMinor: 1_234, payments: 3 },
    ]);
    assert.equal(out.currency, 'USD');
    assert.deepEqual(out.lines, [
      { description: 'Growth plan, Jan 1, 2025 – Jan 31, 2025', quantity: 1, unitMinor: 9_900, amountMinor: 9_900 },
      { description: 'Marketplace fees (1%) on 3 customer payments', quantity: 1, unitMinor: 1_234, amountMinor: 1_234 },
    ]);
    assert.deepEqual(out.unbilled, [{ currency: 'TRY', feeMinor: 5_000, payments: 2 }]);
  });
});
