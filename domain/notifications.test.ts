import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultNotificationPreferences, pushEventFor, recipientsFor, withDefaults, type Recipient } from './notifications';

test('stored notifications map to the push events the apps know', () => {
  assert.equal(pushEventFor('needs_human', { reason: 'customer_request' }), 'needs_human');
  assert.equal(pushEventFor('needs_human', { reason: 'message_undelivered' }), 'needs_human');
  assert.equal(pushEventFor('needs_human', { reason: 'customer_wrote_while_human' }), 'customer_message');
  assert.equal(pushEventFor('won', {}), 'payment_received');
  assert.equal(pushEventFor('payment_issue', { reason: 'disputed' }), 'payment_failed');
  assert.equal(pushEventFor('payment_issue', { reason: 'refunded' }), null);
  assert.equal(pushEventFor('new_lead', {}), 'new_lead');
  assert.equal(pushEventFor('closed', {}), null);
  assert.equal(pushEventFor('quota', { state: 'grace' }), null);
});

test('saved preferences sit over the defaults, so a preference added later starts at its default', () => {
  assert.deepEqual(withDefaults(null), defaultNotificationPreferences);
  const saved = withDefaults({ push: { needs_human: false, surprise: true }, email: { needs_human: true } });
  assert.equal(saved.push.needs_human, false);
  assert.equal(saved.push.payment_received, true);
  assert.equal(saved.email.needs_human, true);
  assert.ok(!('surprise' in saved.push));
});

test('recipients: push by preference, email only for hand-offs, account notices to owners', () => {
  const quiet = withDefaults({ push: { needs_human: false }, email: { needs_human: true } });
  const members: Recipient[] = [
    { userId: 'owner', role: 'owner', preferences: defaultNotificationPreferences },
    { userId: 'agent', role: 'agent', preferences: quiet },
  ];
  assert.deepEqual(recipientsFor({ kind: 'needs_human', body: { reason: 'angry_customer' }, conversationId: 'c' }, members), { event: 'needs_human', push: ['owner'], email: ['agent'] });
  assert.deepEqual(recipientsFor({ kind: 'needs_human', body: { reason: 'customer_wrote_while_human' }, conversationId: 'c' }, members), {
    event: 'customer_message',
    push: ['owner', 'agent'],
    email: [],
  });
  assert.deepEqual(recipientsFor({ kind: 'payment_issue', body: { reason: 'subscription_payment_failed' }, conversationId: null }, members).push, ['owner']);
  assert.deepEqual(recipientsFor({ kind: 'new_lead', body: {}, conversationId: 'c' }, members).push, []);
  assert.deepEqual(recipientsFor({ kind: 'closed', body: {}, conversationId: 'c' }, members), { event: null, push: [], email: [] });
});
