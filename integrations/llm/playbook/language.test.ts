import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoPlaybook } from '../../../db/demo-data';
import { PlaybookSchema } from '../../../domain/playbook';
import { createPlaybookProvider } from '.';
import { identifyLanguage, readLanguage } from './language';
import { agentContext } from './testing';

/**
 * Chat messages as customers type them, with the language each is in:
 * 'other' for any language but English and Turkish, null for none at all.
 */
const samples: [string, 'en' | 'tr' | 'other' | null][] = [
  ['How much is the tent?', 'en'],
  ['Do you have sleeping bags?', 'en'],
  ["I'll take it", 'en'],
  ['yes please', 'en'],
  ['thanks!', 'en'],
  ['where is my order', 'en'],
  ['not the tent', 'en'],
  ["I don't want the backpack, show me something else", 'en'],
  ['2 of them', 'en'],
  ['my budget is $100', 'en'],
  ['€80 or less', 'en'],
  ['Can I talk to a person?', 'en'],
  ['is it waterproof', 'en'],
  ['Hi, do you ship to Berlin?', 'en'],
  ['any discount?', 'en'],
  ['Merhaba, do you have tents?', 'en'],
  ['Merhaba', 'tr'],
  ['Çadırınız var mı?', 'tr'],
  ['cadiriniz var mi', 'tr'],
  ['Kargom hala gelmedi', 'tr'],
  ['Kargom hâlâ gelmedi', 'tr'],
  ['siparis vermek istiyorum', 'tr'],
  ['fiyatı ne kadar', 'tr'],
  ['trailblazer kac para', 'tr'],
  ['tamam', 'tr'],
  ['evet lütfen', 'tr'],
  ['teşekkürler', 'tr'],
  ['çadır istemiyorum', 'tr'],
  ['çadır değil', 'tr'],
  ['bunu istemiyorum', 'tr'],
  ['iki tane', 'tr'],
  ['3 adet', 'tr'],
  ['üç çadır', 'tr'],
  ["1500 TL'den ucuz", 'tr'],
  ['bütçem 2 bin lira', 'tr'],
  ['Hi, Trailblazer çadırın fiyatı ne kadar?', 'tr'],
  ['bakabilir misiniz', 'tr'],
  ['Hola, ¿cuánto cuesta la tienda?', 'other'],
  ['Quiero comprar una mochila', 'other'],
  ['Gracias', 'other'],
  ['Hallo, was kostet das Zelt?', 'other'],
  ['Ich möchte zwei Zelte kaufen', 'other'],
  ['Danke schön', 'other'],
  ['Bonjour, combien coûte la tente ?', 'other'],
  ['Merci beaucoup', 'other'],
  ['Ciao, quanto costa lo zaino?', 'other'],
  ['Obrigado, quanto custa?', 'other'],
  ['Hoeveel kost de rugzak?', 'other'],
  ['مرحبا كم سعر الخيمة', 'other'],
  ['Привет, сколько стоит палатка?', 'other'],
  ['Γεια σας, πόσο κοστίζει;', 'other'],
  ['这个帐篷多少钱', 'other'],
  ['ok', null],
  ['3', null],
  ['👍', null],
  ['Trailblazer 2 Tent', null],
  ['TENT-TB2', null],
  ['$249', null],
  ['asdf qwerty', null],
  ['no', null],
];

describe('language identification on short chat messages', () => {
  test('every sample is read as its language', () => {
    const wrong = samples
      .map(([text, want]) => {
        const got = identifyLanguage(text);
        const kind = got === null || got === 'en' || got === 'tr' ? got : 'other';
        return { text, want, got, ok: kind === want };
      })
      .filter((r) => !r.ok);
    assert.deepEqual(wrong, [], `${wrong.length} of ${samples.length} misread`);
  });

  test('names the other language', () => {
    assert.equal(identifyLanguage('Hola, ¿cuánto cuesta la tienda?'), 'es');
    assert.equal(identifyLanguage('Hallo, was kostet das Zelt?'), 'de');
    assert.equal(identifyLanguage('Bonjour, combien coûte la tente ?'), 'fr');
    assert.equal(identifyLanguage('مرحبا كم سعر الخيمة'), 'ar');
    assert.equal(identifyLanguage('Привет, сколько стоит палатка?'), 'ru');
  });
});

