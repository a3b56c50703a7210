import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Stripe from 'stripe';
import { STRIPE_API_VERSION } from '../../integrations/payments/stripe';
import { cacheRoot, ensureBinary, errMessage, exe, run, type BinarySpec } from '../../tools/binaries';
import { spawnTool } from '../../tools/child-process';

/**
 * stripe-mock release built by `go install`. v0.203.0 is the newest on the module proxy; its bundled OpenAPI
 * spec (2026-08-26.dahlia) trails the SDK's API version slightly, which stripe-mock tolerates unless started
 * with -strict-version-check.
 */
export const STRIPE_MOCK_VERSION = 'v0.203.0';

type Log = (line: string) => void;
const defaultLog: Log = (line) => process.stderr.write(`[stripe-mock] ${line}\n`);

const stripeMockSpec: BinarySpec = {
  label: 'stripe-mock',
  binName: exe('stripe-mock'),
  envVar: 'STRIPE_MOCK_PATH',
  version: STRIPE_MOCK_VERSION,
  sources: [
    {
      kind: 'go',
      module: `github.com/stripe/stripe-mock@${STRIPE_MOCK_VERSION}`,
      ldflags: `-X main.version=${STRIPE_MOCK_VERSION}`,
      cacheDir: path.join(cacheRoot, 'stripe-mock', STRIPE_MOCK_VERSION),
    },
  ],
  async verify(bin) {
    const { stdout, stderr } = await run(bin, ['-version'], { timeoutMs: 30_000 });
    const line = (stdout + stderr).trim().split('\n')[0] ?? '';
    if (!line.startsWith('stripe-mock')) throw new Error(`unexpected -version output: ${line.slice(0, 200)}`);
    return line;
  },
};

/** Absolute path to a stripe-mock binary: $STRIPE_MOCK_PATH, then PATH, then the project cache, then `go install`. */
export function ensureStripeMock(log: Log = defaultLog): Promise<string> {
  return ensureBinary(stripeMockSpec, log);
}

export interface StripeMock {
  /** Base URL for the SDK, e.g. http://127.0.0.1:41234. */
  url: string;
  stop(): Promise<void>;
}

