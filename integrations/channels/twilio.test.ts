import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTwilioPeer, twilioError } from '../../test/peers/twilio-peer';
import type { TwilioPeer } from '../../test/peers/twilio-peer';
import { NonRetryableSendError, TemplateRequiredError } from './channel';
import type { WhatsAppSendRequest } from './channel';
import { createTwilioClient } from './twilio';

const accountSid = `AC${'1a'.repeat(16)}`;
const authToken = 'peer-auth-token';
const business = '+14155238886';
const customer = '+905551112233';
const statusCallbackUrl = 'https://autocloser.example.com/webhooks/twilio/status';

describe('twilio WhatsApp client', () => {
  let peer: TwilioPeer;
  before(async () => {
    peer = await startTwilioPeer({ accountSid, authToken });
  });
  after(() => peer.close());

  const client = (overrides: { authToken?: string; messagingServiceSid?: string } = {}) =>
    createTwilioClient(
      { accountSid, authToken, from: business, statusCallbackUrl, ...overrides },
      { apiBaseUrl: peer.apiBaseUrl },
    );

  /** Sends one request and returns the form fields the peer received. */
  async function sent(req: WhatsAppSendRequest, overrides?: { messagingServiceSid?: string }) {
    const before = peer.messages().length;
    const result = await client(overrides).send(req);
    const requests = peer.messages();
    assert.equal(requests.length, before + 1, 'exactly one request');
    return { result, request: requests.at(-1)! };
  }

  test('text goes out as Body, WhatsApp-addressed, with Basic auth and the status callback', async () => {
    const { result, request } = await sent({ to: customer, content: { kind: 'text', text: 'Merhaba! Nasıl yardımcı olabilirim?' } });

    assert.match(result.providerMessageId, /^SM[0-9a-f]{32}$/);
    assert.equal(request.method, 'POST');
    assert.equal(request.path, `/2010-04-01/Accounts/${accountSid}/Messages.json`);
    assert.match(String(request.headers['content-type']), /^application\/x-www-form-urlencoded/);
    assert.equal(request.headers.authorization, `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`);
    assert.deepEqual(Object.fromEntries(request.form), {
      To: `whatsapp:${customer}`,
      From: `whatsapp:${business}`,
      Body: 'Merhaba! Nasıl yardımcı olabilirim?',
      StatusCallback: statusCallbackUrl,
    });
  });

  test('media goes out as MediaUrl with the caption as Body', async () => {
    const url = 'https://cdn.example.com/catalog/sku-42.jpg';
    const { request } = await sent({ to: customer, content: { kind: 'media', url, mediaType: 'image', caption: 'Lacivert, M beden' } });
    assert.deepEqual(request.form.getAll('MediaUrl'), [url]);
    assert.equal(request.form.get('Body'), 'Lacivert, M beden');

    const { request: bare } = await sent({ to: customer, content: { kind: 'media', url, mediaType: 'document', filename: 'quote.pdf' } });
    assert.deepEqual(bare.form.getAll('MediaUrl'), [url]);
    assert.equal(bare.form.has('Body'), false);
  });

  test('buttons go out as text with numbered options', async () => {
    const { request } = await sent({
      to: customer,
      content: { kind: 'buttons', text: 'Shall I send the payment link?', buttons: [{ id: 'yes', title: 'Yes' }, { id: 'no', title: 'Not yet' }] },
    });
    assert.equal(request.form.get('Body'), 'Shall I send the payment link?\n\n1. Yes\n2. Not yet');
  });

  test('a template goes out as ContentSid + ContentVariables, without Body', async () => {
    const { request } = await sent({
      to: customer,
      content: {
        kind: 'template',
        template: { name: 'follow_up', language: 'tr', providerId: `HX${'ab'.repeat(16)}`, variables: ['Ayşe', 'Mavi ceket'] },
      },
    });
    assert.equal(request.form.get('ContentSid'), `HX${'ab'.repeat(16)}`);
    assert.deepEqual(JSON.parse(request.form.get('ContentVariables')!), { '1': 'Ayşe', '2': 'Mavi ceket' });
    assert.equal(request.form.has('Body'), false);
    assert.equal(request.form.has('MediaUrl'), false);
  });

  test('a template without a Content SID is refused before any request', async () => {
    const before = peer.messages().length;
    await assert.rejects(
      client().send({ to: customer, content: { kind: 'template', template: { name: 'follow_up', language: 'tr', variables: [] } } }),
      (err) => err instanceof NonRetryableSendError && /Content SID/.test(err.message),
    );
    assert.equal(peer.messages().length, before);
  });

  test('a messaging service SID is sent along when configured', async () => {
    const messagingServiceSid = `MG${'cd'.repeat(16)}`;
    const { request } = await sent({ to: customer, content: { kind: 'text', text: 'hi' } }, { messagingServiceSid });
    assert.equal(request.form.get('MessagingServiceSid'), messagingServiceSid);
  });

  test('63016 (outside the 24-hour window) asks for a template', async () => {
    peer.enqueue(twilioError(400, 63016));
    await assert.rejects(client().send({ to: customer, content: { kind: 'text', text: 'still there?' } }), (err) => {
      assert.ok(err instanceof TemplateRequiredError);
      assert.match(err.message, /63016/);
      return true;
    });
  });

  test('21211 (invalid To) is not retryable and keeps the code', async () => {
    peer.enqueue(twilioError(400, 21211));
    await assert.rejects(client().send({ to: '+1555', content: { kind: 'text', text: 'hi' } }), (err) => {
      assert.ok(err instanceof NonRetryableSendError);
      assert.equal(err.code, '21211');
      return true;
    });
  });

  test('any other 4xx is not retryable', async () => {
    peer.enqueue(twilioError(403, 20008, 'Resource not accessible with Test Account Credentials'));
    await assert.rejects(client().send({ to: customer, content: { kind: 'text', text: 'hi' } }), (err) => {
      assert.ok(err instanceof NonRetryableSendError);
      assert.equal(err.code, '20008');
      return true;
    });
  });

  for (const [status, code] of [
    [500, 20500],
    [429, 20429],
  ] as const) {
    test(`${status} is left retryable`, async () => {
      peer.enqueue(twilioError(status, code));
      await assert.rejects(client().send({ to: customer, content: { kind: 'text', text: 'hi' } }), (err) => {
        assert.ok(err instanceof Error);
        assert.ok(!(err instanceof NonRetryableSendError) && !(err instanceof TemplateRequiredError));
        assert.equal((err as Error & { status?: number }).status, status);
        return true;
      });
    });
  }

  test('bad credentials are not retryable', async () => {
    await assert.rejects(client({ authToken: 'wrong-token' }).send({ to: customer, content: { kind: 'text', text: 'hi' } }), (err) => {
      assert.ok(err instanceof NonRetryableSendError);
      assert.equal(err.code, '20003');
      return true;
    });
    assert.equal(peer.pending(), 0);
  });

  test('a network failure is left retryable', async () => {
    const unreachable = createTwilioClient({ accountSid, authToken, from: business }, { apiBaseUrl: 'http://127.0.0.1:1' });
    await assert.rejects(unreachable.send({ to: customer, content: { kind: 'text', text: 'hi' } }), (err) => {
      assert.ok(err instanceof Error);
      assert.ok(!(err instanceof NonRetryableSendError) && !(err instanceof TemplateRequiredError));
      return true;
    });
  });
});
