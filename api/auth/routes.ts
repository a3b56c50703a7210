import { randomBytes } from 'node:crypto';
import type { CookieOptions, Request } from 'express';
import { z } from 'zod';
import { starterPlaybook } from '../../db/starter-playbook';
import { deleteSessionDevices } from '../../db/queries/devices';
import { acceptInvite } from '../../db/queries/invites';
import { refreshFamilyOf } from '../../db/queries/refresh-tokens';
import { merchantName } from '../../db/queries/merchants';
import { createMerchantWithOwner, isUniqueViolation, touchLogin, userByEmail, userById, type UserRow } from '../../db/queries/users';
import { Roles } from '../../domain/roles';
import { HttpError } from '../errors';
import { originOf, type MerchantApiDeps } from '../merchant/deps';
import { resetPassword, verifyEmailWithToken } from '../../db/queries/auth-tokens';
import { accountMail } from './mail';
import { route, type CookieChange, type RouteSpec } from '../merchant/route';
import { rateLimit } from '../rate-limit';
import { hashPassword, verifyPassword } from './passwords';
import { REFRESH_TTL_MS, revokeFamilyOf, rotateRefreshToken, startRefreshFamily } from './sessions';
import { tokenHash } from './tokens';

export const REFRESH_COOKIE = 'ac_refresh';
const COOKIE_PATH = '/api/v1/auth';

/** RFC 5321 limits: 64 characters before the @, 254 in all (mail servers refuse longer addresses). */
export const Email = z
  .email('must be an email address')
  .max(254)
  .refine((e) => e.indexOf('@') <= 64, 'must have at most 64 characters before the @')
  .transform((e) => e.trim().toLowerCase());
const Password = z.string().min(10, 'must be at least 10 characters').max(200, 'must be at most 200 characters');
const Locale = z.enum(['en', 'tr']);

const Register = z.strictObject({
  businessName: z.string().trim().min(2, 'must be at least 2 characters').max(120),
  name: z.string().trim().min(1, 'must not be empty').max(200),
  email: Email,
  password: Password,
  locale: Locale.default('en'),
});
const Login = z.strictObject({ email: Email, password: z.string().min(1, 'must not be empty').max(200) });
const RefreshBody = z.strictObject({ refreshToken: z.string().min(20).max(200).optional() }).default({});
const AcceptInvite = z.strictObject({ token: z.string().min(20).max(200), name: z.string().trim().min(1).max(200), password: Password });
// Any string reaches the handler, so a mangled link gets the same `invalid_token` answer as an expired one.
const LinkToken = z.string().min(1, 'must not be empty').max(200);
const PasswordResetRequest = z.strictObject({ email: Email });
const PasswordResetConfirm = z.strictObject({ token: LinkToken, password: Password });
const VerifyEmail = z.strictObject({ token: LinkToken });
const invalidLink = (what: string) => new HttpError(400, 'invalid_token', `This ${what} link is unknown, already used or expired; ask for a new one`);

export const SessionSchema = z.object({
  accessToken: z.string(),
  accessTokenExpiresAt: z.iso.datetime(),
  refreshToken: z.string().describe('Also set as an HttpOnly cookie for browsers'),
  user: z.object({
    id: z.string(), email: z.string(), name: z.string(), role: z.enum(Roles), locale: z.string(),
    emailVerified: z.boolean().describe('Whether the member has followed a link mailed to this address'),
  }),
  merchant: z.object({ id: z.string(), name: z.string() }),
});
const cookieOptions = (req: Request): CookieOptions => ({ httpOnly: true, secure: req.secure, sameSite: 'strict', path: COOKIE_PATH });

