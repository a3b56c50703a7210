/**
 * Property-based fuzzing of every public route, driven by the published
 * OpenAPI document: schemathesis generates valid and invalid requests from
 * each operation's schemas and checks that nothing answers 5xx, that every
 * status is one the document declares, and that every body matches its
 * declared schema. The seed is fixed and the examples per operation bounded,
 * so a run is repeatable and takes a couple of minutes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureSchemathesis } from './support/schemathesis';
import { startStack, type Stack } from './support/stack';

const SEED = 20261125;
const MAX_EXAMPLES = 20;

/**
 * Left out, and why: every other operation is fuzzed.
 * - Logout and refresh act on refresh tokens, never on the access token the
 *   run uses, so they are kept; so are deletes, whose ids the fuzzer invents
 *   (the stateful phase, which would chain real ids from earlier answers, is
 *   not run, so it can never delete the signed-in owner midway).
 * - Nothing is excluded today; add `--exclude-operation-id` entries here with
 *   their reason if a route ever can make later requests meaningless.
 */
const EXCLUDED_OPERATIONS: string[] = [];

describe('API fuzzing from the OpenAPI document', () => {
  let stack: Stack;
  let dir: string;

  before(async () => {
    stack = await startStack({ noWorker: true });
    dir = await mkdtemp(path.join(os.tmpdir(), 'autocloser-fuzz-'));
  });
  after(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('no server errors, no undocumented statuses, every body as documented', { timeout: 600_000 }, async () => {
    const python = await ensureSchemathesis();
    const merchant = await stack.createMerchant();
    const owner = await stack.member(merchant, 'owner');
    // Real ids for the path parameters that name data, so requests reach the code behind the 404s.
    const conversationId = `lead:${merchant}:webchat:fuzz-session-0001`;
    await stack.db('conversations').insert({ id: conversationId, merchant_id: merchant, channel: 'webchat', customer_key: 'fuzz-session-0001' });
    const orderId = randomUUID();
    await stack.db('orders')
      .insert({ id: orderId, merchant_id: merchant, conversation_id: conversationId, sku: 'TENT-2P', quantity: 1, amount_minor: 18_900, currency: 'USD', status: 'paid', provider: 'demo', provider_ref: orderId });
    // Tokens travel through the environment, not the command line.
    const config = path.join(dir, 'schemathesis.toml');
    await writeFile(
      config,
      [
        '[auth]',
        // The document has a sign-up route; the run must stay the owner it was given.
        'auto-signup = false',
        '[auth.openapi.bearerAuth]',
        'bearer = "${FUZZ_MERCHANT_TOKEN}"',
        '[auth.openapi.adminToken]',
        'bearer = "${FUZZ_ADMIN_TOKEN}"',
        // Never userId: a fuzzed PATCH or DELETE on the signed-in owner would make every later request a 401.
        '[parameters]',
        `"path.merchant" = "${merchant}"`,
        `"path.merchantId" = "${merchant}"`,
        `"path.conversationId" = "${conversationId}"`,
        `"path.orderId" = "${orderId}"`,
        '',
      ].join('\n'),
    );
    const args = [
      '-m', 'schemathesis.cli', '--config-file', config, 'run', `${stack.apiUrl}/api/v1/openapi.json`,
      '--url', stack.apiUrl,
      '--checks', 'not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance,negative_data_rejection',
      '--phases', 'examples,coverage,fuzzing',
      '--seed', String(SEED),
      '--max-examples', String(MAX_EXAMPLES),
      '--generation-database', 'none',
      // One worker: Hypothesis parses source with `ast` from several threads otherwise, which CPython 3.11 can fail
      // with "AST constructor recursion depth mismatch" at random, an error in the tool and not in the API.
      '--workers', '1',
      '--request-timeout', '20',
      '--no-color',
      '--output-truncate', 'false',
      ...EXCLUDED_OPERATIONS.flatMap((id) => ['--exclude-operation-id', id]),
      // FUZZ_PATHS=knowledge (a regular expression) fuzzes only the matching paths, to check one area quickly.
      ...(process.env.FUZZ_PATHS ? ['--include-path-regex', process.env.FUZZ_PATHS] : []),
    ];
    const started = Date.now();
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve, reject) => {
      const child = spawn(python, args, {
        cwd: dir,
        env: { ...process.env, FUZZ_MERCHANT_TOKEN: owner.token, FUZZ_ADMIN_TOKEN: stack.adminToken, NO_COLOR: '1' },
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('exit', (c) => resolve({ code: c ?? 1, output: out }));
    });
    process.stdout.write(`schemathesis finished in ${Math.round((Date.now() - started) / 1000)} s\n`);
    // A subset run shows what it covered, so a regex that matched nothing is noticed.
    if (process.env.FUZZ_PATHS) process.stdout.write(output);
    assert.equal(code, 0, `schemathesis found problems:\n${output}`);
  });
});
