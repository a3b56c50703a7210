/**
 * The lead's profile and score as plain types and functions. No schema
 * library here: workflow code imports this, and every module it loads is
 * evaluated again for each workflow a worker starts or replays. The zod
 * schemas that validate agent output live in `lead.ts`.
 */
export const QualificationSlots = ['need', 'budget', 'timeline', 'decisionMaker'] as const;
export type QualificationSlot = (typeof QualificationSlots)[number];

export interface LeadProfile {
  name: string | null;
  need: string | null;
  budget: string | null;
  timeline: string | null;
  decisionMaker: string | null;
  interestedIn: string[];
}

export const emptyLeadProfile = (): LeadProfile => ({
  name: null,
  need: null,
  budget: null,
  timeline: null,
  decisionMaker: null,
  interestedIn: [],
});

/** Partial update an agent proposes; null clears nothing, absent keeps the value. */
export interface QualificationUpdate {
  name?: string;
  need?: string;
  budget?: string;
  timeline?: string;
  decisionMaker?: string;
}

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
