import { createHash, randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { Roles, type Role } from '../../domain/roles';

const ISSUER = 'autocloser';
const AUDIENCE = 'autocloser-merchant-api';

export interface AccessClaims {
  userId: string;
  merchantId: string;
  role: Role;
  /** The sign-in (refresh-token family) the token was issued in, as `sid`: devices registered with it end with that sign-in. */
  sessionId?: string;
}

/** Short-lived, stateless access tokens (HS256 under `JWT_SECRET`). */
export function createAccessTokens(secret: string, ttlSeconds = 900) {
  const key = new TextEncoder().encode(secret);
  return {
    ttlSeconds,
    async sign(claims: AccessClaims, now = new Date()): Promise<{ token: string; expiresAt: string }> {
      const iat = Math.floor(now.getTime() / 1000);
      const token = await new SignJWT({ mid: claims.merchantId, role: claims.role, ...(claims.sessionId ? { sid: claims.sessionId } : {}) })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(claims.userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .sign(key);
      return { token, expiresAt: new Date((iat + ttlSeconds) * 1000).toISOString() };
    },
    /** Returns null for anything not signed by us, expired, or shaped wrong. */
    async verify(token: string): Promise<AccessClaims | null> {
      try {
        const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
        if (typeof payload.sub !== 'string' || typeof payload.mid !== 'string' || !Roles.includes(payload.role as Role)) return null;
        return { userId: payload.sub, merchantId: payload.mid, role: payload.role as Role, ...(typeof payload.sid === 'string' ? { sessionId: payload.sid } : {}) };
      } catch {
        return null;
      }
    },
  };
}
export type AccessTokens = ReturnType<typeof createAccessTokens>;

/** Opaque secrets (refresh tokens, invite tokens): only their SHA-256 is stored. */
export const newOpaqueToken = (): string => randomBytes(32).toString('base64url');
export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');
