import type { SecretBox } from '../config/secrets';
import type { Db } from '../db/knex';
import type { PlaybookCache } from '../db/playbook-cache';
import type { Channel as ChannelName } from '../domain/conversation';
import type { Channel } from '../integrations/channels/channel';
import type { LlmProvider } from '../integrations/llm/provider';
import type { Mailer } from '../integrations/email/mailer';
import type { FetchMediaDeps } from '../integrations/media/fetch';
import type { PaymentRegistry } from '../integrations/payments/registry';
import type { PushPlatform, PushSender } from '../integrations/push/sender';

export interface ActivityDeps {
  db: Db;
  llm: LlmProvider;
  /** Playbooks kept between turns (invalidated by NOTIFY); read from the database on every turn when absent. */
  playbooks?: Pick<PlaybookCache, 'get'>;
  channels: Partial<Record<ChannelName, Channel>>;
  payments: PaymentRegistry;
  checkoutTtlMs: number;
  /** Where providers send the customer back after paying. */
  publicBaseUrl: string;
  /** Plan quotas stop the bot for new leads once exhausted; off for self-hosted installs that do not bill. */
  enforceQuota?: boolean;
  /** WhatsApp attachments: where they are stored and how they are fetched. */
  media?: { box: SecretBox; fetch: FetchMediaDeps };
  /** Push senders of the configured platforms; a platform without one is off. */
  push?: Partial<Record<PushPlatform, PushSender>>;
  /** Email for members who chose it; null or absent when SMTP is not configured. */
  mailer?: Mailer | null;
  /** Seals customer data kept on orders (shipping addresses); without it no address is stored. */
  box?: SecretBox;
}
