import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/** One master key of CREDENTIALS_KEY; `id` is null for a bare key (the format before rotation existed). */
export interface CredentialKey {
  id: string | null;
  key: Buffer;
}

export class CredentialKeyError extends Error {}

const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * CREDENTIALS_KEY is either one base64 key (as it always was) or a rotation
 * list `id:base64,id:base64`: the first key seals, every key opens. A bare
 * key may stand last in a list, so the key an installation started with can
 * be rotated away from without renaming it.
 */
export function parseCredentialKeys(spec: string): CredentialKey[] {
  const parts = spec.split(',').map((p) => p.trim()).filter(Boolean);
  if (!parts.length) throw new CredentialKeyError('no key given');
  const keys = parts.map((part, i): CredentialKey => {
    // Base64 has no ':', so a colon always separates an id.
    const colon = part.indexOf(':');
    const id = colon === -1 ? null : part.slice(0, colon);
    if (id === null && i !== parts.length - 1) throw new CredentialKeyError('only the last key may be given without an id (id:base64key)');
    if (id !== null && !KEY_ID.test(id)) throw new CredentialKeyError(`key id "${id.slice(0, 64)}" must be 1-64 letters, digits, dashes or underscores`);
    const key = Buffer.from(colon === -1 ? part : part.slice(colon + 1), 'base64');
    if (key.length !== 32) throw new CredentialKeyError(`${id === null ? 'the key' : `key "${id}"`} must be 32 random bytes, base64-encoded (openssl rand -base64 32)`);
    return { id, key };
  });
  const ids = keys.map((k) => k.id).filter((id) => id !== null);
  if (new Set(ids).size !== ids.length) throw new CredentialKeyError('a key id appears twice');
  return keys;
}

interface SealKey {
  id: string | null;
  enc: Buffer;
}

const sealSubkey = (master: Buffer) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'autocloser:seal', 32));

/**
 * Secrets at rest (provider credentials, customer phone numbers) are sealed
 * with AES-256-GCM under a key from the environment; the database alone
 * reveals nothing. Customer keys in workflow ids are a keyed hash of the
 * number, so ids and search attributes never carry a raw phone number.
 *
 * Rotation: the first key seals (`v2.<id>.…`, the id authenticated with the
 * data); older keys keep opening what they sealed until `resealStoredSecrets`
 * has moved it to the first. A bare key seals the original `v1.…` format.
 * The customer-key hash comes from the last key of the list, the one the
 * installation started with, because those hashes are part of workflow ids
 * and must never change.
 */
export class SecretBox {
  private readonly sealing: SealKey;
  private readonly opening: SealKey[];
  private readonly hashKey: Buffer;

  constructor(keys: Buffer | readonly CredentialKey[]) {
    const list: readonly CredentialKey[] = Buffer.isBuffer(keys) ? [{ id: null, key: keys }] : keys;
    if (!list.length) throw new Error('CREDENTIALS_KEY: no key given');
    for (const k of list) if (k.key.length !== 32) throw new Error('CREDENTIALS_KEY must be 32 bytes (base64-encoded)');
    // Separate subkeys, so a hash can never be turned into an oracle for the cipher.
    this.opening = list.map((k) => ({ id: k.id, enc: sealSubkey(k.key) }));
    this.sealing = this.opening[0]!;
    this.hashKey = Buffer.from(hkdfSync('sha256', list.at(-1)!.key, Buffer.alloc(0), 'autocloser:customer-key', 32));
  }

  static fromBase64(spec: string): SecretBox {
    return new SecretBox(parseCredentialKeys(spec));
  }

  seal(plaintext: string): string {
    const { id, enc } = this.sealing;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', enc, iv);
    if (id !== null) cipher.setAAD(Buffer.from(id));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')];
    return (id === null ? ['v1', ...parts] : ['v2', id, ...parts]).join('.');
  }

  open(sealed: string): string {
    const fields = sealed.split('.');
    if (fields[0] === 'v2' && fields.length === 5) {
      const key = this.opening.find((k) => k.id === fields[1]);
      if (!key) throw new Error(`sealed with credentials key "${fields[1]}", which CREDENTIALS_KEY does not list`);
      return decrypt(key, fields[2]!, fields[3]!, fields[4]!);
    }
    if (fields[0] === 'v1' && fields.length === 4) {
      // v1 names no key: it was sealed by the key the installation started with, which GCM's tag recognises.
      for (const key of [...this.opening].reverse()) {
        try {
          return decrypt({ id: null, enc: key.enc }, fields[1]!, fields[2]!, fields[3]!);
        } catch {
          // not this key
        }
      }
      throw new Error('no key of CREDENTIALS_KEY opens this sealed secret');
    }
    throw new Error('not a sealed secret');
  }

  /** Whether `sealed` is under another key than the one that seals now, so a re-seal would move it. */
  needsReseal(sealed: string): boolean {
    const prefix = this.sealing.id === null ? 'v1.' : `v2.${this.sealing.id}.`;
    return !sealed.startsWith(prefix);
  }

  /** The same secret sealed under the current key. */
  reseal(sealed: string): string {
    return this.seal(this.open(sealed));
  }

  sealJson(value: unknown): string {
    return this.seal(JSON.stringify(value));
  }

  openJson<T>(sealed: string): T {
    return JSON.parse(this.open(sealed)) as T;
  }

  /** Stable, non-reversible customer key for a phone number (E.164). */
  customerKey(phone: string): string {
    return `wa_${createHmac('sha256', this.hashKey).update(phone).digest('base64url').slice(0, 32)}`;
  }
}

function decrypt(key: SealKey, iv: string, tag: string, body: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key.enc, Buffer.from(iv, 'base64'));
  if (key.id !== null) decipher.setAAD(Buffer.from(key.id));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
}

export const newMasterKey = (): string => randomBytes(32).toString('base64');
