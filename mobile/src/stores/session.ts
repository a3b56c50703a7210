import { ApiError } from '@client/api/http';
import { SecureStorage } from '@aparajita/capacitor-secure-storage';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import * as merchantApi from '../api/merchant';
import type { Merchant, Session, User } from '../api/merchant';
import { api } from '../api/client';
import { normalizeLocale, setLocale } from '../i18n';
import { readKv, wipe, writeKv } from '../offline/db';
import { isNative } from '../platform';
import { isNetworkFailure } from './network';

const REFRESH_KEY = 'refresh-token';

/**
 * Where the refresh token lives between launches.
 *
 * Native: the platform's secure storage (Android Keystore-backed encrypted
 * storage, the iOS Keychain), never plain preferences.
 *
 * Browser: nowhere the page can read. The sign-in answer also sets the token
 * as an HttpOnly, SameSite=Strict cookie scoped to /api/v1/auth, which is the
 * safest thing a web page can hold: script (and so an injected script) cannot
 * read it, and the plugin's web fallback would be plain localStorage.
 */
const refreshStore = {
  async load(): Promise<string | null> {
    if (!isNative) return null;
    const value = await SecureStorage.get(REFRESH_KEY, false);
    return typeof value === 'string' ? value : null;
  },
  async save(token: string): Promise<void> {
    if (isNative) await SecureStorage.set(REFRESH_KEY, token, false);
  },
  async clear(): Promise<void> {
    if (isNative) await SecureStorage.remove(REFRESH_KEY);
  },
};

export type SessionState = 'unknown' | 'signed-out' | 'online' | 'offline';

/**
 * The signed-in member. The access token is kept in memory only. Who is signed
 * in (name, role, merchant) is also saved with the offline copy, so the app
 * opens on its cached inbox when it starts without a network.
 */
export const useSessionStore = defineStore('session', () => {
  const accessToken = ref<string | null>(null);
  const expiresAt = ref(0);
  const user = ref<User | null>(null);
  const merchant = ref<Merchant | null>(null);
  const state = ref<SessionState>('unknown');
  let refreshToken: string | null = null;
  let restoring: Promise<void> | null = null;
  const expiredListeners = new Set<() => void>();

  const signedIn = computed(() => state.value === 'online' || state.value === 'offline');
  const canReply = computed(() => !!user.value && user.value.role !== 'viewer');

  function applySession(session: Session): void {
    accessToken.value = session.accessToken;
    expiresAt.value = Date.parse(session.accessTokenExpiresAt) || Date.now() + 15 * 60_000;
    user.value = session.user;
    merchant.value = session.merchant;
    state.value = 'online';
    const locale = normalizeLocale(session.user.locale);
    if (locale) setLocale(locale, false);
    if (isNative) {
      refreshToken = session.refreshToken;
      void refreshStore.save(session.refreshToken);
    }
    void writeKv('identity', { user: session.user, merchant: session.merchant });
  }

  function forget(): void {
    accessToken.value = null;
    expiresAt.value = 0;
    user.value = null;
    merchant.value = null;
    refreshToken = null;
    state.value = 'signed-out';
  }

  api.configureAuth({
    token: () => accessToken.value,
    onSession: applySession,
    onExpired: () => {
      const was = signedIn.value;
      // The saved inbox and any queued replies stay: signing in again as the same member picks them up.
      forget();
      void refreshStore.clear().catch(() => {});
      if (was) for (const listener of expiredListeners) listener();
    },
    refreshToken: () => refreshToken,
  });

  async function endLocally(): Promise<void> {
    forget();
    await Promise.allSettled([refreshStore.clear(), wipe()]);
  }

  /** Once per launch: a refresh from the stored token, or the saved identity when there is no network. */
  function restore(): Promise<void> {
    restoring ??= (async () => {
      refreshToken = await refreshStore.load().catch(() => null);
      if (isNative && !refreshToken) {
        state.value = 'signed-out';
        return;
      }
      try {
        await api.refreshSession();
      } catch (err) {
        const identity = await readKv('identity').catch(() => undefined);
        if (identity && (isNetworkFailure(err) || (err instanceof ApiError && err.status >= 500))) {
          user.value = identity.user;
          merchant.value = identity.merchant;
          state.value = 'offline';
        } else {
          await endLocally();
        }
      }
    })();
    return restoring;
  }

  /** Back online after starting offline: trade the stored token for a session. */
  async function reconnect(): Promise<boolean> {
    if (state.value === 'online') return true;
    if (state.value !== 'offline') return false;
    try {
      await api.refreshSession();
      return true;
    } catch (err) {
      if (!isNetworkFailure(err)) await endLocally();
      return false;
    }
  }

  /** A token valid for a little longer (the live socket sends it in its first message). */
  async function freshToken(): Promise<string | null> {
    if (accessToken.value && expiresAt.value - Date.now() > 30_000) return accessToken.value;
    try {
      return (await api.refreshSession()).accessToken;
    } catch {
      return null;
    }
  }

  function markTokenStale(): void {
    expiresAt.value = 0;
  }

  async function login(email: string, password: string): Promise<void> {
    const session = await merchantApi.login({ email, password });
    const previous = await readKv('identity').catch(() => undefined);
    // Another member on this phone must not see the last one's saved conversations or send their queued replies.
    if (previous && previous.user.id !== session.user.id) await wipe();
    applySession(session);
  }

  /** Signs out here and on the server, which also forgets this sign-in's push devices. */
  async function logout(): Promise<void> {
    try {
      await merchantApi.logout(refreshToken);
    } catch {
      // Offline or already expired: the local sign-out below is what matters on this phone.
    } finally {
      await endLocally();
    }
  }

  function onExpired(listener: () => void): () => void {
    expiredListeners.add(listener);
    return () => expiredListeners.delete(listener);
  }

  return { accessToken, user, merchant, state, signedIn, canReply, restore, reconnect, freshToken, markTokenStale, login, logout, onExpired };
});
