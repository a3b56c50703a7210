import type { SecretBox } from '../../config/secrets';
import type { Db } from '../../db/knex';
import { paymentAccountById, paymentAccountCredentials, paymentAccountsOf, type PaymentAccount, type PaymentAccountProvider } from '../../db/queries/payment-accounts';
import type { PaymentProvider } from './provider';

/** Builds the provider that acts for one merchant account (a Stripe connected account, an iyzico sub-merchant, the merchant's own keys). */
export type AccountProviderFactory = (account: PaymentAccount, credentials: Record<string, string> | null) => PaymentProvider;
export type AccountProviderFactories = Partial<Record<PaymentAccountProvider, AccountProviderFactory>>;

export interface MerchantAccountsOptions {
  db: Db;
  box: SecretBox | null;
  factories: AccountProviderFactories;
  /**
   * Money must reach the merchant: only the merchant's own accounts take
   * customer payments, and the installation's keys serve as the platform's
   * (Stripe Connect, the iyzico marketplace) and nothing else.
   */
  marketplace: boolean;
}

/**
 * Which providers serve which currency, in the order to try them: the first
 * that creates a checkout wins, the next is the fallback. Written like
 * `TRY:iyzico,payu;PLN:payu;*:stripe`. For each name the merchant's own active
 * account comes first, then the installation's provider of that name (not in
 * marketplace mode); names nobody can serve are skipped. The demo provider,
 * when registered at all, serves a currency nothing else can.
 */
export interface PaymentRegistry {
  /** `merchantRoutes`, when the merchant set its own, replace the installation's for that merchant. */
  chainFor(merchantId: string, currency: string, merchantRoutes?: string | null): Promise<PaymentProvider[]>;
  /** The provider that made an order's checkout: its refunds and status go through the same account. */
  forOrder(order: { merchantId: string; provider: string; paymentAccountId?: string | null }): Promise<PaymentProvider | undefined>;
  /** The installation's own providers. */
  byName(name: string): PaymentProvider | undefined;
  /** Every name a route may use: the installation's providers and those merchants can connect. */
  names(): string[];
  /** Providers merchants can connect accounts of. */
  accountProviders(): PaymentAccountProvider[];
  readonly marketplace: boolean;
}

export function parseRoutes(spec: string): Map<string, string[]> {
  const routes = new Map<string, string[]>();
  for (const part of spec.split(';').map((p) => p.trim()).filter(Boolean)) {
    const [currency, list] = part.split(':');
    if (!currency || !list) throw new Error(`PAYMENT_ROUTES: "${part}" is not CURRENCY:provider[,provider]`);
    routes.set(currency.trim().toUpperCase(), list.split(',').map((p) => p.trim()).filter(Boolean));
  }
  return routes;
}

export function createPaymentRegistry(providers: PaymentProvider[], routesSpec: string, accounts?: MerchantAccountsOptions): PaymentRegistry {
  const byName = new Map(providers.map((p) => [p.name, p]));
  const routes = parseRoutes(routesSpec);
  const marketplace = accounts?.marketplace ?? false;
  // Providers hold SDK clients; one per account version is enough.
  const built = new Map<string, PaymentProvider>();
  const accountProviders = (Object.keys(accounts?.factories ?? {}) as PaymentAccountProvider[]).filter((p) => accounts?.factories[p]);

  async function providerFor(account: PaymentAccount): Promise<PaymentProvider | undefined> {
    const factory = accounts?.factories[account.provider];
    if (!factory || !accounts) return undefined;
    const key = `${account.id}:${account.updatedAt.getTime()}`;
    let provider = built.get(key);
    if (!provider) {
      const credentials = accounts.box ? await paymentAccountCredentials(accounts.db, accounts.box, account.id) : null;
      provider = factory(account, credentials);
      for (const k of built.keys()) if (k.startsWith(`${account.id}:`)) built.delete(k);
      built.set(key, provider);
    }
    return provider;
  }

  return {
    marketplace,
    async chainFor(merchantId, currency, merchantRoutes) {
      const table = merchantRoutes ? parseRoutes(merchantRoutes) : routes;
      const wanted = table.get(currency.toUpperCase()) ?? table.get('*') ?? [];
      const own = accounts ? (await paymentAccountsOf(accounts.db, merchantId)).filter((a) => a.status === 'active') : [];
      const chain: PaymentProvider[] = [];
      for (const name of wanted) {
        const account = own.find((a) => a.provider === name);
        const provider = account ? await providerFor(account) : marketplace && name !== 'demo' ? undefined : byName.get(name);
        if (provider) chain.push(provider);
      }
      const demo = byName.get('demo');
      return chain.length ? chain : demo ? [demo] : [];
    },
    async forOrder(order) {
      if (order.paymentAccountId && accounts) {
        const account = await paymentAccountById(accounts.db, order.paymentAccountId);
        return account && account.merchantId === order.merchantId ? providerFor(account) : undefined;
      }
      return byName.get(order.provider);
    },
    byName: (name) => byName.get(name),
    names: () => [...new Set([...byName.keys(), ...accountProviders])],
    accountProviders: () => accountProviders,
  };
}

/**
 * One line per currency for the start-up log: which providers a checkout in it
 * tries, in order, and what happens to a merchant none of them serves.
 */
export function describeRoutes(registry: PaymentRegistry, routesSpec: string): string[] {
  const demo = Boolean(registry.byName('demo'));
  const otherwise = demo ? 'else the demo checkout (no card is charged)' : 'else no link: a person takes the lead (no_payment_provider)';
  return [...parseRoutes(routesSpec)].map(([currency, names]) => {
    const who = names.flatMap((n) => {
      if (n === 'demo') return demo ? ['demo checkout'] : [];
      const installation = Boolean(registry.byName(n)) && !registry.marketplace;
      const merchants = registry.accountProviders().includes(n as PaymentAccountProvider);
      if (installation && merchants) return [`${n} (the merchant's account, else the installation's)`];
      if (merchants) return [`${n} (merchant accounts)`];
      return installation ? [n] : [];
    });
    return `${currency === '*' ? 'other currencies' : currency}: ${[...who, otherwise].join(', ')}`;
  });
}
