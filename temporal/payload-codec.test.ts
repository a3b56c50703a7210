import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, newPayloadKey, parsePayloadKeys, PayloadKeyError } from './payload-codec';

const td = new TextDecoder();
const lead = { name: 'Ayşe Yılmaz', email: 'ayse@example.test', text: 'I want the two-person tent' };

describe('payload codec', () => {
  test('encrypts the whole payload under the first key and decrypts it back', async () => {
    const codec = new AesGcmPayloadCodec(parsePayloadKeys(`k2:${newPayloadKey()},k1:${newPayloadKey()}`));
    const plain = defaultPayloadConverter.toPayload(lead)!;
    const [encrypted] = await codec.encode([plain]);
    assert.equal(td.decode(encrypted!.metadata!.encoding!), ENCRYPTED_ENCODING);
    assert.equal(td.decode(encrypted!.metadata![KEY_ID_METADATA]!), 'k2');
    const raw = Buffer.from(encrypted!.data!).toString('latin1');
    for (const secret of [lead.email, 'tent', 'json/plain']) assert.ok(!raw.includes(secret), `ciphertext does not contain ${secret}`);
    const [decoded] = await codec.decode([encrypted!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded!), lead);
    // A fresh IV each time: the same value never encrypts to the same bytes.
    const [again] = await codec.encode([plain]);
    assert.notDeepEqual(Buffer.from(again!.data!), Buffer.from(encrypted!.data!));
  });

  test('a plain payload (history from before the codec) passes through decode untouched', async () => {
    const codec = new AesGcmPayloadCodec(parsePayloadKeys(`k1:${newPayloadKey()}`));
    const plain = defaultPayloadConverter.toPayload(lead)!;
    const [decoded] = await codec.decode([plain]);
    assert.equal(decoded, plain);
  });

  test('after a rotation the old key still decrypts what it wrote, and new data goes under the new key', async () => {
    const k1 = `k1:${newPayloadKey()}`;
    const before = new AesGcmPayloadCodec(parsePayloadKeys(k1));
    const after = new AesGcmPayloadCodec(parsePayloadKeys(`k2:${newPayloadKey()},${k1}`));
    const [old] = await before.encode([defaultPayloadConverter.toPayload(lead)!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload((await after.decode([old!]))[0]!), lead);
    const [fresh] = await after.encode([defaultPayloadConverter.toPayload(lead)!]);
    assert.equal(td.decode(fresh!.metadata![KEY_ID_METADATA]!), 'k2');
    // Once k1 is dropped, what it wrote can no longer be read: the error names the missing key.
    const onlyNew = new AesGcmPayloadCodec(parsePayloadKeys(`k2:${newPayloadKey()}`));
    await assert.rejects(onlyNew.decode([old!]), /key "k1", which is not among PAYLOAD_KEYS/);
  });

  test('altered data, a relabelled key id or a wrong key fails to decrypt', async () => {
    const key = newPayloadKey();
    const codec = new AesGcmPayloadCodec(parsePayloadKeys(`a:${key},b:${key}`));
    const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload(lead)!]);
    const flipped = Buffer.from(encrypted!.data!);
    flipped[20]! ^= 1;
    await assert.rejects(codec.decode([{ ...encrypted!, data: flipped }]), PayloadKeyError);
    // Same key bytes under another id: the id is authenticated data, so the label cannot be swapped.
    const relabelled = { ...encrypted!, metadata: { ...encrypted!.metadata, [KEY_ID_METADATA]: new TextEncoder().encode('b') } };
    await assert.rejects(codec.decode([relabelled]), /does not authenticate/);
    const other = new AesGcmPayloadCodec(parsePayloadKeys(`a:${newPayloadKey()}`));
    await assert.rejects(other.decode([encrypted!]), /does not authenticate/);
    await assert.rejects(codec.decode([{ ...encrypted!, data: new Uint8Array(5) }]), /truncated/);
  });

  test('PAYLOAD_KEYS is checked: id:base64 of 32 bytes, unique ids', () => {
    assert.throws(() => parsePayloadKeys(''), /no keys/);
    assert.throws(() => parsePayloadKeys(newPayloadKey()), /not id:base64key/);
    assert.throws(() => parsePayloadKeys('k1:c2hvcnQ='), /32 random bytes/);
    assert.throws(() => parsePayloadKeys(`k 1:${newPayloadKey()}`), /key id/);
    assert.throws(() => parsePayloadKeys(`k1:${newPayloadKey()},k1:${newPayloadKey()}`), /twice/);
    assert.deepEqual(parsePayloadKeys(` k1:${newPayloadKey()} , k0:${newPayloadKey()} `).map((k) => k.id), ['k1', 'k0']);
  });
});
