/**
 * Types the dashboard keeps for itself. Everything the API sends or accepts is
 * typed from the generated `@client/api/schema` through the modules in `api/`.
 */
import type { ConversationQuery, ConversationSummary, Stage, TranscriptMessage } from './api/conversations';
import type { ProductImport } from './api/catalog';
import type { User } from './api/auth';

export type Role = User['role'];
export type Locale = 'en' | 'tr';
export type Channel = NonNullable<ConversationQuery['channel']>;

// Display order of the select boxes; the `satisfies` keeps them in step with the API's enums.
export const STAGES = ['new', 'engaged', 'qualified', 'negotiating', 'checkout', 'won', 'lost'] as const satisfies readonly Stage[];
export const ROLES = ['viewer', 'agent', 'admin', 'owner'] as const satisfies readonly Role[];

/** Events pushed over /api/v1/live (a WebSocket, outside the OpenAPI document), carrying the documented shapes. */
export type LiveEvent =
  | { type: 'ready' }
  | { type: 'conversation'; conversationId: string; conversation: ConversationSummary }
  | { type: 'message'; conversationId: string; message: TranscriptMessage }
  | { type: 'order'; orderId: string; conversationId: string; status: string }
  | { type: 'import'; import: ProductImport };
