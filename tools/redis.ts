/**
 * redis-server for the bench's queue comparison, without installing anything
 * system-wide. Debian ships the server binary in `redis-tools` (as
 * `redis-check-rdb`, which runs as the server under any other name; the
 * `redis-server` package only adds a symlink and the service files), so the
 * recipe `apt-get download`s those packages and the two libraries a slim
 * Debian lacks (jemalloc, lzf) into a staging directory, unpacks them with
 * `dpkg-deb -x` and keeps the binary and the libraries in
 * `.cache/redis/<version>/`, behind a small wrapper that points the loader at
 * them. `apt-get download` needs no root, only the package lists
 * (`apt-get update`). REDIS_SERVER_PATH may point at any other redis-server.
 */
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { getFreePort, isPortOpen } from '../temporal/dev-server';
import { cacheRoot, ensureBinary, run, type BinarySpec, type Log } from './binaries';
import { spawnTool, type ToolProcess } from './child-process';

/** Debian 12's redis (7.0); the recipe takes whatever the machine's apt sources hold, and the cache is keyed by this major. */
export const REDIS_VERSION = '7.0';

const defaultLog: Log = (msg) => process.stderr.write(`[redis] ${msg}\n`);

const packages = ['redis-tools', 'libjemalloc2', 'liblzf1'];

const redisSpec: BinarySpec = {
  label: 'redis-server',
  binName: 'redis-server',
  envVar: 'REDIS_SERVER_PATH',
  version: REDIS_VERSION,
  sources: [
    {
      kind: 'build',
      description: `apt-get download ${packages.join(' ')} and dpkg-deb -x`,
      cacheDir: path.join(cacheRoot, 'redis', REDIS_VERSION),
      async build(stage, out) {
        const debs = path.join(stage, 'debs');
        const root = path.join(stage, 'root');
        await mkdir(debs, { recursive: true });
        await run('apt-get', ['download', ...packages], { cwd: debs, timeoutMs: 180_000 });
        for (const deb of (await readdir(debs)).filter((f) => f.endsWith('.deb'))) {
          await run('dpkg-deb', ['-x', path.join(debs, deb), root], { timeoutMs: 60_000 });
        }
        await mkdir(path.join(out, 'lib'), { recursive: true });
        await copyFile(path.join(root, 'usr/bin/redis-check-rdb'), path.join(out, 'redis-server.bin'));
        const libDir = (await readdir(path.join(root, 'usr/lib'))).find((d) => d.endsWith('-linux-gnu'));
        if (!libDir) throw new Error('the packages hold no usr/lib/<arch>-linux-gnu directory');
        for (const lib of await readdir(path.join(root, 'usr/lib', libDir))) {
          if (/^lib(jemalloc|lzf)\.so\.\d+$/.test(lib)) await copyFile(path.join(root, 'usr/lib', libDir, lib), path.join(out, 'lib', lib));
        }
        // exec keeps the pid, so whoever started the wrapper can stop (and measure) the server itself.
        await writeFile(
          path.join(out, 'redis-server'),
          '#!/bin/sh\nd=$(dirname "$0")\nLD_LIBRARY_PATH="$d/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$d/redis-server.bin" "$@"\n',
          { mode: 0o755 },
        );
      },
    },
  ],
  async verify(bin) {
    const { stdout } = await run(bin, ['--version'], { timeoutMs: 30_000 });
    const version = /Redis server v=(\S+)/.exec(stdout)?.[1];
    if (!version) throw new Error(`unexpected --version output: ${stdout.trim().slice(0, 200)}`);
    return version;
  },
};

/** Absolute path to a redis-server: $REDIS_SERVER_PATH, then PATH, then `.cache/redis/<version>`, then the Debian packages. */
export function ensureRedis(log: Log = defaultLog): Promise<string> {
  return ensureBinary(redisSpec, log);
}

export interface RunningRedis {
  url: string;
  port: number;
  pid: number | null;
  stop(): Promise<void>;
}

/** A throwaway in-memory redis-server on a free loopback port: no persistence, nothing written to disk. */
export async function startRedis(log: Log = defaultLog): Promise<RunningRedis> {
  const bin = await ensureRedis(log);
  const port = await getFreePort();
  const proc: ToolProcess = spawnTool(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes']);
  const deadline = Date.now() + 15_000;
  while (!(await isPortOpen('127.0.0.1', port, 200))) {
    if (proc.child.exitCode !== null || Date.now() > deadline) {
      await proc.stop();
      throw new Error(`redis-server did not start on port ${port}:\n${proc.tail()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, port, pid: proc.child.pid ?? null, stop: () => proc.stop() };
}
