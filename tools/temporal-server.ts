/**
 * The Temporal server itself (`go.temporal.io/server`) and its SQL schema
 * tool, built from the Go module proxy: what a production cluster runs, as
 * opposed to the CLI's single-binary dev server. The cluster suite and
 * `npm run cluster` run it on Postgres.
 *
 * One `go install` builds both commands into one cache directory, renamed to
 * the names Temporal's own images give them (`temporal-server`,
 * `temporal-sql-tool`), so they can never be confused with some other
 * `server` or `sql` on PATH. The schema tool carries the SQL schemas inside
 * it (`--schema-name postgresql/v12/temporal`), so nothing else from the
 * module source is needed at run time.
 *
 * The Temporal UI is a separate server (`github.com/temporalio/ui-server/v2`)
 * whose Go module carries the built web app, so `go install` gives a
 * complete UI that can point at any frontend.
 */
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { cacheRoot, ensureBinary, exe, run, type BinarySpec, type Log } from './binaries';

/** The server release we pin; its go.mod asks for a newer Go than most machines have, which GOTOOLCHAIN=auto fetches. */
export const TEMPORAL_SERVER_VERSION = 'v1.32.2';

const MODULE = 'go.temporal.io/server';
export const TEMPORAL_SERVER_CACHE_DIR = path.join(cacheRoot, 'temporal-server', TEMPORAL_SERVER_VERSION);
const SERVER_BIN = exe('temporal-server');
const SQL_TOOL_BIN = exe('temporal-sql-tool');

const defaultLog: Log = (msg) => process.stderr.write(`[temporal-server] ${msg}\n`);

async function buildBoth(stage: string, out: string): Promise<void> {
  const gobin = path.join(stage, 'bin');
  await run('go', ['install', `${MODULE}/cmd/server@${TEMPORAL_SERVER_VERSION}`, `${MODULE}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`], {
    timeoutMs: 30 * 60_000,
    cwd: stage,
    env: { ...process.env, GOBIN: gobin, GOTOOLCHAIN: 'auto', CGO_ENABLED: process.env.CGO_ENABLED ?? '0' },
  });
  await rename(path.join(gobin, exe('server')), path.join(out, SERVER_BIN));
  await rename(path.join(gobin, exe('sql')), path.join(out, SQL_TOOL_BIN));
}

async function versionOf(bin: string): Promise<string> {
  const { stdout } = await run(bin, ['--version'], { timeoutMs: 30_000 });
  const version = / version (\S+)/.exec(stdout)?.[1];
  if (!version) throw new Error(`unexpected --version output: ${stdout.trim().slice(0, 200)}`);
  if (`v${version}` !== TEMPORAL_SERVER_VERSION) throw new Error(`${bin} is version ${version}, not ${TEMPORAL_SERVER_VERSION}`);
  return version;
}

const serverSpec: BinarySpec = {
  label: 'Temporal server',
  binName: SERVER_BIN,
  envVar: 'TEMPORAL_SERVER_PATH',
  version: TEMPORAL_SERVER_VERSION,
  sources: [
    {
      kind: 'build',
      description: `GOTOOLCHAIN=auto go install ${MODULE}/cmd/server and cmd/tools/sql @${TEMPORAL_SERVER_VERSION}`,
      cacheDir: TEMPORAL_SERVER_CACHE_DIR,
      build: buildBoth,
    },
  ],
  async verify(bin) {
    // The schema tool is always built beside the server and must match it.
    await versionOf(path.join(path.dirname(bin), SQL_TOOL_BIN));
    return versionOf(bin);
  },
};

/**
 * The newest UI release whose dependencies the Go module proxy serves: 2.56
 * and later need module versions (go.temporal.io/api v1.64.0, echo v4.16.1)
 * that it answered with "not available" when this was pinned.
 */
export const TEMPORAL_UI_VERSION = 'v2.45.3';
const UI_MODULE = 'github.com/temporalio/ui-server/v2';
const UI_BIN = exe('temporal-ui-server');

const uiSpec: BinarySpec = {
  label: 'Temporal UI server',
  binName: UI_BIN,
  envVar: 'TEMPORAL_UI_SERVER_PATH',
  version: TEMPORAL_UI_VERSION,
  sources: [
    {
      kind: 'build',
      description: `GOTOOLCHAIN=auto go install ${UI_MODULE}/cmd/server@${TEMPORAL_UI_VERSION}`,
      cacheDir: path.join(cacheRoot, 'temporal-ui-server', TEMPORAL_UI_VERSION),
      async build(stage, out) {
        const gobin = path.join(stage, 'bin');
        await run('go', ['install', `${UI_MODULE}/cmd/server@${TEMPORAL_UI_VERSION}`], {
          timeoutMs: 30 * 60_000,
          cwd: stage,
          env: { ...process.env, GOBIN: gobin, GOTOOLCHAIN: 'auto', CGO_ENABLED: process.env.CGO_ENABLED ?? '0' },
        });
        await rename(path.join(gobin, exe('server')), path.join(out, UI_BIN));
      },
    },
  ],
  async verify(bin) {
    const { stdout } = await run(bin, ['--version'], { timeoutMs: 30_000 });
    const version = /Temporal UI version (\S+)/.exec(stdout)?.[1];
    if (!version) throw new Error(`unexpected --version output: ${stdout.trim().slice(0, 200)}`);
    return version;
  },
};

/** The Temporal UI server: $TEMPORAL_UI_SERVER_PATH, PATH, `.cache/temporal-ui-server/<version>`, then a build from the Go module proxy. */
export function ensureTemporalUiServer(log: Log = defaultLog): Promise<string> {
  return ensureBinary(uiSpec, log);
}

export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
}

/**
 * The server and its schema tool: $TEMPORAL_SERVER_PATH (with
 * `temporal-sql-tool` beside it), then PATH, then `.cache/temporal-server/<version>`,
 * then a build from the Go module proxy (a few minutes the first time).
 */
export async function ensureTemporalServer(log: Log = defaultLog): Promise<TemporalServerBinaries> {
  const server = await ensureBinary(serverSpec, log);
  return { server, sqlTool: path.join(path.dirname(server), SQL_TOOL_BIN) };
}
