/**
 * The reply guard on the real path: a customer message through the API and
 * the lead workflow to the OpenAI provider (pointed at the wire-format peer),
 * whose model quotes a wrong price and an unallowed discount; what the
 * customer reads is the catalog's price and the playbook's maximum.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createOpenAiProvider } from '../integrations/llm/openai';
import { leadWorkflowId, stateQuery } from '../workflows/contract';
import { openAiToolCalls, startOpenAiPeer, type OpenAiPeer } from './peers/openai-peer';
import { eventually, getTranscript, postMessage, sessionId } from './support/chat';
import { startStack, type Stack } from './support/stack';

const KEY = 'sk-test-guard-0000';

const decision = (reply: string, extra: Record<string, unknown> = {}) => ({
  reply,
  intent: 'price_question',
  language: 'en',
  sentiment: 'neutral',
  confidence: 0.9,
  productsMentioned: ['TENT-TB2'],
  ...extra,
});

describe('LLM replies are checked before they reach the customer', () => {
  let stack: Stack;
  let peer: OpenAiPeer;
  before(async () => {
    peer = await startOpenAiPeer({ apiKey: KEY });
    stack = await startStack({ llm: createOpenAiProvider({ apiKey: KEY, baseURL: peer.baseURL, model: 'gpt-test', maxRetries: 0 }) });
  });
  after(async () => {
    await stack.stop();
    await peer.close();
  });

  test('a wrong price and a discount above the maximum are corrected in the message the customer gets', async () => {
    const merchant = await stack.createMerchant({ maxDiscountPercent: 5 });
    const s = sessionId();
    peer.enqueue(
      openAiToolCalls([{ name: 'lookup_catalog', arguments: { query: 'tent' } }]),
      openAiToolCalls([{ name: 'submit_decision', arguments: decision('The Trailblazer 2 Tent is $199.00. I can do 20% off today, so $159.20.', { discountPercent: 20 }) }]),
    );
    await postMessage(stack.apiUrl, merchant, { sessionId: s, text: 'How much is the Trailblazer tent? Any discount?' });
    const transcript = await eventually(() => getTranscript(stack.apiUrl, merchant, s), (t) => t.some((m) => m.from === 'bot'), 'bot reply');
    const reply = transcript.find((m) => m.from === 'bot');
    assert.equal(reply?.text, 'The Trailblazer 2 Tent is $249.00. I can do 5% off today, so $236.55.');
    const state = await stack.client.workflow.getHandle(leadWorkflowId(merchant, 'webchat', s)).query(stateQuery);
    assert.equal(state.mode, 'bot');
  });

  test('an agreed discount is what the payment link charges, recorded on the order and audited', async () => {
    const merchant = await stack.createMerchant({ maxDiscountPercent: 10 });
    const s = sessionId();
    peer.enqueue(
      openAiToolCalls([{ name: 'submit_decision', arguments: decision('The Trailblazer 2 Tent is $249.00; I can do 10% off, so $224.10.', { discountPercent: 10 }) }]),
      openAiToolCalls([
        {
          name: 'submit_decision',
          arguments: decision('Great choice! Here is your payment link.', { intent: 'buying_signal', actions: [{ type: 'offer_payment', sku: 'TENT-TB2', quantity: 1 }] }),
        },
      ]),
    );
    await postMessage(stack.apiUrl, merchant, { sessionId: s, text: 'Any discount on the Trailblazer tent?' });
    await eventually(() => getTranscript(stack.apiUrl, merchant, s), (t) => t.filter((m) => m.from === 'bot').length >= 1, 'discount reply');
    await postMessage(stack.apiUrl, merchant, { sessionId: s, text: "Deal, I'll take it" });

    const conversationId = leadWorkflowId(merchant, 'webchat', s);
    const order = await eventually(
      () => stack.db('orders').where({ conversationId }).first(),
      (o) => Boolean(o?.checkoutUrl),
      'the order with its payment link',
    );
    assert.equal(order.amountMinor, 22410, 'list price 24900 less the agreed 10%');
    assert.equal(order.discountPercent, 10);
    // The lead learns of the link by a signal from the checkout, a moment after the order row has it.
    const state = await eventually(() => stack.client.workflow.getHandle(conversationId).query(stateQuery), (st) => st.pendingPayment !== null, 'the lead holding the link');
    assert.equal(state.agreedDiscountPercent, 10);
    assert.equal(state.pendingPayment?.amountMinor, 22410, 'the link the customer got charges the discounted amount');
    const audit = await stack.db('audit_log').where({ merchantId: merchant, action: 'order.discount', target: order.id });
    assert.equal(audit.length, 1);
  });
});
