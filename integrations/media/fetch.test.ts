import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MerchantChannel } from '../../db/queries/channels';
import { startGraphPeer } from '../../test/peers/graph-peer';
import type { GraphPeer } from '../../test/peers/graph-peer';
import { startTwilioMediaPeer } from '../../test/peers/media-peer';
import type { TwilioMediaPeer } from '../../test/peers/media-peer';
import { fetchInboundMedia, isMediaRejection } from './fetch';
import type { FetchMediaDeps } from './fetch';
import { createLocalMediaStore, sha256Hex } from './store';
import type { MediaStore, StoredMedia } from './store';

const merchantId = 'mer_7f3a';
const metaCreds = { accessToken: 'EAAtest-token', phoneNumberId: '106540352242922' };
const twilioCreds = { accountSid: `AC${'1'.repeat(32)}`, authToken: 'twilio-auth-token' };

const metaChannel: MerchantChannel = { id: 'ch_meta', merchantId, provider: 'meta', address: metaCreds.phoneNumberId, credentials: { accessToken: metaCreds.accessToken } };
const twilioChannel: MerchantChannel = { id: 'ch_twilio', merchantId, provider: 'twilio', address: '+14155238886', credentials: twilioCreds };

const jpeg = Buffer.concat([Buffer.from('ffd8ffe000104a464946', 'hex'), Buffer.alloc(2048, 1), Buffer.from('ffd9', 'hex')]);
const voiceNote = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(4096, 2)]);
const pdf = Buffer.from('%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n');

let dir: string;
let store: MediaStore;
let graph: GraphPeer;
let twilio: TwilioMediaPeer;
let deps: FetchMediaDeps;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'media-fetch-'));
  store = createLocalMediaStore(dir);
  graph = await startGraphPeer(metaCreds);
  twilio = await startTwilioMediaPeer(twilioCreds);
  deps = { store, graphBaseUrl: graph.graphBaseUrl, twilioApiBaseUrl: twilio.apiBaseUrl, timeoutMs: 2_000 };
});
after(async () => {
  await Promise.all([graph.close(), twilio.close()]);
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  graph.requests.length = 0;
  graph.downloads.length = 0;
  twilio.apiRequests.length = 0;
  twilio.storageRequests.length = 0;
});

function stored(result: StoredMedia | { rejected: string }): StoredMedia {
  if (isMediaRejection(result)) assert.fail(`rejected: ${result.rejected}`);
  return result;
}

