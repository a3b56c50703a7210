import type { Language } from './language';
import type { Localized, Playbook } from './playbook';

/** The few playbook settings the workflow itself needs; prompts and catalog stay out of history. */
export interface LeadSettings {
  followUpDelaysMs: number[];
  followUp: Localized;
  defaultLanguage: Language;
  languages: Language[];
  minConfidence: number;
  maxObjections: number;
  highValueMinor: number | null;
  checkoutTtlMs: number;
  checkoutRemindBeforeMs: number;
  /** A lead with nothing left to do is closed after this much silence. */
  idleCloseMs: number;
  /** The agent decides in-process (the offline playbook), so a turn runs it as a local activity. Absent in settings loaded before it existed. */
  localAgent?: boolean;
}

/** What the workflow takes from a playbook; the same for live conversations and for the evaluation suite. */
export function leadSettingsFrom(playbook: Playbook, checkoutTtlMs: number): LeadSettings {
  return {
    followUpDelaysMs: playbook.followUpDelaysSeconds.map((s) => s * 1000),
    followUp: playbook.followUp,
    defaultLanguage: playbook.defaultLanguage,
    languages: playbook.languages,
    minConfidence: playbook.handOff.minConfidence,
    maxObjections: playbook.handOff.maxObjections,
    highValueMinor: playbook.handOff.highValueMinor,
    checkoutTtlMs,
    checkoutRemindBeforeMs: Math.floor(checkoutTtlMs / 4),
    idleCloseMs: 30 * 24 * 3600 * 1000,
  };
}
