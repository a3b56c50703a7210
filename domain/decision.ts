import { z } from 'zod';
import { LanguageSchema } from './language';
import { QualificationUpdateSchema } from './lead';

export const Intents = [
  'greeting',
  'product_question',
  'price_question',
  'qualification',
  'objection',
  'buying_signal',
  'human_request',
  'support_request',
  'thanks',
  'goodbye',
  'off_topic',
  'unknown',
] as const;
export const IntentSchema = z.enum(Intents);
export type Intent = z.infer<typeof IntentSchema>;

export const ObjectionKindSchema = z.enum(['price', 'trust', 'timing', 'competitor']);
export type ObjectionKind = z.infer<typeof ObjectionKindSchema>;

export const SentimentSchema = z.enum(['positive', 'neutral', 'negative', 'angry']);
export type Sentiment = z.infer<typeof SentimentSchema>;

/** Tool calls the workflow executes; the agent proposes, the workflow disposes. */
export const ActionSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('offer_payment'),
      sku: z.string().min(1),
      quantity: z.number().int().min(1).max(100).default(1),
    })
    .describe('One product of the order: every offer_payment in a decision is a line of the same order, paid with one link.'),
  z.object({ type: z.literal('hand_off'), reason: z.string().min(1).max(200) }),
]);
export type Action = z.infer<typeof ActionSchema>;

export const UsageSchema = z.object({
  provider: z.string(),
  model: z.string(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cachedInputTokens: z.number().int().nonnegative().default(0),
});
export type Usage = z.infer<typeof UsageSchema>;

/** What the reply guard changed before the reply went out; counted per turn for logs and metrics. */
export const GuardReportSchema = z.object({
  priceCorrections: z.number().int().nonnegative(),
  stockCorrections: z.number().int().nonnegative(),
  /** A discount above the playbook's maximum was offered or recorded and lowered. */
  discountRefused: z.boolean(),
  /** Figures that could not be tied to a catalog product, left as written. */
  unverifiedFigures: z.number().int().nonnegative(),
});
export type GuardReport = z.infer<typeof GuardReportSchema>;

export const DecisionSchema = z.object({
  /** Text for the customer; null when the agent deliberately stays silent. */
  reply: z.string().min(1).max(4000).nullable(),
  intent: IntentSchema,
  language: LanguageSchema,
  sentiment: SentimentSchema,
  confidence: z.number().min(0).max(1),
  qualification: QualificationUpdateSchema.default({}),
  objection: ObjectionKindSchema.nullable().default(null),
  /** SKUs the customer showed interest in this turn (validated against the catalog by providers). */
  productsMentioned: z.array(z.string()).default([]),
  actions: z.array(ActionSchema).default([]),
  /**
   * Discount (percent) agreed with the customer, within the playbook's maximum.
   * Optional so decisions recorded before it existed still read as "none".
   */
  discountPercent: z.number().min(0).max(90).nullable().optional(),
  /** Running summary of everything older than the recent window, so prompts stay flat. */
  summary: z.string().max(2000).optional(),
  usage: UsageSchema.optional(),
  /** Set by LLM providers after checking the reply against the catalog and playbook. */
  guard: GuardReportSchema.optional(),
});
export type Decision = z.infer<typeof DecisionSchema>;
