import { createI18n } from 'vue-i18n';
import type { Locale } from '../types';
import { en } from '@client/i18n/en';
import { tr } from '@client/i18n/tr';

export const LOCALES: Locale[] = ['en', 'tr'];
const STORAGE_KEY = 'autocloser:locale';

export function normalizeLocale(value: string | null | undefined): Locale | null {
  const short = (value ?? '').slice(0, 2).toLowerCase();
  return (LOCALES as string[]).includes(short) ? (short as Locale) : null;
}

/** A choice made on this device, else the browser's language. */
export function browserLocale(): Locale {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage blocked: fall through to the browser's languages.
  }
  return normalizeLocale(stored) ?? normalizeLocale(navigator.languages?.find((l) => normalizeLocale(l)) ?? navigator.language) ?? 'en';
}

export const i18n = createI18n({
  legacy: false,
  locale: browserLocale(),
  fallbackLocale: 'en',
  messages: { en, tr },
  missingWarn: false,
  fallbackWarn: false,
});

export function currentLocale(): Locale {
  return i18n.global.locale.value as Locale;
}

export function setLocale(locale: Locale, remember = true): void {
  i18n.global.locale.value = locale;
  document.documentElement.lang = locale;
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, locale);
    } catch {
      // Storage blocked: the choice lasts for this page only.
    }
  }
}
