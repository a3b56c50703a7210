/** Reads what reached Mailpit through its REST API (https://mailpit.axllent.org/docs/api-v1/). */
import { setTimeout as sleep } from 'node:timers/promises';

interface Address {
  Name: string;
  Address: string;
}

export interface MailpitSummary {
  ID: string;
  MessageID: string;
  From: Address;
  To: Address[];
  Subject: string;
}

export interface MailpitMessage extends MailpitSummary {
  Text: string;
  HTML: string;
  ListUnsubscribe: { Header: string; Links: string[]; Errors: string; HeaderPost: string };
  /** Every header as sent, from `/message/{ID}/headers`. */
  headers: Record<string, string[]>;
}

export interface MailpitInbox {
  /** Waits for the one message to `to` (whose subject matches, if given) and returns it in full; fails if none or several arrive. */
  only(to: string, timeoutMs?: number, subject?: RegExp): Promise<MailpitMessage>;
  /** Messages to `to` so far (whose subject matches, if given). */
  to(to: string, subject?: RegExp): Promise<MailpitSummary[]>;
  setChaos(triggers: Partial<Record<'Sender' | 'Recipient' | 'Authentication', { ErrorCode: number; Probability: number }>>): Promise<void>;
}

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export function mailpitInbox(apiUrl: string): MailpitInbox {
  const to = async (address: string, subject?: RegExp) => {
    const { messages } = await getJson<{ messages: MailpitSummary[] }>(`${apiUrl}/messages?limit=500`);
    return messages.filter((m) => m.To.some((a) => a.Address.toLowerCase() === address.toLowerCase()) && (!subject || subject.test(m.Subject)));
  };
  return {
    to,
    async only(address, timeoutMs = 5_000, subject) {
      const deadline = Date.now() + timeoutMs;
      let found = await to(address, subject);
      while (!found.length && Date.now() < deadline) {
        await sleep(50);
        found = await to(address, subject);
      }
      if (found.length !== 1) throw new Error(`expected one message to ${address}${subject ? ` with a subject like ${subject}` : ''}, found ${found.length}`);
      const id = found[0]!.ID;
      const message = await getJson<Omit<MailpitMessage, 'headers'>>(`${apiUrl}/message/${id}`);
      const headers = await getJson<Record<string, string[]>>(`${apiUrl}/message/${id}/headers`);
      return { ...message, headers };
    },
    async setChaos(triggers) {
      await getJson(`${apiUrl}/chaos`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(triggers) });
    },
  };
}
