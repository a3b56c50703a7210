import type { PaymentProvider } from './provider';

/**
 * Which providers serve which currency, in the order to try them: the first
 * that creates a checkout wins, the next is the fallback. Written like
 * `TRY:iyzico,payu;PLN:payu;*:stripe`; providers that are not configured are
 * skipped, and the demo provider serves everything when nothing else can.
 */
export interface PaymentRegistry {
  /** `merchantRoutes`, when the merchant set its own, replace the installation's for that merchant. */
  chainFor(currency: string, merchantRoutes?: string | null): PaymentProvider[];
  byName(name: string): PaymentProvider | undefined;
  names(): string[];
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

export function createPaymentRegistry(providers: PaymentProvider[], routesSpec: string): PaymentRegistry {
  const byName = new Map(providers.map((p) => [p.name, p]));
  const routes = parseRoutes(routesSpec);
  return {
    chainFor(currency, merchantRoutes) {
      const table = merchantRoutes ? parseRoutes(merchantRoutes) : routes;
      const wanted = table.get(currency.toUpperCase()) ?? table.get('*') ?? [];
      const chain = wanted.map((n) => byName.get(n)).filter((p): p is PaymentProvider => Boolean(p));
      const demo = byName.get('demo');
      return chain.length ? chain : demo ? [demo] : [];
    },
    byName: (name) => byName.get(name),
    names: () => [...byName.keys()],
  };
}
