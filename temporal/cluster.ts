/**
 * AutoCloser the way an operator runs it, on one machine: the Temporal server
 * (not the dev server) on Postgres, two API processes and two worker
 * processes. `npm run cluster` starts it for people; `test/cluster.test.ts`
 * kills its processes under load.
 *
 * Every process is a real child process with its own ports, so any one of
 * them can be SIGKILLed and started again on the same ports and settings.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { newMasterKey } from '../config/secrets';
import { startEmbeddedPostgres } from '../db/embedded';
import { migrateAndSeed } from '../db/setup';
import { run } from '../tools/binaries';
import { ensureTemporalServer, ensureTemporalUiServer, type TemporalServerBinaries } from '../tools/temporal-server';
import { repoRoot, type Log } from './cli';
import { getFreePort, isPortOpen } from './dev-server';

export type ClusterProcessKind = 'temporal' | 'ui' | 'api' | 'worker';

/** One process of the cluster, which can be killed and started again. */
export interface ClusterProcess {
  /** `temporal`, `temporal-ui`, `api-1`, `api-2`, `worker-1`, `worker-2`. */
  readonly name: string;
  readonly kind: ClusterProcessKind;
  /** The operating system's id while it runs. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** SIGKILL, as when its machine dies: no shutdown code runs. Resolves once it is gone. */
  kill(): Promise<void>;
  /** Starts it (again) with the same ports and settings; resolves once it serves. */
  start(): Promise<void>;
  /** SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<void>;
  /** Its last lines of output, for error messages. */
  tail(): string;
}

export interface ClusterOptions {
  /** Where the cluster keeps its configuration, logs, workflow bundle and (when it starts one) Postgres; emptied first. */
  dir: string;
  /**
   * A Postgres to use (a superuser URL to the app's database); its server
   * also gets the two Temporal databases. Without it an embedded Postgres
   * starts under `dir`.
   */
  databaseUrl?: string;
  /** Names of Temporal's two databases: `<prefix>` and `<prefix>_visibility`. Default `temporal`. */
  temporalDatabasePrefix?: string;
  apiReplicas?: number;
  workerReplicas?: number;
  namespace?: string;
  taskQueue?: string;
  /** Also run the Temporal UI server against the cluster's frontend (built the first time like the server). */
  ui?: boolean;
  /** More environment for the API and worker processes (e.g. a rate limit). */
  appEnv?: Record<string, string>;
  /** Progress lines. */
  log?: Log;
  /** Every output line of every process, e.g. to show it; by default only kept for error messages. */
  onProcessLine?: (process: string, line: string) => void;
}

export interface Cluster {
  /** host:port of the Temporal frontend. */
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  databaseUrl: string;
  /** The API replicas' base URLs, in replica order. */
  apiUrls: string[];
  /** The Temporal UI, when asked for. */
  uiUrl: string | null;
  temporal: ClusterProcess;
  ui: ClusterProcess | null;
  apis: ClusterProcess[];
  workers: ClusterProcess[];
  /** Exits no one asked for (neither `kill`, `stop` nor the cluster's own stop), with how each ended. */
  unexpectedExits(): { name: string; how: string }[];
  stop(): Promise<void>;
}

