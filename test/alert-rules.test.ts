/**
 * The Prometheus alert rules in deploy/monitoring/: `promtool check rules`
 * (syntax, PromQL, templates) and `promtool test rules` (alerts.test.yml:
 * each alert fires on the series it is for and stays quiet on healthy ones),
 * and `promtool check config` on the Prometheus configuration compose runs.
 * promtool is built from the Go module proxy on first use (tools/promtool.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { repoRoot } from '../config/env';
import { ensurePromtool, runPromtool } from '../tools/promtool';

const monitoring = path.join(repoRoot, 'deploy', 'monitoring');
const log = (msg: string) => process.stdout.write(`[promtool] ${msg}\n`);

describe('alert rules', () => {
  before(async () => {
    await ensurePromtool(log);
  });

  test('promtool check rules accepts every rule', async () => {
    const result = await runPromtool(['check', 'rules', 'alerts.yml'], { cwd: monitoring, log });
    assert.ok(result.ok, result.output);
    assert.match(result.output, /SUCCESS: 9 rules found/);
  });

  test('promtool test rules: every alert fires and stays quiet as it should', async () => {
    const result = await runPromtool(['test', 'rules', 'alerts.test.yml'], { cwd: monitoring, log });
    assert.ok(result.ok, result.output);
    // Every alert in the file has at least one test.
    const alerts = [...readFileSync(path.join(monitoring, 'alerts.yml'), 'utf8').matchAll(/- alert: (\S+)/g)].map((m) => m[1]!);
    const tests = readFileSync(path.join(monitoring, 'alerts.test.yml'), 'utf8');
    assert.deepEqual(alerts.filter((a) => !tests.includes(`alertname: ${a}`)), []);
  });

  test("compose's prometheus.yml is a valid configuration that loads the rules", async () => {
    // The container paths compose mounts, pointed at the repository's files.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'prometheus-'));
    try {
      const config = readFileSync(path.join(repoRoot, 'deploy', 'compose', 'prometheus.yml'), 'utf8')
        .replaceAll('/etc/prometheus/alerts.yml', path.join(monitoring, 'alerts.yml'))
        .replaceAll('/etc/prometheus/metrics-token', path.join(dir, 'metrics-token'));
      await writeFile(path.join(dir, 'metrics-token'), 'a-token-for-the-check\n');
      await writeFile(path.join(dir, 'prometheus.yml'), config);
      const result = await runPromtool(['check', 'config', 'prometheus.yml'], { cwd: dir, log });
      assert.ok(result.ok, result.output);
      assert.match(result.output, /SUCCESS: 9 rules found/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a rule with broken PromQL fails the check', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'alerts-'));
    try {
      await writeFile(path.join(dir, 'bad.yml'), 'groups:\n  - name: bad\n    rules:\n      - alert: Broken\n        expr: sum(rate(autocloser_turns_total[5m]) > \n');
      const result = await runPromtool(['check', 'rules', 'bad.yml'], { cwd: dir, log });
      assert.equal(result.ok, false);
      assert.match(result.output, /bad\.yml/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
