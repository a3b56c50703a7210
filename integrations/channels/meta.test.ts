import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { graphAccepted, graphError, graphErrors, startGraphPeer } from '../../test/peers/graph-peer';
import type { GraphPeer } from '../../test/peers/graph-peer';
import { NonRetryableSendError, TemplateRequiredError } from './channel';
import type { OutboundContent, WhatsAppProviderClient } from './channel';
import { createMetaClient, downloadMetaMedia, MediaTooLargeError, MetaGraphError } from './meta';

const creds = { accessToken: 'EAAtest-token', phoneNumberId: '106540352242922' };
const to = '+905551112233';

let peer: GraphPeer;
let client: WhatsAppProviderClient;

before(async () => {
  peer = await startGraphPeer(creds);
  client = createMetaClient(creds, { graphBaseUrl: peer.graphBaseUrl, timeoutMs: 2_000 });
});
after(() => peer.close());
beforeEach(() => {
  peer.requests.length = 0;
  peer.downloads.length = 0;
  assert.equal(peer.pending(), 0, 'a previous test left scripted answers unused');
});

async function sendOnce(content: OutboundContent) {
  peer.enqueue(graphAccepted(to, 'wamid.HBgMOTA1NTUxMTEyMjMzFQIAERgSQTest'));
  const result = await client.send({ to, content });
  const [request] = peer.messages();
  assert.ok(request, 'no request reached the peer');
  assert.equal(peer.messages().length, 1);
  return { result, request };
}

describe('createMetaClient: request bodies', () => {
  test('text goes to /{phone-number-id}/messages with the bearer token and link previews on', async () => {
    const { result, request } = await sendOnce({ kind: 'text', text: 'Merhaba! https://shop.example/p/1' });
    assert.deepEqual(result, { providerMessageId: 'wamid.HBgMOTA1NTUxMTEyMjMzFQIAERgSQTest' });
    assert.equal(request.method, 'POST');
    assert.equal(request.path, `/v21.0/${creds.phoneNumberId}/messages`);
    assert.equal(request.headers.authorization, `Bearer ${creds.accessToken}`);
    assert.match(request.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(request.body, {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '905551112233',
      type: 'text',
      text: { body: 'Merhaba! https://shop.example/p/1', preview_url: true },
    });
  });

  test('image with caption', async () => {
    const { request } = await sendOnce({ kind: 'media', mediaType: 'image', url: 'https://cdn.example/a.jpg', caption: 'Red, size M' });
    assert.deepEqual(request.body, {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '905551112233',
      type: 'image',
      image: { link: 'https://cdn.example/a.jpg', caption: 'Red, size M' },
    });
  });

  test('document carries its filename', async () => {
    const { request } = await sendOnce({
      kind: 'media',
      mediaType: 'document',
      url: 'https://cdn.example/q.pdf',
      caption: 'Your quote',
      filename: 'quote-42.pdf',
    });
    assert.equal(request.body?.type, 'document');
    assert.deepEqual(request.body && 'document' in request.body ? request.body.document : null, {
      link: 'https://cdn.example/q.pdf',
      caption: 'Your quote',
      filename: 'quote-42.pdf',
    });
  });

  test('audio drops caption and filename, which the API does not take for audio', async () => {
    const { request } = await sendOnce({ kind: 'media', mediaType: 'audio', url: 'https://cdn.example/v.ogg', caption: 'x', filename: 'v.ogg' });
    assert.equal(request.body?.type, 'audio');
    assert.deepEqual(request.body && 'audio' in request.body ? request.body.audio : null, { link: 'https://cdn.example/v.ogg' });
  });

  test('video with caption and no filename', async () => {
    const { request } = await sendOnce({ kind: 'media', mediaType: 'video', url: 'https://cdn.example/d.mp4', caption: 'Demo', filename: 'd.mp4' });
    assert.deepEqual(request.body && 'video' in request.body ? request.body.video : null, { link: 'https://cdn.example/d.mp4', caption: 'Demo' });
  });

  test('buttons become an interactive reply-button message', async () => {
    const { request } = await sendOnce({
      kind: 'buttons',
      text: 'Which size?',
      buttons: [
        { id: 'size_s', title: 'Small' },
        { id: 'size_m', title: 'Medium' },
        { id: 'size_l', title: 'Twenty chars exactly' },
      ],
    });
    assert.deepEqual(request.body, {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '905551112233',
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Which size?' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'size_s', title: 'Small' } },
            { type: 'reply', reply: { id: 'size_m', title: 'Medium' } },
            { type: 'reply', reply: { id: 'size_l', title: 'Twenty chars exactly' } },
          ],
        },
      },
    });
  });

  test('template with body variables in order', async () => {
    const { request } = await sendOnce({
      kind: 'template',
      template: { name: 'payment_reminder', language: 'tr', providerId: 'HXignored', variables: ['Ayşe', '₺1.250,00'] },
    });
    assert.deepEqual(request.body, {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '905551112233',
      type: 'template',
      template: {
        name: 'payment_reminder',
        language: { code: 'tr' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ayşe' },
              { type: 'text', text: '₺1.250,00' },
            ],
          },
        ],
      },
    });
  });

  test('template without variables sends no components', async () => {
    const { request } = await sendOnce({ kind: 'template', template: { name: 'hello_world', language: 'en_US', variables: [] } });
    assert.deepEqual(request.body && 'template' in request.body ? request.body.template : null, {
      name: 'hello_world',
      language: { code: 'en_US' },
    });
  });

  test('button limits are enforced before anything is sent', async () => {
    const four = [1, 2, 3, 4].map((n) => ({ id: `b${n}`, title: `Option ${n}` }));
    await assert.rejects(client.send({ to, content: { kind: 'buttons', text: 'Pick', buttons: four } }), NonRetryableSendError);
    await assert.rejects(
      client.send({ to, content: { kind: 'buttons', text: 'Pick', buttons: [{ id: 'a', title: 'Twenty-one characters' }] } }),
      NonRetryableSendError,
    );
    await assert.rejects(client.send({ to, content: { kind: 'buttons', text: 'Pick', buttons: [] } }), NonRetryableSendError);
    assert.equal(peer.requests.length, 0);
  });

  test('a number that is not E.164 is refused before sending', async () => {
    await assert.rejects(client.send({ to: 'whatsapp:+9055', content: { kind: 'text', text: 'hi' } }), NonRetryableSendError);
    assert.equal(peer.requests.length, 0);
  });
});

