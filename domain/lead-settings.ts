import type { Language } from './language';
import type { Localized } from './playbook';

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
}
