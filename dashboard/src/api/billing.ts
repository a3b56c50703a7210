import { data, type BodyOf, type ResponseOf } from '@client/api/http';
import { http } from './client';

export type BillingOverview = ResponseOf<'/api/v1/billing', 'get'>;
export type Plan = ResponseOf<'/api/v1/billing/plans', 'get'>['items'][number];
export type Invoice = BillingOverview['invoices'][number];

export const getBilling = () => data(http.GET('/api/v1/billing'));
export const listPlans = async () => (await data(http.GET('/api/v1/billing/plans'))).items;
export const startCheckout = (body: BodyOf<'/api/v1/billing/checkout', 'post'>) => data(http.POST('/api/v1/billing/checkout', { body }));
/** Authenticated download: a link cannot carry the bearer token. */
export const invoicePdf = (invoiceId: string) =>
  data(http.GET('/api/v1/billing/invoices/{invoiceId}/pdf', { params: { path: { invoiceId } }, parseAs: 'blob', headers: { accept: '*/*' } })) as Promise<Blob>;
export type CheckoutAnswer = ResponseOf<'/api/v1/billing/checkout', 'post'>;
export type PlanChange = Extract<CheckoutAnswer, { changed: true }>;
export const cancelSubscription = () => data(http.POST('/api/v1/billing/cancel'));
export const resumeSubscription = () => data(http.POST('/api/v1/billing/resume'));
export const openPortal = () => data(http.POST('/api/v1/billing/portal'));