async function sendFailing(...answers: Parameters<GraphPeer['enqueue']>) {
  peer.enqueue(...answers);
  return client.send({ to, content: { kind: 'text', text: 'hello' } }).then(
    () => assert.fail('send should have failed'),
    (err: unknown) => err,
  );
}

describe('createMetaClient: errors', () => {
  test('131047 (outside the 24-hour window) asks for a template', async () => {
    const err = await sendFailing(graphErrors.reEngagement());
    assert.ok(err instanceof TemplateRequiredError);
    assert.match(err.message, /Re-engagement/);
  });

  const permanent: Array<[string, ReturnType<typeof graphError>, string]> = [
    ['131026 undeliverable', graphErrors.undeliverable(), '131026'],
    ['131051 unsupported type', graphError(400, 131051, '(#131051) Unsupported message type'), '131051'],
    ['131052 media download', graphError(400, 131052, '(#131052) Media download error'), '131052'],
    ['131053 media upload', graphError(400, 131053, '(#131053) Media upload error'), '131053'],
    ['100 invalid parameter', graphError(400, 100, '(#100) Invalid parameter'), '100'],
    ['131009 parameter value', graphError(400, 131009, '(#131009) Parameter value is not valid'), '131009'],
    ['132000 template params', graphError(400, 132000, '(#132000) Number of parameters does not match'), '132000'],
    ['132001 template missing (404)', graphErrors.templateMissing(), '132001'],
    ['132015 template paused', graphError(400, 132015, '(#132015) Template is paused'), '132015'],
    ['other 4xx (131030 recipient not allowed)', graphError(400, 131030, '(#131030) Recipient phone number not in allowed list'), '131030'],
    ['403 without a Graph envelope', { status: 403, body: 'Forbidden' }, '403'],
  ];
  for (const [name, answer, code] of permanent) {
    test(`${name} is not retryable`, async () => {
      const err = await sendFailing(answer);
      assert.ok(err instanceof NonRetryableSendError, `got ${String(err)}`);
      assert.equal(err.code, code);
    });
  }

  test('a wrong access token (190) is not retryable', async () => {
    const wrong = createMetaClient({ ...creds, accessToken: 'EAAwrong' }, { graphBaseUrl: peer.graphBaseUrl });
    const err = await wrong.send({ to, content: { kind: 'text', text: 'hi' } }).catch((e: unknown) => e);
    assert.ok(err instanceof NonRetryableSendError);
    assert.equal(err.code, '190');
    assert.equal(peer.messages()[0]?.headers.authorization, 'Bearer EAAwrong');
  });

  const retryable: Array<[string, ReturnType<typeof graphError>, number]> = [
    ['130429 throughput', graphErrors.rateLimited(), 400],
    ['131048 spam rate limit', graphErrors.spamRateLimited(), 400],
    ['131056 pair rate limit', graphError(400, 131056, '(#131056) (Business Account, Consumer Account) pair rate limit hit'), 400],
    ['HTTP 429', graphErrors.tooManyRequests(), 429],
    ['131000 something went wrong', graphErrors.somethingWentWrong(), 500],
    ['HTTP 500', graphErrors.serverError(), 500],
    ['HTTP 503 without a body', { status: 503, body: null }, 503],
  ];
  for (const [name, answer, status] of retryable) {
    test(`${name} is retryable`, async () => {
      const err = await sendFailing(answer);
      assert.ok(err instanceof MetaGraphError, `got ${String(err)}`);
      assert.ok(!(err instanceof NonRetryableSendError));
      assert.equal(err.status, status);
      assert.equal(err.retryable, true);
    });
  }

  test('network errors are rethrown as they are', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const offline = createMetaClient(creds, { graphBaseUrl: `http://127.0.0.1:${closed}/v21.0` });
    const err = await offline.send({ to, content: { kind: 'text', text: 'hi' } }).catch((e: unknown) => e);
    assert.ok(err instanceof Error);
    assert.ok(!(err instanceof NonRetryableSendError) && !(err instanceof TemplateRequiredError));
  });

  test('a slow API times out as a retryable error', async () => {
    const impatient = createMetaClient(creds, { graphBaseUrl: peer.graphBaseUrl, timeoutMs: 50 });
    peer.enqueue({ ...graphAccepted(to), delayMs: 1_000 });
    const err = await impatient.send({ to, content: { kind: 'text', text: 'hi' } }).catch((e: unknown) => e);
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'TimeoutError');
    assert.ok(!(err instanceof NonRetryableSendError));
  });
});

