import { data, type QueryOf, type ResponseOf } from '@client/api/http';
import { http } from './client';

export type Analytics = ResponseOf<'/api/v1/analytics', 'get'>;

export const getAnalytics = (query: QueryOf<'/api/v1/analytics', 'get'>) => data(http.GET('/api/v1/analytics', { params: { query } }));
