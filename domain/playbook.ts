import { z } from 'zod';
import { LanguageSchema } from './language';

const Localized = z.object({ en: z.string().min(1), tr: z.string().min(1) });
export type Localized = z.infer<typeof Localized>;

export const PlaybookSchema = z.object({
  businessName: z.string().min(1),
  tone: z.enum(['friendly', 'formal', 'concise']).default('friendly'),
  languages: z.array(LanguageSchema).min(1).default(['en', 'tr']),
  defaultLanguage: LanguageSchema.default('en'),
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
