import { readFileSync } from 'node:fs';
import { createApnsSender, type ApnsConfig } from './apns';
import { createFcmSender, parseServiceAccount } from './fcm';
import type { PushPlatform, PushSender } from './sender';
import { createWebPushSender } from './web-push';

/** The variables read here; each platform is on when its group is complete. */
export interface PushEnv {
  /** The service-account key JSON itself, or… */
  FCM_SERVICE_ACCOUNT_JSON?: string;
  /** …the path of the downloaded key file. */
  FCM_SERVICE_ACCOUNT_FILE?: string;
  /** Replaces https://fcm.googleapis.com, for a local FCM stand-in. */
  FCM_BASE_URL?: string;
  APNS_KEY_ID?: string;
  APNS_TEAM_ID?: string;
  APNS_BUNDLE_ID?: string;
  /** The .p8 key's PEM text (`\n` escapes allowed), or… */
  APNS_PRIVATE_KEY?: string;
  /** …the path of the .p8 file. */
  APNS_PRIVATE_KEY_FILE?: string;
  /** `production` (default; TestFlight and store builds) or `sandbox` (builds run from Xcode), or an https origin for a local stand-in. */
  APNS_ENV?: string;
  VAPID_PUBLIC_KEY?: string;
  VAPID_PRIVATE_KEY?: string;
  /** `mailto:` or `https:` contact for the push services. */
  VAPID_SUBJECT?: string;
}

export interface PushSenders {
  senders: Partial<Record<PushPlatform, PushSender>>;
  enabled: PushPlatform[];
  /** One line for the start log, e.g. `push: android (FCM) on, ios (APNs) off, web (VAPID) on`. */
  summary: string;
  close(): Promise<void>;
}

const set = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

/**
 * Builds a sender for each platform whose variables are set. A group that is
 * only partly set is an error rather than "off", so a typo in one name does
 * not silently turn notifications off in production.
 */
export function pushSendersFromEnv(env: PushEnv): PushSenders {
  const senders: Partial<Record<PushPlatform, PushSender>> = {};

  if (set(env.FCM_SERVICE_ACCOUNT_JSON) && set(env.FCM_SERVICE_ACCOUNT_FILE)) throw new Error('set FCM_SERVICE_ACCOUNT_JSON or FCM_SERVICE_ACCOUNT_FILE, not both');
  const fcmJson = set(env.FCM_SERVICE_ACCOUNT_JSON)
    ? env.FCM_SERVICE_ACCOUNT_JSON
    : set(env.FCM_SERVICE_ACCOUNT_FILE)
      ? readFileSync(env.FCM_SERVICE_ACCOUNT_FILE, 'utf8')
      : undefined;
  if (fcmJson !== undefined) {
    senders.android = createFcmSender({ serviceAccount: parseServiceAccount(fcmJson), ...(set(env.FCM_BASE_URL) ? { baseUrl: env.FCM_BASE_URL } : {}) });
  }

  const apns = {
    APNS_KEY_ID: env.APNS_KEY_ID,
    APNS_TEAM_ID: env.APNS_TEAM_ID,
    APNS_BUNDLE_ID: env.APNS_BUNDLE_ID,
    'APNS_PRIVATE_KEY or APNS_PRIVATE_KEY_FILE': set(env.APNS_PRIVATE_KEY) ? env.APNS_PRIVATE_KEY : env.APNS_PRIVATE_KEY_FILE,
  };
  const apnsMissing = Object.entries(apns).filter(([, v]) => !set(v)).map(([k]) => k);
  if (apnsMissing.length < Object.keys(apns).length) {
    if (apnsMissing.length) throw new Error(`APNs is partly configured: ${apnsMissing.join(', ')} missing`);
    if (set(env.APNS_PRIVATE_KEY) && set(env.APNS_PRIVATE_KEY_FILE)) throw new Error('set APNS_PRIVATE_KEY or APNS_PRIVATE_KEY_FILE, not both');
    const apnsEnv = env.APNS_ENV?.trim() || 'production';
    if (apnsEnv !== 'production' && apnsEnv !== 'sandbox' && !apnsEnv.startsWith('https://')) {
      throw new Error(`APNS_ENV must be production or sandbox, got ${apnsEnv}`);
    }
    const privateKey = set(env.APNS_PRIVATE_KEY) ? env.APNS_PRIVATE_KEY.replaceAll('\\n', '\n') : readFileSync(env.APNS_PRIVATE_KEY_FILE as string, 'utf8');
    const config: ApnsConfig = { keyId: env.APNS_KEY_ID as string, teamId: env.APNS_TEAM_ID as string, bundleId: env.APNS_BUNDLE_ID as string, privateKey, origin: apnsEnv };
    senders.ios = createApnsSender(config);
  }

  const vapid = { VAPID_PUBLIC_KEY: env.VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: env.VAPID_PRIVATE_KEY, VAPID_SUBJECT: env.VAPID_SUBJECT };
  const vapidMissing = Object.entries(vapid).filter(([, v]) => !set(v)).map(([k]) => k);
  if (vapidMissing.length < Object.keys(vapid).length) {
    if (vapidMissing.length) throw new Error(`Web Push is partly configured: ${vapidMissing.join(', ')} missing`);
    senders.web = createWebPushSender({ publicKey: vapid.VAPID_PUBLIC_KEY as string, privateKey: vapid.VAPID_PRIVATE_KEY as string, subject: vapid.VAPID_SUBJECT as string });
  }

  const enabled = (['android', 'ios', 'web'] as const).filter((p) => senders[p]);
  const label = { android: 'android (FCM)', ios: 'ios (APNs)', web: 'web (VAPID)' } as const;
  const summary = `push: ${(['android', 'ios', 'web'] as const).map((p) => `${label[p]} ${senders[p] ? 'on' : 'off'}`).join(', ')}`;
  return {
    senders,
    enabled,
    summary,
    async close() {
      await Promise.all(Object.values(senders).map((s) => s.close?.()));
    },
  };
}
