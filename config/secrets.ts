import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (provider credentials, customer phone numbers) are sealed
 * with AES-256-GCM under a key from the environment; the database alone
 * reveals nothing. Customer keys in workflow ids are a keyed hash of the
 * number, so ids and search attributes never carry a raw phone number.
 */
export class SecretBox {
  private readonly encKey: Buffer;
  private readonly hashKey: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('CREDENTIALS_KEY must be 32 bytes (base64-encoded)');
    // Separate subkeys, so a hash can never be turned into an oracle for the cipher.
    this.encKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'autocloser:seal', 32));
    this.hashKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'autocloser:customer-key', 32));
  }

  static fromBase64(key: string): SecretBox {
    return new SecretBox(Buffer.from(key, 'base64'));
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encKey, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.encKey, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
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

export const newMasterKey = (): string => randomBytes(32).toString('base64');
