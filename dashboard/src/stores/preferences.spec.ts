import { beforeEach, describe, expect, it } from 'vitest';
import type { NotificationPreferences } from '../api/push';
import { freshStores, type FakeApi } from '../testing/stores';
import { usePreferencesStore } from './preferences';

const defaults = (): NotificationPreferences => ({
  push: { needs_human: true, customer_message: true, payment_received: true, payment_failed: true, new_lead: false },
  email: { needs_human: false },
});

describe('notification preferences store', () => {
  let api: FakeApi;
  let stored: NotificationPreferences;
  beforeEach(() => {
    api = freshStores();
    stored = defaults();
    api.on('get', '/api/v1/me/notification-preferences', () => ({ body: stored }));
    api.on('put', '/api/v1/me/notification-preferences', (call) => {
      stored = JSON.parse(call.body) as NotificationPreferences;
      return { body: stored };
    });
  });

  it('edits a copy and saves the whole body', async () => {
    const store = usePreferencesStore();
    await store.load();
    expect(store.dirty).toBe(false);

    store.draft!.push.new_lead = true;
    store.draft!.email.needs_human = true;
    expect(store.dirty).toBe(true);
    expect(store.saved!.push.new_lead).toBe(false);

    await store.save();
    const [put] = api.callsTo('PUT', '/api/v1/me/notification-preferences');
    expect(JSON.parse(put!.body)).toEqual({
      push: { needs_human: true, customer_message: true, payment_received: true, payment_failed: true, new_lead: true },
      email: { needs_human: true },
    });
    expect(store.dirty).toBe(false);
    expect(store.justSaved).toBe(true);
    expect(store.saved!.push.new_lead).toBe(true);
  });

  it('puts the edits back on cancel', async () => {
    const store = usePreferencesStore();
    await store.load();
    store.draft!.push.payment_received = false;
    store.reset();
    expect(store.draft!.push.payment_received).toBe(true);
    expect(store.dirty).toBe(false);
  });

  it('keeps the edits and the error when saving fails', async () => {
    const store = usePreferencesStore();
    api.on('put', '/api/v1/me/notification-preferences', () => ({ status: 400, error: { code: 'validation', message: 'Invalid body' } }));
    await store.load();
    store.draft!.push.needs_human = false;
    await store.save();
    expect(store.saveError).toMatchObject({ status: 400, message: 'Invalid body' });
    expect(store.draft!.push.needs_human).toBe(false);
    expect(store.saved!.push.needs_human).toBe(true);
    expect(store.dirty).toBe(true);
  });
});
