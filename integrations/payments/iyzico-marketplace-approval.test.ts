/**
 * iyzico marketplace item approval against the local iyzico peer: a paid
 * sub-merchant payment's items are approved once, with the ids iyzico's own
 * retrieve answer gives; a second call, or one racing an earlier approval,
 * approves nothing twice; manual mode and plain (own keys) payments approve
 * nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { IYZICO_APPROVAL_ERRORS, IYZICO_PATHS, iyzicoError, startIyzicoPeer, type IyzicoPeer } from '../../test/peers/iyzico-peer';
import { callSdk, createIyzicoProvider, iyzicoSdk, IyzicoApiError } from './iyzico';
import { createIyzicoSubMerchants, type IyzicoSubMerchantDetails } from './iyzico-accounts';
import type { CheckoutRequest } from './provider';

const platform = { apiKey: 'sandbox-approval-platform-key', secretKey: 'sandbox-approval-platform-secret' };
const shop = { apiKey: 'sandbox-approval-shop-key', secretKey: 'sandbox-approval-shop-secret' };
const callbackUrl = 'https://shop.example/payments/iyzico/callback';
type Body = Record<string, unknown>;
type Sdk = Record<'checkoutForm' | 'approval' | 'disapproval', { create(r: object, cb: (e: Error | null, r: unknown) => void): void; retrieve(r: object, cb: (e: Error | null, r: unknown) => void): void }>;

const seller: IyzicoSubMerchantDetails = {
  type: 'PERSONAL',
  name: 'Approval test shop',
  email: 'shop@approval.example',
  gsmNumber: '+905350000001',
  address: 'Moda, Kadıköy',
  iban: 'TR180006200119000006672315',
  currency: 'TRY',
  contactName: 'Ayşe',
  contactSurname: 'Yılmaz',
  identityNumber: '31300864726',
};

function order(overrides: Partial<CheckoutRequest> = {}): CheckoutRequest {
  return {
    orderId: `ord_${Math.random().toString(36).slice(2, 10)}`,
    merchantId: 'm_approval',
    amountMinor: 6_000,
    currency: 'TRY',
    description: 'Three things',
    platformFeeMinor: 300,
    items: [
      { sku: 'VASE', name: 'Vase', quantity: 1, unitAmountMinor: 1_000 },
      { sku: 'CUP', name: 'Cup', quantity: 2, unitAmountMinor: 1_000 },
      { sku: 'BOWL', name: 'Bowl', quantity: 1, unitAmountMinor: 3_000 },
    ],
    expiresAt: new Date(Date.now() + 3600_000),
    ...overrides,
  };
}

describe('iyzico marketplace item approval against the local iyzico peer', () => {
  let peer: IyzicoPeer;
  let subMerchantKey: string;
  const sdk = (keys = platform) => iyzicoSdk<Sdk>({ ...keys, baseUrl: peer.baseUrl });
  const provider = (approveItems?: 'on_payment' | 'manual') =>
    createIyzicoProvider({ ...platform, baseUrl: peer.baseUrl, callbackUrl, subMerchantKey, accountId: 'acct-sub', ...(approveItems ? { approveItems } : {}) });
  const retrieve = async (token: string, keys = platform) => (await callSdk(sdk(keys).checkoutForm, 'retrieve', { locale: 'en', token })) as Body & { itemTransactions: Body[] };
  /** A paid marketplace order, and the item ids iyzico's retrieve answer gives for it. */
  async function paidOrder(approveItems?: 'on_payment' | 'manual') {
    const iyzico = provider(approveItems);
    const req = order();
    const { providerRef } = await iyzico.createCheckout(req);
    peer.setState(providerRef, 'success');
    const items = (await retrieve(providerRef)).itemTransactions.map((t) => String(t.paymentTransactionId));
    return { iyzico, orderId: req.orderId, providerRef, items };
  }
  const approvalsOf = (token: string) => peer.approvals.filter((a) => a.token === token).map((a) => a.paymentTransactionId);

  before(async () => {
    peer = await startIyzicoPeer({ ...platform, marketplace: true });
    peer.addAccount(shop);
    subMerchantKey = await createIyzicoSubMerchants({ ...platform, baseUrl: peer.baseUrl }).create('merchant-approval', seller);
  });
  after(() => peer.close());

  test('a paid order: every item is approved once, with the ids from the retrieve answer', async () => {
    const { iyzico, orderId, providerRef, items } = await paidOrder();
    assert.equal(items.length, 3);
    assert.deepEqual(
      (await retrieve(providerRef)).itemTransactions.map((t) => t.transactionStatus),
      [1, 1, 1],
      'held for approval after payment',
    );

    const settled = await iyzico.settlePaid!({ orderId, providerRef });
    assert.equal(settled.released, true);
    assert.deepEqual(settled.items.map((i) => [i.ref, i.itemId, i.state]), [
      [items[0], 'VASE', 'approved'],
      [items[1], 'CUP', 'approved'],
      [items[2], 'BOWL', 'approved'],
    ]);
    assert.deepEqual(approvalsOf(providerRef), items);
    const sent = peer.requestsTo(IYZICO_PATHS.approve).filter((r) => items.includes(String(r.body?.paymentTransactionId)));
    assert.equal(sent.length, 3);
    assert.ok(sent.every((r) => /^IYZWSv2 /.test(String(r.headers.authorization))), 'signed like every iyzico call');
    assert.deepEqual((await retrieve(providerRef)).itemTransactions.map((t) => t.transactionStatus), [2, 2, 2]);

    // Called again (a retried step): iyzico shows them approved, so nothing is sent.
    const before = peer.requestsTo(IYZICO_PATHS.approve).length;
    const again = await iyzico.settlePaid!({ orderId, providerRef });
    assert.equal(peer.requestsTo(IYZICO_PATHS.approve).length, before);
    assert.deepEqual(again.items.map((i) => i.state), ['already_approved', 'already_approved', 'already_approved']);
    assert.deepEqual(approvalsOf(providerRef), items);
  });

  test('an item approved after our retrieve (a lost answer, a concurrent attempt) counts as approved, not as a failure', async () => {
    const { iyzico, orderId, providerRef, items } = await paidOrder();
    // The retrieve the provider makes first still shows every item waiting...
    peer.enqueue(IYZICO_PATHS.retrieve, { status: 200, body: await retrieve(providerRef) });
    // ...but the first item was approved meanwhile, so iyzico refuses a second approval.
    const first = (await callSdk(sdk().approval, 'create', { locale: 'en', conversationId: 'earlier', paymentTransactionId: items[0] })) as Body;
    assert.equal(first.status, 'success');

    const settled = await iyzico.settlePaid!({ orderId, providerRef });
    assert.deepEqual(settled.items.map((i) => i.state), ['already_approved', 'approved', 'approved']);
    const refusals = peer.requestsTo(IYZICO_PATHS.approve).filter((r) => r.body?.paymentTransactionId === items[0]);
    assert.equal(refusals.length, 2, 'the provider did try the first item, and was refused');
    assert.deepEqual(approvalsOf(providerRef).sort(), [...items].sort(), 'each item approved exactly once at iyzico');
  });

  test('a refusal iyzico stands by fails the call, so the step is retried', async () => {
    const { iyzico, orderId, providerRef } = await paidOrder();
    peer.enqueue(IYZICO_PATHS.approve, iyzicoError(...IYZICO_APPROVAL_ERRORS.notMarketplace));
    await assert.rejects(iyzico.settlePaid!({ orderId, providerRef }), (err: IyzicoApiError) => err instanceof IyzicoApiError && err.errorCode === '5067');
    assert.equal(approvalsOf(providerRef).length, 2, 'the other items were approved');
    // The retry approves only what is left.
    const retried = await iyzico.settlePaid!({ orderId, providerRef });
    assert.deepEqual(retried.items.map((i) => i.state), ['approved', 'already_approved', 'already_approved']);
    assert.equal(approvalsOf(providerRef).length, 3);
  });

  test('an unpaid checkout has nothing to approve', async () => {
    const iyzico = provider();
    const req = order();
    const { providerRef } = await iyzico.createCheckout(req);
    await assert.rejects(iyzico.settlePaid!({ orderId: req.orderId, providerRef }), /not paid/);
    peer.setState(providerRef, 'failure');
    await assert.rejects(iyzico.settlePaid!({ orderId: req.orderId, providerRef }), /not paid/);
    assert.equal(approvalsOf(providerRef).length, 0);
  });

  test('manual mode lists the waiting items and approves nothing', async () => {
    const { iyzico, orderId, providerRef, items } = await paidOrder('manual');
    const before = peer.requestsTo(IYZICO_PATHS.approve).length;
    const settled = await iyzico.settlePaid!({ orderId, providerRef });
    assert.equal(settled.released, false);
    assert.deepEqual(settled.items.map((i) => [i.ref, i.state]), items.map((ref) => [ref, 'awaiting_approval']));
    assert.equal(peer.requestsTo(IYZICO_PATHS.approve).length, before);
    assert.deepEqual((await retrieve(providerRef)).itemTransactions.map((t) => t.transactionStatus), [1, 1, 1]);
  });

  test('providers without a sub-merchant have no approval step', () => {
    assert.equal(createIyzicoProvider({ ...shop, baseUrl: peer.baseUrl, callbackUrl, accountId: 'acct-own' }).settlePaid, undefined);
    assert.equal(createIyzicoProvider({ ...platform, baseUrl: peer.baseUrl, callbackUrl }).settlePaid, undefined);
  });

  test("the peer's approval endpoint checks what iyzico checks", async () => {
    const { providerRef, items } = await paidOrder('manual');
    const approve = (body: Body, keys = platform) => callSdk(sdk(keys).approval, 'create', { locale: 'tr', conversationId: 'peer-check', ...body }) as Promise<Body>;
    const disapprove = (body: Body) => callSdk(sdk().disapproval, 'create', { locale: 'tr', conversationId: 'peer-check', ...body }) as Promise<Body>;
    const failure = (answer: Body, code: string) => {
      assert.equal(answer.status, 'failure');
      assert.equal(answer.errorCode, code);
      assert.ok(typeof answer.errorMessage === 'string' && typeof answer.systemTime === 'number', "iyzico's envelope");
    };

    failure(await approve({ paymentTransactionId: '999999999' }), IYZICO_APPROVAL_ERRORS.unknownItem[0]);
    failure(await approve({ paymentTransactionId: items[0] }, shop), IYZICO_APPROVAL_ERRORS.unknownItem[0]);
    failure(await approve({ paymentTransactionId: items[0] }, { ...platform, secretKey: 'sandbox-not-the-secret' }), '1000');
    failure(await disapprove({ paymentTransactionId: items[0] }), IYZICO_APPROVAL_ERRORS.notApproved[0]);

    const ok = await approve({ paymentTransactionId: items[0] });
    assert.equal(ok.status, 'success');
    assert.equal(ok.paymentTransactionId, items[0]);
    assert.equal(ok.conversationId, 'peer-check');
    failure(await approve({ paymentTransactionId: items[0] }), IYZICO_APPROVAL_ERRORS.alreadyApproved[0]);
    assert.equal((await disapprove({ paymentTransactionId: items[0] })).status, 'success');
    assert.equal((await retrieve(providerRef)).itemTransactions[0]!.transactionStatus, 1, 'waiting again after a disapproval');

    // A plain payment's items have no sub-merchant share to release.
    const own = createIyzicoProvider({ ...shop, baseUrl: peer.baseUrl, callbackUrl });
    const plain = await own.createCheckout(order({ platformFeeMinor: undefined }));
    peer.setState(plain.providerRef, 'success');
    const plainItems = (await retrieve(plain.providerRef, shop)).itemTransactions;
    assert.deepEqual(plainItems.map((t) => t.transactionStatus), [2, 2, 2]);
    failure(await approve({ paymentTransactionId: plainItems[0]!.paymentTransactionId }, shop), IYZICO_APPROVAL_ERRORS.notMarketplace[0]);
  });
});
