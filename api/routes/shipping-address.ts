import express, { Router, type Response } from 'express';
import { z } from 'zod';
import type { SecretBox } from '../../config/secrets';
import type { Db } from '../../db/knex';
import { merchantSettings } from '../../db/queries/merchants';
import { getOrder, sealedShippingAddress, setShippingAddress } from '../../db/queries/orders';
import { formatMoney } from '../../domain/money';
import { COLLECTS_SHIPPING_ADDRESS, shippingAddressPath, type ShippingAddress } from '../../domain/shipping';
import { notFound } from '../errors';
import type { RouteDoc } from '../merchant/route';

const Params = z.object({ orderId: z.uuid() });
export const shippingAddressDocs: RouteDoc[] = [
  {
    method: 'get', path: '/pay/address/:orderId', tag: 'payments', access: 'public', operationId: 'shippingAddressPage',
    summary: 'Where to deliver an order: the form, or once given, the way on to the payment page', params: Params,
    responses: { 200: { file: 'text/html', description: 'The address form, or the link to pay' }, 404: 'No order that needs an address' },
  },
  {
    method: 'post', path: '/pay/address/:orderId', tag: 'payments', access: 'public', operationId: 'shippingAddressSubmit',
    summary: 'Give the delivery address (a form post); it is stored sealed on the order', params: Params,
    responses: {
      303: null,
      400: { file: 'text/html', description: 'A field is missing or invalid; the form again with the reason' },
      404: 'No order that needs an address',
      409: { file: 'text/html', description: 'The checkout is closed (paid, expired or failed)' },
    },
  },
];

const Fields = (countries: [string, ...string[]]) =>
  z.object({
    name: z.string().trim().min(1, 'Name is required').max(200),
    line1: z.string().trim().min(1, 'Address is required').max(200),
    line2: z.string().trim().max(200).optional(),
    city: z.string().trim().min(1, 'City is required').max(100),
    postalCode: z.string().trim().max(20).optional(),
    country: z.enum(countries, 'Choose a country from the list'),
  });

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Delivery address</title><style>
body{font:16px/1.5 system-ui,sans-serif;background:#f4f5f7;margin:0;display:grid;place-items:center;min-height:100vh}
main{background:#fff;border-radius:12px;box-shadow:0 4px 24px #0001;padding:2rem;max-width:26rem;width:calc(100% - 2rem)}
h1{font-size:1.25rem;margin:0 0 1rem}label{display:block;margin:.5rem 0 .25rem;font-size:.875rem;color:#445}
input,select{font:inherit;width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #ccd;border-radius:6px}
.error{color:#b00020}.button{display:inline-block;font:inherit;border:0;border-radius:8px;padding:.75rem 1.25rem;margin-top:1rem;background:#1f7a4d;color:#fff;text-decoration:none;cursor:pointer}
</style></head><body><main>${body}</main></body></html>`;
}

/**
 * The delivery address for providers that do not ask for one (see
 * `COLLECTS_SHIPPING_ADDRESS`). The order id in the link is the capability, as
 * for the provider's own payment page it leads to. The address is sealed with
 * the credential box before it is stored. After the form the customer follows
 * a link to pay rather than being redirected: the page's CSP allows forms to
 * post only to this origin, and browsers apply that to a redirect too.
 */
export function shippingAddressRoutes(deps: { db: Db; box: SecretBox }): Router {
  const router = Router();
  const { db, box } = deps;

  /** The order and where its merchant ships; 404 for an order that needs no address from this page. */
  const load = async (orderId: string) => {
    // Any id that names no such order reads the same, a malformed one included.
    const id = z.uuid().safeParse(orderId);
    const order = id.success ? await getOrder(db, id.data) : undefined;
    const shipping = order ? (await merchantSettings(db, order.merchantId))?.shipping : null;
    if (!order || !order.checkoutUrl || !shipping?.countries.length || COLLECTS_SHIPPING_ADDRESS.has(order.provider)) throw notFound('checkout');
    return { order, countries: shipping.countries as [string, ...string[]] };
  };

  const form = (res: Response, status: number, o: Awaited<ReturnType<typeof load>>, error?: string, values: Record<string, string> = {}) => {
    const total = formatMoney({ amountMinor: o.order.amountMinor, currency: o.order.currency });
    const field = (name: string, label: string, required = true) =>
      `<label for="${name}">${label}</label><input id="${name}" name="${name}" value="${escapeHtml(values[name] ?? '')}"${required ? ' required' : ''} maxlength="200">`;
    const options = o.countries.map((c) => `<option${values.country === c ? ' selected' : ''}>${c}</option>`).join('');
    res.status(status).type('html').send(
      page(
        `<h1>Where should we deliver your order?</h1><p>Total ${escapeHtml(total)}</p>` +
          (error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '') +
          `<form method="post" action="${shippingAddressPath(o.order.id)}">` +
          field('name', 'Full name') + field('line1', 'Address') + field('line2', 'Address line 2 (optional)', false) +
          field('city', 'City') + field('postalCode', 'Postal code', false) +
          `<label for="country">Country</label><select id="country" name="country" required>${options}</select>` +
          `<button class="button" type="submit">Continue to payment</button></form>`,
      ),
    );
  };

  router.get(shippingAddressPath(':orderId'), async (req, res) => {
    const o = await load(String(req.params.orderId));
    if (o.order.status !== 'pending') {
      res.type('html').send(page(`<h1>Checkout closed</h1><p>This checkout is ${escapeHtml(o.order.status)}. You can return to the chat.</p>`));
      return;
    }
    if (await sealedShippingAddress(db, o.order.id)) {
      res.type('html').send(page(`<h1>Thank you</h1><p>We have your delivery address.</p><a class="button" href="${escapeHtml(o.order.checkoutUrl!)}">Continue to payment</a>`));
      return;
    }
    form(res, 200, o);
  });

  router.post(shippingAddressPath(':orderId'), express.urlencoded({ extended: false, limit: '8kb' }), async (req, res) => {
    const o = await load(String(req.params.orderId));
    if (o.order.status !== 'pending') {
      res.status(409).type('html').send(page(`<h1>Checkout closed</h1><p>This checkout is ${escapeHtml(o.order.status)}; nothing was changed.</p>`));
      return;
    }
    const raw = (req.body ?? {}) as Record<string, string>;
    const parsed = Fields(o.countries).safeParse(raw);
    if (!parsed.success) {
      form(res, 400, o, parsed.error.issues[0]?.message ?? 'Check the address', raw);
      return;
    }
    const a = parsed.data;
    const address: ShippingAddress = { name: a.name, line1: a.line1, line2: a.line2 || null, city: a.city, postalCode: a.postalCode || null, state: null, country: a.country };
    await setShippingAddress(db, o.order.id, box.sealJson(address));
    res.redirect(303, shippingAddressPath(o.order.id));
  });

  return router;
}
