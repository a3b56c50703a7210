import { data, type BodyOf, type QueryOf, type ResponseOf, type Session } from '@client/api/http';
import { api, http } from './client';

export type { Session };
export type User = Session['user'];
export type Merchant = Session['merchant'];
export type ConversationPage = ResponseOf<'/api/v1/conversations', 'get'>;
export type ConversationSummary = ConversationPage['items'][number];
export type ConversationDetail = ResponseOf<'/api/v1/conversations/{conversationId}', 'get'>;
export type LeadState = NonNullable<ConversationDetail['state']>;
export type TranscriptMessage = ConversationDetail['messages'][number];
export type Stage = ConversationSummary['stage'];
export type ConversationQuery = QueryOf<'/api/v1/conversations', 'get'>;
export type Channel = NonNullable<ConversationQuery['channel']>;
export type NotificationPage = ResponseOf<'/api/v1/notifications', 'get'>;
export type Notification = NotificationPage['items'][number];
export type ReplyBody = BodyOf<'/api/v1/conversations/{conversationId}/messages', 'post'>;

export const STAGES = ['new', 'engaged', 'qualified', 'negotiating', 'checkout', 'won', 'lost'] as const satisfies readonly Stage[];
export const CHANNELS = ['webchat', 'whatsapp'] as const satisfies readonly Channel[];

const path = (conversationId: string) => ({ path: { conversationId } });

export const login = (body: BodyOf<'/api/v1/auth/login', 'post'>) => data(http.POST('/api/v1/auth/login', { body }));
export const logout = (refreshToken: string | null) => data(http.POST('/api/v1/auth/logout', { body: refreshToken ? { refreshToken } : {} }));
export const refreshSession = () => api.refreshSession();

export const listConversations = (query: ConversationQuery) => data(http.GET('/api/v1/conversations', { params: { query } }));
export const getConversation = (conversationId: string) => data(http.GET('/api/v1/conversations/{conversationId}', { params: path(conversationId) }));
export const takeOver = (conversationId: string) => data(http.POST('/api/v1/conversations/{conversationId}/takeover', { params: path(conversationId), body: {} }));
export const release = (conversationId: string) => data(http.POST('/api/v1/conversations/{conversationId}/release', { params: path(conversationId), body: {} }));
export const closeConversation = (conversationId: string, reason: string) =>
  data(http.POST('/api/v1/conversations/{conversationId}/close', { params: path(conversationId), body: { reason } }));
export const sendReply = (conversationId: string, body: ReplyBody) => data(http.POST('/api/v1/conversations/{conversationId}/messages', { params: path(conversationId), body }));

// openapi-fetch's response mapping cannot follow the recursive JSON type of `body` (it drops the field),
// so the page is typed from the schema directly.
export const listNotifications = () => data(http.GET('/api/v1/notifications')) as Promise<unknown> as Promise<NotificationPage>;
export const markNotificationRead = (notificationId: number) =>
  data(http.POST('/api/v1/notifications/{notificationId}/read', { params: { path: { notificationId: String(notificationId) } } }));
