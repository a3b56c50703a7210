import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { msToTs } from '@temporalio/common/lib/time';
import { ensureTemporalCli, repoRoot, type Log } from './cli';
import { searchAttributeFlags, searchAttributes, type SearchAttributeDef } from './search-attributes';

export const defaultDbFile = path.join(repoRoot, '.data', 'temporal', 'dev.sqlite');

export interface DevServerOptions {
  /** Frontend gRPC port. Default 7233. */
  port?: number;
  /** Web UI port. Default port + 1000. Ignored when headless. */
  uiPort?: number;
  /** SQLite file for persistence; `null` keeps everything in memory. Default `<repo>/.data/temporal/dev.sqlite`. */
  dbFile?: string | null;
  /** Namespace to create and register search attributes in. Default "default". */
  namespace?: string;
  /** Interface to bind. Default 127.0.0.1. */
  ip?: string;
  /** No Web UI. */
  headless?: boolean;
  log?: Log;
  /** Use this CLI binary instead of `ensureTemporalCli()`. */
  cliPath?: string;
  /** How long to wait for the frontend to answer. Default 60 s. */
  readyTimeoutMs?: number;
  /** Time between SIGTERM and SIGKILL in `stop()`. Default 10 s. */
  stopGraceMs?: number;
  /** Extra search attributes beyond the app's own. */
  extraSearchAttributes?: readonly SearchAttributeDef[];
  /** The remote codec the Web UI decodes payloads with (the API's `/codec`); only for a server started here. */
  uiCodecEndpoint?: string;
}

export interface DevServer {
  /** host:port of the frontend, for `Connection.connect({ address })`. */
  address: string;
  uiUrl: string | null;
  namespace: string;
  /** True when a server was already listening on the port and we attached to it. */
  reused: boolean;
  /** Stops the server we started; a no-op for a reused one. */
  stop(): Promise<void>;
}

const noop: Log = () => {};

/**
 * Starts `temporal server start-dev` with the app's namespace and search attributes, or attaches to a Temporal
 * frontend that already listens on the port (so `npm start` can run next to a server someone started by hand).
 */
export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const port = opts.port ?? 7233;
  const uiPort = opts.uiPort ?? port + 1000;
  const ip = opts.ip ?? '127.0.0.1';
  const namespace = opts.namespace ?? 'default';
  const log = opts.log ?? noop;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  const address = `${ip}:${port}`;
  const attrs = [...searchAttributes, ...(opts.extraSearchAttributes ?? [])];

  if (await isPortOpen(ip, port)) {
    const connection = await connectOnce(address, 3_000).catch((err: unknown) => {
      throw new Error(`Port ${port} on ${ip} is in use, but not by a Temporal frontend: ${errMessage(err)}`);
    });
    try {
      log(`reusing the Temporal server already running at ${address}`);
      await ensureNamespace(connection, namespace, log);
      await ensureSearchAttributes(connection, namespace, attrs, log);
    } finally {
      await connection.close();
    }
    const uiUrl = !opts.headless && (await isPortOpen(ip, uiPort)) ? `http://${hostForUrl(ip)}:${uiPort}` : null;
    return { address, uiUrl, namespace, reused: true, stop: async () => {} };
  }

  const cli = opts.cliPath ?? (await ensureTemporalCli(log));
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--log-level', 'warn'];
  // "default" always exists; naming it again is redundant.
  if (namespace !== 'default') args.push('--namespace', namespace);
  if (opts.headless) args.push('--headless');
  else {
    args.push('--ui-port', String(uiPort));
    if (opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  }
  if (opts.dbFile !== null) {
    const dbFile = path.resolve(opts.dbFile ?? defaultDbFile);
    await mkdir(path.dirname(dbFile), { recursive: true });
    args.push('--db-filename', dbFile);
    // SQLite's defaults (a rollback journal, fsync on every commit) cost the dev server about as much CPU per
    // message as the whole product's turn. A write-ahead log synced at checkpoints survives any process crash;
    // only a power loss can take the last commits, and production runs a Temporal cluster, not this server.
    args.push('--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  }
  args.push(...searchAttributeFlags(attrs));

  const started = Date.now();
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  const output = new TailBuffer(40);
  // Shutdown makes the server's internal workers warn about lost connections; that is noise, not news.
  let stopping = false;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) => {
      output.push(line);
      if (!stopping) log(`temporal: ${line}`);
    });
  }
  const exited = waitForExit(child);
  // Do not leave an orphaned server behind when the parent process ends without calling stop().
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);

  const stop = once(async () => {
    stopping = true;
    process.off('exit', killOnExit);
    await terminate(child, exited, opts.stopGraceMs ?? 10_000);
  });

  try {
    const connection = await waitUntilReady(address, namespace, readyTimeoutMs, exited, output, cli, args);
    try {
      await ensureSearchAttributes(connection, namespace, attrs, log);
    } finally {
      await connection.close();
    }
  } catch (err) {
    await stop();
    throw err;
  }
  log(`Temporal dev server ready at ${address} in ${Date.now() - started} ms`);
  const uiUrl = opts.headless ? null : `http://${hostForUrl(ip)}:${uiPort}`;
  return { address, uiUrl, namespace, reused: false, stop };
}

