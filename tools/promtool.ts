/**
 * promtool: Prometheus's rule checker and rule unit-test runner, built from
 * the Go module proxy like the project's other Go tools. It checks the alert
 * rules in `deploy/monitoring/` (`promtool check rules`) and runs their unit
 * tests (`promtool test rules`, the `*.test.yml` files beside them).
 *
 * Prometheus 3 publishes its Go module as `v0.3MM.P` for release `3.MM.P`;
 * the link flag gives the binary its human version, which `go install` would
 * otherwise leave empty.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { cacheRoot, ensureBinary, exe, run, type BinarySpec, type Log } from './binaries';

/** The Prometheus release, and the Go module version it is published under. */
export const PROMETHEUS_VERSION = '3.16.0';
export const PROMETHEUS_MODULE_VERSION = 'v0.316.0';

const defaultLog: Log = (msg) => process.stderr.write(`[promtool] ${msg}\n`);

const promtoolSpec: BinarySpec = {
  label: 'promtool',
  binName: exe('promtool'),
  envVar: 'PROMTOOL_PATH',
  version: PROMETHEUS_VERSION,
  sources: [
    {
      kind: 'go',
      module: `github.com/prometheus/prometheus/cmd/promtool@${PROMETHEUS_MODULE_VERSION}`,
      ldflags: `-s -w -X github.com/prometheus/common/version.Version=${PROMETHEUS_VERSION}`,
      // The module may ask for a newer Go than the machine's; GOTOOLCHAIN=auto fetches it from the proxy.
      env: { GOTOOLCHAIN: 'auto' },
      cacheDir: path.join(cacheRoot, 'promtool', PROMETHEUS_VERSION),
    },
  ],
  async verify(bin) {
    const { stdout, stderr } = await run(bin, ['--version'], { timeoutMs: 30_000 });
    const version = /promtool, version (\S+)/.exec(`${stdout}\n${stderr}`)?.[1];
    if (!version) throw new Error(`unexpected --version output: ${(stdout || stderr).trim().slice(0, 200)}`);
    return version;
  },
};

/** Absolute path to a promtool binary: $PROMTOOL_PATH, then PATH, then `.cache/promtool/<version>`, then `go install`. */
export function ensurePromtool(log: Log = defaultLog): Promise<string> {
  return ensureBinary(promtoolSpec, log);
}

export interface PromtoolResult {
  ok: boolean;
  /** promtool's combined report. */
  output: string;
}

/**
 * Runs `promtool <args>` in `cwd`. A non-zero exit with output is a finding
 * (a bad rule, a failing alert test) and resolves with `ok: false`; a failure
 * to start throws.
 */
export async function runPromtool(args: string[], opts: { cwd: string; log?: Log }): Promise<PromtoolResult> {
  const bin = await ensurePromtool(opts.log ?? defaultLog);
  return new Promise((resolve, reject) => {
    execFile(bin, args, { cwd: opts.cwd, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim();
      if (!err) return resolve({ ok: true, output });
      if (typeof err.code === 'number') return resolve({ ok: false, output });
      reject(new Error(`promtool failed to run (${err.message}): ${output}`));
    });
  });
}
