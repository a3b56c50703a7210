import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newMasterKey, parseCredentialKeys, SecretBox } from './secrets';

describe('credential box key rotation', () => {
  const original = newMasterKey();
  const phone = '+905551112233';

  test('a bare key seals as before (v1); a rotation list seals under its first key and opens with the older ones', () => {
    const before = SecretBox.fromBase64(original);
    const sealedV1 = before.seal('token-1');
    assert.match(sealedV1, /^v1\./);

    const after = SecretBox.fromBase64(`k2:${newMasterKey()},${original}`);
    assert.equal(after.open(sealedV1), 'token-1', 'the original key still opens what it sealed');
    const sealedV2 = after.seal('token-2');
    assert.match(sealedV2, /^v2\.k2\./);
    assert.equal(after.open(sealedV2), 'token-2');
    assert.equal(after.needsReseal(sealedV1), true);
    assert.equal(after.needsReseal(sealedV2), false);
    assert.match(after.reseal(sealedV1), /^v2\.k2\./);
    assert.equal(after.open(after.reseal(sealedV1)), 'token-1');
    // The box before the rotation cannot open the new key's work.
    assert.throws(() => before.open(sealedV2), /"k2"/);

    // A third key later: k2's seals still open under the new list, and a re-seal moves them to k3.
    const k2 = `k2:${newMasterKey()}`;
    const second = SecretBox.fromBase64(`${k2},${original}`);
    const third = SecretBox.fromBase64(`k3:${newMasterKey()},${k2},${original}`);
    const underK2 = second.seal('token-3');
    assert.equal(third.open(underK2), 'token-3');
    assert.match(third.reseal(underK2), /^v2\.k3\./);
  });

  test('customer keys (part of workflow ids) never change with a rotation', () => {
    const before = SecretBox.fromBase64(original);
    const after = SecretBox.fromBase64(`k3:${newMasterKey()},k2:${newMasterKey()},${original}`);
    assert.equal(after.customerKey(phone), before.customerKey(phone));
  });

  test('the id is authenticated: a v2 secret relabelled with another id of the same key does not open', () => {
    const key = newMasterKey();
    const box = SecretBox.fromBase64(`a:${key},b:${key}`);
    const sealed = box.seal('secret');
    assert.throws(() => box.open(sealed.replace(/^v2\.a\./, 'v2.b.')));
  });

  test('CREDENTIALS_KEY is checked', () => {
    assert.throws(() => parseCredentialKeys(''), /no key/);
    assert.throws(() => parseCredentialKeys('c2hvcnQ='), /32 random bytes/);
    assert.throws(() => parseCredentialKeys(`${newMasterKey()},k1:${newMasterKey()}`), /only the last key/);
    assert.throws(() => parseCredentialKeys(`k1:${newMasterKey()},k1:${newMasterKey()}`), /twice/);
    assert.throws(() => parseCredentialKeys(`bad id:${newMasterKey()}`), /key id/);
    assert.deepEqual(parseCredentialKeys(`k1:${newMasterKey()},${newMasterKey()}`).map((k) => k.id), ['k1', null]);
  });
});
