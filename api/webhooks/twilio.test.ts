import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import twilio from 'twilio';
import { HttpError } from '../errors';
import { parseTwilioInbound, parseTwilioStatus, twilioPublicUrl, verifyTwilioSignature } from './twilio';

const authToken = 'webhook-auth-token';
const accountSid = `AC${'1a'.repeat(16)}`;
const publicBaseUrl = 'https://autocloser.example.com/';
const business = 'whatsapp:+14155238886';
const customer = 'whatsapp:+905551112233';
const messageSid = `SM${'0f'.repeat(16)}`;
const mediaMessageSid = `MM${'2b'.repeat(16)}`;

/** An inbound text as Twilio posts it to the incoming-message webhook for a WhatsApp sender. */
const inboundText = {
  SmsMessageSid: messageSid,
  NumMedia: '0',
  ProfileName: 'Ayşe',
  MessageType: 'text',
  SmsSid: messageSid,
  WaId: '905551112233',
  SmsStatus: 'received',
  Body: 'Merhaba, mavi ceketin fiyatı nedir?',
  To: business,
  NumSegments: '1',
  ReferralNumMedia: '0',
  MessageSid: messageSid,
  AccountSid: accountSid,
  From: customer,
  ApiVersion: '2010-04-01',
};

function without(params: Record<string, string>, key: string) {
  const { [key]: _dropped, ...rest } = params;
  return rest;
}

function assertBadField(fn: () => unknown, field: string) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof HttpError, 'an HttpError the route answers with');
    assert.equal(err.status, 400);
    assert.match(err.message, new RegExp(`\\b${field}\\b`));
    return true;
  });
}

describe('twilio webhook signature', () => {
  const url = twilioPublicUrl(publicBaseUrl, '/webhooks/twilio/whatsapp?merchant=m_1');
  const signature = twilio.getExpectedTwilioSignature(authToken, url, inboundText);

  test('the public URL is PUBLIC_BASE_URL plus the original path and query', () => {
    assert.equal(url, 'https://autocloser.example.com/webhooks/twilio/whatsapp?merchant=m_1');
    assert.equal(twilioPublicUrl('https://autocloser.example.com', '/webhooks/twilio/status'), 'https://autocloser.example.com/webhooks/twilio/status');
  });

  test("a signature made the SDK's way verifies", () => {
    assert.equal(verifyTwilioSignature(authToken, url, inboundText, signature), true);
  });

  test('a forged body, a missing header, another URL or another token fail', () => {
    assert.equal(verifyTwilioSignature(authToken, url, { ...inboundText, Body: 'Bedava olsun' }, signature), false);
    assert.equal(verifyTwilioSignature(authToken, url, inboundText, undefined), false);
    assert.equal(verifyTwilioSignature(authToken, url, inboundText, ''), false);
    assert.equal(verifyTwilioSignature(authToken, url, inboundText, [signature, signature]), false);
    assert.equal(verifyTwilioSignature(authToken, 'http://10.0.0.7:3000/webhooks/twilio/whatsapp?merchant=m_1', inboundText, signature), false);
    assert.equal(verifyTwilioSignature(authToken, twilioPublicUrl(publicBaseUrl, '/webhooks/twilio/whatsapp?merchant=m_2'), inboundText, signature), false);
    assert.equal(verifyTwilioSignature('another-token', url, inboundText, signature), false);
    const forged = twilio.getExpectedTwilioSignature('guessed-token', url, inboundText);
    assert.equal(verifyTwilioSignature(authToken, url, inboundText, forged), false);
  });

  test('an unparseable URL does not verify', () => {
    assert.equal(verifyTwilioSignature(authToken, 'not a url', inboundText, signature), false);
  });
});

/** Parses an inbound webhook that must be a message rather than a status, narrowed for the assertions that follow. */
function parseMessage(body: Parameters<typeof parseTwilioInbound>[0]) {
  const event = parseTwilioInbound(body);
  assert.ok(event.type === 'message', `expected a message, got ${event.type}`);
  return event;
}

