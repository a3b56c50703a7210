import type { PaymentAccount } from '../../db/queries/payment-accounts';
import { unavailableProvider } from './iyzico-accounts';
import { createPayUProvider } from './payu';
import type { PaymentProvider } from './provider';

/** What the installation needs to serve merchants' own PayU POSes. */
export interface PayUAccountsConfig {
  /** The same PayU environment as the installation's (sandbox or production). */
  baseUrl: string;
  /** This installation's public URL: each POS's notifications come to its own endpoint under it. */
  publicBaseUrl: string;
}

/** Where a key-based account's provider sends its notifications; verified there with that account's own secret. */
export const accountWebhookPath = (accountId: string) => `/webhooks/payments/${accountId}`;

/**
 * Builds the provider for a merchant's own PayU POS: its OAuth client, its
 * POS id (the account's `external_ref`) on every order, and notifications
 * to the account's own endpoint, signed with its second key.
 */
export function payuAccountProvider(config: PayUAccountsConfig) {
  return (account: PaymentAccount, credentials: Record<string, string> | null): PaymentProvider => {
    if (!account.externalRef || !credentials?.clientId || !credentials.clientSecret || !credentials.secondKey) {
      return unavailableProvider('payu', account.id, 'its keys were removed');
    }
    const base = config.publicBaseUrl.replace(/\/$/, '');
    return createPayUProvider({
      baseUrl: config.baseUrl,
      posId: account.externalRef,
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      secondKey: credentials.secondKey,
      notifyUrl: `${base}${accountWebhookPath(account.id)}`,
      continueUrl: `${base}/pay/done`,
      accountId: account.id,
    });
  };
}
