import { z } from 'zod';

export const QualificationSlots = ['need', 'budget', 'timeline', 'decisionMaker'] as const;
export type QualificationSlot = (typeof QualificationSlots)[number];

export const LeadProfileSchema = z.object({
  name: z.string().max(200).nullable().default(null),
  need: z.string().max(500).nullable().default(null),
  budget: z.string().max(200).nullable().default(null),
  timeline: z.string().max(200).nullable().default(null),
  decisionMaker: z.string().max(200).nullable().default(null),
  interestedIn: z.array(z.string()).default([]),
});
export type LeadProfile = z.infer<typeof LeadProfileSchema>;

export const emptyLeadProfile = (): LeadProfile => ({
  name: null,
  need: null,
  budget: null,
  timeline: null,
  decisionMaker: null,
  interestedIn: [],
});

/** Partial update an agent proposes; null clears nothing, absent keeps the value. */
export const QualificationUpdateSchema = z.object({
  name: z.string().max(200).optional(),
  need: z.string().max(500).optional(),
  budget: z.string().max(200).optional(),
  timeline: z.string().max(200).optional(),
  decisionMaker: z.string().max(200).optional(),
});
export type QualificationUpdate = z.infer<typeof QualificationUpdateSchema>;

export function applyQualification(profile: LeadProfile, update: QualificationUpdate, productsMentioned: string[] = []): LeadProfile {
  const next: LeadProfile = { ...profile, interestedIn: [...profile.interestedIn] };
  for (const key of ['name', ...QualificationSlots] as const) {
    const value = update[key]?.trim();
    if (value) next[key] = value;
  }
  // Most recent last: a product mentioned again moves to the end.
  for (const sku of productsMentioned) {
    next.interestedIn = next.interestedIn.filter((s) => s !== sku);
    next.interestedIn.push(sku);
  }
  return next;
}

export interface ScoreSignals {
  buyingSignals: number;
  objections: number;
  negativeTurns: number;
}

/**
 * 0-100. Each filled BANT-style slot is worth 20, buying intent up to 20,
 * objections and negative turns subtract. Deterministic so the workflow can run it.
 */
export function scoreLead(profile: LeadProfile, signals: ScoreSignals): number {
  const filled = QualificationSlots.filter((slot) => profile[slot] !== null).length;
  const raw =
    filled * 20 +
    Math.min(signals.buyingSignals, 2) * 10 +
    (profile.interestedIn.length > 0 ? 5 : 0) -
    Math.min(signals.objections, 3) * 5 -
    Math.min(signals.negativeTurns, 3) * 5;
  return Math.max(0, Math.min(100, raw));
}
