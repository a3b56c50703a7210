import { Capacitor } from '@capacitor/core';

/** Inside the Android or iOS shell, rather than a browser at /m/. */
export const isNative = Capacitor.isNativePlatform();
/** 'android' | 'ios' | 'web'. */
export const platform = Capacitor.getPlatform() as 'android' | 'ios' | 'web';

const SERVER_KEY = 'autocloser:server';

/**
 * Where the API lives. In a browser the app is served by the API itself, so
 * it is the page's own origin. The native shell serves the app from the
 * bundle (https://localhost, capacitor://localhost), so the member names the
 * server at sign-in; a build can preset it with VITE_API_URL.
 */
export function serverOrigin(): string | null {
  if (!isNative) return null;
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(SERVER_KEY);
  } catch {
    // Storage blocked: fall back to the build's default.
  }
  return stored || (import.meta.env.VITE_API_URL as string | undefined) || null;
}

export function setServerOrigin(url: string): void {
  const origin = new URL(url).origin;
  try {
    localStorage.setItem(SERVER_KEY, origin);
  } catch {
    // Storage blocked: the address lasts until the app restarts.
  }
}

/** ws(s)://<server>/api/v1/live */
export function liveSocketUrl(): string {
  const base = new URL(serverOrigin() ?? location.origin);
  return `${base.protocol === 'https:' ? 'wss:' : 'ws:'}//${base.host}/api/v1/live`;
}
