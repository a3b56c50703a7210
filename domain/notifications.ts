import { z } from 'zod';
import type { Role } from './roles';

/** What a buzz on a member's phone is about; also the `kind` in the push payload's data. */
export const PushEvents = ['needs_human', 'customer_message', 'payment_received', 'payment_failed', 'new_lead'] as const;
export type PushEvent = (typeof PushEvents)[number];

/** Which events reach a member, per channel. Email carries only the hand-off alert. */
export const NotificationPreferencesSchema = z.strictObject({
  push: z.strictObject({
    needs_human: z.boolean(),
    customer_message: z.boolean(),
    payment_received: z.boolean(),
    payment_failed: z.boolean(),
    new_lead: z.boolean(),
  }),
  email: z.strictObject({ needs_human: z.boolean() }),
});
export type NotificationPreferences = z.infer<typeof NotificationPreferencesSchema>;

/** Every lead would buzz with `new_lead` on, so it starts off; email starts off because push already covers a phone. */
export const defaultNotificationPreferences: NotificationPreferences = {
  push: { needs_human: true, customer_message: true, payment_received: true, payment_failed: true, new_lead: false },
  email: { needs_human: false },
};

/**
 * A member's stored choices over the defaults, so a preference added later
 * starts at its default for everyone who saved theirs before it existed.
 */
export function withDefaults(stored: unknown): NotificationPreferences {
  const s = (stored ?? {}) as { push?: Record<string, unknown>; email?: Record<string, unknown> };
  const pick = <T extends Record<string, boolean>>(defaults: T, saved: Record<string, unknown> | undefined): T =>
    Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, typeof saved?.[k] === 'boolean' ? saved[k] : v])) as T;
  return { push: pick(defaultNotificationPreferences.push, s.push), email: pick(defaultNotificationPreferences.email, s.email) };
}

/** The stored notification kinds (`notifications.kind`). */
export type NotificationKind = 'needs_human' | 'won' | 'payment_issue' | 'closed' | 'quota' | 'new_lead';

/** Refunds are the merchant's own doing more often than not: they stay in the list but do not buzz. */
const quietPaymentIssues = new Set(['refunded', 'partially_refunded', 'dispute_won']);

/**
 * The push event a stored notification becomes, or null for one that stays
 * in the dashboard's list only (a lead closed, the plan's quota).
 */
export function pushEventFor(kind: string, body: unknown): PushEvent | null {
  const reason = typeof (body as { reason?: unknown } | null)?.reason === 'string' ? (body as { reason: string }).reason : null;
  switch (kind) {
    case 'needs_human':
      return reason === 'customer_wrote_while_human' ? 'customer_message' : 'needs_human';
    case 'won':
      return 'payment_received';
    case 'payment_issue':
      return reason && quietPaymentIssues.has(reason) ? null : 'payment_failed';
    case 'new_lead':
      return 'new_lead';
    default:
      return null;
  }
}

/** Notices about the account rather than a lead (the subscription's payment) go to those who can act on billing. */
export const accountNoticeRoles: readonly Role[] = ['owner'];

export interface Recipient {
  userId: string;
  role: Role;
  preferences: NotificationPreferences;
}

/** Who gets a notification, by push and by email. */
export function recipientsFor(
  n: { kind: string; body: unknown; conversationId: string | null },
  members: Recipient[],
): { push: string[]; email: string[]; event: PushEvent | null } {
  const event = pushEventFor(n.kind, n.body);
  if (!event) return { push: [], email: [], event };
  const eligible = n.conversationId === null ? members.filter((m) => accountNoticeRoles.includes(m.role)) : members;
  return {
    event,
    push: eligible.filter((m) => m.preferences.push[event]).map((m) => m.userId),
    email: event === 'needs_human' ? eligible.filter((m) => m.preferences.email.needs_human).map((m) => m.userId) : [],
  };
}
