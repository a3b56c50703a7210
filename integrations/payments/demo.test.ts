import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { signDemoWebhook, verifyDemoWebhook } from './demo';

describe('demo payment webhook signatures', () => {
  const secret = 'a-test-secret-of-enough-length';
  const body = JSON.stringify({ id: 'evt_1', type: 'payment.completed' });
  const now = Date.now();
  const t = Math.floor(now / 1000);

  test('a fresh signature over the exact body verifies', () => {
    assert.ok(verifyDemoWebhook(secret, body, signDemoWebhook(secret, body, t), now));
  });
  test('forged, tampered, missing, malformed and stale signatures fail', () => {
    assert.ok(!verifyDemoWebhook('another-secret-entirely', body, signDemoWebhook(secret, body, t), now));
    assert.ok(!verifyDemoWebhook(secret, `${body} `, signDemoWebhook(secret, body, t), now));
    assert.ok(!verifyDemoWebhook(secret, body, undefined, now));
    assert.ok(!verifyDemoWebhook(secret, body, 'garbage', now));
    assert.ok(!verifyDemoWebhook(secret, body, `t=${t},v1=abc`, now));
    assert.ok(!verifyDemoWebhook(secret, body, signDemoWebhook(secret, body, t - 3600), now), 'an hour-old event is a replay');
  });
});
