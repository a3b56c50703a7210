import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { demoPlaybook } from '../../db/demo-data';
import { PlaybookSchema } from '../../domain/playbook';
import { agentContext } from './playbook/testing';
import { buildContextBlock, buildSystemPrompt, salesStep } from './prompt';

describe('prompts per step of the sale', () => {
  test('a merchant’s prompt for a step replaces the built-in guidance for that step only', () => {
    const closing = 'Mention free shipping over 1000 TL before sending the link.';
    const playbook = PlaybookSchema.parse({ ...demoPlaybook, stagePrompts: { ...demoPlaybook.stagePrompts, closing } });
    const custom = buildSystemPrompt(playbook);
    const builtIn = buildSystemPrompt(demoPlaybook);
    assert.match(custom, new RegExp(`- closing: ${closing}`));
    assert.doesNotMatch(builtIn, /free shipping over 1000 TL/);
    const greetingLine = (prompt: string) => prompt.split('\n').find((l) => l.startsWith('- greeting: '));
    assert.equal(greetingLine(custom), greetingLine(builtIn));
  });

  test('the system prompt is the same for every conversation of a merchant; the context names the step', () => {
    const early = agentContext('hi');
    const paid = agentContext('thanks!', { stage: 'won' });
    assert.equal(buildSystemPrompt(early.playbook), buildSystemPrompt(paid.playbook));
    assert.match(buildContextBlock(early), /step of the sale: greeting/);
    assert.match(buildContextBlock(paid), /step of the sale: afterPayment/);
  });

  test('the step follows the lead', () => {
    const pending = { orderId: 'o1', sku: 'TENT-TB2', quantity: 1, amountMinor: 1, currency: 'TRY', url: 'https://pay.example/o1', expiresAt: '2030-01-01T00:00:00Z' };
    assert.equal(salesStep({ stage: 'new', pendingPayment: null, objectionCount: 0 }), 'greeting');
    assert.equal(salesStep({ stage: 'engaged', pendingPayment: null, objectionCount: 0 }), 'qualifying');
    assert.equal(salesStep({ stage: 'qualified', pendingPayment: null, objectionCount: 0 }), 'qualifying');
    assert.equal(salesStep({ stage: 'negotiating', pendingPayment: null, objectionCount: 1 }), 'objection');
    assert.equal(salesStep({ stage: 'negotiating', pendingPayment: null, objectionCount: 0 }), 'closing');
    assert.equal(salesStep({ stage: 'qualified', pendingPayment: pending as never, objectionCount: 2 }), 'closing');
    assert.equal(salesStep({ stage: 'won', pendingPayment: null, objectionCount: 0 }), 'afterPayment');
  });
});
