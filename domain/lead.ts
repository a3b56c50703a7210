import { z } from 'zod';
import type { LeadProfile, QualificationUpdate } from './lead-profile';

export * from './lead-profile';

export const LeadProfileSchema = z.object({
  name: z.string().max(200).nullable().default(null),
  need: z.string().max(500).nullable().default(null),
  budget: z.string().max(200).nullable().default(null),
  timeline: z.string().max(200).nullable().default(null),
  decisionMaker: z.string().max(200).nullable().default(null),
  interestedIn: z.array(z.string()).default([]),
}) satisfies z.ZodType<LeadProfile, unknown>;

export const QualificationUpdateSchema = z.object({
  name: z.string().max(200).optional(),
  need: z.string().max(500).optional(),
  budget: z.string().max(200).optional(),
  timeline: z.string().max(200).optional(),
  decisionMaker: z.string().max(200).optional(),
}) satisfies z.ZodType<QualificationUpdate, unknown>;