describe('graph peer checks bodies like the API', () => {
  test('missing messaging_product is a 400 with code 100', async () => {
    const res = await fetch(`${peer.graphBaseUrl}/${creds.phoneNumberId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${creds.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: '905551112233', type: 'text', text: { body: 'hi' } }),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { code: number; message: string; type: string; fbtrace_id: string } };
    assert.equal(body.error.code, 100);
    assert.equal(body.error.type, 'OAuthException');
    assert.match(body.error.message, /messaging_product/);
    assert.ok(body.error.fbtrace_id);
  });
});

describe('downloadMetaMedia', () => {
  const bytes = Buffer.from('%PDF-1.7 a small quote document '.repeat(40));
  const sha256 = createHash('sha256').update(bytes).digest('hex');

  test('looks up the URL, then downloads it with the bearer token', async () => {
    peer.addMedia('1037543291543636', { bytes, mimeType: 'application/pdf' });
    const media = await downloadMetaMedia(creds, '1037543291543636', { graphBaseUrl: peer.graphBaseUrl });
    assert.deepEqual(media, { bytes, mimeType: 'application/pdf', sha256 });
    const lookup = peer.requests.find((r) => r.path === '/v21.0/1037543291543636');
    assert.equal(lookup?.method, 'GET');
    assert.equal(lookup?.headers.authorization, `Bearer ${creds.accessToken}`);
    assert.equal(peer.downloads.length, 1);
    assert.equal(peer.downloads[0]?.headers.authorization, `Bearer ${creds.accessToken}`);
  });

  test('refuses on the declared file_size without downloading', async () => {
    peer.addMedia('big', { bytes, mimeType: 'application/pdf' });
    const err = await downloadMetaMedia(creds, 'big', { graphBaseUrl: peer.graphBaseUrl, maxBytes: 100 }).catch((e: unknown) => e);
    assert.ok(err instanceof MediaTooLargeError);
    assert.equal(err.size, bytes.length);
    assert.equal(peer.downloads.length, 0);
  });

  test('refuses while streaming when the declared size understates it', async () => {
    peer.addMedia('liar', { bytes, mimeType: 'application/pdf', declaredSize: 10, chunked: true });
    const err = await downloadMetaMedia(creds, 'liar', { graphBaseUrl: peer.graphBaseUrl, maxBytes: 100 }).catch((e: unknown) => e);
    assert.ok(err instanceof MediaTooLargeError);
    assert.ok(err.size > 100);
    assert.equal(peer.downloads.length, 1);
  });

  test('refuses on content-length when no file_size is given', async () => {
    peer.addMedia('unsized', { bytes, mimeType: 'application/pdf', declaredSize: null });
    const err = await downloadMetaMedia(creds, 'unsized', { graphBaseUrl: peer.graphBaseUrl, maxBytes: 100 }).catch((e: unknown) => e);
    assert.ok(err instanceof MediaTooLargeError);
    assert.equal(err.size, bytes.length);
  });

  test('media exactly at the limit is accepted', async () => {
    peer.addMedia('exact', { bytes, mimeType: 'application/pdf', chunked: true });
    const media = await downloadMetaMedia(creds, 'exact', { graphBaseUrl: peer.graphBaseUrl, maxBytes: bytes.length });
    assert.equal(media.bytes.length, bytes.length);
  });

  test('an unknown media id is a non-retryable Graph error', async () => {
    const err = await downloadMetaMedia(creds, 'nope', { graphBaseUrl: peer.graphBaseUrl }).catch((e: unknown) => e);
    assert.ok(err instanceof MetaGraphError);
    assert.equal(err.code, 100);
    assert.equal(err.retryable, false);
  });

  test('a wrong token is refused at the lookup', async () => {
    peer.addMedia('private', { bytes, mimeType: 'application/pdf' });
    const err = await downloadMetaMedia({ accessToken: 'EAAwrong' }, 'private', { graphBaseUrl: peer.graphBaseUrl }).catch((e: unknown) => e);
    assert.ok(err instanceof MetaGraphError);
    assert.equal(err.code, 190);
    assert.equal(err.status, 401);
    assert.equal(peer.downloads.length, 0);
  });
});
