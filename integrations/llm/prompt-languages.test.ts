import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoPlaybook } from '../../db/demo-data';
import { PlaybookSchema } from '../../domain/playbook';
import { buildSystemPrompt } from './prompt';

describe('a language the merchant does not serve, in the model prompt', () => {
  test('is answered in the default language with a note, by default', () => {
    const prompt = buildSystemPrompt(demoPlaybook);
    assert.match(prompt, /otherwise reply in English, starting with a short note saying which of these languages you can answer in\./);
    assert.doesNotMatch(prompt, /unsupported_language/);
  });

  test('is handed to a person when the playbook says so', () => {
    const prompt = buildSystemPrompt(PlaybookSchema.parse({ ...demoPlaybook, defaultLanguage: 'tr', otherLanguages: 'hand_off' }));
    assert.match(prompt, /for any other language, reply briefly in Turkish that a colleague will take over and add a hand_off action with the reason "unsupported_language"\./);
  });
});
