/**
 * One customer message is one trace: the API and the worker run as they do in
 * production (api/main.ts and worker/main.ts as child processes), configured
 * only by the standard OTEL_* variables, and export OTLP/HTTP protobuf to a
 * local collector. The trace of a web-chat turn holds the API's request span,
 * the signalWithStart, the workflow's run and signal handling, the activities
 * and their SQL and provider calls, all under one trace id, and the log line
 * written meanwhile names it; the next message starts a trace of its own.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { repoRoot } from '../config/env';
import { demoCatalog, demoPlaybook } from '../db/demo-data';
import { createDb, type Db } from '../db/knex';
import { upsertProducts } from '../db/queries/catalog';
import { upsertMerchant } from '../db/queries/merchants';
import { getFreePort } from '../temporal/dev-server';
import { SpanKind, startOtlpPeer, type ReceivedSpan, type RunningOtlpPeer } from './peers/otlp-peer';
import { startSentryPeer, type RunningSentryPeer } from './peers/sentry-peer';
import { openAiError, startOpenAiPeer, type OpenAiPeer } from './peers/openai-peer';
import { eventually, getTranscript, postMessage, replies, sessionId } from './support/chat';
import { requireEnv } from './support/stack';

interface Run {
  child: ChildProcess;
  lines: string[];
}

function start(script: string, env: NodeJS.ProcessEnv): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on('line', (line) => lines.push(line));
  return { child, lines };
}

async function waitForLine(run: Run, msg: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!run.lines.some((l) => l.includes(`"msg":"${msg}"`))) {
    if (run.child.exitCode !== null) throw new Error(`exited (${run.child.exitCode}) before "${msg}":\n${run.lines.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`no "${msg}" within ${timeoutMs} ms:\n${run.lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(run: Run | undefined): Promise<void> {
  if (!run || run.child.exitCode !== null) return;
  const exited = new Promise((resolve) => run.child.once('exit', resolve));
  run.child.kill('SIGTERM');
  const timer = setTimeout(() => run.child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

const describeSpans = (spans: ReceivedSpan[]) => spans.map((s) => `${s.service} ${s.scope} ${s.name} ${s.spanId}<-${s.parentSpanId || 'root'}`).join('\n');

describe('tracing: a web-chat turn is one trace from the request to the SQL', () => {
  let peer: RunningOtlpPeer;
  let sentry: RunningSentryPeer;
  let openai: OpenAiPeer;
  let db: Db;
  let api: Run | undefined;
  let worker: Run | undefined;
  let apiUrl: string;
  let merchant: string;

  before(async () => {
    peer = await startOtlpPeer();
    // Error tracking on too, as in production: Sentry then shares the tracing SDK instead of setting up its own.
    sentry = await startSentryPeer();
    // The agent asks a provider first (an outgoing call in the trace), which refuses; the playbook answers.
    openai = await startOpenAiPeer({ apiKey: 'sk-test-tracing' });
    const databaseUrl = requireEnv('TEST_DATABASE_URL');
    db = createDb(databaseUrl, { max: 2 });
    merchant = `m-${randomUUID().slice(0, 8)}`;
    await upsertMerchant(db, { id: merchant, name: `Traced ${merchant}` }, demoPlaybook);
    await upsertProducts(db, merchant, demoCatalog);
    const port = await getFreePort();
    apiUrl = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: requireEnv('TEST_TEMPORAL_ADDRESS'),
      TEMPORAL_TASK_QUEUE: `traced-${randomUUID()}`,
      PORT: String(port),
      PUBLIC_BASE_URL: apiUrl,
      OTEL_EXPORTER_OTLP_ENDPOINT: peer.endpoint,
      // Export within a moment instead of every 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '200',
    };
    for (const key of Object.keys(env)) if (key.startsWith('OTEL_') && !(key in { OTEL_EXPORTER_OTLP_ENDPOINT: 1, OTEL_BSP_SCHEDULE_DELAY: 1 })) delete env[key];
    env.SENTRY_DSN = sentry.dsn;
    Object.assign(env, { LLM_PROVIDERS: 'openai,playbook', OPENAI_API_KEY: 'sk-test-tracing', OPENAI_BASE_URL: openai.baseURL });
    worker = start('worker/main.ts', env);
    api = start('api/main.ts', env);
    await Promise.all([waitForLine(worker, 'worker ready'), waitForLine(api, 'api listening')]);
    for (const run of [api, worker]) await waitForLine(run, 'tracing on (OTLP); error tracking on (Sentry)');
  });

  after(async () => {
    await Promise.all([stop(api), stop(worker)]);
    await db?.destroy();
    await peer?.close();
    await sentry?.close();
    await openai?.close();
  });

  test('the request, signalWithStart, workflow, activities, SQL and provider call share one trace id, as does the log line; the next message is the next trace', async () => {
    openai.enqueue(openAiError(400, 'Unsupported value', 'invalid_request_error'), openAiError(400, 'Unsupported value', 'invalid_request_error'));
    const session = sessionId();
    const res = await postMessage(apiUrl, merchant, { sessionId: session, text: 'Hi, how much are the sneakers?' });
    assert.equal(res.status, 202, `${await res.text()}\n${api!.lines.filter((l) => l.includes('"level":50')).join('\n')}`);
    await eventually(() => getTranscript(apiUrl, merchant, session), (m) => replies(m).length > 0, 'a reply');

    const request = await eventually(
      async () => peer.spans.find((s) => s.kind === SpanKind.SERVER && s.service === 'autocloser-api' && String(s.attributes['http.target']).endsWith(`/${merchant}/messages`)),
      (s) => s !== undefined,
      'the API request span',
    );
    const traceId = request!.traceId;
    const inTrace = () => peer.spans.filter((s) => s.traceId === traceId);
    const expected: [string, (s: ReceivedSpan) => boolean][] = [
      ['signalWithStart (api)', (s) => s.service === 'autocloser-api' && s.name.startsWith('SignalWithStartWorkflow:')],
      ['RunWorkflow (worker)', (s) => s.service === 'autocloser-worker' && s.name.startsWith('RunWorkflow:')],
      ['HandleSignal (worker)', (s) => s.service === 'autocloser-worker' && s.name.startsWith('HandleSignal:')],
      ['decide scheduled', (s) => s.name === 'StartActivity:decide'],
      ['decide ran', (s) => s.name === 'RunActivity:decide'],
      ['the reply sent', (s) => s.name === 'RunActivity:replyOnWebchat'],
      ['SQL from an activity', (s) => s.service === 'autocloser-worker' && s.scope.includes('instrumentation-pg')],
      ['the call to the LLM provider', (s) => s.kind === SpanKind.CLIENT && String(s.attributes['url.full']).startsWith(openai.baseURL)],
    ];
    // One tree: every span but the request's has its parent in the trace. Processes export in batches,
    // so a parent may arrive after its child: wait for the tree to close, then say what is missing.
    const orphansOf = (spans: ReceivedSpan[]) => {
      const ids = new Set(spans.map((s) => s.spanId));
      return spans.filter((s) => s !== request && !ids.has(s.parentSpanId));
    };
    const spans = await eventually(
      async () => inTrace(),
      (spans) => expected.every(([, match]) => spans.some(match)) && orphansOf(spans).length === 0,
      'every part of the turn in the trace, each with its parent',
      20_000,
    ).catch(() => inTrace());
    const missing = expected.filter(([, match]) => !spans.some(match)).map(([what]) => what);
    assert.deepEqual(missing, [], `parts of the turn missing from the trace:\n${describeSpans(spans)}`);
    const orphans = orphansOf(spans);
    assert.deepEqual(orphans.map((s) => s.name), [], `spans whose parent is missing:\n${describeSpans(spans)}`);
    assert.equal(request!.name, 'POST /api/webchat/:merchant/messages', 'the server span is named after the route, not the path');
    // What was said never becomes a span attribute.
    assert.doesNotMatch(JSON.stringify(spans), /sneakers/);
    assert.deepEqual(peer.contentTypes.filter((t) => t !== 'application/x-protobuf'), [], 'the default OTLP encoding is protobuf');
    // The failover's warning, written inside the decide activity, names the trace.
    const logged = worker!.lines.filter((l) => l.includes('llm provider failed') && l.includes(`"trace_id":"${traceId}"`));
    assert.equal(logged.length, 1, `the failover warning with the trace id; the worker logged:\n${worker!.lines.slice(-20).join('\n')}`);

    // The next message is a trace of its own, though the workflow's run began with the first one.
    const before = (await getTranscript(apiUrl, merchant, session)).length;
    const again = await postMessage(apiUrl, merchant, { sessionId: session, text: 'Do you have them in blue?' });
    assert.equal(again.status, 202, await again.text());
    await eventually(() => getTranscript(apiUrl, merchant, session), (m) => m.length >= before + 2, 'a second reply');
    const second = await eventually(
      async () => peer.spans.find((s) => s !== request && s.kind === SpanKind.SERVER && String(s.attributes['http.target']).endsWith(`/${merchant}/messages`)),
      (s) => s !== undefined,
      'the second request span',
    );
    assert.notEqual(second!.traceId, traceId);
    const secondTrace = () => peer.spans.filter((s) => s.traceId === second!.traceId);
    await eventually(
      async () => secondTrace(),
      (spans) => ['HandleSignal:inbound', 'RunActivity:decide', 'RunActivity:replyOnWebchat'].every((name) => spans.some((s) => s.name === name)),
      'the second turn in its own trace',
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n--- spans of the second trace:\n${describeSpans(secondTrace())}`);
    });
  });
});
