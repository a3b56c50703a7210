import type { Role } from '../../../domain/roles';

/**
 * Every sentence an email can contain. Values are plain text: the builders
 * escape them for HTML, so a merchant or customer name can never become markup.
 * `tr.ts` is typed against this interface, so a sentence added here without a
 * Turkish version fails the typecheck.
 */
export interface EmailStrings {
  /** BCP 47 tag for dates in this language. */
  locale: string;
  /** Shown under every email. */
  footer: (product: string) => string;
  /** Introduces the raw link in the text part and under the button in the HTML part. */
  linkFallback: string;
  expiresAt: (when: string) => string;
  roles: Record<Role, string>;
  invitation: {
    subject: (merchant: string) => string;
    heading: (merchant: string) => string;
    body: (inviter: string, merchant: string, role: string) => string;
    action: string;
    notExpected: string;
  };
  passwordReset: {
    subject: string;
    heading: string;
    body: string;
    action: string;
    singleUse: string;
    notYou: string;
  };
  verification: {
    subject: string;
    heading: string;
    body: string;
    action: string;
    notYou: string;
  };
  needsHuman: {
    subject: (customer: string, merchant: string) => string;
    heading: string;
    body: (customer: string, merchant: string) => string;
    reasonLabel: string;
    action: string;
    unsubscribe: string;
    /** Words for the reasons the conversation workflow hands a lead over with; any other reason is shown as given. */
    reasons: Record<HandOffReasonCode, string>;
  };
}

/** The hand-off reasons the lead conversation gives itself (workflows/turn-rules.ts, workflows/lead-run.ts). */
export const handOffReasonCodes = [
  'asked_for_person',
  'angry_customer',
  'low_confidence',
  'repeated_objections',
  'high_value',
  'payment_mismatch',
  'payment_disputed',
  'quota_exceeded',
  'agent_unavailable',
  'customer_wrote_while_human',
  'message_undelivered',
  'taken_over',
  'support_request',
] as const;
export type HandOffReasonCode = (typeof handOffReasonCodes)[number];

export const en: EmailStrings = {
  locale: 'en-GB',
  footer: (product) => `Sent by ${product}.`,
  linkFallback: 'If the button does not work, open this link:',
  expiresAt: (when) => `This link expires on ${when}.`,
  roles: { viewer: 'Viewer', agent: 'Agent', admin: 'Admin', owner: 'Owner' },
  invitation: {
    subject: (merchant) => `You are invited to join ${merchant}`,
    heading: (merchant) => `Join ${merchant}`,
    body: (inviter, merchant, role) => `${inviter} invited you to the ${merchant} team as ${role}.`,
    action: 'Accept the invitation',
    notExpected: 'If you did not expect this invitation, you can ignore this email.',
  },
  passwordReset: {
    subject: 'Reset your password',
    heading: 'Reset your password',
    body: 'Someone asked to reset the password of your account. Choose a new password with the link below.',
    action: 'Choose a new password',
    singleUse: 'The link works once. Setting a new password signs you out everywhere else.',
    notYou: 'If this wasn’t you, ignore this email: your password stays as it is.',
  },
  verification: {
    subject: 'Confirm your email address',
    heading: 'Confirm your email address',
    body: 'Confirm that this address is yours to finish setting up your account.',
    action: 'Confirm my address',
    notYou: 'If you did not create an account, ignore this email.',
  },
  needsHuman: {
    subject: (customer, merchant) => `${customer} needs a person (${merchant})`,
    heading: 'A lead needs a person',
    body: (customer, merchant) => `${customer} is waiting for someone from ${merchant} to answer. The agent has stopped replying.`,
    reasonLabel: 'Why:',
    action: 'Open the conversation',
    unsubscribe: 'Change which emails you get',
    reasons: {
      asked_for_person: 'The customer asked for a person.',
      angry_customer: 'The customer seems upset.',
      low_confidence: 'The agent was not sure how to answer.',
      repeated_objections: 'The customer kept raising objections.',
      high_value: 'This is a high-value order.',
      payment_mismatch: 'A payment did not match the order.',
      payment_disputed: 'A payment was disputed.',
      quota_exceeded: 'The agent has used up its monthly quota.',
      agent_unavailable: 'The agent could not be reached.',
      customer_wrote_while_human: 'The customer wrote while a person holds the conversation.',
      message_undelivered: 'A message could not be delivered.',
      taken_over: 'A colleague took the conversation over.',
      support_request: 'The customer needs help with an order, a delivery or a refund.',
    },
  },
};
