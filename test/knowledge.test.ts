import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { demoKnowledge } from '../db/demo-data';
import { searchKnowledge, seedKnowledge } from '../db/queries/knowledge';
import type { Language } from '../domain/language';
import type { Role } from '../domain/roles';
import { replies as agentReplies } from '../integrations/llm/playbook/replies';
import { leadWorkflowId, stateQuery } from '../workflows/contract';
import { eventually, getTranscript, postMessage, replies, sessionId } from './support/chat';
import { suiteStack } from './support/stack';

const stack = suiteStack();

interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const entry = (title: string, language: Language) => demoKnowledge.find((e) => e.title === title && e.language === language)!;

describe('merchant knowledge', () => {
  /** Merchant A holds the demo shop's knowledge; B is another merchant who must never see it. */
  let shopA = '';
  let shopB = '';
  const headers: Partial<Record<`${'a' | 'b'}-${Role}`, Record<string, string>>> = {};

  before(async () => {
    shopA = await stack.createMerchant();
    shopB = await stack.createMerchant();
    await seedKnowledge(stack.db, shopA, demoKnowledge);
    for (const role of ['owner', 'admin', 'agent', 'viewer'] as const) {
      headers[`a-${role}`] = (await stack.member(shopA, role)).headers;
    }
    headers['b-admin'] = (await stack.member(shopB, 'admin')).headers;
  });

  async function call(who: keyof typeof headers, method: string, path: string, body?: unknown): Promise<Reply> {
    const res = await fetch(`${stack.apiUrl}/api/v1${path}`, {
      method,
      headers: { ...headers[who], ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  const faq = { kind: 'faq', title: 'Do you gift wrap?', body: 'Yes, free gift wrapping on request at checkout.', language: 'en', topics: ['other'] };

  describe('roles', () => {
    test('viewers and agents read; they may not write', async () => {
      for (const who of ['a-viewer', 'a-agent'] as const) {
        const list = await call(who, 'GET', '/knowledge');
        assert.equal(list.status, 200);
        assert.equal(list.body.items.length, demoKnowledge.length);
        assert.equal((await call(who, 'GET', `/knowledge/${list.body.items[0].id}`)).status, 200);
        assert.equal((await call(who, 'POST', '/knowledge', faq)).status, 403);
        assert.equal((await call(who, 'PUT', `/knowledge/${list.body.items[0].id}`, faq)).status, 403);
        assert.equal((await call(who, 'DELETE', `/knowledge/${list.body.items[0].id}`)).status, 403);
        assert.equal((await call(who, 'POST', '/knowledge/import', { format: 'csv', content: 'question,answer\nA?,B', language: 'en' })).status, 403);
      }
    });

    test('admins and owners create, replace and delete, and each change is audited', async () => {
      const created = await call('a-admin', 'POST', '/knowledge', faq);
      assert.equal(created.status, 201);
      assert.deepEqual({ ...created.body, id: undefined, createdAt: undefined, updatedAt: undefined }, { ...faq, id: undefined, createdAt: undefined, updatedAt: undefined });
      const id = created.body.id as string;

      const replaced = await call('a-owner', 'PUT', `/knowledge/${id}`, { ...faq, body: 'Gift wrapping costs $3.', topics: [] });
      assert.equal(replaced.status, 200);
      assert.equal(replaced.body.body, 'Gift wrapping costs $3.');
      assert.deepEqual(replaced.body.topics, []);
      assert.equal((await call('a-viewer', 'GET', `/knowledge/${id}`)).body.body, 'Gift wrapping costs $3.');

      assert.equal((await call('a-admin', 'DELETE', `/knowledge/${id}`)).status, 204);
      assert.equal((await call('a-admin', 'GET', `/knowledge/${id}`)).status, 404);
      assert.equal((await call('a-admin', 'DELETE', `/knowledge/${id}`)).status, 404);
      const actions = (await stack.db('audit_log').where({ merchantId: shopA, target: id }).orderBy('id')).map((r: { action: string }) => r.action);
      assert.deepEqual(actions, ['knowledge.create', 'knowledge.update', 'knowledge.delete']);
    });
  });

  test('another merchant can neither read, change, delete nor search the entries', async () => {
    const [first] = (await call('a-viewer', 'GET', '/knowledge')).body.items;
    assert.equal((await call('b-admin', 'GET', `/knowledge/${first.id}`)).status, 404);
    assert.equal((await call('b-admin', 'PUT', `/knowledge/${first.id}`, faq)).status, 404);
    assert.equal((await call('b-admin', 'DELETE', `/knowledge/${first.id}`)).status, 404);
    assert.deepEqual((await call('b-admin', 'GET', '/knowledge')).body.items, []);
    assert.deepEqual((await call('b-admin', 'GET', '/knowledge?q=delivery')).body.items, []);
    assert.deepEqual(await searchKnowledge(stack.db, shopB, 'How long does delivery take?'), []);
    assert.equal((await call('a-viewer', 'GET', `/knowledge/${first.id}`)).body.title, first.title, 'unchanged');
  });

  test('bad input is refused with 400 and the field named', async () => {
    const cases: [string, string, unknown][] = [
      ['GET', '/knowledge/not-a-uuid', undefined],
      ['GET', '/knowledge?kind=essay', undefined],
      ['GET', '/knowledge?topic=pricing', undefined],
      ['POST', '/knowledge', { ...faq, title: '   ' }],
      ['POST', '/knowledge', { ...faq, language: 'de' }],
      ['POST', '/knowledge', { ...faq, topics: ['pricing'] }],
      ['POST', '/knowledge', { ...faq, extra: true }],
      ['POST', '/knowledge/import', { format: 'pdf', content: 'x', language: 'en' }],
      ['POST', '/knowledge/import', { format: 'csv', content: '', language: 'en' }],
    ];
    for (const [method, path, body] of cases) {
      const res = await call('a-admin', method, path, body);
      assert.equal(res.status, 400, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
      assert.equal(typeof res.body.error.message, 'string');
    }
  });

  describe('search ranks the entry that answers the question', () => {
    const cases: [string, Language, string][] = [
      ['How long does delivery take?', 'en', 'How long does delivery take?'],
      ['delivery time?', 'en', 'How long does delivery take?'],
      ['Do you ship to Germany?', 'en', 'How much does shipping cost? Where do you ship?'],
      ['Can I get a refund?', 'en', 'What is your return policy? Can I get a refund?'],
      ['do you take credit cards', 'en', 'Which payment methods do you accept? Can I pay in instalments?'],
      ['When are you open?', 'en', 'What are your opening hours?'],
      ['How do I wash my sleeping bag?', 'en', 'Caring for your tent and sleeping bag'],
      ['Kargo ne kadar sürer?', 'tr', 'Kargo ne kadar sürer? Teslimat süresi nedir?'],
      ['teslimat kaç gün', 'tr', 'Kargo ne kadar sürer? Teslimat süresi nedir?'],
      ['kargo ne kadar surer', 'tr', 'Kargo ne kadar sürer? Teslimat süresi nedir?'],
      ['İade edebilir miyim?', 'tr', 'İade koşullarınız nedir? Ürünü iade edebilir miyim?'],
      ['garanti var mı', 'tr', 'Ürünlerin garantisi var mı?'],
      ['kredi kartı ile ödeme', 'tr', 'Hangi ödeme yöntemlerini kabul ediyorsunuz? Taksit var mı?'],
      ['Mağazanız nerede?', 'tr', 'Mağazanız nerede? Adresiniz nedir?'],
    ];
    for (const [question, language, title] of cases) {
      test(`${question} (${language})`, async () => {
        const [best] = await searchKnowledge(stack.db, shopA, question, { language });
        assert.equal(best?.title, title);
        assert.ok(entry(title, language).body.includes(best.answer), 'the answer is the entry\'s own text');
      });
    }

    test('a document answers with its best paragraph, not the whole text', async () => {
      const [best] = await searchKnowledge(stack.db, shopA, 'How do I wash my sleeping bag?', { language: 'en' });
      assert.equal(best!.source, 'document');
      assert.match(best!.answer, /^Washing a sleeping bag:/);
      assert.ok(!best!.answer.includes('Tents:'));
    });

    test('a question that only shares a common word finds nothing', async () => {
      assert.deepEqual(await searchKnowledge(stack.db, shopA, 'What is your phone number?', { language: 'en' }), []);
      assert.deepEqual(await searchKnowledge(stack.db, shopA, 'Telefon numaranız nedir?', { language: 'tr' }), []);
    });

    test('the language filter keeps answers in the conversation\'s language', async () => {
      assert.deepEqual(await searchKnowledge(stack.db, shopA, 'Kargo ne kadar sürer?', { language: 'en' }), []);
    });

    test('the dashboard list searches and filters', async () => {
      const byText = await call('a-viewer', 'GET', '/knowledge?q=deliveries');
      assert.equal(byText.body.items[0].title, 'How long does delivery take?');
      const turkishShipping = await call('a-viewer', 'GET', '/knowledge?topic=shipping&language=tr');
      assert.deepEqual(turkishShipping.body.items.map((e: { language: string }) => e.language), ['tr', 'tr']);
      const documents = await call('a-viewer', 'GET', '/knowledge?kind=document');
      assert.equal(documents.body.items.length, 2);
    });
  });

  describe('import', () => {
    test('CSV: rows become FAQ entries, bad rows are reported, a second import updates', async () => {
      const content = [
        'question,answer,topic',
        'Do you ship on Saturdays?,"Yes, orders placed on Saturday morning leave the same day.",shipping',
        'Is there a student discount?,,other',
        'Do you price match?,No.,pricing',
        'Can I reserve a tent?,"Yes, for up to 3 days in the store.",',
      ].join('\n');
      const first = await call('b-admin', 'POST', '/knowledge/import', { format: 'csv', content, language: 'en' });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.created, 2);
      assert.equal(first.body.updated, 0);
      assert.deepEqual(first.body.errors.map((e: { line: number }) => e.line), [3, 4]);
      assert.match(first.body.errors[0].message, /answer: is empty/);
      assert.match(first.body.errors[1].message, /topic: "pricing"/);

      const again = await call('b-admin', 'POST', '/knowledge/import', { format: 'csv', content: 'Question;Answer\nDO YOU SHIP ON SATURDAYS?;Only until noon.', language: 'en', topic: 'shipping' });
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.deepEqual(again.body, { created: 0, updated: 1, errors: [] });
      const items = (await call('b-admin', 'GET', '/knowledge?topic=shipping')).body.items;
      assert.deepEqual(items.map((e: { body: string; kind: string }) => [e.kind, e.body]), [['faq', 'Only until noon.']]);
      const [hit] = await searchKnowledge(stack.db, shopB, 'Saturday shipping?', { language: 'en' });
      assert.equal(hit?.answer, 'Only until noon.');
    });

    test('Markdown: every ## heading is an entry; questions are FAQs, the rest documents', async () => {
      const content = [
        '# Store guide',
        'Intro text that belongs to no entry.',
        '',
        '## Kampa çıkmadan önce çadırı kurmalı mıyım?',
        'Evet, evde bir kez kurmanızı öneririz.',
        '',
        '## Ayakkabı bakımı',
        'Botlarınızı her yürüyüşten sonra fırçalayın.',
        '```',
        '## not a heading inside a code block',
        '```',
        '## Boş bölüm',
        '',
      ].join('\n');
      const res = await call('b-admin', 'POST', '/knowledge/import', { format: 'markdown', content, language: 'tr' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.created, 2);
      assert.deepEqual(res.body.errors, [{ line: 12, message: 'section: is empty' }]);
      const items = (await call('b-admin', 'GET', '/knowledge?language=tr')).body.items as { kind: string; title: string; body: string }[];
      const byTitle = new Map(items.map((e) => [e.title, e]));
      assert.equal(byTitle.get('Kampa çıkmadan önce çadırı kurmalı mıyım?')?.kind, 'faq');
      assert.equal(byTitle.get('Ayakkabı bakımı')?.kind, 'document');
      assert.match(byTitle.get('Ayakkabı bakımı')!.body, /## not a heading inside a code block/);
    });

    test('a file with nothing valid is refused with each row\'s problem', async () => {
      const csv = await call('b-admin', 'POST', '/knowledge/import', { format: 'csv', content: 'question,answer\n,no question\nno answer,', language: 'en' });
      assert.equal(csv.status, 400);
      assert.deepEqual(csv.body.error.details.map((d: { path: string }) => d.path), ['content:line 2', 'content:line 3']);
      const header = await call('b-admin', 'POST', '/knowledge/import', { format: 'csv', content: 'q,a\nx,y', language: 'en' });
      assert.equal(header.status, 400);
      assert.match(header.body.error.message, /question, answer/);
      const markdown = await call('b-admin', 'POST', '/knowledge/import', { format: 'markdown', content: 'just text', language: 'en' });
      assert.equal(markdown.status, 400);
      assert.match(markdown.body.error.message, /## /);
    });
  });

  describe('the agent answers from it in a web chat', () => {
    const say = async (merchant: string, session: string, text: string) => {
      const res = await postMessage(stack.apiUrl, merchant, { sessionId: session, text });
      assert.equal(res.status, 202, await res.clone().text());
    };
    const firstReply = async (merchant: string, session: string) =>
      replies(await eventually(() => getTranscript(stack.apiUrl, merchant, session), (m) => replies(m).length >= 1, 'a reply'))[0]!.text;

    test('the demo shop is seeded with its knowledge', async () => {
      const [hit] = await searchKnowledge(stack.db, 'demo', 'How long does delivery take?', { language: 'en' });
      assert.equal(hit?.answer, entry('How long does delivery take?', 'en').body);
    });

    test('"How long does delivery take?" is answered from the knowledge base', async () => {
      const s = sessionId();
      await say(shopA, s, 'How long does delivery take?');
      const reply = await firstReply(shopA, s);
      assert.ok(reply.includes(entry('How long does delivery take?', 'en').body), reply);
      const state = await stack.client.workflow.getHandle(leadWorkflowId(shopA, 'webchat', s)).query(stateQuery);
      assert.equal(state.handOffReason, null);
    });

    test('and in Turkish', async () => {
      const s = sessionId();
      await say(shopA, s, 'Merhaba, kargo ne kadar sürer?');
      const reply = await firstReply(shopA, s);
      assert.ok(reply.includes(entry('Kargo ne kadar sürer? Teslimat süresi nedir?', 'tr').body), reply);
    });

    test('a question with no entry is handed to a person with unanswered_question', async () => {
      const s = sessionId();
      await say(shopA, s, 'Do you ship to Australia by express courier?');
      const handle = stack.client.workflow.getHandle(leadWorkflowId(shopA, 'webchat', s));
      const state = await eventually(() => handle.query(stateQuery), (st) => st.handOffReason !== null, 'a hand-off');
      assert.equal(state.handOffReason, 'unanswered_question');
      assert.equal(await firstReply(shopA, s), agentReplies.en.unanswered);
    });
  });
});
