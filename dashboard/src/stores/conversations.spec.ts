import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConversationDetail, ConversationSummary, LeadState, TranscriptMessage } from '../api/conversations';
import { freshStores, type FakeApi } from '../testing/stores';
import { useConversationsStore } from './conversations';

const lead = { name: null, need: null, budget: null, timeline: null, decisionMaker: null, interestedIn: [] };
const summary = (id: string, at: string, over: Partial<ConversationSummary> = {}): ConversationSummary => ({
  id,
  channel: 'webchat',
  stage: 'engaged',
  mode: 'bot',
  needsHuman: false,
  score: 40,
  language: 'en',
  lead,
  messageCount: 2,
  lastMessagePreview: `hello from ${id}`,
  lastMessageAt: at,
  updatedAt: at,
  ...over,
});
const message = (id: string, at: string, text = id): TranscriptMessage => ({
  id,
  from: 'customer',
  text,
  at,
  confidence: null,
  intent: null,
  author: null,
  status: 'received',
});
const state = (over: Partial<LeadState>): LeadState => ({
  merchantId: 'm1',
  channel: 'webchat',
  customerKey: 'visitor-1',
  stage: 'engaged',
  mode: 'bot',
  humanAgent: null,
  handOffReason: null,
  lead,
  score: 40,
  language: 'en',
  summary: '',
  pendingPayment: null,
  nextFollowUpAt: null,
  followUpsSent: 0,
  objectionCount: 0,
  agreedDiscountPercent: null,
  buyingSignals: 0,
  negativeTurns: 0,
  lastMessages: [],
  windowClosesAt: null,
  deliveryFailures: [],
  queued: 0,
  closed: null,
  turns: 1,
  outboundSeq: 1,
  startedAt: '2026-11-25T10:00:00Z',
  lastCustomerMessageAt: '2026-11-25T10:01:00Z',
  ...over,
});
const detail = (s: ConversationSummary, messages: TranscriptMessage[]): ConversationDetail => ({
  id: s.id,
  summary: s,
  state: null,
  messages,
  timeline: [],
  orders: [],
});

