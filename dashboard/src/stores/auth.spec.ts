import type { Session } from '@client/api/http';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { unauthorized } from '../testing/fake-api';
import { freshStores, type FakeApi } from '../testing/stores';
import { useAuthStore } from './auth';
import { useNotificationsStore } from './notifications';

const session = (n: number): Session => ({
  accessToken: `access-${n}`,
  accessTokenExpiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
  refreshToken: `refresh-${n}`,
  user: { id: 'u1', email: 'ada@example.com', name: 'Ada', role: 'admin', locale: 'en', emailVerified: true },
  merchant: { id: 'm1', name: 'Acme' },
});

describe('auth store', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = freshStores();
    api.on('post', '/api/v1/auth/login', (call) => {
      const { email, password } = JSON.parse(call.body) as { email: string; password: string };
      return email === 'ada@example.com' && password === 'correct horse'
        ? { body: session(1) }
        : { status: 401, error: { code: 'unauthorized', message: 'Email or password is wrong' } };
    });
  });

  it('signs in, keeps the token in memory and sends it as a bearer token', async () => {
    const auth = useAuthStore();
    api.on('get', '/api/v1/notifications', (call) => (call.headers.get('authorization') === 'Bearer access-1' ? { body: { items: [], unread: 0 } } : unauthorized));

    await auth.login('ada@example.com', 'correct horse');
    expect(auth.isAuthenticated).toBe(true);
    expect(auth.role).toBe('admin');
    expect(auth.can('agent')).toBe(true);
    expect(auth.can('owner')).toBe(false);

    const notifications = useNotificationsStore();
    await notifications.load();
    expect(notifications.error).toBeNull();
    // Sign-in itself carries no bearer token.
    expect(api.callsTo('POST', '/api/v1/auth/login')[0]!.headers.get('authorization')).toBeNull();
  });

  it('reports a wrong password with the server message and stays signed out', async () => {
    const auth = useAuthStore();
    await expect(auth.login('ada@example.com', 'wrong')).rejects.toMatchObject({
      status: 401,
      code: 'unauthorized',
      message: 'Email or password is wrong',
    });
    expect(auth.isAuthenticated).toBe(false);
  });

  it('shares one refresh between concurrent requests that meet an expired token, then retries each', async () => {
    const auth = useAuthStore();
    await auth.login('ada@example.com', 'correct horse');
    let release!: () => void;
    const refreshHeld = new Promise<void>((resolve) => (release = resolve));
    api.on('post', '/api/v1/auth/refresh', async () => {
      await refreshHeld;
      return { body: session(2) };
    });
    // The first token has expired on the server.
    const current = (call: { headers: Headers }) => call.headers.get('authorization') === 'Bearer access-2';
    api.on('get', '/api/v1/notifications', (call) => (current(call) ? { body: { items: [], unread: 0 } } : unauthorized));
    api.on('get', '/api/v1/me', (call) =>
      current(call)
        ? {
            body: {
              user: { id: 'u1', email: 'ada@example.com', name: 'Ada L.', role: 'admin', locale: 'en', emailVerified: true },
              merchant: { id: 'm1', name: 'Acme' },
            },
          }
        : unauthorized,
    );

    const notifications = useNotificationsStore();
    const both = Promise.all([notifications.load(), auth.loadMe()]);
    await vi.waitFor(() => expect(api.callsTo('POST', '/api/v1/auth/refresh')).toHaveLength(1));
    release();
    await both;

    // Refresh tokens rotate; presenting one twice would revoke the login.
    expect(api.callsTo('POST', '/api/v1/auth/refresh')).toHaveLength(1);
    expect(api.callsTo('POST', '/api/v1/auth/refresh')[0]!.headers.get('authorization')).toBeNull();
    expect(auth.accessToken).toBe('access-2');
    expect(auth.user?.name).toBe('Ada L.');
    expect(notifications.error).toBeNull();
    expect(api.callsTo('GET', '/api/v1/notifications').map((c) => c.headers.get('authorization'))).toEqual(['Bearer access-1', 'Bearer access-2']);
  });

  it('ends the session when the refresh is refused, telling listeners once', async () => {
    const auth = useAuthStore();
    await auth.login('ada@example.com', 'correct horse');
    api.on('post', '/api/v1/auth/refresh', () => ({
      status: 401,
      error: { code: 'unauthorized', message: 'No refresh token; sign in again' },
    }));
    api.on('get', '/api/v1/notifications', () => unauthorized);
    const expired = vi.fn();
    auth.onExpired(expired);

    const notifications = useNotificationsStore();
    await notifications.load();

    expect(auth.isAuthenticated).toBe(false);
    expect(auth.accessToken).toBeNull();
    expect(expired).toHaveBeenCalledTimes(1);
    expect(notifications.error).toMatchObject({ status: 401 });
  });

  it('restores a session from the refresh cookie once per page load', async () => {
    const auth = useAuthStore();
    api.on('post', '/api/v1/auth/refresh', () => ({ body: session(3) }));
    expect(await Promise.all([auth.restore(), auth.restore()])).toEqual([true, true]);
    expect(api.callsTo('POST', '/api/v1/auth/refresh')).toHaveLength(1);
    expect(auth.restored).toBe(true);
    expect(auth.user?.email).toBe('ada@example.com');
  });

  it('signs out locally even when the server cannot be reached', async () => {
    const auth = useAuthStore();
    await auth.login('ada@example.com', 'correct horse');
    api.on('post', '/api/v1/auth/logout', () => ({ status: 503, error: { code: 'unavailable', message: 'Try again' } }));

    await expect(auth.logout()).rejects.toMatchObject({ status: 503 });
    expect(auth.isAuthenticated).toBe(false);
    expect(auth.user).toBeNull();
    expect(api.callsTo('POST', '/api/v1/auth/logout')).toHaveLength(1);
  });
});
