import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkMediaKey,
  createLocalMediaStore,
  createS3MediaStore,
  InvalidMediaKeyError,
  mediaKey,
  mediaStoreFromEnv,
  s3MediaConfigFromEnv,
  sha256Hex,
} from './store';
import type { S3MediaConfig, S3Put } from './store';

let base: string;
let root: string;

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'media-store-'));
  root = join(base, 'media');
});
after(() => rm(base, { recursive: true, force: true }));

/** Every file under `dir`, relative, temporary ones included. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

const jpeg = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');

describe('mediaKey', () => {
  test('is <merchantId>/<sha256>.<ext>, the extension from the type', () => {
    const sha = sha256Hex(jpeg);
    assert.equal(mediaKey('mer_01', sha, 'image/jpeg'), `mer_01/${sha}.jpg`);
    assert.equal(mediaKey('mer_01', sha, 'audio/ogg; codecs=opus'), `mer_01/${sha}.ogg`);
    assert.equal(mediaKey('mer_01', sha, 'application/x-unknown'), `mer_01/${sha}.bin`);
  });

  test('refuses a merchant id that is not one safe path segment, or a digest that is not one', () => {
    assert.throws(() => mediaKey('m1', '../../x', 'image/png'), InvalidMediaKeyError);
    for (const merchantId of ['..', '../other', 'a/b', '', '.hidden', 'a\\b']) {
      assert.throws(() => mediaKey(merchantId, sha256Hex(jpeg), 'image/png'), InvalidMediaKeyError, merchantId);
    }
  });
});

describe('checkMediaKey', () => {
  test('refuses anything that could leave the store', () => {
    for (const key of ['../x.jpg', 'm/../../x.jpg', 'm/./x.jpg', '/etc/passwd', 'm//x.jpg', 'm/x.jpg/', 'm\\..\\x.jpg', 'm/x\0.jpg', 'm/%2e%2e/x', '']) {
      assert.throws(() => checkMediaKey(key), InvalidMediaKeyError, JSON.stringify(key));
    }
  });

  test('accepts plain relative keys', () => {
    assert.equal(checkMediaKey('mer_01/abc.jpg'), 'mer_01/abc.jpg');
    assert.equal(checkMediaKey('a-b/c_d/e.f.pdf'), 'a-b/c_d/e.f.pdf');
  });
});

describe('createLocalMediaStore', () => {
  test('writes the bytes under the root and reports them', async () => {
    const store = createLocalMediaStore(root);
    const sha = sha256Hex(jpeg);
    const key = mediaKey('m1', sha, 'image/jpeg');
    const stored = await store.put(key, jpeg, 'image/jpeg');
    assert.deepEqual(stored, { storage: 'local', key, mimeType: 'image/jpeg', size: jpeg.length, sha256: sha });
    assert.deepEqual(await readFile(join(root, key)), jpeg);
    assert.deepEqual(await listFiles(root), [key], 'no temporary file left behind');
    assert.equal((await stat(join(root, key))).mode & 0o777, 0o600);
  });

  test('a second put of the same bytes leaves the file as it is', async () => {
    const store = createLocalMediaStore(root);
    const bytes = Buffer.from('the same voice note');
    const key = mediaKey('m1', sha256Hex(bytes), 'audio/ogg');
    const first = await store.put(key, bytes, 'audio/ogg');
    const before = await stat(join(root, key));
    const second = await store.put(key, bytes, 'audio/ogg');
    const afterPut = await stat(join(root, key));
    assert.deepEqual(second, first);
    assert.equal(afterPut.ino, before.ino, 'the file was not replaced');
    assert.equal(afterPut.mtimeMs, before.mtimeMs);
  });

  test('concurrent puts of one key each land whole', async () => {
    const store = createLocalMediaStore(root);
    const bytes = Buffer.alloc(512 * 1024, 7);
    const key = mediaKey('m2', sha256Hex(bytes), 'application/pdf');
    const results = await Promise.all(Array.from({ length: 8 }, () => store.put(key, bytes, 'application/pdf')));
    assert.ok(results.every((r) => r.sha256 === sha256Hex(bytes)));
    assert.equal(sha256Hex(await readFile(join(root, key))), sha256Hex(bytes));
    assert.deepEqual(await listFiles(join(root, 'm2')), [key.slice('m2/'.length)]);
  });

  test('replaces a different file under the key through a rename, not in place', async () => {
    const store = createLocalMediaStore(root);
    await store.put('m3/note.txt', Buffer.from('old'), 'text/plain');
    const old = await stat(join(root, 'm3/note.txt'));
    await store.put('m3/note.txt', Buffer.from('new'), 'text/plain');
    assert.equal(await readFile(join(root, 'm3/note.txt'), 'utf8'), 'new');
    assert.notEqual((await stat(join(root, 'm3/note.txt'))).ino, old.ino);
  });

  test('refuses keys that escape the root and writes nothing', async () => {
    const store = createLocalMediaStore(root);
    for (const key of ['../escaped.txt', 'm1/../../escaped.txt', '/tmp/escaped.txt', '..']) {
      await assert.rejects(store.put(key, Buffer.from('x'), 'text/plain'), InvalidMediaKeyError, key);
    }
    assert.deepEqual((await readdir(base)).sort(), ['media']);
  });

  test('a failed write leaves no temporary file', async () => {
    const store = createLocalMediaStore(root);
    // A directory where the file should go makes the final rename fail.
    await mkdir(join(root, 'm4', 'taken.txt'), { recursive: true });
    await assert.rejects(store.put('m4/taken.txt', Buffer.from('x'), 'text/plain'));
    assert.deepEqual(await readdir(join(root, 'm4')), ['taken.txt']);
  });
});

describe('createS3MediaStore', () => {
  const config: S3MediaConfig = { bucket: 'leads-media', region: 'eu-central-1' };

  function recordingPut() {
    const calls: Parameters<S3Put>[0][] = [];
    const put: S3Put = async (params) => {
      calls.push(params);
    };
    return { calls, put };
  }

  test('uploads the bytes to the bucket under the key with the content type', async () => {
    const { calls, put } = recordingPut();
    const bytes = Buffer.from('%PDF-1.7 quote');
    const key = mediaKey('m1', sha256Hex(bytes), 'application/pdf');
    const stored = await createS3MediaStore(config, put).put(key, bytes, 'application/pdf');
    assert.deepEqual(calls, [{ Bucket: 'leads-media', Key: key, Body: bytes, ContentType: 'application/pdf' }]);
    assert.deepEqual(stored, { storage: 's3', key, mimeType: 'application/pdf', size: bytes.length, sha256: sha256Hex(bytes) });
  });

  test('puts the prefix before every key', async () => {
    const { calls, put } = recordingPut();
    const stored = await createS3MediaStore({ ...config, keyPrefix: 'autocloser/media' }, put).put('m1/a.txt', Buffer.from('a'), 'text/plain');
    assert.equal(calls[0]?.Key, 'autocloser/media/m1/a.txt');
    assert.equal(stored.key, 'autocloser/media/m1/a.txt');
  });

  test('refuses bad keys before uploading', async () => {
    const { calls, put } = recordingPut();
    await assert.rejects(createS3MediaStore(config, put).put('../m1/a.txt', Buffer.from('a'), 'text/plain'), InvalidMediaKeyError);
    assert.equal(calls.length, 0);
  });

  test('an upload failure reaches the caller', async () => {
    const put: S3Put = () => Promise.reject(new Error('SlowDown'));
    await assert.rejects(createS3MediaStore(config, put).put('m1/a.txt', Buffer.from('a'), 'text/plain'), /SlowDown/);
  });
});

describe('mediaStoreFromEnv', () => {
  test('without a bucket: the local store under MEDIA_DIR', async () => {
    const dir = join(base, 'from-env');
    const stored = await mediaStoreFromEnv({ MEDIA_DIR: dir }).put('m1/a.txt', Buffer.from('a'), 'text/plain');
    assert.equal(stored.storage, 'local');
    assert.equal(await readFile(join(dir, 'm1/a.txt'), 'utf8'), 'a');
  });

  test('with a bucket: the S3 store, its client built from the parsed config', async () => {
    const configs: S3MediaConfig[] = [];
    const calls: Parameters<S3Put>[0][] = [];
    const store = mediaStoreFromEnv(
      {
        MEDIA_DIR: join(base, 'unused'),
        MEDIA_S3_BUCKET: 'media',
        MEDIA_S3_REGION: 'auto',
        MEDIA_S3_ENDPOINT: 'http://127.0.0.1:9000',
        MEDIA_S3_FORCE_PATH_STYLE: 'true',
        MEDIA_S3_ACCESS_KEY_ID: 'minio',
        MEDIA_S3_SECRET_ACCESS_KEY: 'minio-secret',
      },
      (config) => {
        configs.push(config);
        return async (params) => void calls.push(params);
      },
    );
    const stored = await store.put('m1/a.txt', Buffer.from('a'), 'text/plain');
    assert.equal(stored.storage, 's3');
    assert.deepEqual(configs, [
      {
        bucket: 'media',
        region: 'auto',
        endpoint: 'http://127.0.0.1:9000',
        forcePathStyle: true,
        credentials: { accessKeyId: 'minio', secretAccessKey: 'minio-secret' },
      },
    ]);
    assert.equal(calls[0]?.Bucket, 'media');
  });

  test('with a bucket but no S3 client: a clear error', () => {
    assert.throws(() => mediaStoreFromEnv({ MEDIA_S3_BUCKET: 'media', AWS_REGION: 'eu-west-1' }), /no S3 client/);
  });

  test('names the variable that is wrong', () => {
    assert.throws(() => s3MediaConfigFromEnv({ MEDIA_S3_BUCKET: 'media' }), /MEDIA_S3_REGION/);
    assert.throws(() => s3MediaConfigFromEnv({ MEDIA_S3_BUCKET: 'media', AWS_REGION: 'x', MEDIA_S3_ENDPOINT: 'minio:9000' }), /MEDIA_S3_ENDPOINT/);
    assert.throws(() => s3MediaConfigFromEnv({ MEDIA_S3_BUCKET: 'media', AWS_REGION: 'x', MEDIA_S3_FORCE_PATH_STYLE: 'yes' }), /MEDIA_S3_FORCE_PATH_STYLE/);
    assert.throws(() => s3MediaConfigFromEnv({ MEDIA_S3_BUCKET: 'media', AWS_REGION: 'x', MEDIA_S3_ACCESS_KEY_ID: 'k' }), /MEDIA_S3_SECRET_ACCESS_KEY/);
    assert.throws(() => s3MediaConfigFromEnv({ MEDIA_S3_BUCKET: 'media', AWS_REGION: 'x', MEDIA_S3_PREFIX: '../up' }), /MEDIA_S3_PREFIX/);
    assert.equal(s3MediaConfigFromEnv({ MEDIA_DIR: '/srv/media' }), null);
  });
});
