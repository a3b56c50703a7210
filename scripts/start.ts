/**
 * `npm start`: the whole product on one machine with embedded defaults:
 * Postgres, the Temporal dev server and UI, a worker and the API with the
 * demo chat. Ctrl-C stops everything in reverse order.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { prettyFactory } from 'pino-pretty';
import { ConfigError, devSecret, llmProviderChain, loadEnv, repoRoot } from '../config/env';
import { newMasterKey } from '../config/secrets';
import { newPayloadKey } from '../temporal/payload-codec';
import { createDb } from '../db/knex';
import { DEMO_OWNER_EMAIL, ensureDemoOwner, seedDemoConversations } from './demo-conversations';
import { prepareDatabase } from '../db/setup';
import { startDevServer } from '../temporal/dev-server';
import { pushSendersFromEnv } from '../integrations/push/from-env';
import { generateVapidKeys } from '../integrations/push/web-push';
import { startMailpit, type RunningMailpit } from '../tools/mailpit';

const pretty = prettyFactory({ colorize: process.stdout.isTTY, ignore: 'pid,hostname,service', translateTime: 'HH:MM:ss' });
const say = (line: string) => process.stdout.write(`${line}\n`);

type DevSecrets = { ADMIN_TOKEN: string; DEMO_PAYMENT_SECRET: string; CREDENTIALS_KEY: string; JWT_SECRET: string; PAYLOAD_KEYS: string };
type SavedSecrets = DevSecrets & { DEMO_PASSWORD: string; VAPID_PUBLIC_KEY: string; VAPID_PRIVATE_KEY: string };
/** Dev secrets survive restarts so an admin token, a signed demo link or sealed credentials keep working. */
async function devSecrets(dataDir: string): Promise<SavedSecrets> {
  const file = path.join(dataDir, 'dev-secrets.json');
  const saved: Partial<SavedSecrets> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const secrets: SavedSecrets = {
    ADMIN_TOKEN: saved.ADMIN_TOKEN ?? devSecret(),
    DEMO_PASSWORD: saved.DEMO_PASSWORD ?? devSecret().slice(0, 16),
    DEMO_PAYMENT_SECRET: saved.DEMO_PAYMENT_SECRET ?? devSecret(),
    CREDENTIALS_KEY: saved.CREDENTIALS_KEY ?? newMasterKey(),
    JWT_SECRET: saved.JWT_SECRET ?? devSecret(),
    // Development encrypts Temporal payloads too, so the UI and CLI are used as they are in production (through /codec).
    PAYLOAD_KEYS: saved.PAYLOAD_KEYS ?? `dev:${newPayloadKey()}`,
    // Kept like the rest: a browser's push subscription is bound to the key it subscribed with.
    ...(saved.VAPID_PUBLIC_KEY && saved.VAPID_PRIVATE_KEY ? { VAPID_PUBLIC_KEY: saved.VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: saved.VAPID_PRIVATE_KEY } : newVapidKeys()),
  };
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, JSON.stringify(secrets), { mode: 0o600 });
  return secrets;
}

function newVapidKeys(): { VAPID_PUBLIC_KEY: string; VAPID_PRIVATE_KEY: string } {
  const keys = generateVapidKeys();
  return { VAPID_PUBLIC_KEY: keys.publicKey, VAPID_PRIVATE_KEY: keys.privateKey };
}

function isLocal(address: string): boolean {
  return /^(localhost|127\.0\.0\.1|\[::1\]):\d+$/.test(address);
}

