import { createDemoPaymentProvider } from './demo';
import { createIyzicoProvider } from './iyzico';
import { iyzicoAccountProvider, type IyzicoAccountsConfig } from './iyzico-accounts';
import { payuAccountProvider, type PayUAccountsConfig } from './payu-accounts';
import { createPayUProvider } from './payu';
import type { PaymentProvider } from './provider';
import { createPaymentRegistry, type AccountProviderFactories, type PaymentRegistry } from './registry';
import { createStripeProvider } from './stripe';
import { createStripeConnect, type StripeConnect } from './stripe-connect';
import { demoPaymentsOn, type Env } from '../../config/env';
import type { SecretBox } from '../../config/secrets';
import type { Db } from '../../db/knex';

/**
 * Every provider whose keys are set, plus the demo checkout where it is
 * allowed (never in production unless DEMO_PAYMENTS=true). The demo one is
 * only chosen for a currency no configured provider serves, so a real
 * provider's outage never silently turns into "no card is charged".
 */
export function configuredPaymentProviders(env: Env, db: Db, demoWebhookSecret?: string): PaymentProvider[] {
  const base = env.PUBLIC_BASE_URL.replace(/\/$/, '');
  const providers: PaymentProvider[] = demoPaymentsOn(env) ? [createDemoPaymentProvider(db, base, demoWebhookSecret)] : [];
  if (env.STRIPE_SECRET_KEY && env.STRIPE_WEBHOOK_SECRET) {
    providers.push(createStripeProvider({ secretKey: env.STRIPE_SECRET_KEY, webhookSecret: env.STRIPE_WEBHOOK_SECRET }));
  }
  if (env.IYZICO_API_KEY && env.IYZICO_SECRET_KEY) {
    providers.push(
      createIyzicoProvider({ apiKey: env.IYZICO_API_KEY, secretKey: env.IYZICO_SECRET_KEY, baseUrl: env.IYZICO_BASE_URL, callbackUrl: `${base}/payments/iyzico/callback` }),
    );
  }
  if (env.PAYU_POS_ID && env.PAYU_CLIENT_ID && env.PAYU_CLIENT_SECRET && env.PAYU_SECOND_KEY) {
    providers.push(
      createPayUProvider({
        baseUrl: env.PAYU_BASE_URL,
        posId: env.PAYU_POS_ID,
        clientId: env.PAYU_CLIENT_ID,
        clientSecret: env.PAYU_CLIENT_SECRET,
        secondKey: env.PAYU_SECOND_KEY,
        notifyUrl: `${base}/webhooks/payu`,
        continueUrl: `${base}/pay/done`,
      }),
    );
  }
  return providers;
}

/** How to build the provider for each kind of merchant account this installation can serve. */
export function accountProviderFactories(env: Env): AccountProviderFactories {
  return {
    // With the platform's key alone, not only while Connect is on: orders already paid on a connected account must
    // still be refunded and checked on that account if Connect is switched off later.
    ...(env.STRIPE_SECRET_KEY ? { stripe: (account) => createStripeProvider({ secretKey: env.STRIPE_SECRET_KEY!, connectedAccount: { paymentAccountId: account.id, stripeAccount: account.externalRef ?? '' } }) } : {}),
    iyzico: iyzicoAccountProvider(iyzicoAccountsFromEnv(env)),
    payu: payuAccountProvider(payuAccountsFromEnv(env)),
  };
}

/** Merchants' iyzico accounts: their own keys always; sub-merchants when the installation has (marketplace) keys. */
export function iyzicoAccountsFromEnv(env: Env): IyzicoAccountsConfig {
  return {
    baseUrl: env.IYZICO_BASE_URL,
    callbackUrl: `${env.PUBLIC_BASE_URL.replace(/\/$/, '')}/payments/iyzico/callback`,
    platform: env.IYZICO_API_KEY && env.IYZICO_SECRET_KEY ? { apiKey: env.IYZICO_API_KEY, secretKey: env.IYZICO_SECRET_KEY } : null,
    approveItems: env.IYZICO_APPROVE_ITEMS,
  };
}

/** Merchants' own PayU POSes, in the installation's PayU environment. */
export function payuAccountsFromEnv(env: Env): PayUAccountsConfig {
  return { baseUrl: env.PAYU_BASE_URL, publicBaseUrl: env.PUBLIC_BASE_URL };
}

/** Stripe Connect onboarding and the Connect endpoint: on when an account type is chosen and the platform's key is set. */
export function stripeConnectFromEnv(env: Env): StripeConnect | undefined {
  if (!env.STRIPE_SECRET_KEY || !env.STRIPE_CONNECT_ACCOUNT_TYPE) return undefined;
  return createStripeConnect({ secretKey: env.STRIPE_SECRET_KEY, accountType: env.STRIPE_CONNECT_ACCOUNT_TYPE, webhookSecret: env.STRIPE_CONNECT_WEBHOOK_SECRET });
}

export function paymentRegistryFromEnv(env: Env, db: Db, box: SecretBox | null, demoWebhookSecret?: string): PaymentRegistry {
  return createPaymentRegistry(configuredPaymentProviders(env, db, demoWebhookSecret), env.PAYMENT_ROUTES, {
    db,
    box,
    factories: accountProviderFactories(env),
    marketplace: env.PAYMENTS_MARKETPLACE,
  });
}