describe('twilio inbound message webhook', () => {
  test('a text message parses', () => {
    const before = Date.now();
    const event = parseTwilioInbound(inboundText);
    assert.equal(event.type, 'message');
    const { at, ...rest } = event;
    assert.ok(at.getTime() >= before && at.getTime() <= Date.now());
    assert.deepEqual(rest, {
      type: 'message',
      provider: 'twilio',
      businessAddress: '+14155238886',
      from: '+905551112233',
      providerMessageId: messageSid,
      text: 'Merhaba, mavi ceketin fiyatı nedir?',
      profileName: 'Ayşe',
    });
  });

  test('a media message parses with its URL, type, media SID and caption', () => {
    const mediaUrl = `https://api.twilio.com/2010-04-01/Accounts/${accountSid}/Messages/${mediaMessageSid}/Media/ME${'3c'.repeat(16)}`;
    const event = parseMessage({
      ...inboundText,
      MessageSid: mediaMessageSid,
      SmsMessageSid: mediaMessageSid,
      SmsSid: mediaMessageSid,
      MessageType: 'image',
      Body: 'Bu modelin başka rengi var mı?',
      NumMedia: '1',
      MediaContentType0: 'image/jpeg',
      MediaUrl0: mediaUrl,
    });
    assert.equal(event.providerMessageId, mediaMessageSid);
    assert.equal(event.text, 'Bu modelin başka rengi var mı?');
    assert.deepEqual(event.media, [
      { url: mediaUrl, mimeType: 'image/jpeg', providerMediaId: `ME${'3c'.repeat(16)}`, caption: 'Bu modelin başka rengi var mı?' },
    ]);
  });

  test('a location parses', () => {
    const event = parseMessage({
      ...inboundText,
      MessageType: 'location',
      Body: '',
      Latitude: '41.0370',
      Longitude: '28.9850',
      Address: 'İstiklal Cd., Beyoğlu, İstanbul',
      Label: 'Mağaza',
    });
    assert.equal(event.text, '');
    assert.deepEqual(event.location, { latitude: 41.037, longitude: 28.985, name: 'Mağaza', address: 'İstiklal Cd., Beyoğlu, İstanbul' });
  });

  test('a quick-reply button tap parses with its payload as the reply id', () => {
    const event = parseMessage({ ...inboundText, MessageType: 'button', Body: 'Evet, gönder', ButtonText: 'Evet, gönder', ButtonPayload: 'send_payment_link' });
    assert.equal(event.text, 'Evet, gönder');
    assert.equal(event.replyId, 'send_payment_link');
  });

  test('malformed requests name the bad field', () => {
    assertBadField(() => parseTwilioInbound(without(inboundText, 'MessageSid')), 'MessageSid');
    assertBadField(() => parseTwilioInbound(without(inboundText, 'From')), 'From');
    assertBadField(() => parseTwilioInbound({ ...inboundText, From: '+905551112233' }), 'From');
    assertBadField(() => parseTwilioInbound(without(inboundText, 'To')), 'To');
    assertBadField(() => parseTwilioInbound({ ...inboundText, NumMedia: '1' }), 'MediaUrl0');
    assertBadField(() => parseTwilioInbound({ ...inboundText, NumMedia: 'one' }), 'NumMedia');
    assertBadField(() => parseTwilioInbound({ ...inboundText, Latitude: '41.0' }), 'Longitude');
    assertBadField(() => parseTwilioInbound({ ...inboundText, Latitude: '123', Longitude: '28.9' }), 'Latitude');
  });
});

describe('twilio status webhook', () => {
  /** A status callback as Twilio posts it for an outbound WhatsApp message. */
  const callback = (MessageStatus: string, extra: Record<string, string> = {}) => ({
    ChannelPrefix: 'whatsapp',
    ApiVersion: '2010-04-01',
    MessageStatus,
    SmsSid: messageSid,
    SmsStatus: MessageStatus,
    ChannelInstallSid: `XE${'44'.repeat(16)}`,
    To: customer,
    From: business,
    MessageSid: messageSid,
    StructuredMessage: 'false',
    AccountSid: accountSid,
    ChannelToAddress: '+90555111XXXX',
    ...extra,
  });

  for (const [twilioStatus, status] of [
    ['queued', 'sent'],
    ['sent', 'sent'],
    ['delivered', 'delivered'],
    ['read', 'read'],
    ['undelivered', 'failed'],
  ] as const) {
    test(`${twilioStatus} maps to ${status}`, () => {
      const event = parseTwilioStatus(callback(twilioStatus));
      assert.equal(event.type, 'status');
      if (event.type !== 'status') return;
      assert.equal(event.status, status);
      assert.equal(event.providerMessageId, messageSid);
      assert.equal(event.businessAddress, '+14155238886');
      assert.equal(event.provider, 'twilio');
      assert.ok(event.at instanceof Date);
      assert.equal(event.errorCode, undefined);
    });
  }

  test('failed carries the error code and message', () => {
    const event = parseTwilioStatus(
      callback('failed', {
        ErrorCode: '63016',
        ErrorMessage: 'Failed to send freeform message because you are outside the allowed window.',
      }),
    );
    assert.equal(event.type, 'status');
    if (event.type !== 'status') return;
    assert.equal(event.status, 'failed');
    assert.equal(event.errorCode, '63016');
    assert.match(event.errorMessage ?? '', /outside the allowed window/);
  });

  test('malformed callbacks name the bad field', () => {
    assertBadField(() => parseTwilioStatus(without(callback('sent'), 'MessageSid')), 'MessageSid');
    assertBadField(() => parseTwilioStatus(without(callback('sent'), 'MessageStatus')), 'MessageStatus');
    assertBadField(() => parseTwilioStatus(callback('received')), 'MessageStatus');
    assertBadField(() => parseTwilioStatus(without(callback('sent'), 'From')), 'From');
  });
});
