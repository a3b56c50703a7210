/**
 * Mailpit: a local SMTP server with a web UI and an HTTP API, where
 * development and test mail lands instead of real inboxes. Built from the Go
 * module proxy like the project's other Go tools.
 *
 * A `go install` build serves SMTP, the HTTP API and the API's own page
 * (`/api/v1/`), but not the message browser: its JavaScript bundle is built
 * with npm in Mailpit's release pipeline and is not part of the Go module, so
 * the UI root loads without it. Set MAILPIT_PATH to a release binary
 * (github.com/axllent/mailpit/releases) for the full browser UI.
 */
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

const defaultLog: Log = (msg) => process.stderr.write(`[mailpit] ${msg}\n`);

const mailpitSpec: BinarySpec = {
  label: 'Mailpit',
  binName: exe('mailpit'),
  envVar: 'MAILPIT_PATH',
  version: MAILPIT_VERSION,
  sources: [
    {
      kind: 'go',
      module: `github.com/axllent/mailpit@${MAILPIT_VERSION}`,
      // Without it the binary calls itself "dev" and its UI shows no version.
      ldflags: `-s -w -X github.com/axllent/mailpit/config.Version=${MAILPIT_VERSION}`,
      env: { GOTOOLCHAIN: 'auto' },
      cacheDir: path.join(cacheRoot, 'mailpit', MAILPIT_VERSION),
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

/** Absolute path to a Mailpit binary: $MAILPIT_PATH, then PATH, then `.cache/mailpit/<version>`, then `go install`. */
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
  return { smtpUrl: `smtp://127.0.0.1:${smtpPort}`, uiUrl, apiUrl: `${uiUrl}api/v1`, stop };
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

