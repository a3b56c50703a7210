import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { WhatsAppInboundEvent } from '../../integrations/channels/channel';
import { MetaWebhookPayloadError, parseMetaWebhook, verifyMetaChallenge, verifyMetaSignature } from './meta';

const PHONE_NUMBER_ID = '106540352242922';
const CUSTOMER = '16505551234';

/** The documented `messages` webhook envelope around one change value. */
function webhook(value: Record<string, unknown>, field = 'messages') {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ value: { messaging_product: 'whatsapp', ...value }, field }] }],
  };
}

const metadata = { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID };
const contacts = [{ profile: { name: 'Sheena Nelson' }, wa_id: CUSTOMER }];

function inbound(...messages: Record<string, unknown>[]) {
  return webhook({ metadata, contacts, messages });
}

function message(type: string, content: Record<string, unknown>, id = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=') {
  return { from: CUSTOMER, id, timestamp: '1749416383', type, ...content };
}

function only(events: WhatsAppInboundEvent[]) {
  assert.equal(events.length, 1);
  const [event] = events;
  assert.ok(event?.type === 'message', 'expected a message event');
  return event;
}

/** The one message event parsed from a webhook that carries one message of `type`. */
const parseOne = (type: string, content: Record<string, unknown>) => only(parseMetaWebhook(inbound(message(type, content))));

const at = new Date(1749416383 * 1000);

describe('verifyMetaChallenge', () => {
  const query = { 'hub.mode': 'subscribe', 'hub.challenge': '1158201444', 'hub.verify_token': 'meatyhamhock' };

  test('echoes the challenge for the right token', () => {
    assert.equal(verifyMetaChallenge(query, 'meatyhamhock'), '1158201444');
  });

  test('refuses a wrong, missing or empty token, or another mode', () => {
    assert.equal(verifyMetaChallenge(query, 'meatyhamhocks'), null);
    assert.equal(verifyMetaChallenge({ ...query, 'hub.verify_token': 'wrong' }, 'meatyhamhock'), null);
    assert.equal(verifyMetaChallenge({ 'hub.mode': 'subscribe', 'hub.challenge': '1' }, 'meatyhamhock'), null);
    assert.equal(verifyMetaChallenge({ ...query, 'hub.verify_token': '' }, ''), null);
    assert.equal(verifyMetaChallenge({ ...query, 'hub.mode': 'unsubscribe' }, 'meatyhamhock'), null);
    assert.equal(verifyMetaChallenge({ ...query, 'hub.verify_token': ['meatyhamhock'] }, 'meatyhamhock'), null);
  });
});

describe('verifyMetaSignature', () => {
  const secret = 'a1b2c3d4e5f6app-secret';
  const raw = Buffer.from(JSON.stringify(inbound(message('text', { text: { body: 'Merhaba, çanta var mı?' } }))));
  // As Meta specifies: HMAC-SHA256 of the raw payload bytes with the app secret, hex, prefixed `sha256=`.
  const signed = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;

  test('accepts the signature Meta computes', () => {
    assert.equal(verifyMetaSignature(secret, raw, signed), true);
    assert.equal(verifyMetaSignature(secret, raw, signed.toUpperCase().replace('SHA256=', 'sha256=')), true);
  });

  test('refuses a forged body', () => {
    const forged = Buffer.from(raw.toString('utf8').replace('çanta', 'ÇANTA'));
    assert.equal(verifyMetaSignature(secret, forged, signed), false);
  });

  test('refuses a re-serialised body: the raw bytes are what is signed', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8')), null, 1));
    assert.equal(verifyMetaSignature(secret, reserialised, signed), false);
  });

  test('refuses a missing header', () => {
    assert.equal(verifyMetaSignature(secret, raw, undefined), false);
    assert.equal(verifyMetaSignature(secret, raw, ''), false);
  });

  test('refuses malformed headers', () => {
    const hex = signed.slice('sha256='.length);
    for (const header of [hex, `sha1=${hex}`, `sha256=${hex.slice(2)}`, `sha256=${hex}00`, 'sha256=zz', `sha256=${'g'.repeat(64)}`]) {
      assert.equal(verifyMetaSignature(secret, raw, header), false, header);
    }
  });

  test('refuses a signature made with another secret, and an empty secret', () => {
    const other = `sha256=${createHmac('sha256', 'another-secret').update(raw).digest('hex')}`;
    assert.equal(verifyMetaSignature(secret, raw, other), false);
    assert.equal(verifyMetaSignature('', raw, `sha256=${createHmac('sha256', '').update(raw).digest('hex')}`), false);
  });
});

