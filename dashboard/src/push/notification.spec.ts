import { describe, expect, it } from 'vitest';
import { isOpenMessage, notificationFor, pathFor, windowToReuse } from './notification';

describe('the service worker’s notifications', () => {
  it('shows the server’s title and body, and keeps the conversation for the tap', () => {
    const shown = notificationFor({ title: 'Ayşe needs a person', body: 'Asked for a human', tag: 'conv-1', data: { conversationId: 'c 1', kind: 'needs_human' } });
    expect(shown).toEqual({ title: 'Ayşe needs a person', options: { body: 'Asked for a human', tag: 'conv-1', data: { conversationId: 'c 1', kind: 'needs_human' } } });
  });

  it('groups by conversation when the server sends no tag, and survives a payload that is not JSON', () => {
    expect(notificationFor({ title: 'T', data: { conversationId: 'c2' } }).options.tag).toBe('conversation:c2');
    expect(notificationFor('plain text')).toEqual({ title: 'AutoCloser', options: { body: 'plain text', data: {} } });
    expect(notificationFor(null)).toEqual({ title: 'AutoCloser', options: { body: '', data: {} } });
    // Fields of the wrong type are dropped, not shown as "[object Object]".
    expect(notificationFor({ title: { x: 1 }, body: 5, data: { conversationId: 7 } })).toEqual({ title: 'AutoCloser', options: { body: '', data: {} } });
  });

  it('opens the conversation in the inbox, or the inbox', () => {
    expect(pathFor({ conversationId: 'c/1', kind: 'needs_human' })).toBe('/app/inbox/c%2F1');
    expect(pathFor({})).toBe('/app/inbox');
    expect(pathFor(null)).toBe('/app/inbox');
  });

  it('reuses a dashboard window, the focused one first, never the phone app’s', () => {
    const m = { url: 'http://shop.test/m/c/1', focused: true };
    const a = { url: 'http://shop.test/app/inbox', focused: false };
    const b = { url: 'http://shop.test/app/catalog', focused: true };
    expect(windowToReuse([m, a, b])).toBe(b);
    expect(windowToReuse([m, a])).toBe(a);
    expect(windowToReuse([m])).toBeUndefined();
  });

  it('tells its open message from others', () => {
    expect(isOpenMessage({ type: 'autocloser:open', path: '/app/inbox/c1' })).toBe(true);
    expect(isOpenMessage({ type: 'open-notification', data: {} })).toBe(false);
    expect(isOpenMessage('autocloser:open')).toBe(false);
  });
});
