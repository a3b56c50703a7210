import { en as sharedEn } from '@client/i18n/en';
import { tr as sharedTr } from '@client/i18n/tr';
import { createI18n } from 'vue-i18n';
import { deviceLocale, rememberLocale, type Locale } from '@client/i18n/setup';

/** Strings only the phone app shows; the rest are the dashboard's, shared through client/i18n. */
const mobileEn = {
  tabs: { label: 'Sections', inbox: 'Inbox', notifications: 'Alerts', settings: 'Settings' },
  offline: {
    marker: 'Offline',
    cached: 'Offline: showing what this phone saved {when}.',
    nothingCached: 'Offline, and nothing is saved on this phone yet.',
  },
  signIn: {
    server: 'Server address',
    serverHint: 'Where your team’s AutoCloser runs, e.g. https://sales.example.com',
    failed: 'Sign-in failed: {reason}',
  },
  inbox: {
    filters: 'Filters',
    needsHumanFirst: 'Needs a person',
    noneCached: 'No saved conversations.',
  },
  conversation: {
    back: 'Back to inbox',
    profile: 'Lead',
    held: 'Held by {who}',
    queued: 'Waiting for network',
    sending: 'Sending…',
    notSent: 'Not sent: {reason}',
    dismiss: 'Dismiss',
    reasons: {
      lead_closed: 'the conversation was closed',
      held_by_colleague: 'a colleague holds this conversation',
      conversation_ended: 'the conversation has ended',
    },
    offlineSteer: 'Taking over, releasing and closing need a connection.',
  },
  settings: {
    title: 'Settings',
    signedInAs: 'Signed in as {name} at {merchant}',
    notifications: 'Notifications',
    push: 'On this phone',
    email: 'By email',
    kinds: {
      needs_human: 'A lead needs a person',
      customer_message: 'A customer writes while you hold the lead',
      payment_received: 'A payment arrived',
      payment_failed: 'A payment failed or was disputed',
      new_lead: 'A new lead',
    },
    enablePush: 'Allow notifications on this device',
    pushOn: 'This device gets notifications.',
    pushUnavailable: 'Notifications are not set up on this server.',
    pushBlocked: 'Notifications are blocked for this app in the system settings.',
    signOut: 'Sign out',
    version: 'Version {v}',
  },
};

type MobileMessages = typeof mobileEn;

const mobileTr: MobileMessages = {
  tabs: { label: 'Bölümler', inbox: 'Gelen', notifications: 'Uyarılar', settings: 'Ayarlar' },
  offline: {
    marker: 'Çevrimdışı',
    cached: 'Çevrimdışı: bu telefonun {when} kaydettikleri gösteriliyor.',
    nothingCached: 'Çevrimdışı ve bu telefonda henüz kayıtlı bir şey yok.',
  },
  signIn: {
    server: 'Sunucu adresi',
    serverHint: 'Ekibinizin AutoCloser’ının çalıştığı adres, ör. https://satis.ornek.com',
    failed: 'Giriş yapılamadı: {reason}',
  },
  inbox: {
    filters: 'Filtreler',
    needsHumanFirst: 'Kişi bekliyor',
    noneCached: 'Kayıtlı sohbet yok.',
  },
  conversation: {
    back: 'Gelen kutusuna dön',
    profile: 'Müşteri adayı',
    held: '{who} yürütüyor',
    queued: 'Bağlantı bekleniyor',
    sending: 'Gönderiliyor…',
    notSent: 'Gönderilmedi: {reason}',
    dismiss: 'Kapat',
    reasons: {
      lead_closed: 'sohbet kapatıldı',
      held_by_colleague: 'sohbeti bir ekip arkadaşınız yürütüyor',
      conversation_ended: 'sohbet sona erdi',
    },
    offlineSteer: 'Devralmak, bırakmak ve kapatmak için bağlantı gerekir.',
  },
  settings: {
    title: 'Ayarlar',
    signedInAs: '{merchant} için {name} olarak giriş yapıldı',
    notifications: 'Bildirimler',
    push: 'Bu telefonda',
    email: 'E-postayla',
    kinds: {
      needs_human: 'Bir müşteri adayı kişi bekliyor',
      customer_message: 'Yürüttüğünüz sohbette müşteri yazdı',
      payment_received: 'Ödeme geldi',
      payment_failed: 'Ödeme başarısız oldu veya itiraz edildi',
      new_lead: 'Yeni müşteri adayı',
    },
    enablePush: 'Bu cihazda bildirimlere izin ver',
    pushOn: 'Bu cihaz bildirim alıyor.',
    pushUnavailable: 'Bu sunucuda bildirimler kurulmamış.',
    pushBlocked: 'Bu uygulamanın bildirimleri sistem ayarlarında engellenmiş.',
    signOut: 'Çıkış yap',
    version: 'Sürüm {v}',
  },
};

export const en = { ...sharedEn, mobile: mobileEn };
export const tr: typeof en = { ...sharedTr, mobile: mobileTr };

export type { Locale } from '@client/i18n/setup';
export { LOCALES, normalizeLocale } from '@client/i18n/setup';

export const i18n = createI18n({ legacy: false, locale: deviceLocale(), fallbackLocale: 'en', messages: { en, tr }, missingWarn: false, fallbackWarn: false });

export const currentLocale = (): Locale => i18n.global.locale.value as Locale;

export function setLocale(locale: Locale, remember = true): void {
  i18n.global.locale.value = locale;
  if (remember) rememberLocale(locale);
  else document.documentElement.lang = locale;
}
