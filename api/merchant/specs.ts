import { authRoutes } from '../auth/routes';
import type { MerchantApiDeps } from './deps';
import type { RouteSpec } from './route';
import { billingRoutes } from './routes/billing';
import { catalogRoutes } from './routes/catalog';
import { conversationRoutes } from './routes/conversations';
import { deviceRoutes } from './routes/devices';
import { knowledgeRoutes } from './routes/knowledge';
import { orderRoutes } from './routes/orders';
import { paymentAccountRoutes } from './routes/payment-accounts';
import { iyzicoPayuAccountRoutes } from './routes/iyzico-payu-accounts';
import { playbookRoutes } from './routes/playbook';
import { settingsRoutes } from './routes/settings';
import { teamRoutes } from './routes/team';

/** Every route of the merchant API, in the order the docs list them. */
export function merchantRouteSpecs(deps: MerchantApiDeps): RouteSpec[] {
  return [
    ...authRoutes(deps),
    ...teamRoutes(deps),
    ...deviceRoutes(deps),
    ...conversationRoutes(deps),
    ...catalogRoutes(deps),
    ...knowledgeRoutes(deps),
    ...playbookRoutes(deps),
    ...settingsRoutes(deps),
    ...paymentAccountRoutes(deps),
    ...iyzicoPayuAccountRoutes(deps),
    ...orderRoutes(deps),
    ...billingRoutes(deps),
  ];
}