describe('parseMetaWebhook: messages', () => {
  test('text', () => {
    const event = parseOne('text', { text: { body: 'Does it come in another color?' } });
    assert.deepEqual(event, {
      type: 'message',
      provider: 'meta',
      businessAddress: PHONE_NUMBER_ID,
      from: '+16505551234',
      providerMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
      at,
      text: 'Does it come in another color?',
      profileName: 'Sheena Nelson',
    });
  });

  test('image with caption', () => {
    const event = parseOne('image', { image: { caption: 'This one?', mime_type: 'image/jpeg', sha256: 'CJXfAQD0tSmWr4IEUOhs6YHF4HRSaX/L+yQ6DbnRyuA=', id: '1003383421387256' } });
    assert.equal(event.text, 'This one?');
    assert.deepEqual(event.media, [{ providerMediaId: '1003383421387256', mimeType: 'image/jpeg', caption: 'This one?' }]);
  });

  test('document with filename', () => {
    const event = parseOne('document', { document: { caption: 'Invoice', filename: 'invoice-123.pdf', mime_type: 'application/pdf', sha256: 'abc=', id: '1037543291543636' } });
    assert.deepEqual(event.media, [
      { providerMediaId: '1037543291543636', mimeType: 'application/pdf', caption: 'Invoice', filename: 'invoice-123.pdf' },
    ]);
  });

  test('audio (voice note) has no text', () => {
    const event = parseOne('audio', { audio: { mime_type: 'audio/ogg; codecs=opus', sha256: 'x=', id: '1003383421387257', voice: true } });
    assert.equal(event.text, '');
    assert.deepEqual(event.media, [{ providerMediaId: '1003383421387257', mimeType: 'audio/ogg; codecs=opus' }]);
  });

  test('video', () => {
    const event = parseOne('video', { video: { mime_type: 'video/mp4', sha256: 'y=', id: '1003383421387258' } });
    assert.deepEqual(event.media, [{ providerMediaId: '1003383421387258', mimeType: 'video/mp4' }]);
  });

  test('sticker', () => {
    const event = parseOne('sticker', { sticker: { mime_type: 'image/webp', sha256: 'z=', id: '1003383421387259', animated: false } });
    assert.deepEqual(event.media, [{ providerMediaId: '1003383421387259', mimeType: 'image/webp' }]);
  });

  test('location', () => {
    const event = parseOne('location', {
      location: { address: '1 Hacker Way, Menlo Park, CA 94025', latitude: 37.483307, longitude: -122.148981, name: 'Philz Coffee', url: 'https://philz.example' },
    });
    assert.deepEqual(event.location, { latitude: 37.483307, longitude: -122.148981, name: 'Philz Coffee', address: '1 Hacker Way, Menlo Park, CA 94025' });
    assert.equal(event.text, '');
  });

  test('interactive button reply', () => {
    const event = parseOne('interactive', {
      context: { from: '15550783881', id: 'wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA' },
      interactive: { type: 'button_reply', button_reply: { id: 'size_m', title: 'Medium' } },
    });
    assert.equal(event.text, 'Medium');
    assert.equal(event.replyId, 'size_m');
  });

  test('interactive list reply', () => {
    const event = parseOne('interactive', { interactive: { type: 'list_reply', list_reply: { id: 'priority_express', title: 'Express Shipping', description: 'Next day' } } });
    assert.equal(event.text, 'Express Shipping');
    assert.equal(event.replyId, 'priority_express');
  });

  test('template quick-reply button', () => {
    const event = parseOne('button', {
      context: { from: '15550783881', id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA' },
      button: { payload: 'STOP_REMINDERS', text: 'Stop reminders' },
    });
    assert.equal(event.text, 'Stop reminders');
    assert.equal(event.replyId, 'STOP_REMINDERS');
  });

  test('unsupported types become a message saying so instead of being dropped', () => {
    const reaction = parseOne('reaction', { reaction: { message_id: 'wamid.X', emoji: '👍' } });
    assert.equal(reaction.text, '[unsupported message type: reaction]');
    const unsupported = parseOne('unsupported', {
      errors: [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown', error_data: { details: 'Message type is currently not supported.' } }],
      unsupported: { type: 'edit' },
    });
    assert.equal(unsupported.text, '[unsupported message type: edit]');
    const flow = parseOne('interactive', { interactive: { type: 'nfm_reply', nfm_reply: { response_json: '{}' } } });
    assert.equal(flow.text, '[unsupported message type: interactive/nfm_reply]');
  });

  test('several messages in one webhook keep their order', () => {
    const events = parseMetaWebhook(
      inbound(
        message('text', { text: { body: 'first' } }, 'wamid.1'),
        message('image', { image: { mime_type: 'image/png', id: '42' } }, 'wamid.2'),
        message('text', { text: { body: 'third' } }, 'wamid.3'),
      ),
    );
    assert.deepEqual(
      events.map((e) => e.providerMessageId),
      ['wamid.1', 'wamid.2', 'wamid.3'],
    );
  });

  test('events across entries and changes keep their order; other fields are skipped', () => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          changes: [
            { field: 'messages', value: { messaging_product: 'whatsapp', metadata, contacts, messages: [message('text', { text: { body: 'a' } }, 'wamid.a')] } },
            { field: 'message_template_status_update', value: { event: 'APPROVED', message_template_id: 1, message_template_name: 'x' } },
          ],
        },
        {
          id: '2',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550000000', phone_number_id: 'other' },
                contacts: [{ profile: { name: 'Kerry' }, wa_id: '905551112233' }],
                messages: [{ from: '905551112233', id: 'wamid.b', timestamp: 1749416390, type: 'text', text: { body: 'b' } }],
              },
            },
          ],
        },
      ],
    };
    const events = parseMetaWebhook(body);
    assert.deepEqual(
      events.map((e) => [e.providerMessageId, e.businessAddress, e.type === 'message' ? e.profileName : null]),
      [
        ['wamid.a', PHONE_NUMBER_ID, 'Sheena Nelson'],
        ['wamid.b', 'other', 'Kerry'],
      ],
    );
  });
});