/** A merchant id people can read in a widget snippet, unique thanks to the random tail. */
function merchantIdFor(businessName: string): string {
  const slug = businessName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ı/g, 'i')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${slug || 'shop'}-${randomBytes(3).toString('hex')}`;
}

export function authRoutes(deps: MerchantApiDeps): RouteSpec[] {
  const { db } = deps;
  const mail = accountMail(deps);
  // Keyed by address and email, so one attacker cannot lock a victim out from elsewhere and cannot spray many accounts either.
  const limited = [
    rateLimit(deps, { name: 'auth', perMinute: deps.authRateLimitPerMinute, key: (req) => String((req.body as { email?: unknown })?.email ?? '').toLowerCase() }),
  ];

  /** The session's answer; browsers also get the refresh token as a cookie they cannot read. */
  const session = async <S extends 200 | 201>(status: S, req: Request, user: UserRow, refreshToken: string) => {
    // users.merchant_id references merchants: a user's merchant exists.
    const merchant = (await merchantName(db, user.merchantId))!;
    // The sign-in's family id rides in the access token, so a device registered with it is removed at sign-out.
    const sessionId = await refreshFamilyOf(db, tokenHash(refreshToken));
    const access = await deps.tokens.sign({ userId: user.id, merchantId: user.merchantId, role: user.role, ...(sessionId ? { sessionId } : {}) });
    const cookies: CookieChange[] = [{ name: REFRESH_COOKIE, value: refreshToken, options: { ...cookieOptions(req), maxAge: REFRESH_TTL_MS } }];
    return {
      status,
      cookies,
      body: {
        accessToken: access.token,
        accessTokenExpiresAt: access.expiresAt,
        refreshToken,
        user: { id: user.id, email: user.email, name: user.name, role: user.role, locale: user.locale, emailVerified: user.emailVerifiedAt !== null },
        merchant: { id: merchant.id, name: merchant.name },
      },
    };
  };
  const presented = (req: Request, body: { refreshToken?: string }) => body.refreshToken ?? (req.cookies?.[REFRESH_COOKIE] as string | undefined);

  return [
    route({
      method: 'post', path: '/auth/register', tag: 'auth', access: 'public', before: limited,
      summary: 'Create a merchant and its owner, and sign in',
      body: Register, responses: { 201: SessionSchema, 409: 'An account with this email already exists' },
      example: { businessName: 'Acme Outdoor', name: 'Ayşe Yılmaz', email: 'ayse@acme.example', password: 'correct horse battery', locale: 'tr' },
      async handle({ body, req }) {
        if (await userByEmail(db, body.email)) throw new HttpError(409, 'conflict', 'An account with this email already exists; sign in instead');
        const merchant = { id: merchantIdFor(body.businessName), name: body.businessName };
        let user: UserRow;
        try {
          user = await createMerchantWithOwner(db, merchant, starterPlaybook(body.businessName, body.locale), {
            email: body.email, name: body.name, locale: body.locale, passwordHash: await hashPassword(body.password),
          });
        } catch (err) {
          if (isUniqueViolation(err)) throw new HttpError(409, 'conflict', 'An account with this email already exists; sign in instead');
          throw err;
        }
        await touchLogin(db, user.id);
        mail.verificationLater(user, originOf(deps, req));
        return session(201, req, user, await startRefreshFamily(db, user.id));
      },
    }),
    route({
      method: 'post', path: '/auth/login', tag: 'auth', access: 'public', before: limited,
      summary: 'Sign in with email and password',
      body: Login, responses: { 200: SessionSchema, 401: 'Email or password is wrong' }, example: { email: 'ayse@acme.example', password: 'correct horse battery' },
      async handle({ body, req }) {
        const user = await userByEmail(db, body.email);
        if (!(await verifyPassword(user?.passwordHash ?? null, body.password)) || !user) {
          throw new HttpError(401, 'unauthorized', 'Email or password is wrong');
        }
        await touchLogin(db, user.id);
        return session(200, req, user, await startRefreshFamily(db, user.id));
      },
    }),
    route({
      method: 'post', path: '/auth/refresh', tag: 'auth', access: 'public', before: limited,
      summary: 'Trade a refresh token (body or cookie) for a new access token and the next refresh token',
      body: RefreshBody, responses: { 200: SessionSchema, 401: 'No refresh token, or it is expired, revoked or already used' },
      async handle({ body, req }) {
        const token = presented(req, body);
        if (!token) throw new HttpError(401, 'unauthorized', 'No refresh token; sign in again');
        const next = await rotateRefreshToken(db, token);
        const user = await userById(db, next.userId);
        if (!user) throw new HttpError(401, 'unauthorized', 'This account no longer exists');
        return session(200, req, user, next.refreshToken);
      },
    }),
    route({
      method: 'post', path: '/auth/logout', tag: 'auth', access: 'public',
      summary: 'End this sign-in: its refresh tokens stop working and the devices registered in it get no more notifications',
      body: RefreshBody, responses: { 204: null },
      async handle({ body, req }) {
        const token = presented(req, body);
        if (token) {
          const family = await refreshFamilyOf(db, tokenHash(token));
          if (family) await deleteSessionDevices(db, family);
          await revokeFamilyOf(db, token);
        }
        return { status: 204, cookies: [{ name: REFRESH_COOKIE, clear: true, options: { path: COOKIE_PATH } }] };
      },
    }),
    route({
      method: 'post', path: '/auth/invites/accept', tag: 'auth', access: 'public', before: limited,
      summary: 'Join a team with an invite token',
      body: AcceptInvite,
      responses: { 201: SessionSchema, 404: 'The invite does not exist, was already used, or has expired', 409: 'An account with this email already exists' },
      async handle({ body, req }) {
        const accepted = await acceptInvite(db, tokenHash(body.token), { name: body.name, locale: 'en', passwordHash: () => hashPassword(body.password) });
        if ('refused' in accepted && accepted.refused === 'invalid') {
          throw new HttpError(404, 'not_found', 'This invite does not exist, was already used, or has expired; ask for a new one');
        }
        if ('refused' in accepted) throw new HttpError(409, 'conflict', 'An account with this email already exists');
        const { user } = accepted;
        await touchLogin(db, user.id);
        return session(201, req, user, await startRefreshFamily(db, user.id));
      },
    }),
    route({
      method: 'post', path: '/auth/password-reset', tag: 'auth', access: 'public', before: limited,
      summary: 'Email a single-use password reset link (valid 1 hour) to this address, if it has an account',
      body: PasswordResetRequest, example: { email: 'ayse@acme.example' },
      responses: { 202: null },
      async handle({ body, req }) {
        // The same answer, at once, whether or not the address has an account: the lookup and the mail happen afterwards.
        mail.passwordResetLater(body.email, originOf(deps, req));
        return { status: 202 };
      },
    }),
    route({
      method: 'post', path: '/auth/password-reset/confirm', tag: 'auth', access: 'public', before: limited,
      summary: "Set a new password with a reset link's token; every sign-in of the account ends and its devices are signed out",
      body: PasswordResetConfirm, example: { token: 'token-from-the-reset-link', password: 'another horse battery' },
      responses: { 204: null, 400: 'The body is malformed (`details` names each bad field), or the link is unknown, already used or expired (code `invalid_token`)' },
      async handle({ body }) {
        const userId = await resetPassword(db, tokenHash(body.token), () => hashPassword(body.password));
        if (!userId) throw invalidLink('password reset');
        return { status: 204 };
      },
    }),
    route({
      method: 'post', path: '/auth/verify-email', tag: 'auth', access: 'public', before: limited,
      summary: "Confirm the account's email address with a verification link's token",
      body: VerifyEmail, example: { token: 'token-from-the-verification-link' },
      responses: { 204: null, 400: 'The body is malformed (`details` names each bad field), or the link is unknown, already used or expired (code `invalid_token`)' },
      async handle({ body }) {
        if (!(await verifyEmailWithToken(db, tokenHash(body.token)))) throw invalidLink('verification');
        return { status: 204 };
      },
    }),
    route({
      method: 'post', path: '/auth/verify-email/resend', tag: 'auth', access: 'viewer', before: limited,
      summary: 'Email a new verification link to the signed-in member (nothing happens once the address is verified)',
      responses: { 202: null },
      async handle({ caller, req }) {
        const user = await userById(db, caller.userId);
        if (user && !user.emailVerifiedAt) mail.verificationLater(user, originOf(deps, req));
        return { status: 202 };
      },
    }),
  ];
}
