import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ConversationDetail, ConversationSummary, Merchant, User } from '../api/merchant';

/** A reply waiting for the network, or one the server refused for good. */
export interface OutboxItem {
  /** Sent as `clientId`: the server keeps one message per id, so a retried send after a lost answer is not a second message. */
  clientId: string;
  conversationId: string;
  text: string;
  createdAt: string;
  state: 'queued' | 'sending' | 'failed';
  /** Why the server refused it (`lead_closed`, `held_by_colleague`, `conversation_ended`, …). */
  reason?: string;
  message?: string;
  attempts: number;
}

export interface Identity {
  user: User;
  merchant: Merchant;
}

/** Small records by name: who is signed in, the last inbox. */
interface KvRecords {
  identity: Identity;
  inbox: { items: ConversationSummary[]; savedAt: string };
}

interface MobileDb extends DBSchema {
  kv: { key: keyof KvRecords; value: KvRecords[keyof KvRecords] };
  transcripts: { key: string; value: { detail: ConversationDetail; savedAt: string } };
  outbox: { key: string; value: OutboxItem; indexes: { byCreated: string } };
}

let opening: Promise<IDBPDatabase<MobileDb>> | null = null;

/** The phone's copy of what the member last saw, so the app opens on a train with no signal. */
export function offlineDb(): Promise<IDBPDatabase<MobileDb>> {
  opening ??= openDB<MobileDb>('autocloser-mobile', 1, {
    upgrade(db) {
      db.createObjectStore('kv');
      db.createObjectStore('transcripts');
      db.createObjectStore('outbox', { keyPath: 'clientId' }).createIndex('byCreated', 'createdAt');
    },
  });
  return opening;
}

export async function readKv<K extends keyof KvRecords>(key: K): Promise<KvRecords[K] | undefined> {
  return (await (await offlineDb()).get('kv', key)) as KvRecords[K] | undefined;
}

export async function writeKv<K extends keyof KvRecords>(key: K, value: KvRecords[K]): Promise<void> {
  await (await offlineDb()).put('kv', value, key);
}

export async function readTranscript(id: string) {
  return (await offlineDb()).get('transcripts', id);
}

export async function writeTranscript(detail: ConversationDetail): Promise<void> {
  // A reactive proxy cannot be cloned into IndexedDB; a JSON round trip gives a plain copy.
  await (await offlineDb()).put('transcripts', { detail: plain(detail), savedAt: new Date().toISOString() }, detail.id);
}

export async function outboxItems(): Promise<OutboxItem[]> {
  return (await offlineDb()).getAllFromIndex('outbox', 'byCreated');
}

export async function putOutbox(item: OutboxItem): Promise<void> {
  await (await offlineDb()).put('outbox', plain(item));
}

export async function deleteOutbox(clientId: string): Promise<void> {
  await (await offlineDb()).delete('outbox', clientId);
}

/** Sign-out: nothing of this merchant stays on the phone. */
export async function wipe(): Promise<void> {
  const store = await offlineDb();
  const tx = store.transaction(['kv', 'transcripts', 'outbox'], 'readwrite');
  await Promise.all([tx.objectStore('kv').clear(), tx.objectStore('transcripts').clear(), tx.objectStore('outbox').clear(), tx.done]);
}

export function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