describe('conversations store', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = freshStores();
    api.on('get', '/api/v1/conversations', () => ({
      body: { items: [summary('c2', '2026-11-25T10:02:00Z'), summary('c1', '2026-11-25T10:01:00Z')], nextCursor: null },
    }));
  });

  it('sends the filters as query parameters', async () => {
    const store = useConversationsStore();
    Object.assign(store.filters, { stage: 'qualified', channel: 'whatsapp', needsHuman: true, minScore: 60, q: '  boots ' });
    await store.load();
    const query = Object.fromEntries(api.callsTo('GET', '/api/v1/conversations')[0]!.query);
    expect(query).toEqual({ stage: 'qualified', channel: 'whatsapp', needsHuman: 'true', minScore: '60', q: 'boots', limit: '30' });
    expect(store.items.map((c) => c.id)).toEqual(['c2', 'c1']);
  });

  it('keeps the list of the latest filters when an earlier answer arrives last', async () => {
    const store = useConversationsStore();
    let answerFirst!: () => void;
    const held = new Promise<void>((resolve) => (answerFirst = resolve));
    api.on('get', '/api/v1/conversations', async (call) => {
      if (!call.query.get('stage')) {
        await held;
        return { body: { items: [summary('old', '2026-11-25T09:00:00Z')], nextCursor: 'next' } };
      }
      return { body: { items: [summary('won1', '2026-11-25T09:30:00Z', { stage: 'won' })], nextCursor: null } };
    });
    const first = store.load();
    store.filters.stage = 'won';
    await store.load();
    answerFirst();
    await first;
    expect(store.items.map((c) => c.id)).toEqual(['won1']);
    expect(store.nextCursor).toBeNull();
    expect(store.loading).toBe(false);
  });

  it('moves a conversation with new activity to the top and drops one that no longer fits the filters', async () => {
    const store = useConversationsStore();
    store.filters.needsHuman = true;
    api.on('get', '/api/v1/conversations', () => ({
      body: {
        items: [summary('c2', '2026-11-25T10:02:00Z', { needsHuman: true }), summary('c1', '2026-11-25T10:01:00Z', { needsHuman: true })],
        nextCursor: null,
      },
    }));
    await store.load();

    store.upsert(summary('c1', '2026-11-25T10:05:00Z', { needsHuman: true, stage: 'qualified' }));
    expect(store.items.map((c) => [c.id, c.stage])).toEqual([
      ['c1', 'qualified'],
      ['c2', 'engaged'],
    ]);

    store.upsert(summary('c2', '2026-11-25T10:06:00Z', { needsHuman: false }));
    expect(store.items.map((c) => c.id)).toEqual(['c1']);

    store.upsert(summary('c3', '2026-11-25T10:07:00Z', { needsHuman: false }));
    store.upsert(summary('c4', '2026-11-25T10:08:00Z', { needsHuman: true }));
    expect(store.items.map((c) => c.id)).toEqual(['c4', 'c1']);
  });

  it('merges live messages into the open conversation in time order, once each', async () => {
    const store = useConversationsStore();
    await store.load();
    api.on('get', '/api/v1/conversations/{conversationId}', (_call, { conversationId }) => ({
      body: detail(summary(conversationId!, '2026-11-25T10:01:00Z'), [message('m1', '2026-11-25T10:00:00Z'), message('m2', '2026-11-25T10:01:00Z')]),
    }));
    await store.open('c1');

    store.appendMessage('c1', message('m4', '2026-11-25T10:03:00Z', 'later'));
    store.appendMessage('c1', message('m3', '2026-11-25T10:02:00Z', 'earlier'));
    store.appendMessage('c1', message('m3', '2026-11-25T10:02:00Z', 'earlier'));
    expect(store.current?.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3', 'm4']);
    // The list row shows the newest message and moves to the top; an older one arriving late does not replace it.
    expect(store.items[0]).toMatchObject({ id: 'c1', lastMessagePreview: 'later', messageCount: 3 });
  });

  it('keeps live messages that arrived while the conversation was loading', async () => {
    const store = useConversationsStore();
    let answer!: () => void;
    const held = new Promise<void>((resolve) => (answer = resolve));
    let reads = 0;
    api.on('get', '/api/v1/conversations/{conversationId}', async () => {
      if (reads++) await held;
      return { body: detail(summary('c1', '2026-11-25T10:01:00Z'), [message('m1', '2026-11-25T10:00:00Z')]) };
    });
    await store.open('c1');
    const reopening = store.open('c1', { quiet: true });
    store.appendMessage('c1', message('m2', '2026-11-25T10:05:00Z'));
    answer();
    await reopening;
    expect(store.current?.messages.map((m) => m.id)).toEqual(['m1', 'm2']);
  });

  it('fetches and shows a conversation the list has not seen when its first message arrives', async () => {
    const store = useConversationsStore();
    await store.load();
    api.on('get', '/api/v1/conversations/{conversationId}', (_call, { conversationId }) => ({
      body: detail(summary(conversationId!, '2026-11-25T11:00:00Z'), []),
    }));
    store.appendMessage('c9', message('m1', '2026-11-25T11:00:00Z'));
    await vi.waitFor(() => expect(store.items[0]?.id).toBe('c9'));
    expect(api.callsTo('GET', '/api/v1/conversations/c9')).toHaveLength(1);
  });

  it('shows the state a takeover answers with at once, then re-reads the conversation', async () => {
    const store = useConversationsStore();
    await store.load();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reads = 0;
    api.on('get', '/api/v1/conversations/{conversationId}', async () => {
      if (reads++) await held;
      return { body: detail(summary('c1', '2026-11-25T10:01:00Z'), []) };
    });
    api.on('post', '/api/v1/conversations/{conversationId}/takeover', (call) => ({
      body: { state: state({ mode: 'human', humanAgent: call.headers.get('authorization') ? 'Ada' : null, stage: 'qualified', score: 70 }) },
    }));
    await store.open('c1');

    const steering = store.takeOver('c1');
    await vi.waitFor(() => expect(store.current?.state?.mode).toBe('human'));
    // The list row follows before the re-read answers.
    expect(store.items.find((c) => c.id === 'c1')).toMatchObject({ mode: 'human', stage: 'qualified', score: 70 });
    release();
    await steering;
    expect(reads).toBe(2);
  });
});
