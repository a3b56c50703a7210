/**
 * `npm run eval` end to end against the OpenAI wire-format peer: the CLI
 * builds the provider from the worker's variables, sends every scenario turn
 * as a real Chat Completions request with the catalog and knowledge tools,
 * runs the tools against the seeded catalog, and writes a report whose counts
 * add up. The peer's canned answers fail many checks; no pass rate is asserted.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot } from '../config/env';
import { scenarios } from '../eval/scenarios';
import { openAiToolCalls, startOpenAiPeer, type OpenAiPeer } from './peers/openai-peer';

const KEY = 'sk-eval-test-key';

function testDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the suites through "npm test"');
  return url;
}

/** A decision that never hands off (full confidence, calm, no objection), so every turn of every scenario reaches the model. */
const decision = {
  reply: 'Thanks for your message! Let me see what I can do for you.',
  intent: 'product_question',
  language: 'en',
  sentiment: 'neutral',
  confidence: 1,
  qualification: {},
  objection: null,
  productsMentioned: [],
  actions: [],
};

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/eval.ts', ...args], {
      cwd: repoRoot,
      env: { ...process.env, LLM_PROVIDERS: '', ANTHROPIC_API_KEY: '', AZURE_OPENAI_ENDPOINT: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run eval', () => {
  let peer: OpenAiPeer;
  let dir: string;

  before(async () => {
    peer = await startOpenAiPeer({ apiKey: KEY });
    dir = await mkdtemp(path.join(os.tmpdir(), 'eval-cli-'));
  });
  after(async () => {
    await peer?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('exits 2 with a clear message when the provider has no key, and calls nothing', async () => {
    const run = await runCli(['--provider', 'openai'], { OPENAI_API_KEY: '', OPENAI_BASE_URL: peer.baseURL, DATABASE_URL: '' });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /cannot run against openai: OPENAI_API_KEY is not set/);
    assert.equal(peer.completions().length, 0);
  });

  test('runs every scenario turn through the model with the real tools and writes a report that adds up', { timeout: 180_000 }, async () => {
    const turns = scenarios.reduce((n, s) => n + s.turns.length, 0);
    // The first turn looks up the catalog and the knowledge base before deciding; every other turn decides at once.
    peer.enqueue(
      openAiToolCalls([
        { name: 'lookup_catalog', arguments: { query: 'tent' } },
        { name: 'search_knowledge', arguments: { query: 'How long does delivery take?' } },
      ]),
      ...Array.from({ length: turns }, () => openAiToolCalls([{ name: 'submit_decision', arguments: decision }])),
    );
    const out = path.join(dir, 'report.md');
    const run = await runCli(['--provider', 'openai', '--out', out], {
      OPENAI_API_KEY: KEY,
      OPENAI_BASE_URL: peer.baseURL,
      OPENAI_MODEL: 'gpt-test',
      DATABASE_URL: testDatabaseUrl(),
    });
    assert.ok(run.code === 0 || run.code === 1, `exit ${run.code}: ${run.stderr}`);
    assert.equal(peer.pending(), 0, `${peer.pending()} scripted answers were never asked for`);

    const requests = peer.completions();
    assert.equal(requests.length, turns + 1);
    for (const r of requests) {
      assert.equal(r.headers.authorization, `Bearer ${KEY}`);
      assert.equal(r.body?.model, 'gpt-test');
      const tools = (r.body?.tools ?? []).map((t) => (t.type === 'function' ? t.function.name : t.type)).sort();
      assert.deepEqual(tools, ['lookup_catalog', 'search_knowledge', 'submit_decision']);
    }
    // Every customer message of every scenario reached the model.
    for (const s of scenarios) {
      for (const t of s.turns) assert.ok(requests.some((r) => r.raw.includes(JSON.stringify(t.customer).slice(1, -1))), `"${t.customer}" (${s.id}) was never sent`);
    }
    // The tool calls ran against the seeded catalog and knowledge base.
    const toolResults = (requests[1]?.body?.messages ?? []).filter((m) => m.role === 'tool').map((m) => String(m.content));
    assert.equal(toolResults.length, 2);
    assert.match(toolResults.join('\n'), /TENT-TB2/);
    assert.match(toolResults.join('\n'), /business days/);

    const report = await readFile(out, 'utf8');
    assert.match(report, /^# Evaluation: openai \(gpt-test\)/);
    const rows = [...report.matchAll(/^\| ([a-z_]+) \| (en|tr) \| (\d+) \| (\d+) \|/gm)].map((m) => ({ passed: Number(m[3]), total: Number(m[4]) }));
    const all = /^\| \*\*all\*\* \| \| \*\*(\d+)\*\* \| \*\*(\d+)\*\* \|/m.exec(report);
    assert.ok(all, 'the report has a total row');
    const passed = rows.reduce((n, r) => n + r.passed, 0);
    assert.equal(rows.reduce((n, r) => n + r.total, 0), scenarios.length);
    assert.ok(rows.every((r) => r.passed <= r.total));
    assert.deepEqual([Number(all[1]), Number(all[2])], [passed, scenarios.length]);
    assert.match(report, new RegExp(`${scenarios.length} scenarios, ${passed} passed, ${scenarios.length - passed} failed`));
    assert.equal(run.code, passed === scenarios.length ? 0 : 1);
    for (const s of scenarios) assert.match(run.stdout, new RegExp(`[✔✖] ${s.id.replace(/[.]/g, '\\.')}\\b`));
    const failedListed = [...report.matchAll(/^- `([^`]+)`:/gm)].length;
    assert.equal(failedListed, scenarios.length - passed);
  });
});
