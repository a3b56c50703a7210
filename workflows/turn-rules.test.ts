import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canned } from '../domain/canned-messages';
import { decision, leadSettings } from '../test/support/lead-fixtures';
import { agentUnavailableSteps, assessDecision, handOffRule, isHighValue, turnSteps } from './turn-rules';

const s = leadSettings({ minConfidence: 0.5, maxObjections: 3, highValueMinor: 100_000 });
const calm = { objectionCount: 0, pendingPayment: null, openingCheckout: false };
const offer = { type: 'offer_payment' as const, sku: 'TENT', quantity: 2 };
const quote = (amountMinor: number, available = true) => ({ available, name: 'Tent', amountMinor, currency: 'EUR' });

describe('hand-off triggers', () => {
  test('an angry customer, a guess below the playbook minimum, or repeated objections', () => {
    assert.equal(handOffRule(decision({ sentiment: 'angry', confidence: 1 }), s, 0), 'angry_customer');
    assert.equal(handOffRule(decision({ confidence: 0.49 }), s, 0), 'low_confidence');
    assert.equal(handOffRule(decision({ confidence: 0.5 }), s, 0), null, 'the minimum itself is confident enough');
    assert.equal(handOffRule(decision(), s, 3), 'repeated_objections');
    assert.equal(handOffRule(decision({ sentiment: 'negative' }), s, 2), null);
  });

  test('an order at or above the high-value threshold is for a person; no threshold, no limit', () => {
    assert.equal(isHighValue(quote(100_000), s), true);
    assert.equal(isHighValue(quote(99_999), s), false);
    assert.equal(isHighValue(quote(100_000, false), s), false, 'nothing to sell');
    assert.equal(isHighValue(quote(10_000_000), leadSettings({ highValueMinor: null })), false);
    assert.equal(isHighValue(null, s), false);
  });

  test("the agent's own hand-off wins over the rules and keeps its words", () => {
    const d = decision({ reply: 'A colleague will call you.', sentiment: 'angry', actions: [{ type: 'hand_off', reason: 'asked_for_person' }] });
    const a = assessDecision(d, s, calm);
    assert.equal(a.handOffReason, 'asked_for_person');
    assert.deepEqual(
      turnSteps(d, a, null, s, 'en').map((x) => (x.kind === 'say' ? x.text : x.kind === 'hand_off' ? x.reason : x.kind)),
      ['A colleague will call you.', 'asked_for_person'],
    );
  });

  test('a rule hand-off does not trust the reply and speaks in the lead language', () => {
    const d = decision({ reply: 'Whatever you say!', confidence: 0.1 });
    const steps = turnSteps(d, assessDecision(d, s, calm), null, s, 'tr');
    assert.deepEqual(steps[0], { kind: 'say', text: canned.handOff('tr'), meta: { intent: 'product_question', objection: null, confidence: 0.1, usage: undefined } });
    assert.deepEqual(steps[1], { kind: 'hand_off', reason: 'low_confidence' });
    assert.equal(steps.length, 2);
  });

  test('every agent provider failing hands off, unless a person already holds the lead', () => {
    assert.deepEqual(
      agentUnavailableSteps({ mode: 'bot', language: 'en' }).map((x) => x.kind),
      ['say', 'hand_off'],
    );
    assert.deepEqual(agentUnavailableSteps({ mode: 'human', language: 'en' }), []);
  });
});

describe('offers', () => {
  test('priced only when the bot keeps the lead and no payment is open or opening', () => {
    const d = decision({ intent: 'buying_signal', actions: [offer] });
    assert.deepEqual(assessDecision(d, s, calm).toQuote, offer);
    assert.equal(assessDecision(d, s, { ...calm, openingCheckout: true }).toQuote, null);
    const pendingPayment = { orderId: 'o', sku: 'TENT', name: 'Tent', quantity: 1, amountMinor: 1, currency: 'EUR', url: 'u', expiresAt: 'x' };
    assert.equal(assessDecision(d, s, { ...calm, pendingPayment }).toQuote, null);
    assert.equal(assessDecision(decision({ actions: [offer], confidence: 0 }), s, calm).toQuote, null, 'a hand-off first');
  });

  test('the reply goes out, then the checkout opens', () => {
    const d = decision({ reply: 'Great choice!', actions: [offer] });
    const steps = turnSteps(d, assessDecision(d, s, calm), quote(5_000), s, 'en');
    assert.deepEqual(
      steps.map((x) => x.kind),
      ['say', 'checkout'],
    );
    assert.deepEqual(steps[1], { kind: 'checkout', sku: 'TENT', quantity: 2 });
  });

  test('several offers are one checkout with a line each; a single offer keeps its old shape', () => {
    const d = decision({ reply: 'One link for both.', actions: [offer, { type: 'offer_payment', sku: 'BAG', quantity: 1 }] });
    const steps = turnSteps(d, assessDecision(d, s, calm), quote(5_000), s, 'en');
    assert.deepEqual(steps[1], { kind: 'checkout', sku: 'TENT', quantity: 2, items: [{ sku: 'TENT', quantity: 2 }, { sku: 'BAG', quantity: 1 }] });
    assert.equal('items' in turnSteps(decision({ actions: [offer] }), assessDecision(decision({ actions: [offer] }), s, calm), quote(5_000), s, 'en')[1]!, false);
  });

  test('out of stock says so instead of opening a checkout; a silent agent adds nothing', () => {
    const d = decision({ reply: null, actions: [offer] });
    assert.deepEqual(turnSteps(d, assessDecision(d, s, calm), quote(5_000, false), s, 'en'), [{ kind: 'say', text: canned.outOfStock('en'), meta: {} }]);
    assert.deepEqual(turnSteps(d, assessDecision(d, s, calm), null, s, 'en'), [], 'unknown product: nothing to say or open');
  });

  test('a high-value order is handed off with the canned words, even when the agent replied', () => {
    const d = decision({ reply: 'Here is your link', actions: [offer] });
    const steps = turnSteps(d, assessDecision(d, s, calm), quote(250_000), s, 'en');
    assert.deepEqual(
      steps.map((x) => (x.kind === 'say' ? x.text : x.kind)),
      [canned.handOff('en'), 'hand_off'],
    );
    assert.deepEqual(steps[1], { kind: 'hand_off', reason: 'high_value' });
  });
});
