import nodemailer from 'nodemailer';
import type { NodemailerError } from 'nodemailer/lib/errors';

export interface OutgoingEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Where the recipient turns this kind of email off (RFC 2369 `List-Unsubscribe`). */
  listUnsubscribe?: string;
  /** Extra headers, e.g. an idempotency key a retried send carries as `X-Entity-Ref-ID`. */
  headers?: Record<string, string>;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
  close(): void;
}

/**
 * A failed send. `retryable` is false only when the server refused the
 * message for good (an SMTP 5xx reply, or an address it will never accept);
 * connection failures, timeouts and 4xx replies may pass on a later attempt.
 */
export class EmailSendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly responseCode?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'EmailSendError';
  }
}

export interface SmtpMailerConfig {
  /** `smtp://host:port` (STARTTLS when the server offers it), `smtps://user:pass@host:465` (TLS from the start); query parameters are nodemailer options. */
  url: string;
  /** `Name <address>` or an address. */
  from: string;
}

/** Seconds, not nodemailer's minutes: a send runs inside a retried step, so a dead server should fail it fast. */
const timeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

export function createSmtpMailer(config: SmtpMailerConfig): Mailer {
  const url = new URL(config.url);
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error(`SMTP_URL must start with smtp:// or smtps://, got ${url.protocol}//`);
  // The URL's own options win over the defaults: nodemailer merges `url` over the plain options.
  const transport = nodemailer.createTransport({ ...timeouts, url: config.url });
  return {
    async send(email) {
      try {
        const info = await transport.sendMail({
          from: config.from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          html: email.html,
          headers: email.headers,
          ...(email.listUnsubscribe ? { list: { unsubscribe: { url: email.listUnsubscribe } } } : {}),
        });
        return { messageId: info.messageId };
      } catch (err) {
        const e = err as NodemailerError;
        // `permanent` is set whenever the server answered; without an answer only a malformed address is final.
        const permanent = e.permanent ?? e.code === 'EENVELOPE';
        throw new EmailSendError(`email to ${email.to} failed: ${e.message}`, !permanent, e.responseCode, { cause: err });
      }
    },
    close: () => transport.close(),
  };
}

export interface EmailEnv {
  SMTP_URL?: string;
  MAIL_FROM?: string;
}

/** The configured mailer, or null when `SMTP_URL` is not set (email is then off). */
export function mailerFromEnv(env: EmailEnv): Mailer | null {
  if (!env.SMTP_URL) return null;
  return createSmtpMailer({ url: env.SMTP_URL, from: env.MAIL_FROM ?? 'AutoCloser <no-reply@localhost>' });
}
