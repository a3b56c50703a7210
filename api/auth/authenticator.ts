import type { Request } from 'express';
import type { Db } from '../../db/knex';
import { userById } from '../../db/queries/users';
import type { Caller } from '../../domain/roles';
import { HttpError } from '../errors';
import type { Authenticator } from '../merchant/route';
import type { AccessTokens } from './tokens';

/**
 * Verifies the bearer token, then reads the member from the database: a
 * removed member or a changed role takes effect at once rather than when the
 * token expires, for the price of one primary-key lookup.
 */
export function createAuthenticator(db: Db, tokens: AccessTokens): Authenticator & { fromToken(token: string): Promise<Caller | null> } {
  const fromToken = async (token: string): Promise<Caller | null> => {
    const claims = await tokens.verify(token);
    if (!claims) return null;
    const user = await userById(db, claims.userId);
    if (!user || user.merchantId !== claims.merchantId) return null;
    return { userId: user.id, merchantId: user.merchantId, role: user.role, email: user.email, name: user.name, ...(claims.sessionId ? { sessionId: claims.sessionId } : {}) };
  };
  return {
    fromToken,
    async authenticate(req: Request): Promise<Caller> {
      const token = /^Bearer (\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
      if (!token) throw new HttpError(401, 'unauthorized', 'Sign in first: send "Authorization: Bearer <accessToken>"');
      const caller = await fromToken(token);
      if (!caller) throw new HttpError(401, 'unauthorized', 'Your access token is invalid or expired; refresh it or sign in again');
      return caller;
    },
  };
}
