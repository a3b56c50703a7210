/**
 * Temporal's history holds no customer words once PAYLOAD_KEYS is set: a
 * client without the codec sees ciphertext, the app's clients and the
 * codec endpoint (for the Temporal UI and CLI) see the conversation, and
 * history written under an old key is still read after a rotation.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { payloadToJSON } from '@temporalio/common/lib/proto-utils';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { codecRoutes } from '../api/routes/codec';
import { errorHandler } from '../api/errors';
import { getFreePort, startDevServer } from '../temporal/dev-server';
import { run } from '../tools/binaries';
import { ensureTemporalCli } from '../temporal/cli';
import { AesGcmPayloadCodec, KEY_ID_METADATA, newPayloadKey, parsePayloadKeys } from '../temporal/payload-codec';
import { leadWorkflowId, stateQuery } from '../workflows/contract';
import { eventually, getTranscript, postMessage, replies, sessionId } from './support/chat';
import { CODEC_TOKEN, startStack, TEMPORAL_UI_ORIGIN, type Stack } from './support/stack';

const td = new TextDecoder();

/** Every payload in a fetched history (objects with `data` bytes and a `metadata` map), at any depth. */
function payloadsIn(value: unknown, out: Payload[] = []): Payload[] {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return out;
  const v = value as Record<string, unknown>;
  if (v.data instanceof Uint8Array && v.metadata && typeof v.metadata === 'object') out.push(v as Payload);
  else for (const child of Object.values(v)) payloadsIn(child, out);
  return out;
}

/** All bytes and strings of a history as text, so a search finds a word wherever it sits. */
function allText(value: unknown): string {
  if (value instanceof Uint8Array) return td.decode(value);
  if (typeof value === 'string') return value;
  if (!value || typeof value !== 'object') return '';
  return Object.values(value as Record<string, unknown>).map(allText).join('\n');
}

/** The CLI's JSON output with every payload's base64 `data` decoded, so a search sees what a person would. */
function cliText(stdout: string): string {
  const walk = (value: unknown, key = ''): string => {
    if (typeof value === 'string') return key === 'data' ? `${value}\n${Buffer.from(value, 'base64').toString('utf8')}` : value;
    if (!value || typeof value !== 'object') return '';
    return Object.entries(value as Record<string, unknown>).map(([k, v]) => walk(v, k)).join('\n');
  };
  return walk(JSON.parse(stdout));
}