async function waitUntilReady(
  address: string,
  namespace: string,
  timeoutMs: number,
  exited: Promise<ExitInfo>,
  output: TailBuffer,
  cli: string,
  args: string[],
): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  const state: { exit: ExitInfo | null } = { exit: null };
  void exited.then((e) => (state.exit = e));
  let lastError: unknown = null;
  for (;;) {
    if (state.exit) {
      throw new Error(
        `temporal server start-dev exited before it was ready (${describeExit(state.exit)}).\n` +
          `Command: ${cli} ${args.join(' ')}\n${output.format()}`,
      );
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Temporal dev server at ${address} was not ready after ${Math.round(timeoutMs / 1000)} s ` +
          `(last error: ${errMessage(lastError)}).\nCommand: ${cli} ${args.join(' ')}\n${output.format()}`,
      );
    }
    // A plain TCP probe first: a gRPC connect to a closed port backs off for a second before retrying.
    const [host, port] = splitAddress(address);
    if (!(await isPortOpen(host, port, 500))) {
      await sleep(50);
      continue;
    }
    try {
      const connection = await connectOnce(address, 1_000);
      try {
        // The frontend can answer before the namespace given on the command line is registered.
        await connection.workflowService.describeNamespace({ namespace });
        return connection;
      } catch (err) {
        await connection.close();
        throw err;
      }
    } catch (err) {
      lastError = err;
    }
    await sleep(100);
  }
}

async function connectOnce(address: string, timeoutMs: number): Promise<Connection> {
  // Connection.connect() already calls getSystemInfo, so success means a Temporal frontend answered.
  return Connection.connect({ address, connectTimeout: timeoutMs });
}

/** Registers `namespace` if the server does not know it, and waits until it can be described. */
export async function ensureNamespace(connection: Connection, namespace: string, log: Log = noop): Promise<void> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return;
  } catch (err) {
    if (grpcCode(err) !== GRPC_NOT_FOUND) throw err;
  }
  log(`registering namespace ${namespace}`);
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('7 days'),
    });
  } catch (err) {
    if (grpcCode(err) !== GRPC_ALREADY_EXISTS) throw err;
  }
  // Services pick up a new namespace when their namespace cache refreshes, the operator service included.
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await connection.workflowService.describeNamespace({ namespace });
      await connection.operatorService.listSearchAttributes({ namespace });
      return;
    } catch (err) {
      if (grpcCode(err) !== GRPC_NOT_FOUND || Date.now() > deadline) throw err;
    }
    await sleep(200);
  }
}

/**
 * Adds any of `defs` the namespace lacks. Fails if one exists with another type, since workflows would then be
 * unable to upsert it.
 */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  defs: readonly SearchAttributeDef[] = searchAttributes,
  log: Log = noop,
): Promise<void> {
  const listed = await connection.operatorService.listSearchAttributes({ namespace });
  const existing: Record<string, unknown> = { ...listed.systemAttributes, ...listed.customAttributes };
  const missing: Record<string, ReturnType<typeof indexedValueType>> = {};
  for (const def of defs) {
    const want = indexedValueType(def);
    const have = existing[def.name];
    if (have === undefined) missing[def.name] = want;
    else if (have !== want) {
      throw new Error(`Search attribute ${def.name} exists in namespace ${namespace} with another type than ${def.type}`);
    }
  }
  const names = Object.keys(missing);
  if (names.length === 0) return;
  log(`adding search attributes to ${namespace}: ${names.join(', ')}`);
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  } catch (err) {
    if (grpcCode(err) !== GRPC_ALREADY_EXISTS) throw err;
  }
}

function indexedValueType(def: SearchAttributeDef) {
  const t = encodeSearchAttributeIndexedValueType(def.type.toUpperCase() as 'KEYWORD' | 'INT' | 'BOOL');
  if (t === undefined) throw new Error(`Unknown search attribute type ${def.type}`);
  return t;
}

/** A port the OS considers free right now, for tests and throwaway servers. */
export async function getFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on host:port. */
export function isPortOpen(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

function waitForExit(child: ChildProcess): Promise<ExitInfo> {
  return new Promise((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

async function terminate(child: ChildProcess, exited: Promise<ExitInfo>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

function describeExit(e: ExitInfo): string {
  if (e.error) return `failed to start: ${e.error.message}`;
  return e.signal ? `signal ${e.signal}` : `exit code ${e.code}`;
}

class TailBuffer {
  private lines: string[] = [];
  constructor(private readonly max: number) {}
  push(line: string) {
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.shift();
  }
  format(): string {
    return this.lines.length ? `Last output:\n${this.lines.join('\n')}` : 'It printed nothing.';
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | null = null;
  return () => (p ??= fn());
}

const GRPC_NOT_FOUND = 5;
const GRPC_ALREADY_EXISTS = 6;

function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i).replace(/^\[|\]$/g, ''), Number(address.slice(i + 1))];
}

function hostForUrl(ip: string): string {
  return ip.includes(':') ? `[${ip}]` : ip;
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
