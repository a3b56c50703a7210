/**
 * The Docker Compose CLI, built from its module on the Go module proxy. It
 * validates and renders `docker-compose.yml` (`config`) without a Docker
 * engine, which is all the project's checks ask of it.
 *
 * `go install github.com/docker/compose/v2/cmd@…` refuses the module because
 * its go.mod has `exclude` directives, so the module is downloaded with
 * `go mod download -json`, copied somewhere writable (the module cache is
 * read-only) and built there as the main module, where those directives apply.
 */
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { cacheRoot, ensureBinary, exe, run, type BinarySpec, type Log } from './binaries';

export const COMPOSE_VERSION = 'v2.40.3';
const COMPOSE_MODULE = 'github.com/docker/compose/v2';

const defaultLog: Log = (msg) => process.stderr.write(`[compose] ${msg}\n`);

const goEnv = (): NodeJS.ProcessEnv => ({ ...process.env, GOTOOLCHAIN: 'auto', CGO_ENABLED: process.env.CGO_ENABLED ?? '0', GOFLAGS: '-mod=mod' });

const composeSpec: BinarySpec = {
  label: 'Docker Compose CLI',
  binName: exe('docker-compose'),
  envVar: 'DOCKER_COMPOSE_PATH',
  version: COMPOSE_VERSION,
  sources: [
    {
      kind: 'build',
      description: `go mod download ${COMPOSE_MODULE}@${COMPOSE_VERSION} && go build ./cmd`,
      cacheDir: path.join(cacheRoot, 'compose', COMPOSE_VERSION),
      async build(stageDir, outDir) {
        const { stdout } = await run('go', ['mod', 'download', '-json', `${COMPOSE_MODULE}@${COMPOSE_VERSION}`], { timeoutMs: 10 * 60_000, env: goEnv(), cwd: stageDir });
        const { Dir: moduleDir } = JSON.parse(stdout) as { Dir?: string };
        if (!moduleDir) throw new Error(`go mod download printed no module directory: ${stdout.slice(0, 300)}`);
        const src = path.join(stageDir, 'src');
        // The module cache is read-only; a writable copy lets `go build` record go.sum entries.
        await cp(moduleDir, src, { recursive: true, mode: 0 });
        await run('chmod', ['-R', 'u+w', src], { timeoutMs: 60_000 });
        await run(
          'go',
          ['build', '-trimpath', `-ldflags=-s -w -X ${COMPOSE_MODULE}/internal.Version=${COMPOSE_VERSION}`, '-o', path.join(outDir, exe('docker-compose')), './cmd'],
          { timeoutMs: 30 * 60_000, env: goEnv(), cwd: src },
        );
      },
    },
  ],
  async verify(bin) {
    const { stdout } = await run(bin, ['version', '--short'], { timeoutMs: 30_000 });
    const version = stdout.trim();
    if (!/^v?\d+\.\d+\.\d+/.test(version)) throw new Error(`unexpected version output: ${stdout.trim().slice(0, 200)}`);
    return version;
  },
};

/** Absolute path to `docker-compose`: $DOCKER_COMPOSE_PATH, then PATH, then `.cache/compose/<version>`, then a build from the module proxy. */
export function ensureCompose(log: Log = defaultLog): Promise<string> {
  return ensureBinary(composeSpec, log);
}
