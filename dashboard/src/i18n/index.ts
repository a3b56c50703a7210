import { createI18n } from 'vue-i18n';
import { deviceLocale, rememberLocale, type Locale } from '@client/i18n/setup';
import { en } from '@client/i18n/en';
import { tr } from '@client/i18n/tr';

export { LOCALES, normalizeLocale } from '@client/i18n/setup';

export const i18n = createI18n({ legacy: false, locale: deviceLocale(), fallbackLocale: 'en', messages: { en, tr }, missingWarn: false, fallbackWarn: false });

export const currentLocale = (): Locale => i18n.global.locale.value as Locale;

/** `remember: false` follows the signed-in member's saved language without making it this device's choice. */
export function setLocale(locale: Locale, remember = true): void {
  i18n.global.locale.value = locale;
  if (remember) rememberLocale(locale);
  else document.documentElement.lang = locale;
}
