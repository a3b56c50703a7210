import { data, type BodyOf, type ResponseOf, type Session } from '@client/api/http';
import { api, http } from './client';

export type { Session };
export type User = Session['user'];
export type Merchant = Session['merchant'];
export type Me = ResponseOf<'/api/v1/me', 'get'>;

export const login = (body: BodyOf<'/api/v1/auth/login', 'post'>) => data(http.POST('/api/v1/auth/login', { body }));
export const register = (body: BodyOf<'/api/v1/auth/register', 'post'>) => data(http.POST('/api/v1/auth/register', { body }));
export const acceptInvite = (body: BodyOf<'/api/v1/auth/invites/accept', 'post'>) => data(http.POST('/api/v1/auth/invites/accept', { body }));
export const me = () => data(http.GET('/api/v1/me'));
export const logout = () => data(http.POST('/api/v1/auth/logout', { body: {} }));
export const refreshSession = () => api.refreshSession();
export const requestPasswordReset = (body: BodyOf<'/api/v1/auth/password-reset', 'post'>) => data(http.POST('/api/v1/auth/password-reset', { body }));
export const confirmPasswordReset = (body: BodyOf<'/api/v1/auth/password-reset/confirm', 'post'>) => data(http.POST('/api/v1/auth/password-reset/confirm', { body }));
export const verifyEmail = (body: BodyOf<'/api/v1/auth/verify-email', 'post'>) => data(http.POST('/api/v1/auth/verify-email', { body }));
export const resendVerification = () => data(http.POST('/api/v1/auth/verify-email/resend'));
