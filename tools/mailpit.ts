/**
 * Mailpit: a local SMTP server with a web UI and an HTTP API, where
 * development and test mail lands instead of real inboxes. Built from the Go
 * module proxy like the project's other Go tools.
 *
 * A plain `go install` serves SMTP and the HTTP API but a blank web UI: the
 * UI's JavaScript and CSS are built with npm in Mailpit's release pipeline
 * and embedded at that point, so they are not in the Go module. The build
 * here does the same steps from the module's own sources: it bundles the UI
 * entry the server embeds (`server/ui-src/app.js`) into `server/ui/dist/`,
 * then runs `go build`. Only when that fails does it fall back to the plain
 * `go install` (API only), cached separately so a later run can be told
 * apart. MAILPIT_PATH may point at a release binary instead.
 */
import { cp, readFile, readdir, chmod, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cacheRoot, ensureBinary, errMessage, exe, run, type BinarySpec, type Log } from './binaries';
import { spawnTool } from './child-process';

/**
 * The newest release on the module proxy; its go.mod asks for Go 1.26.0. With
 * an older local Go, GOTOOLCHAIN=auto lets `go` fetch 1.26 from the proxy.
 */
export const MAILPIT_VERSION = 'v1.33.1';

const MODULE = 'github.com/axllent/mailpit';
// Without the version the binary calls itself "dev" and its UI shows no version.
const LDFLAGS = `-s -w -X ${MODULE}/config.Version=${MAILPIT_VERSION}`;
const goEnv = () => ({ ...process.env, GOTOOLCHAIN: 'auto', CGO_ENABLED: process.env.CGO_ENABLED ?? '0' });

/** Where the build with the web UI is cached; a binary from here serves `/dist/app.js`. */
export const MAILPIT_UI_CACHE_DIR = path.join(cacheRoot, 'mailpit', `${MAILPIT_VERSION}-ui`);

/**
 * Packages of Mailpit's package.json the UI build does not need: `rapidoc`
 * only renders the API docs page (`docs.js`, not built here).
 */
const UI_SKIP = new Set(['rapidoc']);
/**
 * The bundler and its plugins. `sass` (pure JavaScript) stands in for
 * `sass-embedded`, which esbuild-sass-plugin prefers when present but does
 * not require, so no platform-specific compiler package is fetched.
 */
const UI_BUILD_TOOLS = ['esbuild', 'esbuild-plugin-vue-next', 'esbuild-sass-plugin', '@vue/compiler-sfc', 'sass'];

/** Mailpit's esbuild.config.mjs, with only the app entry. */
const UI_BUILD_SCRIPT = `import * as esbuild from "esbuild";
import pluginVue from "esbuild-plugin-vue-next";
import { sassPlugin } from "esbuild-sass-plugin";
await esbuild.build({
  entryPoints: ["server/ui-src/app.js"],
  bundle: true,
  minify: true,
  sourcemap: false,
  define: {
    __VUE_OPTIONS_API__: "true",
    __VUE_PROD_DEVTOOLS__: "false",
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: "false",
  },
  outdir: "server/ui/dist/",
  plugins: [pluginVue(), sassPlugin({ silenceDeprecations: ["import"], quietDeps: true })],
  loader: { ".svg": "file", ".woff": "file", ".woff2": "file" },
  logLevel: "warning",
});
`;

