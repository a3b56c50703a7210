import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { netAmount, platformFeeGivenBack } from './order-money';

describe('what an order leaves the merchant', () => {
  const order = { amountMinor: 10_000, refundedMinor: 2_500, platformFeeMinor: 300 };

  test('the platform keeps its fee on refunds unless the plan gives it back', () => {
    assert.equal(platformFeeGivenBack(order, false), 0);
    assert.equal(platformFeeGivenBack(order, true), 75);
    assert.equal(platformFeeGivenBack({ ...order, refundedMinor: 10_000 }, true), 300, 'a full refund gives back the whole fee');
    assert.equal(platformFeeGivenBack({ ...order, refundedMinor: 0 }, true), 0);
    assert.equal(platformFeeGivenBack({ ...order, platformFeeMinor: null }, true), 0, 'an order without a fee gives nothing back');
  });

  test('the fee given back is rounded half up, and never more than the fee', () => {
    // 3 × 2_500 / 10_000 = 0.75 → 1; 3 × 1_000 / 10_000 = 0.3 → 0; 1 × 5_000 / 10_000 = 0.5 → 1.
    assert.equal(platformFeeGivenBack({ amountMinor: 10_000, refundedMinor: 2_500, platformFeeMinor: 3 }, true), 1);
    assert.equal(platformFeeGivenBack({ amountMinor: 10_000, refundedMinor: 1_000, platformFeeMinor: 3 }, true), 0);
    assert.equal(platformFeeGivenBack({ amountMinor: 10_000, refundedMinor: 5_000, platformFeeMinor: 1 }, true), 1);
    assert.equal(platformFeeGivenBack({ amountMinor: 10_000, refundedMinor: 12_000, platformFeeMinor: 300 }, true), 300);
    // Past 2^53 in the product: still exact.
    assert.equal(platformFeeGivenBack({ amountMinor: 9_000_000_000_000, refundedMinor: 4_500_000_000_000, platformFeeMinor: 180_000_000_000 }, true), 90_000_000_000);
  });

  test('net is amount − refunded − (fee − fee given back)', () => {
    assert.equal(netAmount({ ...order, platformFeeRefundedMinor: 0 }), 10_000 - 2_500 - 300);
    assert.equal(netAmount({ ...order, platformFeeRefundedMinor: 75 }), 10_000 - 2_500 - 225);
    assert.equal(netAmount({ amountMinor: 5_000, refundedMinor: 5_000, platformFeeMinor: 100, platformFeeRefundedMinor: 0 }), -100, 'a refunded order whose fee was kept costs the fee');
    assert.equal(netAmount({ amountMinor: 5_000, refundedMinor: 0, platformFeeMinor: null, platformFeeRefundedMinor: 0 }), 5_000);
  });
});
