/**
 * `npm run eval -- --provider openai|anthropic|azure|playbook [--category x] [--out file.md]`:
 * runs the scripted conversations of `eval/scenarios/` against one agent
 * provider, built from the same variables the worker reads, and prints the
 * pass rate per category and language (Markdown in `--out`).
 *
 * The demo shop's catalog and knowledge come from Postgres when
 * `DATABASE_URL` is set (seeded into a merchant of its own, `eval`, so the
 * demo merchant is never changed), otherwise from memory. Exit codes: 0 when
 * every scenario passed, 1 when some failed, 2 when the command or the
 * provider's settings are wrong (a missing key, an unknown category).
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadEnv, repoRoot, type Env } from '../config/env';
import { createLogger } from '../config/logger';
import { migrateAndSeed } from '../db/setup';
import { createDb, type Db } from '../db/knex';
import { createLlmChain } from '../integrations/llm/chain';
import { resultsTable, runSuite, type EvalTools, type ScenarioResult } from '../eval/run';
import { Categories, type Category } from '../eval/scenario';
import { scenarios } from '../eval/scenarios';
import { memoryTools, seedEvalMerchant } from '../eval/tools';

const PROVIDERS = ['openai', 'anthropic', 'azure', 'playbook'] as const;
type ProviderName = (typeof PROVIDERS)[number];
const EVAL_MERCHANT = 'eval';

const usage = `usage: npm run eval -- --provider ${PROVIDERS.join('|')} [--category <name>[,<name>…]] [--out <file.md>]
categories: ${Categories.join(', ')}`;

class UsageError extends Error {}

/** What the chosen provider needs before a single request is made; null when it has it. */
function missingSettings(name: ProviderName, env: Env): string | null {
  switch (name) {
    case 'openai':
      return env.OPENAI_API_KEY ? null : 'OPENAI_API_KEY is not set (OPENAI_BASE_URL and OPENAI_MODEL are optional)';
    case 'anthropic':
      return env.ANTHROPIC_API_KEY ? null : 'ANTHROPIC_API_KEY is not set (ANTHROPIC_BASE_URL and ANTHROPIC_MODEL are optional)';
    case 'azure':
      if (!env.AZURE_OPENAI_ENDPOINT || !env.AZURE_OPENAI_DEPLOYMENT) return 'AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT must both be set';
      return env.AZURE_OPENAI_API_KEY || env.AZURE_OPENAI_AD_TOKEN ? null : 'set AZURE_OPENAI_API_KEY or AZURE_OPENAI_AD_TOKEN';
    case 'playbook':
      return null;
  }
}

function parse(argv: string[]): { provider: ProviderName; categories: Category[]; out: string | null } {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, options: { provider: { type: 'string' }, category: { type: 'string', multiple: true }, out: { type: 'string' } } }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const provider = values.provider as ProviderName | undefined;
  if (!provider || !PROVIDERS.includes(provider)) throw new UsageError(provider ? `unknown provider "${provider}"` : '--provider is required');
  const asked = (values.category ?? []).flatMap((c) => c.split(',')).map((c) => c.trim()).filter(Boolean);
  const unknown = asked.filter((c) => !(Categories as readonly string[]).includes(c));
  if (unknown.length) throw new UsageError(`unknown category ${unknown.map((c) => `"${c}"`).join(', ')}`);
  return { provider, categories: asked.length ? (asked as Category[]) : [...Categories], out: values.out ?? null };
}

function report(provider: string, model: string, search: string, results: ScenarioResult[], categories: readonly Category[]): string {
  const failed = results.filter((r) => !r.passed);
  const lines = [
    `# Evaluation: ${provider}${model ? ` (${model})` : ''}`,
    '',
    `${results.length} scenarios, ${results.length - failed.length} passed, ${failed.length} failed; catalog and knowledge searched ${search}.`,
    '',
    resultsTable(results, categories),
  ];
  if (failed.length) {
    lines.push('', '## Failed scenarios', '');
    for (const r of failed) lines.push(`- \`${r.id}\`: ${r.failures.join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const dotenv = path.join(repoRoot, '.env');
  if (existsSync(dotenv)) process.loadEnvFile(dotenv);
  const { provider: name, categories, out } = parse(argv);
  const env = loadEnv();
  const missing = missingSettings(name, env);
  if (missing) {
    process.stderr.write(`eval: cannot run against ${name}: ${missing}.\n`);
    return 2;
  }
  // Warnings only: a failed-over or corrected turn is worth seeing, the SDKs' routine logs are not.
  const provider = createLlmChain({ ...env, LLM_PROVIDERS: name }, createLogger('eval', 'warn'));
  const model = { openai: env.OPENAI_MODEL, anthropic: env.ANTHROPIC_MODEL, azure: env.AZURE_OPENAI_DEPLOYMENT ?? '', playbook: '' }[name];

  let db: Db | null = null;
  try {
    let tools: EvalTools;
    if (env.DATABASE_URL) {
      await migrateAndSeed(env.DATABASE_URL);
      db = createDb(env.DATABASE_URL, { max: 2 });
      tools = await seedEvalMerchant(db, EVAL_MERCHANT);
    } else tools = memoryTools();

    const chosen = scenarios.filter((s) => categories.includes(s.category));
    process.stdout.write(`Running ${chosen.length} scenarios against ${name}${model ? ` (${model})` : ''} with the ${db ? 'Postgres' : 'in-memory'} catalog and knowledge.\n`);
    const results = await runSuite(chosen, {
      provider,
      tools,
      merchantId: db ? EVAL_MERCHANT : 'demo',
      checkoutTtlMs: env.CHECKOUT_EXPIRY_MINUTES * 60_000,
      onResult: (r) => process.stdout.write(`${r.passed ? '✔' : '✖'} ${r.id}${r.passed ? '' : `\n${r.failures.map((f) => `    ${f}`).join('\n')}`}\n`),
    });
    const text = report(name, model, db ? 'in Postgres' : 'in memory', results, categories);
    process.stdout.write(`\n${text}`);
    if (out) {
      await mkdir(path.dirname(path.resolve(out)), { recursive: true });
      await writeFile(out, text);
      process.stdout.write(`\nwrote ${out}\n`);
    }
    return results.every((r) => r.passed) ? 0 : 1;
  } finally {
    await db?.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError || err instanceof ConfigError) {
      process.stderr.write(`eval: ${err.message}\n${err instanceof UsageError ? usage : ''}\n`);
      process.exit(2);
    }
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