describe('parseMetaWebhook: statuses', () => {
  const status = (s: string, extra: Record<string, unknown> = {}) => ({
    id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA',
    status: s,
    timestamp: '1750263773',
    recipient_id: CUSTOMER,
    ...extra,
  });

  test('sent, delivered and read', () => {
    const pricing = { billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' };
    const events = parseMetaWebhook(webhook({ metadata, statuses: [status('sent', { pricing }), status('delivered', { pricing }), status('read')] }));
    assert.deepEqual(events, ['sent', 'delivered', 'read'].map((s) => ({
      type: 'status',
      provider: 'meta',
      businessAddress: PHONE_NUMBER_ID,
      providerMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA',
      status: s,
      at: new Date(1750263773 * 1000),
    })));
  });

  test('failed carries the error code and details', () => {
    const events = parseMetaWebhook(
      webhook({
        metadata,
        statuses: [
          status('failed', {
            errors: [
              {
                code: 131047,
                title: 'Re-engagement message',
                message: 'Re-engagement message',
                error_data: { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
                href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
              },
            ],
          }),
        ],
      }),
    );
    assert.equal(events.length, 1);
    const [event] = events;
    assert.ok(event?.type === 'status');
    assert.equal(event.status, 'failed');
    assert.equal(event.errorCode, '131047');
    assert.match(event.errorMessage ?? '', /more than 24 hours/);
  });

  test('failed without details falls back to the title', () => {
    const [event] = parseMetaWebhook(webhook({ metadata, statuses: [status('failed', { errors: [{ code: 131026, title: 'Message undeliverable' }] })] }));
    assert.ok(event?.type === 'status');
    assert.equal(event.errorMessage, 'Message undeliverable');
  });

  test('statuses we do not track are skipped, not rejected', () => {
    assert.deepEqual(parseMetaWebhook(webhook({ metadata, statuses: [status('deleted'), status('warning')] })), []);
  });
});

describe('parseMetaWebhook: malformed bodies name the bad path', () => {
  const cases: Array<[string, unknown, string]> = [
    ['not an object', 'hello', '(root)'],
    ['wrong object', { object: 'page', entry: [] }, 'object'],
    ['entry not an array', { object: 'whatsapp_business_account', entry: {} }, 'entry'],
    ['missing metadata', webhook({ messages: [] }), 'entry[0].changes[0].value.metadata'],
    ['missing phone_number_id', webhook({ metadata: { display_phone_number: '1' } }), 'entry[0].changes[0].value.metadata.phone_number_id'],
    ['message without id', inbound(message('text', { text: { body: 'x' } }), { from: CUSTOMER, timestamp: '1', type: 'text', text: { body: 'y' } }), 'entry[0].changes[0].value.messages[1].id'],
    ['text without body', inbound(message('text', { text: {} })), 'entry[0].changes[0].value.messages[0].text.body'],
    ['image without id', inbound(message('image', { image: { mime_type: 'image/jpeg' } })), 'entry[0].changes[0].value.messages[0].image.id'],
    ['bad timestamp', inbound({ ...message('text', { text: { body: 'x' } }), timestamp: 'yesterday' }), 'entry[0].changes[0].value.messages[0].timestamp'],
    ['location latitude as text', inbound(message('location', { location: { latitude: 'north', longitude: 1 } })), 'entry[0].changes[0].value.messages[0].location.latitude'],
    ['button reply without id', inbound(message('interactive', { interactive: { type: 'button_reply', button_reply: { title: 'x' } } })), 'entry[0].changes[0].value.messages[0].interactive.button_reply.id'],
    ['status without id', webhook({ metadata, statuses: [{ status: 'sent', timestamp: '1' }] }), 'entry[0].changes[0].value.statuses[0].id'],
  ];
  for (const [name, body, path] of cases) {
    test(name, () => {
      assert.throws(
        () => parseMetaWebhook(body),
        (err: unknown) => {
          assert.ok(err instanceof MetaWebhookPayloadError, String(err));
          assert.equal(err.path, path);
          assert.ok(err.message.includes(path));
          return true;
        },
      );
    });
  }
});
