import { data, type BodyOf, type QueryOf, type ResponseOf } from '@client/api/http';
import { http } from './client';

export type KnowledgeEntry = ResponseOf<'/api/v1/knowledge/{entryId}', 'get'>;
export type KnowledgeInput = BodyOf<'/api/v1/knowledge', 'post'>;
export type KnowledgeFilter = QueryOf<'/api/v1/knowledge', 'get'>;
export type KnowledgeImport = BodyOf<'/api/v1/knowledge/import', 'post'>;
export type KnowledgeImportResult = ResponseOf<'/api/v1/knowledge/import', 'post'>;
export type KnowledgeTopic = KnowledgeEntry['topics'][number];

/** The topics an entry can be tagged with, in the order the dashboard lists them. */
export const knowledgeTopics: KnowledgeTopic[] = ['shipping', 'returns', 'warranty', 'payment', 'hours', 'locations', 'other'];

export const listKnowledge = (query: KnowledgeFilter = {}) => data(http.GET('/api/v1/knowledge', { params: { query } }));
export const createKnowledge = (body: KnowledgeInput) => data(http.POST('/api/v1/knowledge', { body }));
export const updateKnowledge = (entryId: string, body: KnowledgeInput) => data(http.PUT('/api/v1/knowledge/{entryId}', { params: { path: { entryId } }, body }));
export const deleteKnowledge = (entryId: string) => data(http.DELETE('/api/v1/knowledge/{entryId}', { params: { path: { entryId } } }));
export const importKnowledge = (body: KnowledgeImport) => data(http.POST('/api/v1/knowledge/import', { body }));
