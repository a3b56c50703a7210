export const Roles = ['viewer', 'agent', 'admin', 'owner'] as const;
export type Role = (typeof Roles)[number];

/** Roles are ordered: each can do everything the one before it can. */
export const atLeast = (role: Role, least: Role): boolean => Roles.indexOf(role) >= Roles.indexOf(least);

/** The signed-in member a request acts for; every query is scoped to `merchantId`. */
export interface Caller {
  userId: string;
  merchantId: string;
  role: Role;
  email: string;
  name: string;
  /** The sign-in the access token belongs to (absent in tokens issued before sessions were named). */
  sessionId?: string;
}
