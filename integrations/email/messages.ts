/**
 * The emails the product sends, each as `{ subject, html, text }` in the
 * recipient's language. Every value that comes from a person (merchant,
 * inviter and customer names, the agent's own hand-off reason) is escaped
 * before it reaches the HTML part; links must be http(s) so a stored value
 * can never become a `javascript:` link. The text part carries the same
 * sentences and the raw link, for clients that show no HTML and for filters
 * that score HTML-only mail as spam.
 */
import type { Language } from '../../domain/language';
import type { Role } from '../../domain/roles';
import { en, handOffReasonCodes, type EmailStrings, type HandOffReasonCode } from './strings/en';
import { tr } from './strings/tr';

export interface EmailContent {
  subject: string;
  html: string;
  text: string;
  /** Where a member turns this kind of email off; sent as `List-Unsubscribe`. */
  listUnsubscribe?: string;
}

const strings: Record<Language, EmailStrings> = { en, tr };
const PRODUCT = 'AutoCloser';

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Names go into one-line places (subjects, headings): no line breaks, no runs of spaces, no novel-length names. */
function oneLine(value: string, max = 80): string {
  const flat = value.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function checkedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`email links must be http(s), got ${parsed.protocol}`);
  return parsed.href;
}

function formatWhen(date: Date, s: EmailStrings, timeZone: string): string {
  return new Intl.DateTimeFormat(s.locale, {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
    // The reader may be in another zone than the merchant: name the zone rather than guess.
    timeZoneName: 'short',
  }).format(date);
}

/** One paragraph of the body, or a call to action with its link. */
type Block = { kind: 'p'; text: string; muted?: boolean } | { kind: 'action'; label: string; url: string };

/**
 * Table layout and inline styles because that is what mail clients render
 * (Outlook ignores most CSS); one column, readable on a phone.
 */
function render(s: EmailStrings, subject: string, heading: string, blocks: Block[], extraFooter?: { label: string; url: string }): EmailContent {
  const htmlBlocks = blocks
    .map((b) =>
      b.kind === 'p'
        ? `<p style="margin:0 0 16px;${b.muted ? 'color:#6b7280;font-size:14px;' : ''}">${escapeHtml(b.text)}</p>`
        : `<p style="margin:24px 0;"><a href="${escapeHtml(b.url)}" style="display:inline-block;background:#2563eb;color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:6px;font-weight:600;">${escapeHtml(b.label)}</a></p>` +
          `<p style="margin:0 0 16px;color:#6b7280;font-size:13px;">${escapeHtml(s.linkFallback)}<br><a href="${escapeHtml(b.url)}" style="color:#2563eb;word-break:break-all;">${escapeHtml(b.url)}</a></p>`,
    )
    .join('\n');
  const footer = [escapeHtml(s.footer(PRODUCT)), extraFooter ? `<a href="${escapeHtml(extraFooter.url)}" style="color:#6b7280;">${escapeHtml(extraFooter.label)}</a>` : '']
    .filter(Boolean)
    .join(' · ');
  const html = `<!doctype html>
<html lang="${s.locale.slice(0, 2)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:0;background:#f3f4f6;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f4f6;"><tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px;"><tr><td style="padding:32px 28px;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#111827;">
<h1 style="margin:0 0 20px;font-size:22px;line-height:1.3;">${escapeHtml(heading)}</h1>
${htmlBlocks}
</td></tr></table>
<p style="margin:16px 0 0;font-family:Helvetica,Arial,sans-serif;font-size:12px;color:#6b7280;">${footer}</p>
</td></tr></table>
</body>
</html>
`;
  const textBlocks = blocks.map((b) => (b.kind === 'p' ? b.text : `${b.label}:\n${b.url}`));
  const text = [heading, ...textBlocks, '--', s.footer(PRODUCT), ...(extraFooter ? [`${extraFooter.label}: ${extraFooter.url}`] : [])].join('\n\n') + '\n';
  return { subject, html, text, ...(extraFooter ? { listUnsubscribe: extraFooter.url } : {}) };
}

