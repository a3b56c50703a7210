import { data, type ResponseOf } from '@client/api/http';
import { http } from './client';

/** The web-chat widget's own API, which the onboarding wizard uses to let a merchant try the agent as a visitor. */
export type ChatMessage = ResponseOf<'/api/webchat/{merchant}/sessions/{sessionId}/messages', 'get'>[number];

export const sendVisitorMessage = (merchant: string, body: { sessionId: string; text: string; clientMessageId: string }) =>
  data(http.POST('/api/webchat/{merchant}/messages', { params: { path: { merchant } }, body }));
export const visitorTranscript = (merchant: string, sessionId: string) =>
  data(http.GET('/api/webchat/{merchant}/sessions/{sessionId}/messages', { params: { path: { merchant, sessionId } } }));
