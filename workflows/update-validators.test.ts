import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { Refusals, type AgentMessage, type CloseLead, type TakeOver } from './contract';
import { validateAgentMessage, validateClose, validateHolder } from './update-validators';

const open = { closed: null, mode: 'bot', humanAgent: null } as const;
const closed = { ...open, closed: { reason: 'inactive', at: '2026-11-25T10:00:00.000Z' } };
const heldByAyse = { ...open, mode: 'human', humanAgent: 'ayse' } as const;
const nothingSent = () => false;
const refusal = (type: string) => (err: unknown) => err instanceof ApplicationFailure && err.type === type;
// What arrives over the wire is not what the type promises.
const wire = <T>(v: unknown) => v as T;

describe('update validators', () => {
  test('taking over and releasing name the person and need an open lead', () => {
    assert.doesNotThrow(() => validateHolder(open, { by: 'ayse' }));
    assert.throws(() => validateHolder(open, { by: '  ' }), /"by" must name who is acting/);
    assert.throws(() => validateHolder(open, wire<TakeOver>({ by: 7 })), /"by"/);
    assert.throws(() => validateHolder(open, undefined), /"by"/);
    assert.throws(() => validateHolder(closed, { by: 'ayse' }), (err: unknown) => refusal(Refusals.closed)(err) && /lead is closed \(inactive\)/.test((err as Error).message));
  });

  test('a message from a person is non-empty and at most 4000 characters', () => {
    assert.doesNotThrow(() => validateAgentMessage(open, { by: 'ayse', text: 'x'.repeat(4000) }, nothingSent));
    assert.throws(() => validateAgentMessage(open, { by: 'ayse', text: 'x'.repeat(4001) }, nothingSent), /at most 4000/);
    assert.throws(() => validateAgentMessage(open, { by: 'ayse', text: ' \n ' }, nothingSent), /"text" must not be empty/);
    assert.throws(() => validateAgentMessage(open, wire<AgentMessage>({ by: 'ayse' }), nothingSent), /"text"/);
    assert.throws(() => validateAgentMessage(open, wire<AgentMessage>({ by: 'ayse', text: 'hi', clientId: 5 }), nothingSent), /"clientId"/);
  });

  test('a new reply is refused, with the reason as its type, when the lead closed or a colleague holds it', () => {
    assert.throws(() => validateAgentMessage(closed, { by: 'ayse', text: 'hi' }, nothingSent), refusal(Refusals.closed));
    assert.throws(() => validateAgentMessage(heldByAyse, { by: 'mehmet', text: 'hi' }, nothingSent), refusal(Refusals.heldByColleague));
    assert.doesNotThrow(() => validateAgentMessage(heldByAyse, { by: 'ayse', text: 'hi' }, nothingSent));
    assert.doesNotThrow(() => validateAgentMessage({ ...open, mode: 'human' }, { by: 'mehmet', text: 'hi' }, nothingSent), 'a handed-off lead nobody holds yet');
  });

  test('a reply already taken is accepted again whatever happened since, so the sender learns it went out', () => {
    const sent = (id: string | undefined) => id === 'c-1234567';
    assert.doesNotThrow(() => validateAgentMessage(closed, { by: 'mehmet', text: 'hi', clientId: 'c-1234567' }, sent));
    assert.throws(() => validateAgentMessage(closed, { by: 'mehmet', text: 'hi', clientId: 'c-7654321' }, sent), refusal(Refusals.closed));
  });

  test('closing needs a reason and an open lead', () => {
    assert.doesNotThrow(() => validateClose(open, { reason: 'spam' }));
    assert.throws(() => validateClose(open, wire<CloseLead>({ reason: '' })), /"reason" must not be empty/);
    assert.throws(() => validateClose(closed, { reason: 'spam' }), /closed/);
  });
});
