/**
 * Types the dashboard keeps for itself. Everything the API sends or accepts is
 * typed from the generated `@client/api/schema` through the modules in `api/`.
 */
import type { ConversationQuery, Stage } from './api/conversations';
import type { User } from './api/auth';

export type Role = User['role'];
export type { Locale } from '@client/i18n/setup';
export type Channel = NonNullable<ConversationQuery['channel']>;

// Display order of the select boxes; the `satisfies` keeps them in step with the API's enums.
export const STAGES = ['new', 'engaged', 'qualified', 'negotiating', 'checkout', 'won', 'lost'] as const satisfies readonly Stage[];
export const ROLES = ['viewer', 'agent', 'admin', 'owner'] as const satisfies readonly Role[];

/** Events pushed over /api/v1/live; shared with the mobile app. */
export type { LiveEvent } from '@client/live';