/** Starts stripe-mock over plain HTTP on a port the OS picks, and waits until it answers API calls. */
export async function startStripeMock(opts: { log?: Log; readyTimeoutMs?: number } = {}): Promise<StripeMock> {
  const log = opts.log ?? defaultLog;
  const bin = await ensureStripeMock(log);
  // Port 0 lets the OS choose, so parallel suites never race for a port; the chosen address is read from the
  // startup log. stripe-mock still opens HTTPS on 12112 when only -http-addr is given (only -http-port and
  // friends switch it off), so HTTPS goes to a throwaway unix socket instead of a shared TCP port.
  const socketDir = await mkdtemp(path.join(os.tmpdir(), 'stripe-mock-'));
  const args = ['-http-addr', '127.0.0.1:0', '-https-unix', path.join(socketDir, 'https.sock')];
  let resolveAddress: (address: string) => void = () => {};
  const address = new Promise<string>((resolve) => (resolveAddress = resolve));
  const proc = spawnTool(bin, args, (line) => {
    const match = /Listening for HTTP at address: (\S+)/.exec(line);
    if (match) resolveAddress(match[1]!);
  });
  const { exited } = proc;
  const stop = async () => {
    await proc.stop();
    await rm(socketDir, { recursive: true, force: true });
  };

  try {
    const url = await waitUntilReady(address, exited, opts.readyTimeoutMs ?? 30_000, proc.tail);
    return { url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitUntilReady(address: Promise<string>, exited: Promise<string>, timeoutMs: number, output: () => string): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let exit: string | null = null;
  void exited.then((e) => (exit = e));
  const fail = (why: string) => new Error(`stripe-mock ${why}.\n${output()}`);

  const timeout = sleep(timeoutMs, null, { ref: false });
  const listening = await Promise.race([address, exited.then(() => null), timeout]);
  if (!listening) throw fail(exit ? `exited before it listened (${exit})` : `did not listen within ${timeoutMs} ms`);
  const url = `http://${listening}`;

  let lastError: unknown = null;
  while (Date.now() < deadline) {
    if (exit) throw fail(`exited before it was ready (${exit})`);
    try {
      const res = await fetch(`${url}/v1/balance`, { headers: { authorization: 'Bearer sk_test_123' }, signal: AbortSignal.timeout(1_000) });
      if (res.ok) return url;
      lastError = new Error(`HTTP ${res.status}`);
    } catch (err) {
      lastError = err;
    }
    await sleep(50);
  }
  throw fail(`at ${url} was not ready within ${timeoutMs} ms (last error: ${errMessage(lastError)})`);
}




export interface StripeExchange {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  /** The form body the SDK sent. */
  body: URLSearchParams;
  status: number;
  responseHeaders: http.IncomingHttpHeaders;
  responseBody: string;
}

export interface StripeProxy {
  url: string;
  exchanges: StripeExchange[];
  /** Answer a request here instead of stripe-mock (return undefined to pass it through). */
  stub: ((method: string, url: URL) => unknown) | null;
  /** Change stripe-mock's answer before the SDK sees it (stripe-mock keeps no state; tests play the ledger). */
  rewrite: ((exchange: StripeExchange) => string) | null;
  close(): Promise<void>;
}

/** A pass-through in front of stripe-mock that keeps what went over the wire, so tests can assert on it. */
export async function startStripeProxy(target: string): Promise<StripeProxy> {
  const proxy: StripeProxy = { url: '', exchanges: [], stub: null, rewrite: null, close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', target);
      const exchange = (status: number, responseHeaders: http.IncomingHttpHeaders, responseBody: string): StripeExchange => ({
        method: req.method ?? '',
        url,
        headers: req.headers,
        body: new URLSearchParams(raw.toString('utf8')),
        status,
        responseHeaders,
        responseBody,
      });
      const stubbed = proxy.stub?.(req.method ?? '', url);
      if (stubbed !== undefined) {
        const body = JSON.stringify(stubbed);
        const headers = { 'content-type': 'application/json', 'request-id': 'req_stub' };
        proxy.exchanges.push(exchange(200, headers, body));
        res.writeHead(200, headers).end(body);
        return;
      }
      const upstream = http.request(url, { method: req.method, headers: req.headers }, (up) => {
        const out: Buffer[] = [];
        up.on('data', (c: Buffer) => out.push(c));
        up.on('end', () => {
          const seen = exchange(up.statusCode ?? 0, up.headers, Buffer.concat(out).toString('utf8'));
          const body = proxy.rewrite ? proxy.rewrite(seen) : seen.responseBody;
          proxy.exchanges.push({ ...seen, responseBody: body });
          const { 'transfer-encoding': _chunked, 'content-length': _length, ...headers } = up.headers;
          res.writeHead(up.statusCode ?? 502, { ...headers, 'content-length': String(Buffer.byteLength(body)) }).end(body);
        });
      });
      upstream.on('error', (err) => res.writeHead(502).end(err.message));
      upstream.end(raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return proxy;
}

export interface StripeMockSuite {
  /** The recording proxy the SDK talks to (its `url` is the SDK's `apiBaseUrl`). */
  readonly proxy: StripeProxy;
  /** The last exchange with this method and path, or undefined if the SDK never made it. */
  last: (method: string, path: string) => StripeExchange | undefined;
}

/**
 * stripe-mock and the recording proxy in front of it for the enclosing suite: started before its tests, stopped
 * after them. `onReady` gets the proxy's URL, the `apiBaseUrl` for the client under test.
 */
export function stripeMockForSuite(onReady: (apiBaseUrl: string) => void = () => {}): StripeMockSuite {
  let mock: StripeMock | undefined;
  let proxy: StripeProxy | undefined;
  before(async () => {
    mock = await startStripeMock();
    proxy = await startStripeProxy(mock.url);
    onReady(proxy.url);
  });
  after(async () => {
    await proxy?.close();
    await mock?.stop();
  });
  const running = (): StripeProxy => {
    if (!proxy) throw new Error('stripe-mock is not running: read it from a hook or test of the suite');
    return proxy;
  };
  return {
    get proxy() {
      return running();
    },
    last: (method, path) => running().exchanges.findLast((e) => e.method === method && e.url.pathname === path),
  };
}

/** Signs test webhooks with Stripe's own code; it never makes a request. */
const webhookSigner = new Stripe('sk_test_signer', { apiVersion: STRIPE_API_VERSION });

/** A webhook delivery as Stripe makes it: the raw body and its `Stripe-Signature` header. */
export function signStripeWebhook(payload: string, secret: string, timestamp?: number): { raw: Buffer; header: string } {
  return { raw: Buffer.from(payload, 'utf8'), header: webhookSigner.webhooks.generateTestHeaderString({ payload, secret, timestamp }) };
}

/** An event envelope as Stripe delivers it to a webhook endpoint. */
export function stripeEvent(type: string, object: Record<string, unknown>, id = `evt_${type.replaceAll('.', '_')}`, created = Math.floor(Date.now() / 1000)): string {
  return JSON.stringify({
    id,
    object: 'event',
    api_version: STRIPE_API_VERSION,
    created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  });
}

/** Asserts the form fields the SDK sent, all at once so a failure shows every field that differs. */
export function assertFormFields(body: URLSearchParams, expected: Record<string, string>): void {
  assert.deepEqual(Object.fromEntries(Object.keys(expected).map((name) => [name, body.get(name)])), expected);
}
