import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoPlaybook } from '../../../db/demo-data';
import { PlaybookSchema } from '../../../domain/playbook';
import { converse, last } from './conversation-testing';
import { createPlaybookProvider } from './index';
import { agentContext } from './testing';

const minConfidence = demoPlaybook.handOff.minConfidence;

describe('a clarifying question before a hand-off', () => {
  for (const [text, language] of [['asdf qwerty', 'en'], ['hmm blorp', 'en'], ['şşş hıı', 'tr']] as const) {
    test(`${language}: not understood once, a question the workflow lets through`, async () => {
      const d = last(await converse([text], { language }));
      assert.equal(d.intent, 'unknown');
      assert.ok(d.confidence > minConfidence);
      assert.deepEqual(d.actions, []);
      assert.match(d.reply!, language === 'en' ? /didn't quite catch that.*\?$/ : /anlayamadım.*\?$/);
    });
  }

  test('not understood twice in a row: low confidence, so the workflow hands off', async () => {
    const en = await converse(['asdf qwerty', 'zxcv blorp']);
    assert.ok(en[0]!.confidence > minConfidence);
    assert.ok(en[1]!.confidence < minConfidence);
    const tr = await converse(['şşş hıı', 'ııı şşş'], { language: 'tr' });
    assert.ok(tr[1]!.confidence < minConfidence);
    assert.equal(tr[1]!.language, 'tr');
  });

  test('understood in between: the count starts again', async () => {
    const d = await converse(['asdf qwerty', 'How much is the stove?', 'zxcv blorp']);
    assert.ok(d[2]!.confidence > minConfidence);
  });

  test('yes to the clarifying question shows what the shop sells', async () => {
    const d = last(await converse(['hmm blorp', 'yes']));
    assert.equal(d.intent, 'product_question');
    assert.match(d.reply!, /^We sell /);
    const tr = last(await converse(['şşş hıı', 'evet'], { language: 'tr' }));
    assert.match(tr.reply!, /satıyoruz/);
  });

  test('stays above a stricter threshold too', async () => {
    const strict = PlaybookSchema.parse({ ...demoPlaybook, handOff: { ...demoPlaybook.handOff, minConfidence: 0.7 } });
    const d = await createPlaybookProvider().decide(agentContext('asdf qwerty', { playbook: strict }));
    assert.ok(d.confidence > 0.7);
  });
});
