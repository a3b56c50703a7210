import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatMessage } from '../../domain/conversation';

export async function postMessage(apiUrl: string, merchant: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${apiUrl}/api/webchat/${merchant}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export async function getTranscript(apiUrl: string, merchant: string, sessionId: string): Promise<ChatMessage[]> {
  const res = await fetch(`${apiUrl}/api/webchat/${merchant}/sessions/${sessionId}/messages`);
  if (!res.ok) throw new Error(`transcript: ${res.status} ${await res.text()}`);
  return (await res.json()) as ChatMessage[];
}

/** Polls until `done` holds; the failure message shows what was last seen. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last, null, 1).slice(0, 2000)}`);
    await sleep(150);
    last = await read();
  }
  return last;
}

export const replies = (messages: ChatMessage[]) => messages.filter((m) => m.from !== 'customer');
export const sessionId = () => `s_${Math.random().toString(36).slice(2, 12)}`;