async function buildWithWebUi(stage: string, out: string): Promise<void> {
  const env = goEnv();
  const { stdout } = await run('go', ['mod', 'download', '-json', `${MODULE}@${MAILPIT_VERSION}`], { timeoutMs: 10 * 60_000, env, cwd: stage });
  const moduleDir = (JSON.parse(stdout) as { Dir?: string }).Dir;
  if (!moduleDir) throw new Error(`go mod download gave no source directory: ${stdout.slice(0, 300)}`);

  // The module cache is read-only; the UI build writes into the source tree.
  const src = path.join(stage, 'src');
  await cp(moduleDir, src, { recursive: true });
  await makeWritable(src);

  // Only what the app entry imports, at the versions Mailpit's lockfile pins.
  // Its full `npm ci` also installs the API-docs viewer and the linters and
  // test runners, some of which the registry does not serve at those versions.
  const manifest = JSON.parse(await readFile(path.join(src, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const lock = JSON.parse(await readFile(path.join(src, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
  const dependencies: Record<string, string> = {};
  for (const name of [...Object.keys(manifest.dependencies).filter((n) => !UI_SKIP.has(n)), ...UI_BUILD_TOOLS]) {
    dependencies[name] = lock.packages[`node_modules/${name}`]?.version ?? manifest.dependencies[name] ?? 'latest';
  }
  await rm(path.join(src, 'package-lock.json'));
  await writeFile(path.join(src, 'package.json'), JSON.stringify({ name: 'mailpit-ui-build', private: true, type: 'module', dependencies }, null, 2));
  // No install scripts run: the only one among these packages is esbuild's,
  // which merely checks the platform binary it also finds without it.
  await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { timeoutMs: 10 * 60_000, cwd: src });
  await writeFile(path.join(src, 'ui-build.mjs'), UI_BUILD_SCRIPT);
  await run(process.execPath, ['ui-build.mjs'], { timeoutMs: 5 * 60_000, cwd: src });

  await run('go', ['build', '-trimpath', `-ldflags=${LDFLAGS}`, '-o', path.join(out, exe('mailpit')), '.'], { timeoutMs: 30 * 60_000, env, cwd: src });
}

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await makeWritable(p);
    else if (entry.isFile()) await chmod(p, 0o644);
  }
}

const defaultLog: Log = (msg) => process.stderr.write(`[mailpit] ${msg}\n`);

const mailpitSpec: BinarySpec = {
  label: 'Mailpit',
  binName: exe('mailpit'),
  envVar: 'MAILPIT_PATH',
  version: MAILPIT_VERSION,
  sources: [
    {
      kind: 'build',
      description: `build ${MODULE}@${MAILPIT_VERSION} with its web UI (npm, then go build)`,
      cacheDir: MAILPIT_UI_CACHE_DIR,
      build: buildWithWebUi,
    },
    {
      kind: 'go',
      module: `${MODULE}@${MAILPIT_VERSION}`,
      ldflags: LDFLAGS,
      env: { GOTOOLCHAIN: 'auto' },
      cacheDir: path.join(cacheRoot, 'mailpit', `${MAILPIT_VERSION}-api-only`),
    },
  ],
  async verify(bin) {
    // --no-release-check: the plain `version` command asks GitHub for the latest release.
    const { stdout } = await run(bin, ['version', '--no-release-check'], { timeoutMs: 30_000 });
    const version = / (\S+) compiled with /.exec(stdout)?.[1];
    if (!version) throw new Error(`unexpected version output: ${stdout.trim().slice(0, 200)}`);
    return version;
  },
};

/**
 * Absolute path to a Mailpit binary: $MAILPIT_PATH, then PATH, then the
 * caches, then the build with the web UI, then a plain `go install`.
 */
export function ensureMailpit(log: Log = defaultLog): Promise<string> {
  return ensureBinary(mailpitSpec, log);
}

export interface MailpitOptions {
  /** Loopback port for SMTP; 0 picks a free one. */
  smtpPort: number;
  /** Loopback port for the web UI and API; 0 picks a free one. */
  uiPort: number;
  /** Keeps mail across restarts; without it Mailpit uses a temporary database it deletes on exit. */
  dataFile?: string;
  /** More Mailpit flags, e.g. `--enable-chaos` for tests that need SMTP rejections. */
  extraArgs?: string[];
  log?: Log;
  readyTimeoutMs?: number;
}

export interface RunningMailpit {
  /** `smtp://127.0.0.1:<port>`, the value for SMTP_URL. */
  smtpUrl: string;
  /** The web UI, with a trailing slash. */
  uiUrl: string;
  /** The REST API root, `<ui>/api/v1`, without a trailing slash. */
  apiUrl: string;
  /** Whether the web UI's script is served; false for an API-only build, whose UI page stays blank. */
  webUi: boolean;
  stop(): Promise<void>;
}

/** Starts Mailpit on loopback and resolves once its API answers and its SMTP port accepts connections. */
export async function startMailpit(opts: MailpitOptions): Promise<RunningMailpit> {
  const log = opts.log ?? defaultLog;
  const bin = await ensureMailpit(log);
  const smtpPort = opts.smtpPort || (await freePort());
  const uiPort = opts.uiPort || (await freePort());
  const args = [
    '--listen', `127.0.0.1:${uiPort}`,
    '--smtp', `127.0.0.1:${smtpPort}`,
    // Mailpit otherwise asks GitHub for new releases from the UI.
    '--disable-version-check',
    // Any SMTP_URL works against it, with or without credentials, as it would against a real relay.
    '--smtp-auth-accept-any', '--smtp-auth-allow-insecure',
    '--label', 'AutoCloser',
    ...(opts.dataFile ? ['--database', opts.dataFile] : []),
    ...(opts.extraArgs ?? []),
  ];
  const proc = spawnTool(bin, args, (line) => {
    if (/level=(error|fatal)/.test(line)) log(line);
  });
  const { exited, stop } = proc;

  const uiUrl = `http://127.0.0.1:${uiPort}/`;
  try {
    await waitUntilReady(uiUrl, smtpPort, exited, opts.readyTimeoutMs ?? 30_000, proc.tail);
  } catch (err) {
    await stop();
    throw err;
  }
  const webUi = await fetch(`${uiUrl}dist/app.js`, { method: 'HEAD', signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);
  return { smtpUrl: `smtp://127.0.0.1:${smtpPort}`, uiUrl, apiUrl: `${uiUrl}api/v1`, webUi, stop };
}

async function waitUntilReady(uiUrl: string, smtpPort: number, exited: Promise<string>, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exit: string | null = null;
  void exited.then((e) => (exit = e));
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    if (exit) throw new Error(`Mailpit exited before it was ready (${exit}).\n${output()}`);
    try {
      const res = await fetch(`${uiUrl}readyz`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) {
        await canConnect(smtpPort);
        return;
      }
      lastError = new Error(`readyz answered HTTP ${res.status}`);
    } catch (err) {
      lastError = err;
    }
    await sleep(50);
  }
  throw new Error(`Mailpit at ${uiUrl} was not ready within ${timeoutMs} ms (last error: ${errMessage(lastError)}).\n${output()}`);
}

function canConnect(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

/** A port the OS considers free right now; Mailpit does not report the port it bound when given 0. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

