/** The language an app starts in and remembers, the same way in the dashboard and the phone app. */
export type Locale = 'en' | 'tr';
export const LOCALES: Locale[] = ['en', 'tr'];
// One key for both apps: a language chosen in the dashboard is the phone browser's too.
const STORAGE_KEY = 'autocloser:locale';

export function normalizeLocale(value: string | null | undefined): Locale | null {
  const short = (value ?? '').slice(0, 2).toLowerCase();
  return (LOCALES as string[]).includes(short) ? (short as Locale) : null;
}

/** A choice made on this device, else the device's languages. */
export function deviceLocale(): Locale {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage blocked: the device's languages decide.
  }
  return normalizeLocale(stored) ?? normalizeLocale(navigator.languages?.find((l) => normalizeLocale(l)) ?? navigator.language) ?? 'en';
}

export function rememberLocale(locale: Locale): void {
  document.documentElement.lang = locale;
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Storage blocked: the choice lasts until the app reloads.
  }
}
