import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { ensureTemporalCli, ensureTemporalTestServer } from './cli';
import { getFreePort, isPortOpen, startDevServer } from './dev-server';
import { searchAttributeFlags, searchAttributes } from './search-attributes';
import { createLocalTestEnv, createTimeSkippingTestEnv } from './test-server';

const exec = promisify(execFile);
const quiet = () => {};

describe('ensureTemporalCli', () => {
  test('returns a binary that reports its version', { timeout: 600_000 }, async () => {
    const bin = await ensureTemporalCli(quiet);
    const { stdout } = await exec(bin, ['--version']);
    assert.match(stdout, /temporal version \d+\.\d+\.\d+/);
  });

  test('an explicit TEMPORAL_CLI_PATH that does not exist is an error naming the variable', async () => {
    const saved = process.env.TEMPORAL_CLI_PATH;
    process.env.TEMPORAL_CLI_PATH = '/nonexistent/temporal';
    try {
      await assert.rejects(ensureTemporalCli(quiet), /TEMPORAL_CLI_PATH.*\/nonexistent\/temporal/);
    } finally {
      if (saved === undefined) delete process.env.TEMPORAL_CLI_PATH;
      else process.env.TEMPORAL_CLI_PATH = saved;
    }
  });
});

test('ensureTemporalTestServer returns a runnable test server', { timeout: 600_000 }, async () => {
  const bin = await ensureTemporalTestServer(quiet);
  const { stdout, stderr } = await exec(bin, []);
  assert.match(stdout + stderr, /usage/i);
});

test('searchAttributeFlags spells the CLI flags', () => {
  assert.deepEqual(searchAttributeFlags().slice(0, 2), ['--search-attribute', 'MerchantId=Keyword']);
  assert.deepEqual(
    searchAttributes.map((a) => `${a.name}=${a.type}`),
    ['MerchantId=Keyword', 'LeadStage=Keyword', 'LeadScore=Int', 'Channel=Keyword', 'NeedsHuman=Bool'],
  );
});

describe('startDevServer', () => {
  test('starts in memory with the search attributes, is reused on a second start, and stops', { timeout: 180_000 }, async () => {
    const port = await getFreePort();
    const server = await startDevServer({ port, dbFile: null, headless: true, namespace: 'autocloser-test' });
    try {
      assert.equal(server.reused, false);
      assert.equal(server.uiUrl, null);
      const connection = await Connection.connect({ address: server.address });
      try {
        await assertSearchAttributes(connection, 'autocloser-test');

        // A second start on the same port attaches and fills in a namespace the first one lacked.
        const again = await startDevServer({ port, headless: true, namespace: 'autocloser-other' });
        assert.equal(again.reused, true);
        await again.stop();
        assert.equal(await isPortOpen('127.0.0.1', port), true, 'stop() of a reused server must not stop it');
        await assertSearchAttributes(connection, 'autocloser-other');
      } finally {
        await connection.close();
      }
    } finally {
      await server.stop();
    }
    assert.equal(await isPortOpen('127.0.0.1', port), false);
    await assertCanListen(port);
  });

  test('with a database file it keeps workflows across a restart, in write-ahead-log mode', { timeout: 180_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'autocloser-devserver-'));
    const dbFile = path.join(dir, 'dev.sqlite');
    const port = await getFreePort();
    const startOnce = async (run: (client: Client) => Promise<void>) => {
      const server = await startDevServer({ port, dbFile, headless: true });
      const connection = await Connection.connect({ address: server.address });
      try {
        await run(new Client({ connection }));
      } finally {
        await connection.close();
        await server.stop();
      }
    };
    try {
      await startOnce(async (client) => {
        await client.workflow.start('kept', { workflowId: 'kept-across-restart', taskQueue: 'nobody-polls' });
        // While the database is open in WAL mode, SQLite keeps the log beside it.
        const files = await readdir(dir);
        assert.ok(files.some((f) => f.endsWith('-wal')), `a -wal file beside the database (found ${files.join(', ')})`);
      });
      await startOnce(async (client) => {
        const described = await client.workflow.getHandle('kept-across-restart').describe();
        assert.equal(described.status.name, 'RUNNING');
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('refuses a port held by something that is not Temporal', { timeout: 30_000 }, async () => {
    const other = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.end('not grpc\n');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const { port } = other.address() as net.AddressInfo;
    try {
      await assert.rejects(startDevServer({ port, dbFile: null, headless: true }), /not by a Temporal frontend/);
    } finally {
      other.close();
    }
  });
});

describe('test environments', () => {
  test('createLocalTestEnv runs the project CLI with the search attributes', { timeout: 120_000 }, async () => {
    const env = await createLocalTestEnv({ namespace: 'autocloser-env' });
    try {
      await assertSearchAttributes(env.connection, 'autocloser-env');
    } finally {
      await env.teardown();
    }
  });

  test('createTimeSkippingTestEnv runs the cached test server', { timeout: 120_000 }, async () => {
    const env = await createTimeSkippingTestEnv();
    try {
      assert.equal(env.supportsTimeSkipping, true);
    } finally {
      await env.teardown();
    }
  });
});

async function assertSearchAttributes(connection: Connection, namespace: string) {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  for (const { name } of searchAttributes) {
    assert.ok(customAttributes && name in customAttributes, `${name} missing in ${namespace}`);
  }
}

async function assertCanListen(port: number) {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(port, '127.0.0.1', resolve);
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}
