import type { Playbook } from './api/settings';

/** The tones the playbook editor offers, in display order. */
export const TONES = ['friendly', 'formal', 'concise'] as const satisfies readonly Playbook['tone'][];
