import { createDemoPaymentProvider } from './demo';
import { createIyzicoProvider } from './iyzico';
import { createPayUProvider } from './payu';
import type { PaymentProvider } from './provider';
import { createPaymentRegistry, type PaymentRegistry } from './registry';
import { createStripeProvider } from './stripe';
import type { Env } from '../../config/env';
import type { Db } from '../../db/knex';

/**
 * Every provider whose keys are set, plus the demo checkout. The demo one is
 * only chosen for a currency no configured provider serves, so a real
 * provider's outage never silently turns into "no card is charged".
 */
export function configuredPaymentProviders(env: Env, db: Db, demoWebhookSecret?: string): PaymentProvider[] {
  const base = env.PUBLIC_BASE_URL.replace(/\/$/, '');
  const providers: PaymentProvider[] = [createDemoPaymentProvider(db, base, demoWebhookSecret)];
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

export function paymentRegistryFromEnv(env: Env, db: Db, demoWebhookSecret?: string): PaymentRegistry {
  return createPaymentRegistry(configuredPaymentProviders(env, db, demoWebhookSecret), env.PAYMENT_ROUTES);
}
