import assert from 'node:assert/strict';
import { test } from 'node:test';
import { languageOf, pushText } from './messages';

test('the words name the customer and the reason, in the member’s language', () => {
  assert.deepEqual(pushText('en', 'needs_human', { customerName: 'Ayşe', body: { reason: 'customer_request' } }), {
    title: 'Ayşe needs a person',
    body: 'The customer asked for a person.',
  });
  assert.deepEqual(pushText('tr', 'needs_human', { customerName: null, body: { reason: 'angry_customer' } }), {
    title: 'Bir müşteri bir yetkili bekliyor',
    body: 'Müşteri rahatsız görünüyor.',
  });
  assert.equal(pushText('en', 'payment_received', { customerName: 'Mehmet', body: { amountMinor: 18_900, currency: 'USD' } }).body, 'Mehmet paid $189.00.');
  assert.match(pushText('tr', 'payment_received', { customerName: 'Mehmet', body: { amountMinor: 18_900, currency: 'TRY' } }).body, /^Mehmet ₺189,00 ödedi\.$/);
  assert.equal(pushText('en', 'payment_failed', { customerName: null, body: { reason: 'disputed' } }).body, 'A payment was disputed.');
  assert.equal(pushText('en', 'new_lead', { customerName: '  Line\nbreak  ', body: {} }).body, 'Line break started a conversation.');
  assert.equal(languageOf('tr-TR'), 'tr');
  assert.equal(languageOf('de'), 'en');
});
