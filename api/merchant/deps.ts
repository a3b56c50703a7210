import type { Client } from '@temporalio/client';
import type { Request } from 'express';
import type { Logger } from 'pino';
import type { IyzicoBilling } from '../../integrations/billing/iyzico-billing';
import type { StripeBilling } from '../../integrations/billing/stripe-billing';
import type { PaymentRegistry } from '../../integrations/payments/registry';
import type { StripeConnect } from '../../integrations/payments/stripe-connect';
import type { IyzicoAccountsConfig } from '../../integrations/payments/iyzico-accounts';
import type { PayUAccountsConfig } from '../../integrations/payments/payu-accounts';
import type { SecretBox } from '../../config/secrets';
import type { Db } from '../../db/knex';
import { recordAudit, type AuditEntry } from '../../db/queries/audit';
import type { Caller } from '../../domain/roles';
import type { AccessTokens } from '../auth/tokens';
import type { Mailer } from '../../integrations/email/mailer';

export interface MerchantApiDeps {
  db: Db;
  temporal: Client;
  /** Where the merchant API starts its own workflows (the settings broadcast). */
  taskQueue: string;
  log: Logger;
  box: SecretBox;
  payments: PaymentRegistry;
  /** Merchants connecting their own Stripe (Connect onboarding); absent when the installation does not offer it. */
  stripeConnect?: StripeConnect;
  /** Merchants' iyzico accounts (sub-merchants, own keys) and own PayU POSes; absent: not offered. */
  iyzicoAccounts?: IyzicoAccountsConfig;
  payuAccounts?: PayUAccountsConfig;
  tokens: AccessTokens;
  /** Where links we hand out (invites, widget snippet) point; the request's origin when unset. */
  publicBaseUrl?: string;
  authRateLimitPerMinute: number;
  /** See `AppDeps.rateLimitNamespace`. */
  rateLimitNamespace?: string;
  billing?: StripeBilling;
  iyzicoBilling?: IyzicoBilling;
  providerUrls?: { graphBaseUrl?: string; twilioBaseUrls?: { content?: string } };
  /** Account emails (reset, verification, invitations); absent when email is off. */
  mailer?: Mailer | null;
  /** Which push platforms this installation sends to, for the apps' `/push/config`; all off when absent. */
  push?: PushConfig;
}

export interface PushConfig {
  /** The VAPID public key browsers subscribe with; null when Web Push is off. */
  webPushPublicKey: string | null;
  platforms: { android: boolean; ios: boolean; web: boolean };
}

export const originOf = (deps: { publicBaseUrl?: string }, req: Request): string => deps.publicBaseUrl ?? `${req.protocol}://${req.get('host')}`;

/** Who did what, for db functions that record it in the same transaction as the change. */
export function auditEntry(caller: Caller, req: Request, action: string, target?: string | null, details?: Record<string, unknown>): AuditEntry {
  return { merchantId: caller.merchantId, userId: caller.userId, actor: caller.email, action, target, details, ip: req.ip ?? null };
}

/** Sensitive actions (takeover, refunds, settings, team) leave a trail the merchant's admins can read. */
export function audit(db: Db, caller: Caller, req: Request, action: string, target?: string | null, details?: Record<string, unknown>): Promise<void> {
  return recordAudit(db, auditEntry(caller, req, action, target, details));
}