const noop: Log = () => {};

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const log = opts.log ?? noop;
  const namespace = opts.namespace ?? 'default';
  const taskQueue = opts.taskQueue ?? 'autocloser';
  const dir = path.resolve(opts.dir);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    // The server build is minutes on a cold machine; it runs while Postgres starts and the workflows bundle.
    const binaries = ensureTemporalServer(log);
    binaries.catch(() => {});
    const uiBinary = opts.ui ? ensureTemporalUiServer(log) : null;
    uiBinary?.catch(() => {});
    const bundlePath = path.join(dir, 'workflow-bundle.js');
    const bundling = bundleWorkflowCode({ workflowsPath: path.join(repoRoot, 'workflows', 'index.ts'), logger: silentLogger }).then(({ code }) =>
      writeFile(bundlePath, code),
    );
    bundling.catch(() => {});

    let databaseUrl = opts.databaseUrl;
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), port: await getFreePort(), persistent: false, log });
      stops.push(pg.stop);
      databaseUrl = pg.url;
      await migrateAndSeed(databaseUrl);
      log(`postgres at ${new URL(databaseUrl).host}`);
    }

    const exits: { name: string; how: string }[] = [];
    const spawnOpts = { exits, onLine: opts.onProcessLine ?? (() => {}) };

    const temporal = await startTemporal({
      binaries: await binaries,
      databaseUrl,
      prefix: opts.temporalDatabasePrefix ?? 'temporal',
      dir,
      log,
      ...spawnOpts,
    });
    stops.push(temporal.process.stop);
    const ui = uiBinary ? await startUi({ bin: await uiBinary, temporalAddress: temporal.address, namespace, dir, ...spawnOpts }) : null;
    if (ui) {
      stops.push(ui.process.stop);
      log(`temporal UI at ${ui.url}`);
    }
    await bundling;

    const [apiPorts, healthPorts] = await Promise.all([freePorts(opts.apiReplicas ?? 2), freePorts(opts.workerReplicas ?? 2)]);
    const apiUrls = apiPorts.map((p) => `http://127.0.0.1:${p}`);
    // Every replica must agree on these: a token signed by one is checked by the other, a credential sealed by one is opened by any.
    const shared = {
      NODE_ENV: process.env.NODE_ENV ?? 'development',
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl,
      DATA_DIR: dir,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_TASK_QUEUE: taskQueue,
      PUBLIC_BASE_URL: apiUrls[0]!,
      ADMIN_TOKEN: secret(),
      JWT_SECRET: secret(),
      DEMO_PAYMENT_SECRET: secret(),
      CREDENTIALS_KEY: newMasterKey(),
      WORKFLOW_BUNDLE_PATH: bundlePath,
      SMTP_URL: '',
      ...opts.appEnv,
    };
    const node = (script: string) => ({ cmd: process.execPath, args: ['--import', 'tsx', script] });

    // The deploy's one-shot, as compose and the chart run it: migrations, the namespace and the search attributes.
    const migrated = await run(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts'], {
      cwd: repoRoot,
      env: { ...process.env, ...shared },
      timeoutMs: 180_000,
    });
    for (const line of `${migrated.stdout}\n${migrated.stderr}`.split('\n').filter(Boolean)) spawnOpts.onLine('migrate', line);
    log('migrate done: database schema, namespace and search attributes in place');

    const workers = healthPorts.map((healthPort, i) =>
      managed({
        name: `worker-${i + 1}`,
        kind: 'worker',
        ...node('worker/main.ts'),
        env: { ...shared, WORKER_HEALTH_PORT: String(healthPort) },
        // The probe compose and the chart use: 200 once the worker polls its task queue.
        ready: (proc) => proc.until(async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`, { signal: AbortSignal.timeout(1_000) })).ok, 120_000),
        ...spawnOpts,
      }),
    );
    const apis = apiPorts.map((port, i) =>
      managed({
        name: `api-${i + 1}`,
        kind: 'api',
        ...node('api/main.ts'),
        env: { ...shared, PORT: String(port) },
        ready: (proc) => proc.until(async () => (await fetch(`${apiUrls[i]}/healthz`, { signal: AbortSignal.timeout(1_000) })).ok, 60_000),
        ...spawnOpts,
      }),
    );
    for (const p of [...workers, ...apis]) stops.push(p.stop);
    await Promise.all([...workers, ...apis].map((p) => p.start()));
    log(`${apis.length} APIs and ${workers.length} workers ready`);

    return {
      temporalAddress: temporal.address,
      namespace,
      taskQueue,
      databaseUrl,
      apiUrls,
      uiUrl: ui?.url ?? null,
      temporal: temporal.process,
      ui: ui?.process ?? null,
      apis,
      workers,
      unexpectedExits: () => [...exits],
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

interface SpawnShared {
  exits: { name: string; how: string }[];
  onLine: (process: string, line: string) => void;
}

/**
 * The Temporal server on Postgres: its two databases created and brought to
 * the latest schema with its own SQL tool, and a minimal configuration with
 * every port chosen now (and kept across restarts). The namespace and the
 * search attributes are `npm run migrate`'s job, as in a real deploy.
 */
async function startTemporal(
  o: SpawnShared & { binaries: TemporalServerBinaries; databaseUrl: string; prefix: string; dir: string; log: Log },
): Promise<{ address: string; process: ClusterProcess }> {
  const pg = new URL(o.databaseUrl);
  const pgPort = Number(pg.port || 5432);
  const user = decodeURIComponent(pg.username);
  const password = decodeURIComponent(pg.password);
  const databases = { default: o.prefix, visibility: `${o.prefix}_visibility` };
  const sqlTool = (db: string, ...args: string[]) =>
    run(o.binaries.sqlTool, ['--plugin', 'postgres12', '--ep', pg.hostname, '-p', String(pgPort), '-u', user, '--db', db, ...args], {
      timeoutMs: 120_000,
      // In the environment rather than on the command line, where any local user could read it.
      env: { ...process.env, SQL_PASSWORD: password },
    });
  for (const [db, schema] of [
    [databases.default, 'postgresql/v12/temporal'],
    [databases.visibility, 'postgresql/v12/visibility'],
  ] as const) {
    await sqlTool(db, 'create-database');
    // The schemas ship inside the tool: 0.0 creates the version table, then every versioned step applies in order.
    await sqlTool(db, 'setup-schema', '-v', '0.0');
    await sqlTool(db, 'update-schema', '--schema-name', schema);
  }
  o.log(`temporal databases ${databases.default} and ${databases.visibility} ready`);

  const names = ['frontend', 'frontendMembership', 'frontendHttp', 'history', 'historyMembership', 'matching', 'matchingMembership', 'worker', 'workerMembership'] as const;
  const free = await freePorts(names.length);
  // Temporal stores membership ports in a Postgres smallint, so they must stay under 32768, below Linux's ephemeral range.
  const low = await freePorts(names.length, MEMBERSHIP_PORT_RANGE);
  const ports = Object.fromEntries(names.map((n, i) => [n, (n.endsWith('Membership') ? low : free)[i]!])) as TemporalConfig['ports'];
  const frontend = ports.frontend;
  const address = `127.0.0.1:${frontend}`;
  const dynamicConfig = path.join(o.dir, 'temporal-dynamic-config.yaml');
  await writeFile(
    dynamicConfig,
    // Search attributes registered a moment before the first workflow are then usable at once, as on the dev server.
    'system.forceSearchAttributesCacheRefreshOnRead:\n  - value: true\n    constraints: {}\n',
  );
  const configFile = path.join(o.dir, 'temporal-server.yaml');
  await writeFile(
    configFile,
    temporalConfig({
      databases,
      pg: { host: pg.hostname, port: pgPort, user, password },
      ports,
      dynamicConfig,
    }),
  );

  const proc = managed({
    name: 'temporal',
    kind: 'temporal',
    cmd: o.binaries.server,
    args: ['--config-file', configFile, '--allow-no-auth', 'start'],
    env: {},
    ready: (p) =>
      p.until(async () => {
        if (!(await isPortOpen('127.0.0.1', frontend, 500))) return false;
        const connection = await Connection.connect({ address, connectTimeout: 1_000 });
        try {
          // Read from persistence, so a frontend that answers but cannot reach Postgres yet does not count.
          await connection.workflowService.describeNamespace({ namespace: 'temporal-system' });
          return true;
        } finally {
          await connection.close();
        }
      }, 180_000),
    exits: o.exits,
    onLine: o.onLine,
  });
  await proc.start();
  o.log(`temporal server ready at ${address}`);
  return { address, process: proc };
}

/** The Temporal UI server (its own process, as in Temporal's images) on a free port, pointed at the frontend. */
async function startUi(o: SpawnShared & { bin: string; temporalAddress: string; namespace: string; dir: string }): Promise<{ url: string; process: ClusterProcess }> {
  const [port] = await freePorts(1);
  const configDir = path.join(o.dir, 'temporal-ui');
  await mkdir(configDir, { recursive: true });
  // The UI server reads `<root>/<config>/<env>.yaml`; JSON is YAML.
  await writeFile(
    path.join(configDir, 'development.yaml'),
    JSON.stringify({
      temporalGrpcAddress: o.temporalAddress,
      host: '127.0.0.1',
      port,
      enableUi: true,
      defaultNamespace: o.namespace,
      refreshInterval: '1m',
      // The UI would otherwise fetch news and release notes from the internet.
      disableNewsFetch: true,
      notifyOnNewVersion: false,
      cors: { cookieInsecure: true, allowOrigins: [] },
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const proc = managed({
    name: 'temporal-ui',
    kind: 'ui',
    cmd: o.bin,
    args: ['--root', o.dir, '--config', 'temporal-ui', '--env', 'development', 'start'],
    env: {},
    // Answered by the frontend through the UI server, so it proves the UI reaches the cluster (the app's namespace comes later, from migrate).
    ready: (p) => p.until(async () => (await fetch(`${url}/api/v1/namespaces/temporal-system`, { signal: AbortSignal.timeout(2_000) })).ok, 60_000),
    exits: o.exits,
    onLine: o.onLine,
  });
  await proc.start();
  return { url, process: proc };
}

interface TemporalConfig {
  databases: { default: string; visibility: string };
  pg: { host: string; port: number; user: string; password: string };
  ports: Record<'frontend' | 'frontendMembership' | 'frontendHttp' | 'history' | 'historyMembership' | 'matching' | 'matchingMembership' | 'worker' | 'workerMembership', number>;
  dynamicConfig: string;
}

/** The server's YAML: JSON is YAML, so no YAML writer is needed. */
function temporalConfig(c: TemporalConfig): string {
  const sql = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${c.pg.host}:${c.pg.port}`,
      connectProtocol: 'tcp',
      user: c.pg.user,
      password: c.pg.password,
      // Each of the four services opens its own pool; this keeps them well inside the embedded Postgres's 200 connections.
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const rpc = (grpcPort: number, membershipPort: number, extra: Record<string, unknown> = {}) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra },
  });
  const p = c.ports;
  return JSON.stringify(
    {
      log: { stdout: true, level: 'warn' },
      persistence: {
        defaultStore: 'default',
        visibilityStore: 'visibility',
        numHistoryShards: 4,
        datastores: { default: sql(c.databases.default, 10), visibility: sql(c.databases.visibility, 4) },
      },
      global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
      services: {
        frontend: rpc(p.frontend, p.frontendMembership, { httpPort: p.frontendHttp }),
        history: rpc(p.history, p.historyMembership),
        matching: rpc(p.matching, p.matchingMembership),
        worker: rpc(p.worker, p.workerMembership),
      },
      clusterMetadata: {
        enableGlobalNamespace: false,
        failoverVersionIncrement: 10,
        masterClusterName: 'active',
        currentClusterName: 'active',
        clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${p.frontend}` } },
      },
      dcRedirectionPolicy: { policy: 'noop' },
      dynamicConfigClient: { filepath: c.dynamicConfig, pollInterval: '10s' },
    },
    null,
    2,
  );
}

interface ManagedSpec extends SpawnShared {
  name: string;
  kind: ClusterProcessKind;
  cmd: string;
  args: string[];
  env: Record<string, string>;
  ready(p: Readiness): Promise<void>;
}

interface Readiness {
  /** Resolves when `probe` returns true (errors count as not yet). */
  until(probe: () => Promise<boolean>, timeoutMs: number): Promise<void>;
}

function managed(spec: ManagedSpec): ClusterProcess {
  let child: ChildProcess | null = null;
  let exited: Promise<string> = Promise.resolve('not started');
  let expectedExit = false;
  const output: string[] = [];
  const killOnExit = () => child?.kill('SIGKILL');

  const tail = () => output.join('\n');
  const isRunning = () => child !== null && child.exitCode === null && child.signalCode === null;

  const readiness = (exitedNow: Promise<string>): Readiness => ({
    until: async (probe, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      let exit: string | null = null;
      void exitedNow.then((how) => (exit = how));
      for (;;) {
        if (exit) throw new Error(`${spec.name} exited before it was ready (${exit}).\n${tail()}`);
        if (await probe().catch(() => false)) return;
        if (Date.now() > deadline) throw new Error(`${spec.name} was not ready within ${Math.round(timeoutMs / 1000)} s.\n${tail()}`);
        await sleep(200);
      }
    },
  });

  const self: ClusterProcess = {
    name: spec.name,
    kind: spec.kind,
    get pid() {
      return isRunning() ? child!.pid : undefined;
    },
    get running() {
      return isRunning();
    },
    tail,
    async start() {
      if (isRunning()) throw new Error(`${spec.name} is already running`);
      expectedExit = false;
      const c = spawn(spec.cmd, spec.args, { cwd: repoRoot, env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
      child = c;
      for (const stream of [c.stdout!, c.stderr!]) {
        createInterface({ input: stream }).on('line', (line) => {
          // The server's error lines carry whole stack traces; the start of each is what tells.
          output.push(line.length > 600 ? `${line.slice(0, 600)}…` : line);
          if (output.length > 40) output.shift();
          spec.onLine(spec.name, line);
        });
      }
      exited = new Promise<string>((resolve) => {
        c.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `exit code ${code}`));
        c.once('error', (err) => resolve(err.message));
      });
      void exited.then((how) => {
        process.off('exit', killOnExit);
        if (!expectedExit) spec.exits.push({ name: spec.name, how });
      });
      process.on('exit', killOnExit);
      try {
        await spec.ready(readiness(exited));
      } catch (err) {
        // Nothing else holds it yet: one that never became ready must not outlive the attempt.
        await self.kill();
        throw err;
      }
    },
    async kill() {
      if (!isRunning()) return;
      expectedExit = true;
      child!.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!isRunning()) return;
      expectedExit = true;
      child!.kill('SIGTERM');
      const late = sleep(15_000, 'late' as const, { ref: false });
      if ((await Promise.race([exited, late])) === 'late') {
        child!.kill('SIGKILL');
        await exited;
      }
    },
  };
  return self;
}

const MEMBERSHIP_PORT_RANGE = [20_000, 32_767] as const;

/** `n` distinct ports free right now: any the OS offers, or ones from `range` that can be bound. */
async function freePorts(n: number, range?: readonly [number, number]): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) {
    if (!range) {
      ports.add(await getFreePort());
      continue;
    }
    const candidate = range[0] + Math.floor(Math.random() * (range[1] - range[0] + 1));
    if (!ports.has(candidate) && (await canBind(candidate))) ports.add(candidate);
  }
  return [...ports];
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const secret = () => randomBytes(24).toString('base64url');

const silentLogger = { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} };
