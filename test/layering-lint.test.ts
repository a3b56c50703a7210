/**
 * The layering of docs/architecture.md is enforced by `npm run lint`; these
 * cases prove the rules fire on a violation (and stay quiet on a legal import),
 * so a change to eslint.config.js cannot switch them off unnoticed.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';
import { repoRoot } from '../config/env';

const eslint = new ESLint({
  cwd: repoRoot,
  // Only the import rules: the probes are not part of the TypeScript project, so no type-aware parsing.
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
  ruleFilter: ({ ruleId }) => ['import-x/no-restricted-paths', 'no-restricted-syntax', 'no-restricted-imports'].includes(ruleId),
});

const cases: { file: string; code: string; rule: string | null }[] = [
  { file: 'api/probe.ts', code: "import { createWorker } from '../worker/create-worker';\nexport const w = createWorker;\n", rule: 'import-x/no-restricted-paths' },
  { file: 'api/probe.ts', code: "import { createActivities } from '../activities';\nexport const a = createActivities;\n", rule: 'import-x/no-restricted-paths' },
  { file: 'api/probe.ts', code: "import { leadConversation } from '../workflows/lead-conversation';\nexport const l = leadConversation;\n", rule: 'import-x/no-restricted-paths' },
  { file: 'domain/probe.ts', code: "import { createDb } from '../db/knex';\nexport const d = createDb;\n", rule: 'import-x/no-restricted-paths' },
  { file: 'db/queries/probe.ts', code: "import { createStripeProvider } from '../../integrations/payments/stripe';\nexport const s = createStripeProvider;\n", rule: 'import-x/no-restricted-paths' },
  { file: 'workflows/probe.ts', code: "import { createTwilioClient } from '../integrations/channels/twilio';\nexport const t = createTwilioClient;\n", rule: 'import-x/no-restricted-paths' },
  { file: 'integrations/probe.ts', code: "import { startApi } from '../api/server';\nexport const s = startApi;\n", rule: 'import-x/no-restricted-paths' },
  { file: 'dashboard/src/probe.ts', code: "import { canned } from '../../domain/canned-messages';\nexport const c = canned;\n", rule: 'import-x/no-restricted-paths' },
  { file: 'activities/probe.ts', code: "import type { Db } from '../db/knex';\nexport const f = (db: Db) => db('orders').where({ id: 1 });\n", rule: 'no-restricted-syntax' },
  { file: 'api/probe.ts', code: "import knex from 'knex';\nexport const k = knex;\n", rule: 'no-restricted-imports' },
  { file: 'api/probe.ts', code: "import { getOrder } from '../db/queries/orders';\nimport { inboundSignal } from '../workflows/contract';\nexport const g = [getOrder, inboundSignal];\n", rule: null },
  { file: 'workflows/probe.ts', code: "import type { Activities } from '../activities';\nexport type A = Activities;\n", rule: null },
];

for (const c of cases) {
  test(`${c.file}: ${c.code.split('\n')[0]} → ${c.rule ?? 'allowed'}`, async () => {
    const [result] = await eslint.lintText(c.code, { filePath: path.join(repoRoot, c.file) });
    const rules = result!.messages.map((m) => m.ruleId ?? m.message);
    if (c.rule) assert.ok(rules.includes(c.rule), `expected ${c.rule}, got ${JSON.stringify(rules)}`);
    else assert.deepEqual(rules, []);
  });
}
