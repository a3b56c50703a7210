import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { leadWorkflowId } from '../workflows/contract';
import { postMessage, sessionId } from './support/chat';
import { suiteStack } from './support/stack';

interface Frame {
  type: string;
  conversationId?: string;
  message?: { from: string; text: string; confidence: number | null };
  conversation?: { stage: string; needsHuman: boolean };
}

/** A dashboard's socket: collects frames and lets a test wait for one. */
async function openLive(apiUrl: string, token: string) {
  const ws = new WebSocket(`${apiUrl.replace('http', 'ws')}/api/v1/live`);
  const frames: Frame[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    frames.push(JSON.parse(String(data)) as Frame);
    waiters.splice(0).forEach((w) => w());
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send(JSON.stringify({ type: 'auth', token }));
  const until = async (match: (f: Frame) => boolean, what: string, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = frames.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${what} frame; got ${JSON.stringify(frames.map((f) => f.type))}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 250);
      });
    }
  };
  return { ws, frames, until, closed };
}

describe("live updates reach the merchant's own dashboards only", () => {
  const stack = suiteStack();

  test('a customer message, the bot reply and the stage change are pushed; another merchant hears nothing', async () => {
    const merchant = await stack.createMerchant();
    const other = await stack.createMerchant();
    const mine = await openLive(stack.apiUrl, (await stack.member(merchant, 'viewer')).token);
    const theirs = await openLive(stack.apiUrl, (await stack.member(other, 'owner')).token);
    await mine.until((f) => f.type === 'ready', 'ready');
    await theirs.until((f) => f.type === 'ready', 'ready');

    const s = sessionId();
    const id = leadWorkflowId(merchant, 'webchat', s);
    assert.equal((await postMessage(stack.apiUrl, merchant, { sessionId: s, text: 'Hi! How much is the 2-person tent?' })).status, 202);
    const inbound = await mine.until((f) => f.type === 'message' && f.message?.from === 'customer', 'customer message');
    assert.equal(inbound.conversationId, id);
    const reply = await mine.until((f) => f.type === 'message' && f.message?.from === 'bot', 'bot reply');
    assert.equal(typeof reply.message!.confidence, 'number', 'the agent confidence is shown with each reply');
    const changed = await mine.until((f) => f.type === 'conversation' && f.conversation?.stage !== 'new', 'stage change');
    assert.equal(changed.conversationId, id);

    assert.deepEqual(theirs.frames.map((f) => f.type), ['ready'], 'nothing of another merchant');
    mine.ws.close();
    theirs.ws.close();
  });

  test('a bad token is refused with 4401 and hears nothing', async () => {
    const live = await openLive(stack.apiUrl, 'not-a-token');
    assert.equal(await live.closed, 4401);
    assert.equal(live.frames.length, 0);
  });
});