export interface InvitationEmail {
  merchantName: string;
  inviterName: string;
  role: Role;
  acceptUrl: string;
  expiresAt: Date;
  /** The merchant's time zone, for the expiry; UTC when unknown. */
  timeZone?: string;
}

export function invitationEmail(language: Language, p: InvitationEmail): EmailContent {
  const s = strings[language];
  const merchant = oneLine(p.merchantName);
  const inviter = oneLine(p.inviterName);
  return render(s, s.invitation.subject(merchant), s.invitation.heading(merchant), [
    { kind: 'p', text: s.invitation.body(inviter, merchant, s.roles[p.role]) },
    { kind: 'action', label: s.invitation.action, url: checkedUrl(p.acceptUrl) },
    { kind: 'p', text: s.expiresAt(formatWhen(p.expiresAt, s, p.timeZone ?? 'UTC')), muted: true },
    { kind: 'p', text: s.invitation.notExpected, muted: true },
  ]);
}

export interface PasswordResetEmail {
  resetUrl: string;
  expiresAt: Date;
  timeZone?: string;
}

export function passwordResetEmail(language: Language, p: PasswordResetEmail): EmailContent {
  const s = strings[language];
  return render(s, s.passwordReset.subject, s.passwordReset.heading, [
    { kind: 'p', text: s.passwordReset.body },
    { kind: 'action', label: s.passwordReset.action, url: checkedUrl(p.resetUrl) },
    { kind: 'p', text: `${s.expiresAt(formatWhen(p.expiresAt, s, p.timeZone ?? 'UTC'))} ${s.passwordReset.singleUse}`, muted: true },
    { kind: 'p', text: s.passwordReset.notYou, muted: true },
  ]);
}

export interface VerificationEmail {
  verifyUrl: string;
  expiresAt: Date;
  timeZone?: string;
}

export function verificationEmail(language: Language, p: VerificationEmail): EmailContent {
  const s = strings[language];
  return render(s, s.verification.subject, s.verification.heading, [
    { kind: 'p', text: s.verification.body },
    { kind: 'action', label: s.verification.action, url: checkedUrl(p.verifyUrl) },
    { kind: 'p', text: s.expiresAt(formatWhen(p.expiresAt, s, p.timeZone ?? 'UTC')), muted: true },
    { kind: 'p', text: s.verification.notYou, muted: true },
  ]);
}

export interface NeedsHumanEmail {
  merchantName: string;
  /** The lead's display name as the customer gave it: untrusted. */
  customerName: string;
  /** A hand-off reason code, or the agent's own words for one. */
  reason: string;
  conversationUrl: string;
  /** The member's notification settings; also sent as `List-Unsubscribe`. */
  preferencesUrl?: string;
}

const isReasonCode = (reason: string): reason is HandOffReasonCode => (handOffReasonCodes as readonly string[]).includes(reason);

/** The reason in the reader's words; an unknown code is shown as given rather than dropped. */
export function handOffReasonText(language: Language, reason: string): string {
  return isReasonCode(reason) ? strings[language].needsHuman.reasons[reason] : oneLine(reason.replaceAll('_', ' '), 200);
}

export function needsHumanEmail(language: Language, p: NeedsHumanEmail): EmailContent {
  const s = strings[language];
  const merchant = oneLine(p.merchantName);
  return render(
    s,
    // Short in the subject so the reason for the email stays visible in an inbox list.
    s.needsHuman.subject(oneLine(p.customerName, 60), merchant),
    s.needsHuman.heading,
    [
      { kind: 'p', text: s.needsHuman.body(oneLine(p.customerName, 200), merchant) },
      { kind: 'p', text: `${s.needsHuman.reasonLabel} ${handOffReasonText(language, p.reason)}` },
      { kind: 'action', label: s.needsHuman.action, url: checkedUrl(p.conversationUrl) },
    ],
    p.preferencesUrl ? { label: s.needsHuman.unsubscribe, url: checkedUrl(p.preferencesUrl) } : undefined,
  );
}
