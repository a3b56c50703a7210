import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { codecCorsOrigins, loadEnv, payloadKeys, productionWarnings } from './env';
import { newMasterKey } from './secrets';

const production = {
  NODE_ENV: 'production',
  ADMIN_TOKEN: 'admin-token-0123456789',
  DEMO_PAYMENT_SECRET: 'demo-secret-0123456789',
  CREDENTIALS_KEY: newMasterKey(),
  JWT_SECRET: 'jwt-secret-0123456789-0123456789-0123456789',
};

describe('encryption settings', () => {
  test('production without PAYLOAD_KEYS starts as before and is warned; it refuses the local UI trusted', () => {
    assert.match(productionWarnings(loadEnv(production)).join('\n'), /PAYLOAD_KEYS is not set/);
    const keys = `k1:${newMasterKey()}`;
    assert.deepEqual(productionWarnings(loadEnv({ ...production, PAYLOAD_KEYS: keys })), []);
    assert.deepEqual(payloadKeys(loadEnv({ ...production, PAYLOAD_KEYS: keys }))?.map((k) => k.id), ['k1']);
    assert.throws(() => loadEnv({ ...production, PAYLOAD_KEYS: keys, CODEC_TRUST_LOCAL_UI: 'true' }), /CODEC_TRUST_LOCAL_UI: not allowed in production/);
  });

  test('development runs without them: payloads stay plain', () => {
    assert.equal(payloadKeys(loadEnv({ NODE_ENV: 'development' })), undefined);
  });

  test('bad keys are named without echoing key material', () => {
    const secret = Buffer.alloc(16, 9).toString('base64');
    let message = '';
    try {
      loadEnv({ PAYLOAD_KEYS: `k1:${secret}`, CREDENTIALS_KEY: `k2:${secret}` });
    } catch (err) {
      message = (err as Error).message;
    }
    assert.match(message, /PAYLOAD_KEYS: key "k1" must be 32 random bytes/);
    assert.match(message, /CREDENTIALS_KEY: key "k2" must be 32 random bytes/);
    assert.ok(!message.includes(secret));
    // A rotation list for the credential box is accepted, the original bare key last.
    assert.doesNotThrow(() => loadEnv({ CREDENTIALS_KEY: `k2:${newMasterKey()},${newMasterKey()}` }));
  });

  test('the codec grants CORS to the Temporal UI origin unless told otherwise', () => {
    assert.deepEqual(codecCorsOrigins(loadEnv({ TEMPORAL_UI_URL: 'https://temporal.example.com/namespaces/default' })), ['https://temporal.example.com']);
    assert.deepEqual(codecCorsOrigins(loadEnv({ CODEC_CORS_ORIGINS: 'https://a.example, https://b.example' })), ['https://a.example', 'https://b.example']);
    assert.throws(() => loadEnv({ CODEC_CORS_ORIGINS: 'not an origin' }), /CODEC_CORS_ORIGINS/);
  });
});
