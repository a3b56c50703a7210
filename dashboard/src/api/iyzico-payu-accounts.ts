import { data, type BodyOf, type ResponseOf } from '@client/api/http';
import { http } from './client';

export type IyzicoAccountState = ResponseOf<'/api/v1/payment-accounts/iyzico', 'get'>;
export type PayUAccountState = ResponseOf<'/api/v1/payment-accounts/payu', 'get'>;
export type ConnectIyzico = BodyOf<'/api/v1/payment-accounts/iyzico', 'put'>;
export type ConnectPayU = BodyOf<'/api/v1/payment-accounts/payu', 'put'>;

export const getIyzicoAccount = () => data(http.GET('/api/v1/payment-accounts/iyzico'));
/** Keys are checked with iyzico before they are stored; the answer carries only a hint of them. */
export const connectIyzico = (body: ConnectIyzico) => data(http.PUT('/api/v1/payment-accounts/iyzico', { body }));
export const disconnectIyzico = () => data(http.DELETE('/api/v1/payment-accounts/iyzico'));

export const getPayUAccount = () => data(http.GET('/api/v1/payment-accounts/payu'));
export const connectPayU = (body: ConnectPayU) => data(http.PUT('/api/v1/payment-accounts/payu', { body }));
export const disconnectPayU = () => data(http.DELETE('/api/v1/payment-accounts/payu'));