describe('encrypted Temporal payloads', () => {
  const firstKey = `k1:${newPayloadKey()}`;
  let stack: Stack;
  let rotated: Stack | null = null;
  let stackStopped = false;
  let merchant: string;
  const session = sessionId();
  const email = `jane.${randomUUID().slice(0, 8)}@example.test`;
  const words = `Zanzibarish ${randomUUID().slice(0, 6)}`;
  let workflowId: string;

  before(async () => {
    stack = await startStack({ payloadKeys: firstKey });
    merchant = await stack.createMerchant();
    workflowId = leadWorkflowId(merchant, 'webchat', session);
    const res = await postMessage(stack.apiUrl, merchant, { sessionId: session, text: `Hi, do you have a tent? ${words}, write to ${email}` });
    assert.equal(res.status, 202, await res.clone().text());
    await eventually(() => getTranscript(stack.apiUrl, merchant, session), (m) => replies(m).length >= 1, 'the first reply');
  });
  after(async () => {
    await rotated?.stop();
    if (!stackStopped) await stack?.stop();
  });

  test('after a web-chat turn the raw history holds no customer text or email; the codec client reads it', async () => {
    const raw = new Client({ connection: stack.client.connection });
    // The reply row commits inside the workflow task; the task's results reach the history when it completes.
    const history = await eventually(
      () => raw.workflow.getHandle(workflowId).fetchHistory(),
      (h) => (h.events ?? []).some((e) => e.markerRecordedEventAttributes),
      'the first turn recorded in the history',
    );
    const text = allText(history);
    assert.ok(text.includes(workflowId), 'the search covers the history (it finds the workflow id)');
    for (const secret of [email, words, 'tent?']) assert.ok(!text.includes(secret), `raw history contains "${secret}"`);
    const payloads = payloadsIn(history);
    assert.ok(payloads.length >= 4, `payloads found: ${payloads.length}`);
    // Left in the clear by design: search attributes (Temporal indexes them; they carry no customer text) and the
    // SDK's own markers (patch ids, local activity bookkeeping). Every input, signal, result and query answer is encrypted.
    const clear = payloads.filter((p) => td.decode(p.metadata!.encoding!) !== 'binary/encrypted');
    for (const p of clear) {
      const json = td.decode(p.data!);
      assert.ok(p.metadata!.type || /^\{"id":"[\w-]+","deprecated":(true|false)\}$/.test(json) || json.includes('"activity_type"'), `unexpected clear payload ${json.slice(0, 200)}`);
    }
    assert.ok(payloads.length - clear.length >= 4, 'inputs, signals and results are encrypted');
    // The same bytes, decoded with the key, hold the conversation: the search above would have found it.
    const codec = new AesGcmPayloadCodec(parsePayloadKeys(firstKey));
    assert.ok(allText(await codec.decode(payloads)).includes(email));
    // A client without the codec cannot read the workflow's answers; the app's client can.
    await assert.rejects(raw.workflow.getHandle(workflowId).query(stateQuery));
    const state = await stack.client.workflow.getHandle(workflowId).query(stateQuery);
    assert.ok(state.lastMessages.some((m) => m.text.includes(email)), 'the codec client reads the customer message');
  });

  test('the Temporal CLI shows ciphertext without the codec endpoint and the conversation with it', { timeout: 120_000 }, async () => {
    const cli = await ensureTemporalCli(() => {});
    const args = ['workflow', 'show', '--workflow-id', workflowId, '--address', stack.temporalAddress, '--namespace', 'default', '--output', 'json'];
    const plain = await run(cli, args, { timeoutMs: 60_000 });
    assert.ok(plain.stdout.includes('binary/encrypted') || plain.stdout.includes(Buffer.from('binary/encrypted').toString('base64')), 'the CLI sees encrypted payloads');
    for (const secret of [email, words]) assert.ok(!cliText(plain.stdout).includes(secret), `without the codec the CLI shows "${secret}"`);
    const decoded = await run(cli, [...args, '--codec-endpoint', `${stack.apiUrl}/codec`, '--codec-auth', `Bearer ${CODEC_TOKEN}`], { timeoutMs: 60_000 });
    assert.ok(cliText(decoded.stdout).includes(email), 'through the codec endpoint the CLI shows the customer message');
    await assert.rejects(run(cli, [...args, '--codec-endpoint', `${stack.apiUrl}/codec`, '--codec-auth', 'Bearer wrong-token-0000000000'], { timeoutMs: 60_000 }));
  });

  test('the codec endpoint: a token is required, CORS only for the Temporal UI, decode gives the plain payload back', async () => {
    const codec = new AesGcmPayloadCodec(parsePayloadKeys(firstKey));
    const plain = defaultPayloadConverter.toPayload({ text: `hello ${email}` })!;
    const [encrypted] = await codec.encode([plain]);
    const body = JSON.stringify({ payloads: [payloadToJSON(encrypted!)] });
    const call = (path: string, headers: Record<string, string>, payload = body) =>
      fetch(`${stack.apiUrl}/codec/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers }, body: payload });
    const auth = { authorization: `Bearer ${CODEC_TOKEN}` };

    const anonymous = await call('decode', {});
    assert.equal(anonymous.status, 401);
    assert.ok(!(await anonymous.text()).includes(email));
    assert.equal((await call('decode', { authorization: 'Bearer not-the-token-0000' })).status, 401);

    const decoded = await call('decode', { ...auth, origin: TEMPORAL_UI_ORIGIN });
    assert.equal(decoded.status, 200);
    assert.equal(decoded.headers.get('access-control-allow-origin'), TEMPORAL_UI_ORIGIN);
    assert.deepEqual(await decoded.json(), { payloads: [payloadToJSON(plain)] });
    // The token may also sit in the path, for a Temporal UI that cannot send headers.
    const inPath = (token: string) => fetch(`${stack.apiUrl}/codec/k/${token}/decode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal((await inPath(CODEC_TOKEN)).status, 200);
    assert.equal((await inPath('wrong-token-0000000000000')).status, 401);
    // The operator's token works too.
    assert.equal((await call('decode', { authorization: `Bearer ${stack.adminToken}` })).status, 200);

    // The UI's preflight is granted for its origin only.
    const preflight = (origin: string) =>
      fetch(`${stack.apiUrl}/codec/decode`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' } });
    const granted = await preflight(TEMPORAL_UI_ORIGIN);
    assert.equal(granted.headers.get('access-control-allow-origin'), TEMPORAL_UI_ORIGIN);
    assert.match(granted.headers.get('access-control-allow-headers') ?? '', /x-namespace/i);
    const evil = await preflight('http://evil.example.test');
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    assert.equal((await call('decode', { ...auth, origin: 'http://evil.example.test' })).headers.get('access-control-allow-origin'), null);

    // Encode gives what the worker would have written.
    const encodedRes = await call('encode', auth, JSON.stringify({ payloads: [payloadToJSON(plain)] }));
    assert.equal(encodedRes.status, 200);
    const encoded = (await encodedRes.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    assert.equal(Buffer.from(encoded.payloads[0]!.metadata.encoding!, 'base64').toString(), 'binary/encrypted');
    assert.ok(!Buffer.from(encoded.payloads[0]!.data, 'base64').toString('latin1').includes(email));
    const [back] = await codec.decode([{ metadata: { encoding: Buffer.from(encoded.payloads[0]!.metadata.encoding!, 'base64'), [KEY_ID_METADATA]: Buffer.from(encoded.payloads[0]!.metadata[KEY_ID_METADATA]!, 'base64') }, data: Buffer.from(encoded.payloads[0]!.data, 'base64') }]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(back!), { text: `hello ${email}` });

    // Bad input is a 400 that says what is wrong, never a 500.
    const bad = async (payload: string, headers: Record<string, string> = auth) => {
      const res = await call('decode', headers, payload);
      assert.equal(res.status, 400, `${payload.slice(0, 80)} → ${res.status} ${await res.clone().text()}`);
      return ((await res.json()) as { error: { message: string } }).error.message;
    };
    await bad('{}');
    await bad('{"payloads":[{"data":"%%%"}]}');
    await bad('{"payloads":"x"}');
    const [foreign] = await new AesGcmPayloadCodec(parsePayloadKeys(`k9:${newPayloadKey()}`)).encode([plain]);
    assert.match(await bad(JSON.stringify({ payloads: [payloadToJSON(foreign!)] })), /k9/);
    const [otherMaterial] = await new AesGcmPayloadCodec(parsePayloadKeys(`k1:${newPayloadKey()}`)).encode([plain]);
    assert.match(await bad(JSON.stringify({ payloads: [payloadToJSON(otherMaterial!)] })), /does not authenticate/);
    assert.match(await bad(body, { ...auth, 'x-namespace': 'someone-else' }), /namespace/);
    // A plain payload passes through decode unchanged (history from before the codec).
    const passthrough = await call('decode', auth, JSON.stringify({ payloads: [payloadToJSON(plain)] }));
    assert.deepEqual(await passthrough.json(), { payloads: [payloadToJSON(plain)] });
  });

  test('the development UI: the dev server is wired to the codec endpoint, which lets its origin in from this machine only when told to', { timeout: 120_000 }, async () => {
    const endpoint = `${stack.apiUrl}/codec`;
    const server = await startDevServer({ port: await getFreePort(), uiPort: await getFreePort(), dbFile: null, uiCodecEndpoint: endpoint, cliPath: await ensureTemporalCli(() => {}) });
    try {
      const settings = (await (await fetch(`${server.uiUrl}/api/v1/settings`)).json()) as { Codec: { Endpoint: string } };
      assert.equal(settings.Codec.Endpoint, endpoint);
    } finally {
      await server.stop();
    }

    const codec = new AesGcmPayloadCodec(parsePayloadKeys(firstKey));
    const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload({ text: email })!]);
    const serve = async (trustLocalUi: boolean) => {
      const app = express();
      app.use('/codec', codecRoutes({ db: stack.db, rateLimitNamespace: randomUUID(), codec, namespace: 'default', adminToken: randomUUID(), corsOrigins: [TEMPORAL_UI_ORIGIN], trustLocalUi }));
      app.use(errorHandler(pino({ level: 'silent' })));
      const http = app.listen(0, '127.0.0.1');
      await once(http, 'listening');
      return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/codec/decode`, close: () => new Promise((r) => http.close(r)) };
    };
    const decode = (url: string, origin: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ payloads: [payloadToJSON(encrypted!)] }) });
    const trusting = await serve(true);
    const strict = await serve(false);
    try {
      assert.equal((await decode(trusting.url, TEMPORAL_UI_ORIGIN)).status, 200, 'the local UI needs no token when trusted');
      assert.equal((await decode(trusting.url, 'http://evil.example.test')).status, 401, 'another origin still needs one');
      assert.equal((await decode(strict.url, TEMPORAL_UI_ORIGIN)).status, 401, 'without CODEC_TRUST_LOCAL_UI the UI needs a token too');
    } finally {
      await trusting.close();
      await strict.close();
    }
  });

  test('rotation: after a new key becomes first, the conversation written under the old one goes on', { timeout: 120_000 }, async () => {
    // A new deployment on the same task queue: the new key first, the old one kept for what it wrote.
    await stack.stop();
    stackStopped = true;
    const secondKey = `k2:${newPayloadKey()}`;
    rotated = await startStack({ payloadKeys: `${secondKey},${firstKey}`, taskQueue: stack.taskQueue });
    const next = `and a sleeping bag ${randomUUID().slice(0, 6)}`;
    const res = await postMessage(rotated.apiUrl, merchant, { sessionId: session, text: next });
    assert.equal(res.status, 202, await res.clone().text());
    // The new worker has nothing cached: it replays the history written under k1 before it can answer.
    await eventually(() => getTranscript(rotated!.apiUrl, merchant, session), (m) => replies(m).length >= 2, 'the second reply');
    const state = await rotated.client.workflow.getHandle(workflowId).query(stateQuery);
    assert.ok(state.lastMessages.some((m) => m.text.includes(email)) && state.lastMessages.some((m) => m.text.includes(next)), 'old and new messages are read');

    const history = await new Client({ connection: rotated.client.connection }).workflow.getHandle(workflowId).fetchHistory();
    const ids = new Set(payloadsIn(history).filter((p) => p.metadata![KEY_ID_METADATA]).map((p) => td.decode(p.metadata![KEY_ID_METADATA]!)));
    assert.deepEqual([...ids].sort(), ['k1', 'k2'], 'old payloads stay under k1, new ones are under k2');
    // Without k1 the old part of the history could not be read: the key list is what keeps it readable.
    await assert.rejects(new AesGcmPayloadCodec(parsePayloadKeys(secondKey)).decode(payloadsIn(history)), /"k1"/);
  });
});
