import { data, type BodyOf, type ResponseOf } from '@client/api/http';
import { http } from './client';

export type PushConfig = ResponseOf<'/api/v1/push/config', 'get'>;
export type Device = ResponseOf<'/api/v1/devices', 'get'>['items'][number];
export type DeviceInput = BodyOf<'/api/v1/devices', 'post'>;
export type NotificationPreferences = ResponseOf<'/api/v1/me/notification-preferences', 'get'>;

export const getPushConfig = () => data(http.GET('/api/v1/push/config'));

export const listDevices = () => data(http.GET('/api/v1/devices'));
export const registerDevice = (body: DeviceInput) => data(http.POST('/api/v1/devices', { body }));
export const removeDevice = (deviceId: string) => data(http.DELETE('/api/v1/devices/{deviceId}', { params: { path: { deviceId } } }));

export const getNotificationPreferences = () => data(http.GET('/api/v1/me/notification-preferences'));
export const saveNotificationPreferences = (body: NotificationPreferences) => data(http.PUT('/api/v1/me/notification-preferences', { body }));
