/** Devices, push configuration and notification preferences. */
import { data, type BodyOf, type ResponseOf } from '@client/api/http';
import { http } from './client';

export type Device = ResponseOf<'/api/v1/devices', 'post'>;
export type DevicePlatform = BodyOf<'/api/v1/devices', 'post'>['platform'];
export type PushConfig = ResponseOf<'/api/v1/push/config', 'get'>;
export type NotificationPreferences = ResponseOf<'/api/v1/me/notification-preferences', 'get'>;
export type PushKind = keyof NotificationPreferences['push'];
export const PUSH_KINDS = ['needs_human', 'customer_message', 'payment_received', 'payment_failed', 'new_lead'] as const satisfies readonly PushKind[];

/** What a push carries (FCM data, APNs custom keys, the Web Push payload). */
export interface PushData {
  conversationId?: string;
  kind?: string;
}

export const registerDevice = (body: BodyOf<'/api/v1/devices', 'post'>) => data(http.POST('/api/v1/devices', { body }));
export const pushConfig = () => data(http.GET('/api/v1/push/config'));
export const getPreferences = () => data(http.GET('/api/v1/me/notification-preferences'));
export const putPreferences = (body: NotificationPreferences) => data(http.PUT('/api/v1/me/notification-preferences', { body }));
