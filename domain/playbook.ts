import { z } from 'zod';
import { LanguageSchema } from './language';

const Localized = z.object({ en: z.string().min(1), tr: z.string().min(1) });
export type Localized = z.infer<typeof Localized>;

export const PlaybookSchema = z.object({
  businessName: z.string().min(1),
  tone: z.enum(['friendly', 'formal', 'concise']).default('friendly'),
  languages: z.array(LanguageSchema).min(1).default(['en', 'tr']),
  defaultLanguage: LanguageSchema.default('en'),
  /**
   * A customer writing in a language outside `languages`: answered in the
   * default language with a short note saying which languages the agent
   * speaks, or handed to a person (`unsupported_language`).
   */
  otherLanguages: z.enum(['reply_in_default', 'hand_off']).default('reply_in_default'),
  greeting: Localized,
  qualificationQuestions: z.object({
    need: Localized,
    budget: Localized,
    timeline: Localized,
    decisionMaker: Localized,
  }),
  objectionAnswers: z.object({
    price: Localized,
    trust: Localized,
    timing: Localized,
    competitor: Localized,
  }),
  maxDiscountPercent: z.number().min(0).max(90).default(0),
  /**
   * The merchant's own instructions to a language model for each step of the
   * sale, on top of the built-in rules; empty means the built-in guidance. The
   * offline playbook follows its scripts and does not read them.
   */
  stagePrompts: z
    .object({
      greeting: z.string().max(2000).default(''),
      qualifying: z.string().max(2000).default(''),
      objection: z.string().max(2000).default(''),
      closing: z.string().max(2000).default(''),
      afterPayment: z.string().max(2000).default(''),
    })
    .default({ greeting: '', qualifying: '', objection: '', closing: '', afterPayment: '' }),
  /** Silence after the bot's last message before each follow-up, in order. */
  followUpDelaysSeconds: z.array(z.number().int().positive()).max(10).default([86_400, 259_200]),
  followUp: Localized,
  handOff: z
    .object({
      minConfidence: z.number().min(0).max(1).default(0.35),
      maxObjections: z.number().int().min(1).default(3),
      /** An order at or above this amount (minor units) goes to a human first. */
      highValueMinor: z.number().int().positive().nullable().default(null),
    })
    .default({ minConfidence: 0.35, maxObjections: 3, highValueMinor: null }),
});
export type Playbook = z.infer<typeof PlaybookSchema>;

export type SalesStep = keyof Playbook['stagePrompts'];
export const SalesSteps = ['greeting', 'qualifying', 'objection', 'closing', 'afterPayment'] as const satisfies readonly SalesStep[];
