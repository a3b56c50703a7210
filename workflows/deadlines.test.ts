import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DAY, HOUR, leadInput, leadSettings } from '../test/support/lead-fixtures';
import type { LeadState } from './contract';
import { conversationDeadline, followUpAt, nextDeadline, windowClosesAfter, windowOpen } from './deadlines';
import { initialState } from './lead-state';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

function lead(overrides: Partial<LeadState> = {}): LeadState {
  return { ...initialState(leadInput(), new Date(T0), 'en'), ...overrides };
}
const botSaid = (ms = 0) => [{ id: 'out:1', from: 'bot' as const, text: 'hi', at: at(ms) }];
const customerSaid = (ms = 0) => [{ id: 'm1', from: 'customer' as const, text: 'hi', at: at(ms) }];

describe('follow-up cadence', () => {
  const s = leadSettings();

  test('each follow-up is due its own delay after our last word', () => {
    assert.deepEqual(conversationDeadline(lead({ lastMessages: botSaid() }), s), { kind: 'follow_up', at: T0 + DAY });
    assert.deepEqual(conversationDeadline(lead({ lastMessages: botSaid(HOUR), followUpsSent: 1 }), s), { kind: 'follow_up', at: T0 + HOUR + 3 * DAY });
  });

  test('after the cadence is spent the lead is closed after the idle period', () => {
    assert.deepEqual(conversationDeadline(lead({ lastMessages: botSaid(), followUpsSent: 2 }), s), { kind: 'idle', at: T0 + 30 * DAY });
  });

  test('a customer waiting for us is never followed up, only closed if it goes that far', () => {
    assert.deepEqual(conversationDeadline(lead({ lastMessages: customerSaid() }), s), { kind: 'idle', at: T0 + 30 * DAY });
  });

  test('no follow-ups once the sale is decided or while a payment link is open', () => {
    const pendingPayment = { orderId: 'o', sku: 'TENT', name: 'Tent', quantity: 1, amountMinor: 1, currency: 'EUR', url: 'u', expiresAt: at(HOUR) };
    for (const state of [lead({ lastMessages: botSaid(), stage: 'won' }), lead({ lastMessages: botSaid(), stage: 'lost' }), lead({ lastMessages: botSaid(), pendingPayment })]) {
      assert.equal(conversationDeadline(state, s)?.kind, 'idle', state.stage);
    }
  });

  test('nothing is due before the first message or while a person holds the lead', () => {
    assert.equal(conversationDeadline(lead(), s), null);
    assert.equal(conversationDeadline(lead({ lastMessages: botSaid(), mode: 'human' }), s), null);
  });

  test('only a follow-up deadline is shown as the next follow-up', () => {
    assert.equal(followUpAt({ kind: 'follow_up', at: T0 }), at(0));
    assert.equal(followUpAt({ kind: 'idle', at: T0 }), null);
    assert.equal(followUpAt({ kind: 'window', at: T0 }), null);
    assert.equal(followUpAt(null), null);
  });
});

describe('the WhatsApp window', () => {
  const s = leadSettings();

  test('a customer message opens it for 24 hours', () => {
    assert.equal(windowClosesAfter(at(0)), at(24 * HOUR));
    const state = lead({ windowClosesAt: at(24 * HOUR) });
    assert.equal(windowOpen(state, T0 + 24 * HOUR - 1), true);
    assert.equal(windowOpen(state, T0 + 24 * HOUR), false);
    assert.equal(windowOpen(lead(), T0), false);
  });

  test('its closing wakes the lead when it comes first, whoever holds the lead', () => {
    const windowClosesAt = at(24 * HOUR);
    assert.deepEqual(nextDeadline(lead({ lastMessages: botSaid(), windowClosesAt }), leadSettings({ followUpDelaysMs: [2 * DAY] })), {
      kind: 'window',
      at: T0 + 24 * HOUR,
    });
    assert.deepEqual(nextDeadline(lead({ lastMessages: botSaid(), windowClosesAt, mode: 'human' }), s), { kind: 'window', at: T0 + 24 * HOUR });
  });

  test('an earlier follow-up goes first; the window is planned again after it', () => {
    assert.deepEqual(nextDeadline(lead({ lastMessages: botSaid(), windowClosesAt: at(24 * HOUR) }), leadSettings({ followUpDelaysMs: [HOUR] })), {
      kind: 'follow_up',
      at: T0 + HOUR,
    });
  });
});