describe('reply language', () => {
  const englishOnly = PlaybookSchema.parse({ ...demoPlaybook, languages: ['en'], defaultLanguage: 'en' });

  test('a message without language keeps the conversation language', () => {
    for (const text of ['ok', '3', 'Trailblazer 2 Tent', '👍']) {
      assert.deepEqual(readLanguage(text, 'tr', demoPlaybook), { detected: null, reply: 'tr', unsupported: null }, text);
    }
  });

  test('a language the merchant does not serve is answered in the default language', () => {
    assert.deepEqual(readLanguage('Hola, ¿cuánto cuesta?', 'tr', demoPlaybook), { detected: 'es', reply: 'en', unsupported: 'es' });
    assert.deepEqual(readLanguage('Merhaba, çadırınız var mı?', 'en', englishOnly), { detected: 'tr', reply: 'en', unsupported: 'tr' });
    const turkishDefault = PlaybookSchema.parse({ ...demoPlaybook, defaultLanguage: 'tr' });
    assert.equal(readLanguage('Hallo, was kostet das Zelt?', 'en', turkishDefault).reply, 'tr');
  });
});

describe('customers writing in another language', () => {
  const { decide } = createPlaybookProvider();

  test('get a note in the default language, and the answer when the message named a product', async () => {
    const d = await decide(agentContext('Bonjour, combien coûte la Beam 400 ?'));
    assert.equal(d.language, 'en');
    assert.match(d.reply!, /Sorry, I can't write in French yet\. I can answer in English or Turkish\./);
    assert.match(d.reply!, /\$39\.00/);
    assert.deepEqual(d.actions, []);
  });

  test('are asked to write in a served language when nothing was understood, without a hand-off', async () => {
    const d = await decide(agentContext('Hola, ¿cuánto cuesta la tienda?', { language: 'tr' }));
    assert.equal(d.language, 'en');
    assert.match(d.reply!, /Spanish/);
    assert.match(d.reply!, /Could you write your question in English or Turkish\?/);
    assert.doesNotMatch(d.reply!, /Merhaba|Maalesef/);
    assert.deepEqual(d.actions, []);
    assert.ok(d.confidence >= demoPlaybook.handOff.minConfidence);
    assert.deepEqual(d.qualification, {});
  });

  test('are handed to a person when the playbook says so', async () => {
    const playbook = PlaybookSchema.parse({ ...demoPlaybook, otherLanguages: 'hand_off' });
    const d = await decide(agentContext('Hallo, was kostet das Zelt?', { playbook }));
    assert.equal(d.language, 'en');
    assert.deepEqual(d.actions, [{ type: 'hand_off', reason: 'unsupported_language' }]);
  });

  test('a merchant serving only English answers Turkish in English, with the note', async () => {
    const playbook = PlaybookSchema.parse({ ...demoPlaybook, languages: ['en'], defaultLanguage: 'en' });
    const d = await decide(agentContext('Merhaba, çadırınız var mı?', { playbook }));
    assert.equal(d.language, 'en');
    assert.match(d.reply!, /I can answer in English\./);
    assert.match(d.reply!, /Trailblazer 2 Tent/);
  });

  test('the setting defaults to a reply in the default language', () => {
    const { otherLanguages, ...rest } = demoPlaybook;
    assert.equal(otherLanguages, 'reply_in_default');
    assert.equal(PlaybookSchema.parse(rest).otherLanguages, 'reply_in_default');
    assert.throws(() => PlaybookSchema.parse({ ...rest, otherLanguages: 'ignore' }));
  });
});
