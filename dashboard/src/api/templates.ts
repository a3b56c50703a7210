import { data, type BodyOf, type ResponseOf } from '@client/api/http';
import { http } from './client';

export type TemplateInput = BodyOf<'/api/v1/templates', 'put'>;
export type Template = ResponseOf<'/api/v1/templates', 'get'>['items'][number];
export type SyncResult = ResponseOf<'/api/v1/templates/sync', 'post'>['results'][number];

export const listTemplates = () => data(http.GET('/api/v1/templates'));
export const saveTemplate = (body: TemplateInput) => data(http.PUT('/api/v1/templates', { body }));
export const syncTemplates = () => data(http.POST('/api/v1/templates/sync'));
