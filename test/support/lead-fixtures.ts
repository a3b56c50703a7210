/** Settings, decisions and inputs for tests of the lead workflow and its rules. */
import type { Decision } from '../../domain/decision';
import type { LeadSettings } from '../../domain/lead-settings';
import type { LeadWorkflowInput } from '../../workflows/contract';

export const HOUR = 3600 * 1000;
export const DAY = 24 * HOUR;

export function leadSettings(overrides: Partial<LeadSettings> = {}): LeadSettings {
  return {
    followUpDelaysMs: [DAY, 3 * DAY],
    followUp: { en: 'Still thinking it over?', tr: 'Hâlâ düşünüyor musunuz?' },
    defaultLanguage: 'en',
    languages: ['en', 'tr'],
    minConfidence: 0.5,
    maxObjections: 3,
    highValueMinor: 100_000,
    checkoutTtlMs: HOUR,
    checkoutRemindBeforeMs: HOUR / 4,
    idleCloseMs: 30 * DAY,
    ...overrides,
  };
}

export function decision(overrides: Partial<Decision> = {}): Decision {
  return {
    reply: 'We have three tents in stock.',
    intent: 'product_question',
    language: 'en',
    sentiment: 'neutral',
    confidence: 0.9,
    qualification: {},
    objection: null,
    productsMentioned: [],
    actions: [],
    ...overrides,
  };
}

export function leadInput(overrides: Partial<LeadWorkflowInput> = {}): LeadWorkflowInput {
  return { merchantId: 'shop', channel: 'webchat', customerKey: 'c1', ...overrides };
}