/** Runs a service with readable logs; `ready` resolves when it logs `readyMessage`. */
function run(name: string, script: string, env: NodeJS.ProcessEnv, readyMessage: string): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let markReady = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    child.once('exit', (code) => reject(new Error(`${name} exited with code ${code} before it was ready`)));
  });
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      let entry: { msg?: string };
      try {
        entry = JSON.parse(line);
      } catch {
        say(`[${name}] ${line}`);
        return;
      }
      process.stdout.write(pretty(entry));
      if (entry.msg === readyMessage) markReady();
    });
  }
  ready.catch(() => {});
  return { child, ready };
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url} did not come up: its process exited with code ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(300);
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000}s`);
}

async function main(): Promise<void> {
  const dotenv = path.join(repoRoot, '.env');
  if (existsSync(dotenv)) process.loadEnvFile(dotenv);
  const env = loadEnv();
  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('\nStopping…');
    for (const stop of stops.reverse()) await stop().catch((err) => say(`  ${String(err)}`));
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    say('AutoCloser is starting…');
    // Development mail goes to a local Mailpit unless SMTP_URL says otherwise; it starts (or is built, the
    // first time) while the database comes up. Without it email is off, which never stops the product.
    const localMail = !env.SMTP_URL && env.NODE_ENV !== 'production';
    const mailpitStarting: Promise<RunningMailpit | Error> | null = localMail
      ? mkdir(env.DATA_DIR, { recursive: true })
          .then(() => startMailpit({ smtpPort: env.MAILPIT_SMTP_PORT, uiPort: env.MAILPIT_UI_PORT, dataFile: path.join(env.DATA_DIR, 'mailpit.db'), log: (m) => say(`  mailpit: ${m}`) }))
          .catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))))
      : null;
    const db = await prepareDatabase(env, say);
    stops.push(db.stop);
    say(db.embedded ? `  database: embedded Postgres (${path.join(env.DATA_DIR, 'postgres')})` : '  database: DATABASE_URL');

    let temporalUi = env.TEMPORAL_UI_URL;
    let localUi = false;
    if (isLocal(env.TEMPORAL_ADDRESS)) {
      const port = Number(env.TEMPORAL_ADDRESS.split(':').at(-1));
      // The UI decodes encrypted payloads through the API's codec endpoint (the browser calls it).
      const uiCodecEndpoint = `${env.PUBLIC_BASE_URL.replace(/\/$/, '')}/codec`;
      const temporal = await startDevServer({ port, uiPort: env.TEMPORAL_UI_PORT, namespace: env.TEMPORAL_NAMESPACE, log: say, uiCodecEndpoint });
      stops.push(temporal.stop);
      temporalUi = temporal.uiUrl ?? temporalUi;
      localUi = !temporal.reused && temporal.uiUrl !== null;
      say(`  temporal: ${temporal.reused ? 'existing server' : 'dev server'} at ${temporal.address}`);
      if (temporal.reused) say(`  temporal: the running server's UI may not know the codec endpoint; start it with --ui-codec-endpoint ${uiCodecEndpoint}`);
    } else {
      say(`  temporal: cluster at ${env.TEMPORAL_ADDRESS}`);
    }

    const dev = await devSecrets(env.DATA_DIR);
    const secrets: DevSecrets = {
      ADMIN_TOKEN: env.ADMIN_TOKEN ?? dev.ADMIN_TOKEN,
      DEMO_PAYMENT_SECRET: env.DEMO_PAYMENT_SECRET ?? dev.DEMO_PAYMENT_SECRET,
      CREDENTIALS_KEY: env.CREDENTIALS_KEY ?? dev.CREDENTIALS_KEY,
      JWT_SECRET: env.JWT_SECRET ?? dev.JWT_SECRET,
      PAYLOAD_KEYS: env.PAYLOAD_KEYS ?? dev.PAYLOAD_KEYS,
    };
    const seeding = createDb(db.url, { max: 2 });
    stops.push(() => seeding.destroy());
    await ensureDemoOwner(seeding, dev.DEMO_PASSWORD);
    const started = await mailpitStarting;
    const mailpit = started instanceof Error ? null : started;
    if (mailpit) stops.push(mailpit.stop);
    let mail: string;
    if (mailpit) {
      mail = mailpit.webUi
        ? `${mailpit.uiUrl}  (Mailpit: every email sent in development lands here)`
        : `${mailpit.apiUrl}/messages  (Mailpit without its web UI, which did not build: see tools/README.md)`;
    } else if (started instanceof Error) {
      mail = `off: Mailpit did not start (${started.message.split('\n')[0]})`;
    } else {
      mail = env.SMTP_URL ? `SMTP server ${new URL(env.SMTP_URL).host}` : 'off (set SMTP_URL to send password resets, verification and invitations)';
    }
    say(`  email: ${mail}`);
    const childEnv: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, ...secrets, ...(mailpit ? { SMTP_URL: mailpit.smtpUrl } : {}) };
    // The dev server's UI cannot send a token to /codec: the API trusts it from this machine (development only).
    if (localUi && env.NODE_ENV !== 'production') {
      const ui = new URL(temporalUi);
      const origins = [ui.origin, `${ui.protocol}//localhost:${ui.port}`, `${ui.protocol}//127.0.0.1:${ui.port}`];
      Object.assign(childEnv, { CODEC_TRUST_LOCAL_UI: 'true', CODEC_CORS_ORIGINS: env.CODEC_CORS_ORIGINS?.join(',') ?? [...new Set(origins)].join(',') });
    }
    // Web Push in browsers works locally with no setup: the dev key pair, unless the environment sets its own.
    if (env.NODE_ENV !== 'production' && !env.VAPID_PUBLIC_KEY && !env.VAPID_PRIVATE_KEY && !env.VAPID_SUBJECT) {
      Object.assign(childEnv, { VAPID_PUBLIC_KEY: dev.VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: dev.VAPID_PRIVATE_KEY, VAPID_SUBJECT: `mailto:${DEMO_OWNER_EMAIL}` });
    }
    const push = pushSendersFromEnv(childEnv as NodeJS.ProcessEnv);
    await push.close();
    const worker = run('worker', 'worker/main.ts', childEnv, 'worker ready');
    const api = run('api', 'api/main.ts', childEnv, 'api listening');
    for (const [name, { child }] of [['worker', worker], ['api', api]] as const) {
      stops.push(async () => {
        if (child.exitCode !== null) return;
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      });
      child.once('exit', (code) => {
        if (!stopping) {
          say(`${name} exited (${code}); stopping`);
          void stopAll(1);
        }
      });
    }
    await Promise.all([worker.ready, api.ready]);
    await waitForHttp(`http://127.0.0.1:${env.PORT}/readyz`, api.child, 30_000);

    await seedDemoConversations(seeding, `http://127.0.0.1:${env.PORT}`, say).catch((err) => say(`  demo data: not seeded (${String(err)})`));
    if (process.argv.includes('--dev')) {
      const vite = spawn(process.execPath, [path.join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'), '--config', path.join(repoRoot, 'dashboard', 'vite.config.ts')], { cwd: repoRoot, stdio: 'inherit', env: childEnv });
      stops.push(async () => void vite.kill('SIGTERM'));
    }

    const agents = llmProviderChain(env);
    say(
      [
        '',
        'AutoCloser is up.',
        `  Demo chat     ${env.PUBLIC_BASE_URL}/`,
        `  Temporal UI   ${temporalUi}  (payloads are encrypted; the UI decodes them through ${env.PUBLIC_BASE_URL}/codec, see docs/operations.md)`,
        `  Dashboard     ${env.PUBLIC_BASE_URL}/app/${process.argv.includes('--dev') ? '  (hot reload: http://localhost:5173/app/)' : ''}`,
        `                sign in as ${DEMO_OWNER_EMAIL} with password ${dev.DEMO_PASSWORD}`,
        `  Phone app     ${env.PUBLIC_BASE_URL}/m/  (same sign-in; on a phone use this machine's address instead of localhost)`,
        `  Mail          ${mail}`,
        `  Push          ${push.summary.replace(/^push: /, '')}${push.senders.android && push.senders.ios ? '' : '  (phones: see mobile/README.md)'}`,
        `  API           ${env.PUBLIC_BASE_URL}/api/v1/openapi.json  (merchant API; operator API: Bearer ${secrets.ADMIN_TOKEN} on /api/platform)`,
        `  Agent         ${agents.join(' → ')}${agents.includes('playbook') && agents.length === 1 ? ' (offline; set OPENAI_API_KEY or ANTHROPIC_API_KEY for an LLM)' : ''}`,
        '  Channels      web chat (WhatsApp: see README)',
        '  Payments      demo checkout (no card is charged)',
        '',
        'Ctrl-C stops everything.',
      ].join('\n'),
    );
  } catch (err) {
    say(err instanceof ConfigError ? err.message : `Start-up failed: ${err instanceof Error ? err.stack : String(err)}`);
    await stopAll(1);
  }
}

void main();
