/**
 * docker-compose.yml, validated and rendered by the Compose CLI itself (no
 * Docker engine needed), then checked for what the deployment relies on: the
 * one-shots everything waits for, health checks, scalable app services, the
 * optional profiles, and secrets that must come from the operator's .env.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot } from '../config/env';
import { ensureCompose } from '../tools/compose';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  profiles?: string[];
  ports?: { target: number; published?: string; host_ip?: string }[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  environment?: Record<string, string | null>;
  restart?: string;
  volumes?: { type: string; source: string; target: string }[];
}
interface Project {
  services: Record<string, Service>;
}

const required = {
  POSTGRES_PASSWORD: 'compose-test-postgres-password',
  JWT_SECRET: 'compose-test-jwt-secret-0123456789abcdef',
  ADMIN_TOKEN: 'compose-test-admin-token',
  DEMO_PAYMENT_SECRET: 'compose-test-demo-payment-secret',
  CREDENTIALS_KEY: Buffer.alloc(32, 7).toString('base64'),
};
// Recommended, not required: an installation from before them starts as it did (and warns).
const secrets = { ...required, PAYLOAD_KEYS: `k1:${Buffer.alloc(32, 8).toString('base64')}`, CODEC_AUTH_TOKEN: 'compose-test-codec-token' };

describe('docker-compose.yml', { timeout: 30 * 60_000 }, () => {
  let compose: string;
  let dir: string;
  let envFile: string;

  /** Runs the CLI on the repository's file with the given interpolation variables (never the repository's own .env). */
  function run(args: string[], vars: Record<string, string> = secrets): Promise<{ code: number; stdout: string; stderr: string }> {
    return writeFile(envFile, Object.entries(vars).map(([k, v]) => `${k}=${v}\n`).join('')).then(
      () =>
        new Promise((resolve) => {
          // Only what the CLI needs from the environment: a variable set in the shell would hide a missing one.
          const env = { PATH: process.env.PATH ?? '', HOME: dir, DOCKER_CONFIG: dir };
          execFile(compose, ['--project-directory', repoRoot, '-f', path.join(repoRoot, 'docker-compose.yml'), '--env-file', envFile, ...args], { env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
            resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
          );
        }),
    );
  }

  async function render(profiles: string[] = []): Promise<Project> {
    const res = await run([...profiles.flatMap((p) => ['--profile', p]), 'config', '--format', 'json']);
    assert.equal(res.code, 0, res.stderr);
    return JSON.parse(res.stdout) as Project;
  }

  before(async () => {
    compose = await ensureCompose();
    dir = await mkdtemp(path.join(os.tmpdir(), 'autocloser-compose-'));
    envFile = path.join(dir, 'compose.env');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('is valid (docker compose config --quiet), with and without the optional profiles', async () => {
    for (const profiles of [[], ['media'], ['monitoring'], ['media', 'monitoring']]) {
      const res = await run([...profiles.flatMap((p) => ['--profile', p]), 'config', '--quiet']);
      assert.equal(res.code, 0, `profiles ${profiles.join(',') || '(none)'}: ${res.stderr}`);
    }
  });

  test('refuses to render without each secret, naming it', async () => {
    for (const name of Object.keys(required)) {
      const { [name as keyof typeof secrets]: _missing, ...rest } = secrets;
      const res = await run(['config', '--quiet'], rest);
      assert.notEqual(res.code, 0, `${name} missing`);
      assert.match(res.stderr, new RegExp(`${name}`));
    }
  });

  test('runs the stack the issue describes, the optional parts behind profiles', async () => {
    const base = await render();
    assert.deepEqual(Object.keys(base.services).sort(), ['api', 'mailpit', 'migrate', 'postgres', 'proxy', 'temporal', 'temporal-schema', 'temporal-ui', 'worker']);
    const all = await render(['media', 'monitoring']);
    for (const [name, profile] of [
      ['minio', 'media'],
      ['minio-bucket', 'media'],
      ['prometheus', 'monitoring'],
      ['grafana', 'monitoring'],
    ] as const) {
      assert.deepEqual(all.services[name]?.profiles, [profile], name);
    }
    // Official Temporal images, the schema set up by admin-tools rather than the deprecated auto-setup image.
    const server = /^temporalio\/server:(\d+\.\d+\.\d+)$/.exec(all.services.temporal!.image!)?.[1];
    assert.ok(server, all.services.temporal!.image);
    // The schema tool must be the server's own version, or it sets up a schema the server does not expect.
    assert.match(all.services['temporal-schema']!.image!, new RegExp(`^temporalio/admin-tools:${server.replaceAll('.', '\\.')}(-|$)`));
    assert.match(all.services['temporal-ui']!.image!, /^temporalio\/ui:/);
    // The UI decrypts history through the API's codec endpoint, with the support staff's token.
    assert.equal(all.services['temporal-ui']!.environment?.TEMPORAL_CODEC_ENDPOINT, `http://localhost/codec/k/${secrets.CODEC_AUTH_TOKEN}`);
    for (const svc of Object.values(all.services)) assert.doesNotMatch(svc.image ?? '', /auto-setup|:latest$/);
  });

  test('every long-running service has a health check; one-shots are gated by completion instead', async () => {
    const { services } = await render(['media', 'monitoring']);
    const oneShots = Object.entries(services)
      .filter(([, s]) => s.restart === 'no')
      .map(([name]) => name)
      .sort();
    assert.deepEqual(oneShots, ['migrate', 'minio-bucket', 'temporal-schema']);
    for (const [name, svc] of Object.entries(services)) {
      if (oneShots.includes(name)) continue;
      assert.ok(svc.healthcheck?.test?.length && !svc.healthcheck.disable, `${name} has a health check`);
    }
    // Whatever waits on a long-running service waits for it to be healthy, on a one-shot for it to finish.
    for (const [name, svc] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(svc.depends_on ?? {})) {
        assert.equal(condition, oneShots.includes(dep) ? 'service_completed_successfully' : 'service_healthy', `${name} → ${dep}`);
      }
    }
  });

  test('migrate runs first from the app image; api and worker wait for it and can scale', async () => {
    const { services } = await render();
    const migrate = services.migrate!;
    assert.deepEqual(migrate.command, ['migrate']);
    assert.ok(migrate.depends_on?.postgres && migrate.depends_on.temporal);
    for (const name of ['api', 'worker']) {
      const svc = services[name]!;
      assert.equal(svc.image, migrate.image, `${name} runs the same image`);
      assert.equal(svc.build?.dockerfile, 'Dockerfile');
      assert.deepEqual(svc.command, [name]);
      assert.equal(svc.depends_on?.migrate?.condition, 'service_completed_successfully');
      // A fixed host port or container name would make a second replica fail to start.
      assert.equal(svc.ports, undefined, `${name} publishes no port`);
      assert.equal((svc as { container_name?: string }).container_name, undefined);
      assert.equal(svc.environment?.NODE_ENV, 'production');
      assert.equal(svc.environment?.TEMPORAL_ADDRESS, 'temporal:7233');
      for (const [key, value] of Object.entries(secrets)) {
        if (key === 'POSTGRES_PASSWORD') assert.ok(svc.environment?.DATABASE_URL?.includes(value));
        else assert.equal(svc.environment?.[key], value, `${name} gets ${key} from .env`);
      }
    }
    assert.ok(services.worker!.environment?.WORKER_HEALTH_PORT, 'the worker health endpoint is on');
    assert.match(services.worker!.healthcheck!.test!.join(' '), new RegExp(`:${services.worker!.environment!.WORKER_HEALTH_PORT}/`));
  });

  test('only the proxy is public; consoles bind to loopback', async () => {
    const { services } = await render(['media', 'monitoring']);
    for (const [name, svc] of Object.entries(services)) {
      for (const port of svc.ports ?? []) {
        if (name === 'proxy') continue;
        assert.equal(port.host_ip, '127.0.0.1', `${name}:${port.target} is bound to loopback`);
      }
    }
    assert.deepEqual((services.proxy!.ports ?? []).map((p) => p.target).sort(), [443, 80]);
  });

  test('every file the stack mounts from the repository exists', async () => {
    const { services } = await render(['media', 'monitoring']);
    const binds = Object.values(services).flatMap((s) => (s.volumes ?? []).filter((v) => v.type === 'bind'));
    assert.ok(binds.length >= 4);
    for (const bind of binds) assert.ok(existsSync(bind.source), `${bind.source} exists`);
  });
});
