import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listenOnLoopback } from '../../test/peers/scripted-peer';
import { startPayUPeer, type PayUOrderBody, type PayUPeer } from '../../test/peers/payu-peer';
import { checkPayUCredentials, createPayUProvider } from './payu';
import type { CheckoutRequest } from './provider';

const platformPos = { posId: '300746', clientId: '300746', clientSecret: '2ee86a66e5d97e3fadc400c9f19b065d', secondKey: 'b6ca15b0d1020e8094d9b5f8d163db54' };
const shopPos = { posId: '411222', clientId: '411222', clientSecret: '5bc2c1d1a1b0e4f1a8a6d0c3e2f1a0b9', secondKey: '0f1e2d3c4b5a69788796a5b4c3d2e1f0' };

const checkout = (orderId: string): CheckoutRequest => ({
  orderId,
  merchantId: 'm1',
  amountMinor: 4_500,
  currency: 'PLN',
  description: 'Vase',
  expiresAt: new Date(Date.now() + 30 * 60_000),
});

describe("PayU with a merchant's own POS", () => {
  let peer: PayUPeer;

  before(async () => {
    peer = await startPayUPeer(platformPos);
    peer.addPos(shopPos);
  });
  after(() => peer.close());

  test('the order is created for the merchant’s POS with its own OAuth client, and only that POS can read it', async () => {
    const shop = createPayUProvider({ ...shopPos, baseUrl: peer.baseUrl, notifyUrl: 'https://shop.example/webhooks/payments/acct-1', accountId: 'acct-1' });
    assert.equal(shop.accountId, 'acct-1');
    const session = await shop.createCheckout(checkout('ord-own-pos'));

    const create = peer.orderCreates().at(-1)!;
    assert.equal((create.body as PayUOrderBody).merchantPosId, shopPos.posId);
    assert.equal((create.body as PayUOrderBody).notifyUrl, 'https://shop.example/webhooks/payments/acct-1');
    assert.equal(peer.posOf(create), shopPos.posId, 'the bearer token was minted for the shop');
    assert.equal(peer.tokenRequests().at(-1)!.form.get('client_id'), shopPos.clientId);
    assert.equal(peer.orders.get(session.providerRef)!.posId, shopPos.posId);

    peer.setOrderStatus(session.providerRef, 'COMPLETED');
    assert.equal((await shop.fetchStatus(session.providerRef)).status, 'paid');
    const platform = createPayUProvider({ ...platformPos, baseUrl: peer.baseUrl, notifyUrl: 'https://shop.example/webhooks/payu' });
    await assert.rejects(platform.fetchStatus(session.providerRef), /DATA_NOT_FOUND/);

    // Notifications are signed with the shop's second key.
    const { body, headers } = peer.orderNotification(session.providerRef);
    assert.equal((await shop.parseWebhook!(Buffer.from(body), headers, '/'))[0]!.type, 'completed');
    await assert.rejects(platform.parseWebhook!(Buffer.from(body), headers, '/'), /signature/);
  });

  test('a POS id the token does not belong to is refused as PayU refuses it', async () => {
    const mixed = createPayUProvider({ ...shopPos, posId: platformPos.posId, baseUrl: peer.baseUrl, notifyUrl: 'https://shop.example/n' });
    await assert.rejects(mixed.createCheckout(checkout('ord-mixed-pos')), /merchantPosId/);
  });

  test('credentials are checked with an OAuth token request', async () => {
    assert.deepEqual(await checkPayUCredentials({ baseUrl: peer.baseUrl, clientId: shopPos.clientId, clientSecret: shopPos.clientSecret }), { ok: true });
    const wrong = await checkPayUCredentials({ baseUrl: peer.baseUrl, clientId: shopPos.clientId, clientSecret: 'not-the-secret' });
    assert.equal(wrong.ok, false);
    assert.match(!wrong.ok ? wrong.reason : '', /invalid_client/);
    await assert.rejects(checkPayUCredentials({ baseUrl: 'http://127.0.0.1:9', clientId: 'a', clientSecret: 'b' }), 'unreachable is not "bad keys"');
  });

  test('a PayU outage during the check is an error, not a verdict on the keys', async () => {
    const outage = await listenOnLoopback((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/html' }).end('<h1>maintenance</h1>');
    });
    try {
      await assert.rejects(checkPayUCredentials({ baseUrl: outage.origin, clientId: shopPos.clientId, clientSecret: shopPos.clientSecret }), /HTTP 503/);
    } finally {
      await outage.close();
    }
  });
});
