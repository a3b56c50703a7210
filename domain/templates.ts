/** What an approved WhatsApp template stands in for when the 24-hour window is closed. */
export const TemplatePurposes = ['follow_up', 'payment_reminder', 'human_reply', 'reply'] as const;
export type TemplatePurpose = (typeof TemplatePurposes)[number];
