import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { demoPlaybook } from '../../db/demo-data';
import { createDb, type Db } from '../../db/knex';
import type { MerchantChannel } from '../../db/queries/channels';
import { upsertMerchant } from '../../db/queries/merchants';
import { listTemplates, upsertTemplate, type Template } from '../../db/queries/templates';
import { requireEnv } from '../../test/support/stack';
import {
  metaTemplate,
  startMetaTemplatesPeer,
  startTwilioContentPeer,
  twilioContent,
  type MetaTemplatesPeer,
  type TwilioContentPeer,
} from '../../test/peers/template-peers';
import { syncTemplates, TemplateSyncError, variableCount } from './sync';

const accessToken = 'EAAG-test-token';
const wabaId = '102290129340398';
const accountSid = `AC${'2b'.repeat(16)}`;
const authToken = 'content-peer-auth-token';

describe('template sync', () => {
  let db: Db;
  let meta: MetaTemplatesPeer;
  let content: TwilioContentPeer;
  const merchants: string[] = [];

  before(async () => {
    db = createDb(requireEnv('TEST_DATABASE_URL'), { max: 4 });
    // Two templates a page, so a handful of templates exercises cursor paging.
    meta = await startMetaTemplatesPeer({ accessToken, wabaId, maxPageSize: 2 });
    content = await startTwilioContentPeer({ accountSid, authToken, maxPageSize: 2 });
  });
  after(async () => {
    await db('merchants').whereIn('id', merchants).del();
    await db.destroy();
    await meta.close();
    await content.close();
  });

  async function merchant(): Promise<string> {
    const id = `m-sync-${randomUUID().slice(0, 8)}`;
    await upsertMerchant(db, { id, name: `Template sync ${id}` }, demoPlaybook);
    merchants.push(id);
    return id;
  }

  const metaChannel = (merchantId: string, credentials: { accessToken: string; wabaId?: string } = { accessToken, wabaId }): MerchantChannel => ({
    id: randomUUID(),
    merchantId,
    provider: 'meta',
    address: '106540352242922',
    credentials,
  });

  const twilioChannel = (merchantId: string, token = authToken): MerchantChannel => ({
    id: randomUUID(),
    merchantId,
    provider: 'twilio',
    address: '+14155238886',
    credentials: { accountSid, authToken: token },
  });

  const byName = (rows: Template[]) => new Map(rows.map((t) => [`${t.name}/${t.language}`, t]));

  test('variableCount is the highest {{n}}', () => {
    assert.equal(variableCount('no variables'), 0);
    assert.equal(variableCount('Hi {{1}}, order {{3}} and {{2}}'), 3);
    assert.equal(variableCount('{{ 2 }} then {{1}}'), 2);
  });

  describe('meta', () => {
    const shipping = metaTemplate({
      name: 'order_shipped',
      language: 'en_US',
      status: 'APPROVED',
      category: 'UTILITY',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}' },
        { type: 'BODY', text: 'Hi {{1}}, your order {{2}} ships on {{3}}.', example: { body_text: [['Ayşe', '#1042', 'Monday']] } },
        { type: 'FOOTER', text: 'Reply STOP to opt out' },
      ],
    });
    const templates = [
      shipping,
      metaTemplate({ name: 'spring_sale', language: 'tr', status: 'PENDING', category: 'MARKETING', body: 'Bahar indirimi: {{1}} için %20!' }),
      metaTemplate({ name: 'login_code', language: 'en', status: 'REJECTED', category: 'AUTHENTICATION', body: '{{1}} is your verification code.' }),
      metaTemplate({ name: 'cart_reminder', language: 'en', status: 'PAUSED', category: 'MARKETING', body: 'Still thinking about it?' }),
      metaTemplate({ name: 'old_promo', language: 'en', status: 'DISABLED', category: 'MARKETING', body: 'Old promo {{1}}' }),
      metaTemplate({ name: 'image_only', language: 'en', components: [{ type: 'HEADER', format: 'IMAGE' }] }),
      metaTemplate({ name: 'bad_language', language: 'english', body: 'Hello' }),
    ];

    test('follows cursor paging and maps statuses, categories, bodies and variables', async () => {
      meta.setTemplates(templates);
      const merchantId = await merchant();
      const before = meta.requests.length;

      const result = await syncTemplates(db, metaChannel(merchantId), { graphBaseUrl: meta.graphBaseUrl });

      const requests = meta.requests.slice(before);
      assert.equal(requests.length, 4, 'seven templates at two a page');
      const first = new URL(requests[0]!.url, 'http://peer');
      assert.equal(first.pathname, `/v21.0/${wabaId}/message_templates`);
      assert.equal(first.searchParams.get('fields'), 'name,language,status,category,components');
      assert.equal(first.searchParams.get('limit'), '100');
      assert.equal(first.searchParams.get('after'), null);
      assert.ok(new URL(requests[1]!.url, 'http://peer').searchParams.get('after'), 'later pages follow the after cursor');
      for (const r of requests) assert.equal(r.headers.authorization, `Bearer ${accessToken}`);

      assert.equal(result.upserted, 5);
      assert.deepEqual(
        result.skipped.sort((a, b) => a.name.localeCompare(b.name)),
        [
          { name: 'bad_language', reason: 'unsupported language code "english"' },
          { name: 'image_only', reason: 'no body text' },
        ],
      );

      const rows = byName(await listTemplates(db, merchantId));
      assert.equal(rows.size, 5);
      const order = rows.get('order_shipped/en_US')!;
      assert.equal(order.provider, 'meta');
      assert.equal(order.status, 'approved');
      assert.equal(order.category, 'utility');
      assert.equal(order.body, 'Hi {{1}}, your order {{2}} ships on {{3}}.');
      assert.equal(order.variableCount, 3);
      assert.equal(order.providerId, shipping.id);
      assert.deepEqual(order.components, shipping.components);
      assert.equal(order.purpose, null);

      assert.deepEqual(
        [...rows.values()].map((t) => [t.name, t.language, t.status, t.category, t.variableCount]).sort(),
        [
          ['cart_reminder', 'en', 'paused', 'marketing', 0],
          ['login_code', 'en', 'rejected', 'authentication', 1],
          ['old_promo', 'en', 'paused', 'marketing', 1],
          ['order_shipped', 'en_US', 'approved', 'utility', 3],
          ['spring_sale', 'tr', 'pending', 'marketing', 1],
        ],
      );
    });

    test('a re-sync updates provider fields and keeps the purpose the merchant chose', async () => {
      meta.setTemplates(templates);
      const merchantId = await merchant();
      await syncTemplates(db, metaChannel(merchantId), { graphBaseUrl: meta.graphBaseUrl });
      const synced = byName(await listTemplates(db, merchantId)).get('order_shipped/en_US')!;
      await upsertTemplate(db, merchantId, { ...synced, purpose: 'follow_up' });

      const paused = { ...shipping, status: 'PAUSED', components: [{ type: 'BODY', text: 'Hi {{1}}, order {{2}} is on its way.' }] };
      meta.setTemplates([paused, ...templates.slice(1)]);
      const result = await syncTemplates(db, metaChannel(merchantId), { graphBaseUrl: meta.graphBaseUrl });

      assert.equal(result.upserted, 5);
      const rows = byName(await listTemplates(db, merchantId));
      assert.equal(rows.size, 5, 'updated in place, no duplicates');
      const resynced = rows.get('order_shipped/en_US')!;
      assert.equal(resynced.id, synced.id);
      assert.equal(resynced.purpose, 'follow_up');
      assert.equal(resynced.status, 'paused');
      assert.equal(resynced.body, 'Hi {{1}}, order {{2}} is on its way.');
      assert.equal(resynced.variableCount, 2);
      assert.equal(rows.get('spring_sale/tr')!.purpose, null);
    });

    test('a rejected token is a TemplateSyncError carrying Graph’s 401', async () => {
      meta.setTemplates(templates);
      const merchantId = await merchant();
      await assert.rejects(
        syncTemplates(db, metaChannel(merchantId, { accessToken: 'expired', wabaId }), { graphBaseUrl: meta.graphBaseUrl }),
        (err: unknown) => {
          assert.ok(err instanceof TemplateSyncError);
          assert.equal(err.provider, 'meta');
          assert.equal(err.status, 401);
          assert.equal(err.code, 190);
          assert.match(err.message, /HTTP 401.*OAuthException.*Invalid OAuth access token/);
          return true;
        },
      );
      assert.deepEqual(await listTemplates(db, merchantId), []);
    });

    test('a channel without wabaId says the WABA id is needed and calls nothing', async () => {
      const merchantId = await merchant();
      const before = meta.requests.length;
      await assert.rejects(syncTemplates(db, metaChannel(merchantId, { accessToken }), { graphBaseUrl: meta.graphBaseUrl }), (err: unknown) => {
        assert.ok(err instanceof TemplateSyncError);
        assert.match(err.message, /wabaId/);
        assert.match(err.message, /WhatsApp Business Account id is needed/);
        return true;
      });
      assert.equal(meta.requests.length, before);
    });
  });

  describe('twilio', () => {
    const approved = twilioContent(accountSid, {
      friendlyName: 'order_shipped',
      language: 'en',
      variables: { '1': 'Ayşe', '2': '#1042' },
      types: {
        'twilio/text': { body: 'Hi {{1}}, your order {{2}} has shipped.' },
        'twilio/quick-reply': { body: 'Hi {{1}}, your order {{2}} has shipped.', actions: [{ title: 'Track it', id: 'track' }] },
      },
      approval: { status: 'approved', category: 'UTILITY' },
    });
    const contents = [
      approved,
      twilioContent(accountSid, {
        friendlyName: 'spring_sale',
        language: 'tr',
        types: { 'whatsapp/card': { body: 'Bahar indirimi {{1}}', footer: 'Çıkmak için DUR yazın', actions: [] } },
        approval: { status: 'received', category: 'MARKETING' },
      }),
      twilioContent(accountSid, {
        friendlyName: 'payment_due',
        language: 'en',
        types: { 'twilio/call-to-action': { body: 'Your payment of {{1}} is due {{2}}.', actions: [{ type: 'URL', title: 'Pay', url: 'https://pay.example.com/{{3}}' }] } },
        approval: { status: 'rejected', category: 'UTILITY', rejectionReason: 'Variable at the end' },
      }),
      twilioContent(accountSid, {
        friendlyName: 'old_promo',
        types: { 'twilio/text': { body: 'Old promo' } },
        approval: { status: 'disabled', category: 'MARKETING' },
      }),
      twilioContent(accountSid, { friendlyName: 'draft_note', types: { 'twilio/text': { body: 'Not submitted yet' } } }),
      twilioContent(accountSid, { friendlyName: 'store_location', types: { 'twilio/location': { latitude: 41.0082, longitude: 28.9784, label: 'Store' } } }),
    ];

    test('lists Content with approvals through the SDK and maps them', async () => {
      content.setContents(contents);
      const merchantId = await merchant();
      const before = content.requests.length;

      const result = await syncTemplates(db, twilioChannel(merchantId), { twilioBaseUrls: { content: content.contentBaseUrl } });

      const requests = content.requests.slice(before);
      assert.equal(requests.length, 3, 'six contents at two a page, following meta.next_page_url');
      assert.equal(new URL(requests[0]!.url, 'http://peer').pathname, '/v1/ContentAndApprovals');
      assert.equal(new URL(requests[0]!.url, 'http://peer').searchParams.get('PageSize'), '100');
      for (const r of requests) assert.equal(r.headers.authorization, `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`);

      assert.equal(result.upserted, 5);
      assert.deepEqual(result.skipped, [{ name: 'store_location', reason: 'no body text' }]);

      const rows = byName(await listTemplates(db, merchantId));
      const order = rows.get('order_shipped/en')!;
      assert.equal(order.provider, 'twilio');
      assert.equal(order.providerId, approved.sid);
      assert.match(order.providerId!, /^HX[0-9a-f]{32}$/);
      assert.equal(order.body, 'Hi {{1}}, your order {{2}} has shipped.');
      assert.equal(order.variableCount, 2);
      assert.deepEqual(
        order.components.map((c) => (c as { type: string }).type),
        ['twilio/text', 'twilio/quick-reply'],
      );

      assert.deepEqual(
        [...rows.values()].map((t) => [t.name, t.language, t.status, t.category, t.body]).sort(),
        [
          ['draft_note', 'en', 'draft', 'utility', 'Not submitted yet'],
          ['old_promo', 'en', 'paused', 'marketing', 'Old promo'],
          ['order_shipped', 'en', 'approved', 'utility', 'Hi {{1}}, your order {{2}} has shipped.'],
          ['payment_due', 'en', 'rejected', 'utility', 'Your payment of {{1}} is due {{2}}.'],
          ['spring_sale', 'tr', 'pending', 'marketing', 'Bahar indirimi {{1}}'],
        ],
      );
    });

    test('of two contents with one name and language the approved one is kept', async () => {
      const draftCopy = twilioContent(accountSid, { friendlyName: 'order_shipped', language: 'en', types: { 'twilio/text': { body: 'Draft copy' } } });
      content.setContents([draftCopy, approved]);
      const merchantId = await merchant();

      const result = await syncTemplates(db, twilioChannel(merchantId), { twilioBaseUrls: { content: content.contentBaseUrl } });

      assert.equal(result.upserted, 1);
      assert.deepEqual(result.skipped, [{ name: 'order_shipped', reason: `duplicate of ${approved.sid} for en` }]);
      const [row] = await listTemplates(db, merchantId);
      assert.equal(row!.providerId, approved.sid);
      assert.equal(row!.status, 'approved');
    });

    test('wrong credentials are a TemplateSyncError carrying Twilio’s 401', async () => {
      content.setContents(contents);
      const merchantId = await merchant();
      await assert.rejects(syncTemplates(db, twilioChannel(merchantId, 'wrong'), { twilioBaseUrls: { content: content.contentBaseUrl } }), (err: unknown) => {
        assert.ok(err instanceof TemplateSyncError);
        assert.equal(err.provider, 'twilio');
        assert.equal(err.status, 401);
        assert.equal(err.code, 20003);
        return true;
      });
      assert.deepEqual(await listTemplates(db, merchantId), []);
    });
  });
});
