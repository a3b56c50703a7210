import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Playbook } from '../domain/playbook';
import { leadWorkflowId, settingsBroadcastId, stateQuery } from '../workflows/contract';
import { eventually, getTranscript, postMessage, sessionId } from './support/chat';
import { suiteStack } from './support/stack';

describe('a playbook change reaches conversations already open', () => {
  const stack = suiteStack();

  test('the follow-up cadence, its text and the languages change for a lead that is waiting', async () => {
    const merchant = await stack.createMerchant({ followUpDelaysSeconds: [3600] });
    const admin = await stack.member(merchant, 'admin');
    const s = sessionId();
    assert.equal((await postMessage(stack.apiUrl, merchant, { sessionId: s, text: 'Merhaba, çadırlarınız var mı?' })).status, 202);
    const handle = stack.client.workflow.getHandle(leadWorkflowId(merchant, 'webchat', s));
    const waiting = await eventually(() => handle.query(stateQuery), (st) => st.turns === 1 && st.nextFollowUpAt !== null, 'an hourly follow-up');
    assert.equal(waiting.language, 'tr');
    assert.ok(Date.parse(waiting.nextFollowUpAt!) - Date.now() > 30 * 60_000, 'the old cadence waits an hour');

    const headers = { 'content-type': 'application/json', ...admin.headers };
    const current = (await (await fetch(`${stack.apiUrl}/api/v1/playbook`, { headers })).json()) as Playbook;
    const next: Playbook = {
      ...current,
      languages: ['en'],
      defaultLanguage: 'en',
      followUpDelaysSeconds: [1],
      followUp: { en: 'Still thinking about the tent?', tr: 'Çadırı düşünüyor musunuz?' },
    };
    const put = await fetch(`${stack.apiUrl}/api/v1/playbook`, { method: 'PUT', headers, body: JSON.stringify(next) });
    assert.equal(put.status, 200, await put.text());

    // The lead's timer was armed for an hour; the change wakes it and the new cadence sends within seconds.
    const transcript = await eventually(
      () => getTranscript(stack.apiUrl, merchant, s),
      (m) => m.some((x) => x.text === 'Still thinking about the tent?'),
      'the follow-up under the new playbook',
      15_000,
    );
    assert.ok(!transcript.some((x) => x.text === 'Çadırı düşünüyor musunuz?'), 'Turkish is no longer served, so the follow-up is in English');
    const after = await eventually(() => handle.query(stateQuery), (st) => st.followUpsSent === 1, 'one follow-up counted');
    assert.equal(after.language, 'en');
    assert.equal(after.nextFollowUpAt, null, 'the new cadence has one follow-up only');
    assert.equal(await stack.client.workflow.getHandle(settingsBroadcastId(merchant)).result(), 1, 'one open conversation was told');
  });

  test('another merchant’s conversations are not told', async () => {
    const [mine, theirs] = [await stack.createMerchant(), await stack.createMerchant({ followUpDelaysSeconds: [3600] })];
    const s = sessionId();
    await postMessage(stack.apiUrl, theirs, { sessionId: s, text: 'Hello' });
    const handle = stack.client.workflow.getHandle(leadWorkflowId(theirs, 'webchat', s));
    await eventually(() => handle.query(stateQuery), (st) => st.turns === 1, 'their first turn');
    const admin = await stack.member(mine, 'admin');
    const headers = { 'content-type': 'application/json', ...admin.headers };
    const current = (await (await fetch(`${stack.apiUrl}/api/v1/playbook`, { headers })).json()) as Playbook;
    const put = await fetch(`${stack.apiUrl}/api/v1/playbook`, { method: 'PUT', headers, body: JSON.stringify({ ...current, followUpDelaysSeconds: [1] }) });
    assert.equal(put.status, 200);
    assert.equal(await stack.client.workflow.getHandle(settingsBroadcastId(mine)).result(), 0);
    const history = await handle.fetchHistory();
    const signals = history.events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'settingsChanged');
    assert.equal(signals.length, 0);
  });
});
