import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import * as authApi from '../api/auth';
import type { Merchant, Session, User } from '../api/auth';
import { api } from '../api/client';
import { normalizeLocale, setLocale } from '../i18n';
import { atLeast } from '../roles';
import type { Role } from '../types';

/**
 * The signed-in user. The access token lives only here, in memory; the refresh
 * token is an HttpOnly cookie the page never sees, so a reload restores the
 * session through /auth/refresh.
 */
export const useAuthStore = defineStore('auth', () => {
  const accessToken = ref<string | null>(null);
  const expiresAt = ref<number>(0);
  const user = ref<User | null>(null);
  const merchant = ref<Merchant | null>(null);
  /** Set once the first restore attempt has finished, whatever its outcome. */
  const restored = ref(false);
  let restoring: Promise<boolean> | null = null;
  const expiredListeners = new Set<() => void>();

  const isAuthenticated = computed(() => !!accessToken.value && !!user.value);
  const role = computed<Role | null>(() => user.value?.role ?? null);
  const can = (least: Role) => atLeast(role.value, least);

  function applySession(session: Session): void {
    accessToken.value = session.accessToken;
    expiresAt.value = Date.parse(session.accessTokenExpiresAt) || Date.now() + 15 * 60_000;
    user.value = session.user;
    merchant.value = session.merchant;
    const locale = normalizeLocale(session.user.locale);
    if (locale) setLocale(locale, false);
  }

  function clear(): void {
    accessToken.value = null;
    expiresAt.value = 0;
    user.value = null;
    merchant.value = null;
  }

  api.configureAuth({
    token: () => accessToken.value,
    onSession: applySession,
    onExpired: () => {
      const wasSignedIn = isAuthenticated.value;
      clear();
      if (wasSignedIn) for (const listener of expiredListeners) listener();
    },
  });

  function onExpired(listener: () => void): () => void {
    expiredListeners.add(listener);
    return () => expiredListeners.delete(listener);
  }

  /** Restores the session from the refresh cookie once per page load. */
  function restore(): Promise<boolean> {
    restoring ??= api
      .refreshSession()
      .then(() => true)
      .catch(() => false)
      .finally(() => {
        restored.value = true;
      });
    return restoring;
  }

  /** A token valid for at least a little longer (the live socket sends it in its first message). */
  async function freshToken(): Promise<string | null> {
    if (accessToken.value && expiresAt.value - Date.now() > 30_000) return accessToken.value;
    try {
      return (await api.refreshSession()).accessToken;
    } catch {
      return null;
    }
  }

  /** The server refused the token (the live socket closed with 4401): the next freshToken() refreshes. */
  function markTokenStale(): void {
    expiresAt.value = 0;
  }

  async function login(email: string, password: string): Promise<void> {
    applySession(await authApi.login({ email, password }));
  }

  async function register(input: Parameters<typeof authApi.register>[0]): Promise<void> {
    applySession(await authApi.register(input));
  }

  async function acceptInvite(input: Parameters<typeof authApi.acceptInvite>[0]): Promise<void> {
    applySession(await authApi.acceptInvite(input));
  }

  async function loadMe(): Promise<void> {
    const me = await authApi.me();
    user.value = me.user;
    merchant.value = me.merchant;
  }

  async function logout(): Promise<void> {
    try {
      await authApi.logout();
    } finally {
      clear();
    }
  }

  return {
    accessToken,
    user,
    merchant,
    role,
    restored,
    isAuthenticated,
    can,
    restore,
    freshToken,
    markTokenStale,
    login,
    register,
    acceptInvite,
    loadMe,
    logout,
    onExpired,
    applySession,
  };
});
