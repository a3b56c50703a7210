import { data, type BodyOf, type ResponseOf } from '@client/api/http';
import { http } from './client';

export type ChannelItem = ResponseOf<'/api/v1/channels', 'get'>['items'][number];
export type ChannelInput = BodyOf<'/api/v1/channels', 'post'>;
export type PaymentSettings = ResponseOf<'/api/v1/settings/payments', 'get'>;
export type Playbook = ResponseOf<'/api/v1/playbook', 'get'>;

export const listChannels = () => data(http.GET('/api/v1/channels'));
export const connectChannel = (body: ChannelInput) => data(http.POST('/api/v1/channels', { body }));
export const removeChannel = (channelId: string) => data(http.DELETE('/api/v1/channels/{channelId}', { params: { path: { channelId } } }));

export const getPaymentSettings = () => data(http.GET('/api/v1/settings/payments'));
export const savePaymentSettings = (body: BodyOf<'/api/v1/settings/payments', 'put'>) => data(http.PUT('/api/v1/settings/payments', { body }));

export const getPlaybook = () => data(http.GET('/api/v1/playbook'));
export const savePlaybook = (body: BodyOf<'/api/v1/playbook', 'put'>) => data(http.PUT('/api/v1/playbook', { body }));
