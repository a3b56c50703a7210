import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyQualification, emptyLeadProfile, scoreLead } from './lead';
import { formatMoney } from './money';
import { canTransition } from './order';
import { nextStage } from './stage';

describe('stage machine', () => {
  test('moves forward on customer turns and never back', () => {
    assert.equal(nextStage('new', { type: 'customer_turn', intent: 'greeting', qualified: false }), 'engaged');
    assert.equal(nextStage('engaged', { type: 'customer_turn', intent: 'qualification', qualified: true }), 'qualified');
    assert.equal(nextStage('qualified', { type: 'customer_turn', intent: 'objection', qualified: true }), 'negotiating');
    assert.equal(nextStage('negotiating', { type: 'customer_turn', intent: 'greeting', qualified: true }), 'negotiating');
  });
  test('only payments and closing reach terminal stages; a failed checkout steps back', () => {
    assert.equal(nextStage('engaged', { type: 'checkout_opened' }), 'checkout');
    assert.equal(nextStage('checkout', { type: 'checkout_failed' }), 'negotiating');
    assert.equal(nextStage('checkout', { type: 'paid' }), 'won');
    assert.equal(nextStage('won', { type: 'customer_turn', intent: 'objection', qualified: true }), 'won');
    assert.equal(nextStage('won', { type: 'closed' }), 'won');
    assert.equal(nextStage('qualified', { type: 'closed' }), 'lost');
  });
});

describe('lead qualification and score', () => {
  test('fills slots, ignores blanks, and keeps the most recent product last', () => {
    let lead = applyQualification(emptyLeadProfile(), { budget: ' $300 ', need: '  ' }, ['A', 'B']);
    lead = applyQualification(lead, { timeline: 'next week' }, ['A']);
    assert.equal(lead.budget, '$300');
    assert.equal(lead.need, null);
    assert.equal(lead.timeline, 'next week');
    assert.deepEqual(lead.interestedIn, ['B', 'A']);
  });
  test('score grows with qualification and buying intent, shrinks with objections, stays in 0..100', () => {
    const none = { buyingSignals: 0, objections: 0, negativeTurns: 0 };
    const empty = scoreLead(emptyLeadProfile(), none);
    const qualified = scoreLead({ ...emptyLeadProfile(), need: 'tent', budget: '$300', timeline: 'now', decisionMaker: 'me' }, none);
    assert.equal(empty, 0);
    assert.equal(qualified, 80);
    assert.ok(scoreLead({ ...emptyLeadProfile(), need: 'tent' }, { ...none, buyingSignals: 5 }) > scoreLead({ ...emptyLeadProfile(), need: 'tent' }, none));
    assert.ok(scoreLead({ ...emptyLeadProfile(), need: 'tent' }, { ...none, objections: 2 }) < 20);
    assert.equal(scoreLead(emptyLeadProfile(), { buyingSignals: 0, objections: 9, negativeTurns: 9 }), 0);
  });
});

describe('orders', () => {
  test('each transition is accepted once; a late payment still wins', () => {
    assert.ok(canTransition('pending', 'paid'));
    assert.ok(canTransition('expired', 'paid'));
    assert.ok(!canTransition('paid', 'expired'));
    assert.ok(!canTransition('paid', 'paid'));
    assert.ok(!canTransition('mismatch', 'paid'));
  });
  test('money is formatted from minor units per language', () => {
    assert.equal(formatMoney({ amountMinor: 24_900, currency: 'USD' }, 'en'), '$249.00');
    assert.match(formatMoney({ amountMinor: 150_050, currency: 'TRY' }, 'tr'), /1\.500,50/);
  });
});
