/**
 * Where inbound media bytes end up: a directory on the worker's disk by
 * default, or an S3-compatible bucket when one is configured. Keys are
 * content-addressed (`<merchantId>/<sha256>.<ext>`), so storing the same file
 * twice, as a retried activity does, lands on the same object.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, mkdir, rename, rm, stat, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve, sep } from 'node:path';

export interface StoredMedia {
  storage: 'local' | 's3';
  /** Where the bytes are within the store: relative to the media directory, or the bucket's object key. */
  key: string;
  mimeType: string;
  size: number;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
}

export interface MediaStore {
  put(key: string, bytes: Buffer, mimeType: string): Promise<StoredMedia>;
}

export const DEFAULT_MEDIA_DIR = '.data/media';

/** The key is not a plain relative path of safe segments. */
export class InvalidMediaKeyError extends Error {
  override name = 'InvalidMediaKeyError';
}

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * Accepts only `segment/segment/...` built from letters, digits, `.`, `_` and
 * `-`, none of them `.` or `..`: nothing a file system or a URL could read as
 * a step outside the store.
 */
export function checkMediaKey(key: string): string {
  const segments = key.split('/');
  const bad = key.length === 0 || key.length > 512 || segments.some((s) => s === '.' || s === '..' || !SEGMENT.test(s));
  if (bad) throw new InvalidMediaKeyError(`invalid media key: ${JSON.stringify(key)}`);
  return key;
}

/** File extensions for the types this project accepts; anything else is stored as `.bin`. */
const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'audio/amr': 'amr',
  'video/mp4': 'mp4',
  'video/3gpp': '3gp',
  'application/pdf': 'pdf',
  'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.ms-powerpoint': 'ppt',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'text/plain': 'txt',
};

/** `Audio/OGG; codecs=opus` → `audio/ogg`. */
export function mimeEssence(mimeType: string): string {
  return (mimeType.split(';')[0] ?? '').trim().toLowerCase();
}

export function extensionFor(mimeType: string): string {
  return EXTENSIONS[mimeEssence(mimeType)] ?? 'bin';
}

/** The type a file name's extension stands for, among the known ones. */
export function mimeTypeForFilename(filename: string): string | undefined {
  const ext = filename.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  if (!ext) return undefined;
  const aliases: Record<string, string> = { jpeg: 'jpg', oga: 'ogg', opus: 'ogg', '3gpp': '3gp' };
  const wanted = aliases[ext] ?? ext;
  return Object.keys(EXTENSIONS).find((type) => EXTENSIONS[type] === wanted);
}

export const sha256Hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** `<merchantId>/<sha256>.<ext>`; throws when the merchant id is not a safe path segment. */
export function mediaKey(merchantId: string, sha256: string, mimeType: string): string {
  if (!SEGMENT.test(merchantId)) throw new InvalidMediaKeyError(`invalid media key: merchant id ${JSON.stringify(merchantId)}`);
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new InvalidMediaKeyError(`invalid media key: ${JSON.stringify(sha256)} is not a hex SHA-256`);
  return checkMediaKey(`${merchantId}/${sha256}.${extensionFor(mimeType)}`);
}

