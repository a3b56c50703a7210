import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api, configureAuth, refreshSession } from '../api';
import { normalizeLocale, setLocale } from '../i18n';
import { atLeast } from '../roles';
import type { Locale, Merchant, Role, Session, User } from '../types';

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

  configureAuth({
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
    restoring ??= refreshSession()
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
      return (await refreshSession()).accessToken;
    } catch {
      return null;
    }
  }

  /** The server refused the token (the live socket closed with 4401): the next freshToken() refreshes. */
  function markTokenStale(): void {
    expiresAt.value = 0;
  }

  async function login(email: string, password: string): Promise<void> {
    applySession(await api.post<Session>('/auth/login', { email, password }, { public: true }));
  }

  async function register(input: { businessName: string; name: string; email: string; password: string; locale?: Locale }): Promise<void> {
    applySession(await api.post<Session>('/auth/register', input, { public: true }));
  }

  async function acceptInvite(input: { token: string; name: string; password: string }): Promise<void> {
    applySession(await api.post<Session>('/auth/invites/accept', input, { public: true }));
  }

  async function loadMe(): Promise<void> {
    const me = await api.get<{ user: User; merchant: Merchant }>('/me');
    user.value = me.user;
    merchant.value = me.merchant;
  }

  async function logout(): Promise<void> {
    try {
      await api.post('/auth/logout', {}, { public: true });
    } finally {
      clear();
    }
  }

  return { accessToken, user, merchant, role, restored, isAuthenticated, can, restore, freshToken, markTokenStale, login, register, acceptInvite, loadMe, logout, onExpired, applySession };
});
