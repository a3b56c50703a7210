import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';

/**
 * Temporal keeps every workflow input, signal, activity argument and result in
 * its history. This codec encrypts each payload with AES-256-GCM before it
 * leaves the process, so the history (and whoever reads Temporal's database)
 * holds no message text, lead profile or email. Node's own `crypto` does the
 * cipher work: it is the well-kept library for it, and the framing around it
 * is the handful of lines below.
 *
 * The whole payload (its metadata and data) is serialised as the protobuf
 * `Payload` and encrypted, as Temporal's own encryption samples do, so even the
 * payload's encoding is hidden. The result carries the id of the key that
 * sealed it, so after a rotation the old key still opens old history.
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const CIPHER_METADATA = 'encryption-cipher';
const CIPHER = 'AES-256-GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface PayloadKey {
  /** Written into each payload's metadata; never reused for another key. */
  id: string;
  key: Buffer;
}

export class PayloadKeyError extends Error {}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Parses `id1:base64key,id2:base64key` (PAYLOAD_KEYS). The first key
 * encrypts; every key decrypts what was written under its id.
 */
export function parsePayloadKeys(spec: string): PayloadKey[] {
  const keys: PayloadKey[] = [];
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const colon = part.indexOf(':');
    if (colon < 1) throw new PayloadKeyError(`"${part.slice(0, 8)}…" is not id:base64key`);
    const id = part.slice(0, colon);
    const key = Buffer.from(part.slice(colon + 1), 'base64');
    if (!KEY_ID.test(id)) throw new PayloadKeyError(`key id "${id}" must be 1-64 letters, digits, dots, dashes or underscores`);
    if (key.length !== 32) throw new PayloadKeyError(`key "${id}" must be 32 random bytes, base64-encoded (openssl rand -base64 32)`);
    if (keys.some((k) => k.id === id)) throw new PayloadKeyError(`key id "${id}" appears twice`);
    keys.push({ id, key });
  }
  if (!keys.length) throw new PayloadKeyError('no keys given');
  return keys;
}

const te = new TextEncoder();
const td = new TextDecoder();

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly current: PayloadKey;
  private readonly byId: Map<string, Buffer>;

  constructor(keys: readonly PayloadKey[]) {
    if (!keys.length) throw new PayloadKeyError('the payload codec needs at least one key');
    this.current = keys[0]!;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  get keyId(): string {
    return this.current.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const plain = proto.temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
      // The key id is authenticated too: a payload relabelled with another id fails to open.
      cipher.setAAD(te.encode(this.current.id));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return {
        metadata: {
          encoding: te.encode(ENCRYPTED_ENCODING),
          [KEY_ID_METADATA]: te.encode(this.current.id),
          [CIPHER_METADATA]: te.encode(CIPHER),
        },
        data: Buffer.concat([iv, body, cipher.getAuthTag()]),
      };
    });
  }

  /** Payloads written before the codec (or by a client without it) are not encrypted and pass through as they are. */
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.encoding;
      if (!encoding || td.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
      const idBytes = payload.metadata?.[KEY_ID_METADATA];
      const id = idBytes ? td.decode(idBytes) : '';
      const key = this.byId.get(id);
      if (!key) throw new PayloadKeyError(`payload encrypted with key "${id}", which is not among PAYLOAD_KEYS`);
      const data = payload.data ?? new Uint8Array();
      if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadKeyError('encrypted payload is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(te.encode(id));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new PayloadKeyError(`payload under key "${id}" does not authenticate (wrong key material or altered data)`);
      }
      return proto.temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/**
 * The data converter every Temporal client and worker of the app uses: the
 * codec when keys are configured, Temporal's default otherwise.
 */
export function payloadDataConverter(keys: readonly PayloadKey[] | undefined): DataConverter | undefined {
  return keys?.length ? { payloadCodecs: [new AesGcmPayloadCodec(keys)] } : undefined;
}

/** A fresh key for PAYLOAD_KEYS (`<id>:<this>`). */
export const newPayloadKey = (): string => randomBytes(32).toString('base64');
