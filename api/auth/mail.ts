/**
 * The account emails the API sends: password reset, email verification and
 * team invitations. A mail that cannot be sent never fails the request that
 * caused it: the failure is logged, and the person can ask again (reset,
 * resend) or be handed the link another way (invitations answer with it).
 */
import type { Logger } from 'pino';
import type { Db } from '../../db/knex';
import { insertAuthToken } from '../../db/queries/auth-tokens';
import { getPlaybook } from '../../db/queries/merchants';
import { userByEmail, userProfile } from '../../db/queries/users';
import { LanguageSchema, type Language } from '../../domain/language';
import type { Role } from '../../domain/roles';
import type { Mailer } from '../../integrations/email/mailer';
import { invitationEmail, passwordResetEmail, verificationEmail, type EmailContent } from '../../integrations/email/messages';
import { newOpaqueToken, tokenHash } from './tokens';

/** Short: a reset link in a forwarded or leaked mail is worth little an hour later. */
export const PASSWORD_RESET_TTL_MS = 60 * 60_000;
/** Long enough to find the mail after a weekend. */
export const VERIFICATION_TTL_MS = 3 * 24 * 3600_000;

export interface AccountMailDeps {
  db: Db;
  log: Logger;
  /** Absent when email is off (no SMTP_URL): nothing is sent and nothing is stored for it. */
  mailer?: Mailer | null;
}

const languageOf = (locale: string | undefined): Language | null => LanguageSchema.safeParse(locale).data ?? null;

export function accountMail(deps: AccountMailDeps) {
  const { db, log, mailer } = deps;

  const send = async (kind: string, to: string, content: EmailContent): Promise<boolean> => {
    if (!mailer) return false;
    try {
      await mailer.send({ to, ...content });
      return true;
    } catch (err) {
      log.warn({ err, kind }, 'account email not sent');
      return false;
    }
  };

  /**
   * Runs once the answer has been written, so its timing and outcome cannot
   * be observed by the caller (a reset must not reveal who has an account),
   * and a slow mail server does not hold the request.
   */
  const afterResponse = (kind: string, work: () => Promise<unknown>): void => {
    setImmediate(() => {
      work().catch((err: unknown) => log.error({ err, kind }, 'account email failed'));
    });
  };

  return {
    enabled: Boolean(mailer),

    /** A reset link for the account with this address, if there is one; nothing at all otherwise. */
    passwordResetLater(email: string, baseUrl: string): void {
      afterResponse('password_reset', async () => {
        const user = await userByEmail(db, email);
        if (!user || !mailer) return;
        const token = newOpaqueToken();
        const expiresAt = new Date(Date.now() + PASSWORD_RESET_TTL_MS);
        await insertAuthToken(db, { userId: user.id, purpose: 'password_reset', tokenHash: tokenHash(token), expiresAt });
        const resetUrl = `${baseUrl}/app/reset-password?token=${token}`;
        await send('password_reset', user.email, passwordResetEmail(languageOf(user.locale) ?? 'en', { resetUrl, expiresAt }));
      });
    },

    verificationLater(user: { id: string; email: string; locale: string }, baseUrl: string): void {
      afterResponse('email_verification', async () => {
        if (!mailer) return;
        const token = newOpaqueToken();
        const expiresAt = new Date(Date.now() + VERIFICATION_TTL_MS);
        await insertAuthToken(db, { userId: user.id, purpose: 'email_verification', tokenHash: tokenHash(token), expiresAt });
        const verifyUrl = `${baseUrl}/app/verify-email?token=${token}`;
        await send('email_verification', user.email, verificationEmail(languageOf(user.locale) ?? 'en', { verifyUrl, expiresAt }));
      });
    },

    /**
     * Sends an invitation and says whether it went out. In the inviter's
     * language (they know the invitee), else the merchant's first language.
     */
    async invitation(i: { merchantId: string; merchantName: string; inviterId: string; email: string; role: Role; acceptUrl: string; expiresAt: Date }): Promise<boolean> {
      if (!mailer) return false;
      try {
        const inviter = await userProfile(db, i.inviterId);
        const language = languageOf(inviter?.locale) ?? (await getPlaybook(db, i.merchantId)).languages[0] ?? 'en';
        const content = invitationEmail(language, { merchantName: i.merchantName, inviterName: inviter?.name || inviter?.email || i.merchantName, role: i.role, acceptUrl: i.acceptUrl, expiresAt: i.expiresAt });
        return await send('invitation', i.email, content);
      } catch (err) {
        log.warn({ err }, 'invitation email not sent');
        return false;
      }
    },
  };
}
export type AccountMail = ReturnType<typeof accountMail>;
