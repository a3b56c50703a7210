/**
 * The baseline: the same agent turn as the lead workflow (load the playbook,
 * decide, learn from the decision, send through the web-chat channel into the
 * real Postgres) as plain function calls, with no Temporal and no HTTP in
 * between. The conversation state lives in this process's memory, which is
 * exactly what the durable version does not trust.
 */
import { randomUUID } from 'node:crypto';
import type { Channel } from '../../integrations/channels/channel';
import type { LlmProvider } from '../../integrations/llm/provider';
import { createDbCatalog } from '../../db/queries/catalog';
import { createDbKnowledge } from '../../db/queries/knowledge';
import { getPlaybook } from '../../db/queries/merchants';
import type { Db } from '../../db/knex';
import type { Decision } from '../../domain/decision';
import type { Playbook } from '../../domain/playbook';
import type { LeadState } from '../../workflows/contract';
import { agentInput, initialState, learnFrom, remember } from '../../workflows/lead-state';

export interface DirectConversation {
  id: string;
  state: LeadState;
}

export interface DirectTurnDeps {
  db: Db;
  llm: LlmProvider;
  webchat: Channel;
}

export function openDirectConversation(merchantId: string, customerKey: string, language: LeadState['language']): DirectConversation {
  const state = initialState({ merchantId, channel: 'webchat', customerKey }, new Date(), language);
  return { id: `direct:${merchantId}:webchat:${customerKey}`, state };
}

export interface DirectTurnResult {
  decision: Decision;
  playbook: Playbook;
  objectionsBefore: number;
}

export async function directTurn(deps: DirectTurnDeps, conv: DirectConversation, text: string): Promise<DirectTurnResult> {
  const { state } = conv;
  const msg = { id: randomUUID(), from: 'customer' as const, text, at: new Date().toISOString() };
  remember(state, msg);
  state.lastCustomerMessageAt = msg.at;
  state.turns++;
  const input = agentInput(state, conv.id, msg);
  // As the decide activity does: the playbook and catalog are read per turn, so merchant edits apply at once.
  const playbook = await getPlaybook(deps.db, state.merchantId);
  const decision = await deps.llm.decide({ ...input, playbook, catalog: createDbCatalog(deps.db, state.merchantId), knowledge: createDbKnowledge(deps.db, state.merchantId) });

  const objectionsBefore = state.objectionCount;
  learnFrom(state, decision, playbook.languages);

  if (decision.reply) {
    const idempotencyKey = `${conv.id}:out:${++state.outboundSeq}`;
    await deps.webchat.send({
      conversationId: conv.id,
      merchantId: state.merchantId,
      channel: 'webchat',
      customerKey: state.customerKey,
      text: decision.reply,
      sender: 'bot',
      author: null,
      idempotencyKey,
      intent: decision.intent,
      confidence: decision.confidence,
      usage: decision.usage,
    });
    remember(state, { id: idempotencyKey, from: 'bot', text: decision.reply, at: new Date().toISOString() });
  }
  return { decision, playbook, objectionsBefore };
}
