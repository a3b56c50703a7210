import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { DEMO_SIGNATURE_HEADER, signDemoWebhook, type DemoEvent } from '../../integrations/payments/demo';
import type { Db } from '../../db/knex';
import { getOrder, setProviderStatus } from '../../db/queries/orders';
import { formatMoney } from '../../domain/money';
import { notFound, parseOr400 } from '../errors';
import type { RouteDoc } from '../merchant/route';

/** How these routes appear in the OpenAPI document (HTML pages and form posts, mounted by hand below). */
export const demoPaymentDocs: RouteDoc[] = [
  {
    method: 'get', path: '/pay/demo/:orderId', tag: 'payments', access: 'public', operationId: 'demoCheckoutPage',
    summary: "The demo provider's checkout page for an order", params: z.object({ orderId: z.uuid() }),
    responses: { 200: { file: 'text/html', description: 'The checkout page' }, 404: 'No demo checkout for this order, or the demo checkout is off (production without DEMO_PAYMENTS=true)' },
  },
  {
    method: 'post', path: '/pay/demo/:orderId/:action', tag: 'payments', access: 'public', operationId: 'demoCheckoutAction',
    summary: 'Pay or decline on the demo checkout page; the result travels as a signed webhook', params: z.object({ orderId: z.uuid(), action: z.enum(['pay', 'decline']) }),
    responses: { 303: null, 404: 'No demo checkout for this order, or the demo checkout is off (production without DEMO_PAYMENTS=true)' },
  },
];


const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>
body{font:16px/1.5 system-ui,sans-serif;background:#f4f5f7;margin:0;display:grid;place-items:center;min-height:100vh}
main{background:#fff;border-radius:12px;box-shadow:0 4px 24px #0001;padding:2rem;max-width:26rem;width:calc(100% - 2rem)}
h1{font-size:1.25rem;margin:0 0 1rem}.total{font-size:2rem;font-weight:600;margin:.5rem 0 1.5rem}
.note{color:#667;font-size:.875rem}form{display:inline}button{font:inherit;border:0;border-radius:8px;padding:.75rem 1.25rem;cursor:pointer;margin-right:.5rem}
.pay{background:#1f7a4d;color:#fff}.decline{background:#e4e6eb}</style></head><body><main>${body}</main></body></html>`;
}

/**
 * The demo provider's hosted checkout. The page stands in for a provider's
 * payment page; its result travels as a signed webhook to `/webhooks/demo`,
 * through the same verify → dedupe → signal path as a real provider's.
 */
export function demoPaymentRoutes(deps: { db: Db; secret: string; log: Logger }): Router {
  const router = Router();
  const { db } = deps;

  const demoOrder = async (orderId: string) => {
    const id = parseOr400(z.uuid(), orderId, 'order id');
    const order = await getOrder(db, id);
    if (!order || order.provider !== 'demo') throw notFound('checkout');
    return order;
  };

  router.get('/pay/demo/:orderId', async (req, res) => {
    const order = await demoOrder(req.params.orderId);
    const total = formatMoney({ amountMinor: order.amountMinor, currency: order.currency });
    const done = order.providerStatus === 'paid' || order.providerStatus === 'failed' || order.status !== 'pending';
    res.type('html').send(
      page(
        'Demo checkout',
        `<h1>Demo checkout</h1><div>${escapeHtml(order.sku)} × ${order.quantity}</div><div class="total">${escapeHtml(total)}</div>` +
          (done
            ? `<p>This checkout is ${escapeHtml(order.providerStatus ?? order.status)}. You can close this page and return to the chat.</p>`
            : `<form method="post" action="/pay/demo/${order.id}/pay"><button class="pay" type="submit">Pay ${escapeHtml(total)}</button></form>` +
              `<form method="post" action="/pay/demo/${order.id}/decline"><button class="decline" type="submit">Decline</button></form>` +
              `<p class="note">Demo payment provider: no card is charged.</p>`),
      ),
    );
  });

  router.post('/pay/demo/:orderId/:action', async (req, res) => {
    const action = parseOr400(z.enum(['pay', 'decline']), req.params.action, 'action');
    const order = await demoOrder(req.params.orderId);
    const outcome = action === 'pay' ? 'paid' : 'failed';
    // The provider's own ledger changes first; the webhook only announces it.
    const updated = await setProviderStatus(db, order.id, outcome, { onlyOnce: true });
    if (updated) {
      const event: DemoEvent = { id: `evt_${randomUUID()}`, type: action === 'pay' ? 'payment.completed' : 'payment.failed', orderId: order.id, created: Math.floor(Date.now() / 1000) };
      const body = JSON.stringify(event);
      // Delivered to the server that served the page, which is sure to be listening.
      const response = await fetch(`http://127.0.0.1:${req.socket.localPort}/webhooks/demo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [DEMO_SIGNATURE_HEADER]: signDemoWebhook(deps.secret, body, event.created) },
        body,
      });
      if (!response.ok) deps.log.error({ status: response.status }, 'demo webhook delivery failed');
    }
    res.redirect(303, `/pay/demo/${order.id}`);
  });

  return router;
}