function rejected(result: StoredMedia | { rejected: string }): string {
  if (!isMediaRejection(result)) assert.fail(`stored as ${result.key}`);
  return result.rejected;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('fetchInboundMedia: Meta', () => {
  test('downloads through the Graph API with the bearer token and stores <merchantId>/<sha256>.<ext>', async () => {
    graph.addMedia('1037543291543636', { bytes: jpeg, mimeType: 'image/jpeg' });
    const result = stored(await fetchInboundMedia(deps, metaChannel, merchantId, { providerMediaId: '1037543291543636', mimeType: 'image/jpeg' }));

    const sha = sha256Hex(jpeg);
    assert.deepEqual(result, { storage: 'local', key: `${merchantId}/${sha}.jpg`, mimeType: 'image/jpeg', size: jpeg.length, sha256: sha });
    assert.deepEqual(await readFile(join(dir, result.key)), jpeg);
    assert.equal(graph.requests[0]?.path, '/v21.0/1037543291543636');
    assert.equal(graph.downloads.length, 1);
    assert.equal(graph.downloads[0]?.headers.authorization, `Bearer ${metaCreds.accessToken}`);
  });

  test('a voice note keeps its type without the codec parameter', async () => {
    graph.addMedia('voice-1', { bytes: voiceNote, mimeType: 'audio/ogg; codecs=opus' });
    const result = stored(await fetchInboundMedia(deps, metaChannel, merchantId, { providerMediaId: 'voice-1', mimeType: 'audio/ogg; codecs=opus' }));
    assert.equal(result.mimeType, 'audio/ogg');
    assert.match(result.key, /\.ogg$/);
  });

  test('fetching the same media again is idempotent', async () => {
    graph.addMedia('doc-1', { bytes: pdf, mimeType: 'application/pdf' });
    const first = stored(await fetchInboundMedia(deps, metaChannel, merchantId, { providerMediaId: 'doc-1' }));
    const second = stored(await fetchInboundMedia(deps, metaChannel, merchantId, { providerMediaId: 'doc-1' }));
    assert.deepEqual(second, first);
    const files = await readdir(join(dir, merchantId));
    assert.equal(files.filter((f) => f.startsWith(first.sha256)).length, 1);
  });

  test('a size Meta declares over the limit is refused before downloading', async () => {
    graph.addMedia('big-declared', { bytes: Buffer.alloc(4096), mimeType: 'video/mp4', declaredSize: 40 * 1024 * 1024 });
    const reason = rejected(await fetchInboundMedia({ ...deps, maxBytes: 1024 }, metaChannel, merchantId, { providerMediaId: 'big-declared' }));
    assert.match(reason, /larger than the 1 KB limit/);
    assert.equal(graph.downloads.length, 0);
  });

  test('a file that turns out larger while streaming is refused', async () => {
    graph.addMedia('big-streamed', { bytes: Buffer.alloc(64 * 1024, 3), mimeType: 'video/mp4', declaredSize: null, chunked: true });
    const reason = rejected(await fetchInboundMedia({ ...deps, maxBytes: 1024 }, metaChannel, merchantId, { providerMediaId: 'big-streamed' }));
    assert.match(reason, /limit/);
    assert.equal(graph.downloads.length, 1);
  });

  test('a type the webhook names as refused is not downloaded at all', async () => {
    const reason = rejected(await fetchInboundMedia(deps, metaChannel, merchantId, { providerMediaId: 'any', mimeType: 'application/x-msdownload' }));
    assert.match(reason, /type application\/x-msdownload, which is not accepted/);
    assert.equal(graph.requests.length, 0);
  });

  test('a refused type Meta reports only in the media info is refused after all', async () => {
    graph.addMedia('mov-1', { bytes: Buffer.alloc(100), mimeType: 'video/quicktime' });
    const reason = rejected(await fetchInboundMedia(deps, metaChannel, merchantId, { providerMediaId: 'mov-1' }));
    assert.match(reason, /video\/quicktime/);
    assert.deepEqual(await readdir(dir).then((names) => names.filter((n) => n !== merchantId)), []);
  });

  test('media Meta no longer has is refused, not retried', async () => {
    const reason = rejected(await fetchInboundMedia(deps, metaChannel, merchantId, { providerMediaId: 'expired-123' }));
    assert.match(reason, /no longer has/);
  });

  test('an access token Meta refuses is reported to the merchant', async () => {
    const channel: MerchantChannel = { ...metaChannel, credentials: { accessToken: 'revoked' } };
    const reason = rejected(await fetchInboundMedia(deps, channel, merchantId, { providerMediaId: '1037543291543636' }));
    assert.match(reason, /access token/);
  });

  test('a network failure is thrown for the activity to retry', async () => {
    const port = await freePort();
    await assert.rejects(
      fetchInboundMedia({ ...deps, graphBaseUrl: `http://127.0.0.1:${port}/v21.0` }, metaChannel, merchantId, { providerMediaId: '1' }),
      TypeError, // undici's "fetch failed"
    );
  });
});

describe('fetchInboundMedia: Twilio', () => {
  test('sends Basic auth to Twilio, follows the redirect without it and stores the file', async () => {
    const url = twilio.addMedia({ bytes: jpeg, contentType: 'image/jpeg' });
    const result = stored(await fetchInboundMedia(deps, twilioChannel, merchantId, { url, mimeType: 'image/jpeg' }));

    const sha = sha256Hex(jpeg);
    assert.deepEqual(result, { storage: 'local', key: `${merchantId}/${sha}.jpg`, mimeType: 'image/jpeg', size: jpeg.length, sha256: sha });
    assert.deepEqual(await readFile(join(dir, result.key)), jpeg);
    assert.equal(twilio.apiRequests.length, 1);
    assert.equal(twilio.apiRequests[0]?.headers.authorization, `Basic ${Buffer.from(`${twilioCreds.accountSid}:${twilioCreds.authToken}`).toString('base64')}`);
    assert.equal(twilio.storageRequests.length, 1);
    assert.equal(twilio.storageRequests[0]?.headers.authorization, undefined, 'the Auth Token must not reach the storage host');
  });

  test('the type comes from Content-Type, falling back to the file name when it is generic', async () => {
    const url = twilio.addMedia({ bytes: pdf, contentType: 'application/octet-stream' });
    const result = stored(await fetchInboundMedia(deps, twilioChannel, merchantId, { url, filename: 'Quote-2024.PDF' }));
    assert.equal(result.mimeType, 'application/pdf');
    assert.match(result.key, /\.pdf$/);
  });

  test('a refused Content-Type is not downloaded', async () => {
    const url = twilio.addMedia({ bytes: Buffer.from('<html></html>'), contentType: 'text/html; charset=utf-8' });
    const reason = rejected(await fetchInboundMedia(deps, twilioChannel, merchantId, { url }));
    assert.match(reason, /text\/html, which is not accepted/);
  });

  test('a Content-Length over the limit is refused', async () => {
    const url = twilio.addMedia({ bytes: Buffer.alloc(8 * 1024), contentType: 'video/mp4' });
    const reason = rejected(await fetchInboundMedia({ ...deps, maxBytes: 2048 }, twilioChannel, merchantId, { url }));
    assert.match(reason, /file of 8 KB, over the 2 KB limit/);
  });

  test('a stream that runs past the limit is cut off and refused', async () => {
    const url = twilio.addMedia({ bytes: Buffer.alloc(256 * 1024, 5), contentType: 'video/mp4', chunked: true });
    const reason = rejected(await fetchInboundMedia({ ...deps, maxBytes: 2048 }, twilioChannel, merchantId, { url }));
    assert.match(reason, /larger than the 2 KB limit/);
  });

  test('exactly the limit is accepted', async () => {
    const bytes = Buffer.alloc(2048, 9);
    const url = twilio.addMedia({ bytes, contentType: 'text/plain', chunked: true });
    const result = stored(await fetchInboundMedia({ ...deps, maxBytes: 2048 }, twilioChannel, merchantId, { url }));
    assert.equal(result.size, 2048);
  });

  test('credentials Twilio refuses are reported to the merchant', async () => {
    const url = twilio.addMedia({ bytes: jpeg, contentType: 'image/jpeg' });
    const channel: MerchantChannel = { ...twilioChannel, credentials: { ...twilioCreds, authToken: 'rotated' } };
    const reason = rejected(await fetchInboundMedia(deps, channel, merchantId, { url }));
    assert.match(reason, /Auth Token/);
    assert.equal(twilio.storageRequests.length, 0);
  });

  test('media Twilio no longer has is refused', async () => {
    const url = twilio.addMedia({ bytes: jpeg, contentType: 'image/jpeg' });
    twilio.failNext(404);
    assert.match(rejected(await fetchInboundMedia(deps, twilioChannel, merchantId, { url })), /no longer has/);
  });

  test('a 5xx is thrown for the activity to retry', async () => {
    const url = twilio.addMedia({ bytes: jpeg, contentType: 'image/jpeg' });
    twilio.failNext(503);
    await assert.rejects(fetchInboundMedia(deps, twilioChannel, merchantId, { url }), /HTTP 503/);
    // The retry succeeds.
    stored(await fetchInboundMedia(deps, twilioChannel, merchantId, { url }));
  });

  test('a URL that is not Twilio never receives the credentials', async () => {
    const url = twilio.addMedia({ bytes: jpeg, contentType: 'image/jpeg' });
    const elsewhere = url.replace(twilio.apiBaseUrl, `http://127.0.0.1:${await freePort()}`);
    assert.match(rejected(await fetchInboundMedia(deps, twilioChannel, merchantId, { url: elsewhere })), /does not point at Twilio/);
    assert.equal(twilio.apiRequests.length, 0);
  });

  test('a merchant id that is not a safe path segment never reaches the disk', async () => {
    const url = twilio.addMedia({ bytes: jpeg, contentType: 'image/jpeg' });
    await assert.rejects(fetchInboundMedia(deps, twilioChannel, '../elsewhere', { url }), /invalid media key/);
    assert.deepEqual((await readdir(join(dir, '..'))).filter((n) => n === 'elsewhere'), []);
  });
});
