import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AgentMessage, CloseLead, TakeOver } from './contract';
import { validateAgentMessage, validateClose, validateHolder } from './update-validators';

const open = { closed: null };
const closed = { closed: { reason: 'inactive', at: '2026-11-25T10:00:00.000Z' } };
// What arrives over the wire is not what the type promises.
const wire = <T>(v: unknown) => v as T;

describe('update validators', () => {
  test('taking over and releasing name the person and need an open lead', () => {
    assert.doesNotThrow(() => validateHolder(open, { by: 'ayse' }));
    assert.throws(() => validateHolder(open, { by: '  ' }), /"by" must name who is acting/);
    assert.throws(() => validateHolder(open, wire<TakeOver>({ by: 7 })), /"by"/);
    assert.throws(() => validateHolder(open, undefined), /"by"/);
    assert.throws(() => validateHolder(closed, { by: 'ayse' }), /lead is closed \(inactive\)/);
  });

  test('a message from a person is non-empty and at most 4000 characters', () => {
    assert.doesNotThrow(() => validateAgentMessage(open, { by: 'ayse', text: 'x'.repeat(4000) }));
    assert.throws(() => validateAgentMessage(open, { by: 'ayse', text: 'x'.repeat(4001) }), /at most 4000/);
    assert.throws(() => validateAgentMessage(open, { by: 'ayse', text: ' \n ' }), /"text" must not be empty/);
    assert.throws(() => validateAgentMessage(open, wire<AgentMessage>({ by: 'ayse' })), /"text"/);
    assert.throws(() => validateAgentMessage(closed, { by: 'ayse', text: 'hi' }), /closed/);
  });

  test('closing needs a reason and an open lead', () => {
    assert.doesNotThrow(() => validateClose(open, { reason: 'spam' }));
    assert.throws(() => validateClose(open, wire<CloseLead>({ reason: '' })), /"reason" must not be empty/);
    assert.throws(() => validateClose(closed, { reason: 'spam' }), /closed/);
  });
});
