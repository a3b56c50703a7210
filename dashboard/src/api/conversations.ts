import { data, type BodyOf, type QueryOf, type ResponseOf } from '@client/api/http';
import { http } from './client';

export type ConversationPage = ResponseOf<'/api/v1/conversations', 'get'>;
export type ConversationSummary = ConversationPage['items'][number];
export type ConversationDetail = ResponseOf<'/api/v1/conversations/{conversationId}', 'get'>;
export type LeadProfile = ConversationSummary['lead'];
export type LeadState = NonNullable<ConversationDetail['state']>;
export type Order = ConversationDetail['orders'][number];
export type TranscriptMessage = ConversationDetail['messages'][number];
export type TimelineEvent = ConversationDetail['timeline'][number];
export type Stage = ConversationSummary['stage'];
export type Mode = ConversationSummary['mode'];
export type ConversationQuery = QueryOf<'/api/v1/conversations', 'get'>;

const path = (conversationId: string) => ({ path: { conversationId } });

export const listConversations = (query: ConversationQuery) => data(http.GET('/api/v1/conversations', { params: { query } }));
export const getConversation = (conversationId: string) => data(http.GET('/api/v1/conversations/{conversationId}', { params: path(conversationId) }));
export const takeOver = (conversationId: string) => data(http.POST('/api/v1/conversations/{conversationId}/takeover', { params: path(conversationId), body: {} }));
export const release = (conversationId: string) => data(http.POST('/api/v1/conversations/{conversationId}/release', { params: path(conversationId), body: {} }));
export const closeConversation = (conversationId: string, body: BodyOf<'/api/v1/conversations/{conversationId}/close', 'post'>) =>
  data(http.POST('/api/v1/conversations/{conversationId}/close', { params: path(conversationId), body }));
export const sendReply = (conversationId: string, body: BodyOf<'/api/v1/conversations/{conversationId}/messages', 'post'>) =>
  data(http.POST('/api/v1/conversations/{conversationId}/messages', { params: path(conversationId), body }));