async function sameContent(path: string, size: number, sha256: string): Promise<boolean> {
  try {
    const info = await stat(path);
    return info.isFile() && info.size === size && sha256Hex(await readFile(path)) === sha256;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Files under `rootDir`. A write goes to a temporary file beside its target
 * and is renamed into place after an fsync, so a reader or a crash never sees
 * half a file; an identical file already in place is left untouched.
 */
export function createLocalMediaStore(rootDir: string = DEFAULT_MEDIA_DIR): MediaStore {
  const root = resolve(rootDir);

  return {
    async put(key, bytes, mimeType) {
      checkMediaKey(key);
      const target = resolve(root, key);
      // Belt and braces: the key check already rules this out.
      if (isAbsolute(key) || !target.startsWith(root + sep)) throw new InvalidMediaKeyError(`media key escapes the store: ${key}`);

      const sha256 = sha256Hex(bytes);
      const stored: StoredMedia = { storage: 'local', key, mimeType, size: bytes.length, sha256 };
      if (await sameContent(target, bytes.length, sha256)) return stored;

      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      const temp = `${dirname(target)}${sep}.${randomBytes(8).toString('hex')}.tmp`;
      try {
        const file = await open(temp, 'wx', 0o600);
        try {
          await file.writeFile(bytes);
          await file.datasync();
        } finally {
          await file.close();
        }
        await rename(temp, target);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
      return stored;
    },
  };
}

/**
 * One object upload, shaped as `PutObjectCommand`'s input so the AWS SDK
 * plugs in directly: `(params) => client.send(new PutObjectCommand(params)).then(() => {})`.
 */
export type S3Put = (params: { Bucket: string; Key: string; Body: Buffer; ContentType: string }) => Promise<void>;

export interface S3MediaConfig {
  bucket: string;
  region: string;
  /** For S3-compatible services (MinIO, R2, Spaces …): their endpoint URL. */
  endpoint?: string;
  /** `bucket` in the path instead of the host name, as MinIO and most local setups need. */
  forcePathStyle?: boolean;
  /** Omitted: the SDK's default chain (environment, instance role …). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Put before every key, e.g. `media/` in a bucket shared with other data. */
  keyPrefix?: string;
}

/**
 * Objects in an S3-compatible bucket. `put` does the upload; the rest of the
 * config is what a client for `put` is built from (see `mediaStoreFromEnv`).
 */
export function createS3MediaStore(config: S3MediaConfig, put: S3Put): MediaStore {
  const prefix = config.keyPrefix ?? '';
  if (prefix) checkMediaKey(prefix.replace(/\/+$/, ''));
  const normalizedPrefix = prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix;

  return {
    async put(key, bytes, mimeType) {
      const objectKey = normalizedPrefix + checkMediaKey(key);
      await put({ Bucket: config.bucket, Key: objectKey, Body: bytes, ContentType: mimeType });
      return { storage: 's3', key: objectKey, mimeType, size: bytes.length, sha256: sha256Hex(bytes) };
    },
  };
}

export interface MediaStoreEnv {
  MEDIA_DIR?: string;
  MEDIA_S3_BUCKET?: string;
  /** Falls back to AWS_REGION. */
  MEDIA_S3_REGION?: string;
  AWS_REGION?: string;
  MEDIA_S3_ENDPOINT?: string;
  /** `true`/`1` or `false`/`0`. */
  MEDIA_S3_FORCE_PATH_STYLE?: string;
  /** Both or neither; neither leaves credentials to the SDK's default chain. */
  MEDIA_S3_ACCESS_KEY_ID?: string;
  MEDIA_S3_SECRET_ACCESS_KEY?: string;
  MEDIA_S3_PREFIX?: string;
}

/** The S3 settings in `env`, or null when no bucket is set; throws with the variable's name when one is wrong. */
export function s3MediaConfigFromEnv(env: MediaStoreEnv): S3MediaConfig | null {
  const bucket = env.MEDIA_S3_BUCKET?.trim();
  if (!bucket) return null;
  const region = (env.MEDIA_S3_REGION ?? env.AWS_REGION)?.trim();
  if (!region) throw new Error('MEDIA_S3_REGION (or AWS_REGION) is required when MEDIA_S3_BUCKET is set');

  const config: S3MediaConfig = { bucket, region };
  const endpoint = env.MEDIA_S3_ENDPOINT?.trim();
  if (endpoint) {
    if (!URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol)) {
      throw new Error(`MEDIA_S3_ENDPOINT must be an http(s) URL, got ${JSON.stringify(endpoint)}`);
    }
    config.endpoint = endpoint;
  }
  const pathStyle = env.MEDIA_S3_FORCE_PATH_STYLE?.trim().toLowerCase();
  if (pathStyle) {
    if (!['true', '1', 'false', '0'].includes(pathStyle)) throw new Error('MEDIA_S3_FORCE_PATH_STYLE must be true or false');
    config.forcePathStyle = pathStyle === 'true' || pathStyle === '1';
  }
  const accessKeyId = env.MEDIA_S3_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.MEDIA_S3_SECRET_ACCESS_KEY?.trim();
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) {
    throw new Error('MEDIA_S3_ACCESS_KEY_ID and MEDIA_S3_SECRET_ACCESS_KEY must be set together');
  }
  if (accessKeyId && secretAccessKey) config.credentials = { accessKeyId, secretAccessKey };
  const prefix = env.MEDIA_S3_PREFIX?.trim();
  if (prefix) {
    try {
      checkMediaKey(prefix.replace(/\/+$/, ''));
    } catch {
      throw new Error(`MEDIA_S3_PREFIX must be a relative path of letters, digits, '.', '_' and '-', got ${JSON.stringify(prefix)}`);
    }
    config.keyPrefix = prefix;
  }
  return config;
}

/**
 * The local store under MEDIA_DIR (default `.data/media`) unless
 * MEDIA_S3_BUCKET is set; then the S3 store, uploading through the client
 * `s3Put` builds from the config.
 */
export function mediaStoreFromEnv(env: MediaStoreEnv, s3Put?: (config: S3MediaConfig) => S3Put): MediaStore {
  const s3 = s3MediaConfigFromEnv(env);
  if (!s3) return createLocalMediaStore(env.MEDIA_DIR?.trim() || DEFAULT_MEDIA_DIR);
  if (!s3Put) throw new Error('MEDIA_S3_BUCKET is set, but no S3 client is available to upload with');
  return createS3MediaStore(s3, s3Put(s3));
}
