import { data, type ResponseOf } from '@client/api/http';
import { http } from './client';

export type PaymentAccounts = ResponseOf<'/api/v1/payment-accounts', 'get'>;
export type PaymentAccountItem = PaymentAccounts['items'][number];

export const listPaymentAccounts = () => data(http.GET('/api/v1/payment-accounts'));
/** Creates the connected account on the first call; always answers with a fresh single-use onboarding link. */
export const connectStripe = () => data(http.POST('/api/v1/payment-accounts/stripe/connect', { body: {} }));
export const disconnectStripe = () => data(http.DELETE('/api/v1/payment-accounts/stripe'));
