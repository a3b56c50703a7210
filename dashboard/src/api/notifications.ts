import { data, type ResponseOf } from '@client/api/http';
import { http } from './client';

export type NotificationPage = ResponseOf<'/api/v1/notifications', 'get'>;
export type Notification = NotificationPage['items'][number];

// openapi-fetch's response mapping cannot follow the recursive JSON type of `body` (it drops the field),
// so the page is typed from the schema directly.
export const listNotifications = () => data(http.GET('/api/v1/notifications')) as Promise<unknown> as Promise<NotificationPage>;
export const markNotificationRead = (notificationId: number) =>
  data(http.POST('/api/v1/notifications/{notificationId}/read', { params: { path: { notificationId: String(notificationId) } } }));
