import { z } from 'zod';
import { deleteUserDevice, listUserDevices, registerDevice } from '../../../db/queries/devices';
import { notificationPreferences, setNotificationPreferences } from '../../../db/queries/notification-preferences';
import { NotificationPreferencesSchema } from '../../../domain/notifications';
import { notFound } from '../../errors';
import type { MerchantApiDeps } from '../deps';
import { route, type RouteSpec } from '../route';

const Platform = z.enum(['android', 'ios', 'web']);
const Device = z.object({ id: z.string(), platform: Platform, label: z.string().nullable(), createdAt: z.string() });

/** A browser's PushSubscription as `JSON.stringify` writes it; only https endpoints are push services. */
const WebSubscription = z.object({
  endpoint: z.url().refine((u) => u.startsWith('https://'), 'must be an https URL'),
  keys: z.object({ p256dh: z.string().min(1), auth: z.string().min(1) }),
});

/**
 * The token as each platform hands it over. A token that cannot be one is
 * refused here, where the app can still tell the member, rather than
 * failing on every notification afterwards.
 */
const DeviceBody = z
  .strictObject({
    platform: Platform,
    token: z.string().min(1, 'must not be empty').max(4096, 'must be at most 4096 characters'),
    label: z.string().trim().max(100).optional().describe('A name the member recognises, e.g. "Pixel 8" or "Firefox on the office PC"'),
  })
  .superRefine((b, ctx) => {
    if (b.platform === 'ios' && !/^[0-9a-fA-F]{16,200}$/.test(b.token)) {
      ctx.addIssue({ code: 'custom', path: ['token'], message: 'must be the APNs device token in hex' });
    }
    if (b.platform === 'android' && /\s/.test(b.token)) ctx.addIssue({ code: 'custom', path: ['token'], message: 'must be an FCM registration token' });
    if (b.platform === 'web') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(b.token);
      } catch {
        parsed = null;
      }
      if (!WebSubscription.safeParse(parsed).success) {
        ctx.addIssue({ code: 'custom', path: ['token'], message: 'must be a PushSubscription as JSON: {"endpoint":"https://…","keys":{"p256dh":…,"auth":…}}' });
      }
    }
  });

const PushConfigSchema = z.object({
  webPushPublicKey: z.string().nullable().describe('The VAPID public key to subscribe with (applicationServerKey); null when Web Push is off'),
  platforms: z.object({ android: z.boolean(), ios: z.boolean(), web: z.boolean() }),
});

/** The signed-in member's devices for push notifications, what should reach them, and which platforms this installation serves. */
export function deviceRoutes(deps: MerchantApiDeps): RouteSpec[] {
  const { db } = deps;
  const push = deps.push ?? { webPushPublicKey: null, platforms: { android: false, ios: false, web: false } };

  return [
    route({
      method: 'post', path: '/devices', tag: 'notifications', access: 'viewer',
      summary: 'Register this device for push notifications (200 when this member already had it); signing out removes it',
      body: DeviceBody,
      example: { platform: 'android', token: 'fcm-registration-token-from-the-app:APA91bExample', label: 'Pixel 8' },
      responses: { 201: Device.describe('Registered'), 200: Device.describe('Already registered by this member; refreshed') },
      async handle({ caller, body }) {
        const { device, created } = await registerDevice(db, {
          merchantId: caller.merchantId,
          userId: caller.userId,
          sessionId: caller.sessionId ?? null,
          platform: body.platform,
          token: body.token,
          label: body.label || null,
        });
        return { status: created ? 201 : 200, body: device };
      },
    }),
    route({
      method: 'get', path: '/devices', tag: 'notifications', access: 'viewer',
      summary: "The signed-in member's registered devices",
      responses: { 200: z.object({ items: z.array(Device) }) },
      async handle({ caller }) {
        return { status: 200, body: { items: await listUserDevices(db, caller.userId) } };
      },
    }),
    route({
      method: 'delete', path: '/devices/:deviceId', tag: 'notifications', access: 'viewer',
      summary: 'Stop push notifications to one of your devices',
      responses: { 204: null },
      async handle({ caller, params }) {
        const id = params.deviceId ?? '';
        if (!z.uuid().safeParse(id).success || !(await deleteUserDevice(db, caller.userId, id))) throw notFound(`Device "${id}"`);
        return { status: 204 };
      },
    }),
    route({
      method: 'get', path: '/me/notification-preferences', tag: 'notifications', access: 'viewer',
      summary: 'Which events reach the signed-in member by push and by email',
      responses: { 200: NotificationPreferencesSchema },
      async handle({ caller }) {
        return { status: 200, body: await notificationPreferences(db, caller.userId) };
      },
    }),
    route({
      method: 'put', path: '/me/notification-preferences', tag: 'notifications', access: 'viewer',
      summary: 'Choose which events reach you by push and by email (the whole set)',
      body: NotificationPreferencesSchema,
      example: {
        push: { needs_human: true, customer_message: true, payment_received: true, payment_failed: true, new_lead: false },
        email: { needs_human: true },
      },
      responses: { 200: NotificationPreferencesSchema },
      async handle({ caller, body }) {
        return { status: 200, body: await setNotificationPreferences(db, caller.userId, body) };
      },
    }),
    route({
      method: 'get', path: '/push/config', tag: 'notifications', access: 'viewer',
      summary: 'Which push platforms this installation sends to, and the key browsers subscribe with',
      responses: { 200: PushConfigSchema },
      async handle() {
        return { status: 200, body: push };
      },
    }),
  ];
}
