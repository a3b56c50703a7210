import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { handOffReasonText, timelineEventText } from './format';
import { en } from './i18n/en';
import { tr } from './i18n/tr';

/** vue-i18n's `t` and `te` over a message tree, enough for these helpers. */
function translator(messages: object) {
  const lookup = (key: string): unknown =>
    key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), messages);
  return { t: (key: string) => String(lookup(key) ?? key), te: (key: string) => typeof lookup(key) === 'string' };
}

describe('conversation wording shared by the dashboard and the phone app', () => {
  test('hand-off reasons read as words in both languages; an unknown code shows as it is', () => {
    const e = translator(en);
    const t = translator(tr);
    assert.equal(handOffReasonText(e.t, e.te, 'customer_request'), 'the customer asked for a person');
    assert.equal(handOffReasonText(t.t, t.te, 'angry_customer'), 'müşteri rahatsız görünüyor');
    assert.equal(handOffReasonText(e.t, e.te, 'custom_playbook_rule'), 'custom_playbook_rule');
  });

  test('timeline entries name the change with translated values', () => {
    const { t, te } = translator(en);
    assert.equal(timelineEventText(t, te, { kind: 'stage', from: 'new', to: 'engaged' }), 'Stage: New → Engaged');
    assert.equal(timelineEventText(t, te, { kind: 'needs_human', from: 'false', to: 'true' }), 'Needs human: no → yes');
    assert.equal(timelineEventText(t, te, { kind: 'hand_off', from: null, to: 'angry_customer' }), 'Handed off: the customer seems upset');
    assert.equal(timelineEventText(t, te, { kind: 'closed', from: null, to: 'spam' }), 'Closed: spam');
    assert.equal(timelineEventText(t, te, { kind: 'something_new', from: 'a', to: 'b' }), 'something_new: a → b');
  });
});
