/**
 * The evaluation suite against the offline playbook agent, on the same
 * Postgres catalog and knowledge search the product uses. Every scenario must
 * pass; the table of pass rates per category and language is printed either way.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createDb, type Db } from '../db/knex';
import { createPlaybookProvider } from '../integrations/llm/playbook';
import { runSuite, resultsTable, type EvalTools, type ScenarioResult } from './run';
import { Categories } from './scenario';
import { scenarios } from './scenarios';
import { seedEvalMerchant } from './tools';

describe('evaluation suite (offline playbook agent)', () => {
  let db: Db;
  let tools: EvalTools;
  const merchantId = `eval-${randomUUID()}`;
  let results: ScenarioResult[] = [];

  before(async () => {
    const url = process.env.TEST_DATABASE_URL;
    if (!url) throw new Error('TEST_DATABASE_URL is not set: run the suites through "npm test"');
    db = createDb(url, { max: 2 });
    tools = await seedEvalMerchant(db, merchantId);
    results = await runSuite(scenarios, { provider: createPlaybookProvider(), tools, merchantId });
    process.stdout.write(`\n${resultsTable(results, Categories)}\n\n`);
  });

  after(async () => {
    await db?.destroy();
  });

  test('has at least 80 scenarios with unique, well-formed ids', () => {
    assert.ok(scenarios.length >= 80, `only ${scenarios.length} scenarios`);
    const ids = scenarios.map((s) => s.id);
    assert.deepEqual(ids.filter((id, i) => ids.indexOf(id) !== i), [], 'duplicate scenario ids');
    for (const s of scenarios) {
      assert.ok(s.id.startsWith(`${s.category}.${s.language}.`), `${s.id} should start with "${s.category}.${s.language}."`);
      assert.ok(s.turns.length > 0, `${s.id} has no turns`);
    }
  });

  test('covers every category in both languages', () => {
    const missing = Categories.flatMap((c) => (['en', 'tr'] as const).filter((l) => !scenarios.some((s) => s.category === c && s.language === l)).map((l) => `${c}/${l}`));
    assert.deepEqual(missing, [], 'categories without scenarios in a language');
  });

  test('every scenario passes', () => {
    const failed = results.filter((r) => !r.passed);
    const report = failed.map((r) => `${r.id}:\n${r.failures.map((f) => `  - ${f}`).join('\n')}\n  transcript:\n${transcript(r)}`).join('\n');
    assert.equal(results.length, scenarios.length);
    assert.equal(failed.length, 0, `${failed.length} of ${results.length} scenarios failed:\n${report}`);
  });
});

function transcript(r: ScenarioResult): string {
  return r.turns.map((t) => `    > ${t.customer}\n${t.replies.map((line) => `    < ${line.replace(/\n/g, '\n      ')}`).join('\n')}`).join('\n');
}
