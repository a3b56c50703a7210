import { beforeEach, describe, expect, it } from 'vitest';
import type { Notification } from '../api/notifications';
import { freshStores, type FakeApi } from '../testing/stores';
import { useNotificationsStore } from './notifications';

const notification = (id: number, readAt: string | null): Notification => ({
  id,
  kind: 'hand_off',
  conversationId: `c${id}`,
  body: { reason: 'customer_asked' },
  createdAt: '2026-11-25T10:00:00Z',
  readAt,
});

describe('notifications store', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = freshStores();
    api.on('get', '/api/v1/notifications', () => ({
      body: { items: [notification(1, null), notification(2, null), notification(3, '2026-11-25T10:01:00Z')], unread: 2 },
    }));
  });

  it('counts the unread ones', async () => {
    const store = useNotificationsStore();
    await store.load();
    expect(store.items).toHaveLength(3);
    expect(store.unread).toBe(2);
  });

  it('marks one read at once and tells the server', async () => {
    const store = useNotificationsStore();
    api.on('post', '/api/v1/notifications/{notificationId}/read', () => ({ status: 204 }));
    await store.load();
    await store.markRead(1);
    expect(store.unread).toBe(1);
    expect(api.callsTo('POST', '/api/v1/notifications/1/read')).toHaveLength(1);
    // Already read: no second request.
    await store.markRead(3);
    expect(api.callsTo('POST', '/api/v1/notifications/3/read')).toHaveLength(0);
  });

  it('puts the badge back when the server refuses', async () => {
    const store = useNotificationsStore();
    api.on('post', '/api/v1/notifications/{notificationId}/read', () => ({
      status: 404,
      error: { code: 'not_found', message: 'Not found' },
    }));
    await store.load();
    await expect(store.markRead(2)).rejects.toMatchObject({ status: 404, message: 'Not found' });
    expect(store.unread).toBe(2);
  });

  it('keeps the error for the panel when loading fails', async () => {
    const store = useNotificationsStore();
    api.on('get', '/api/v1/notifications', () => ({ status: 500, error: { code: 'internal', message: 'Something broke' } }));
    await store.load();
    expect(store.loading).toBe(false);
    expect(store.error).toMatchObject({ status: 500, code: 'internal' });
  });
});
