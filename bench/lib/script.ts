import type { Decision } from '../../domain/decision';
import type { Playbook } from '../../domain/playbook';

/**
 * What every benchmark customer says, in order (cycled when a run asks for
 * more messages). Each line must draw exactly one bot reply and leave the lead
 * with the bot: a hand-off silences the bot and a buying signal sends a second
 * message (the payment link), and either would leave a turn waiting for a
 * reply that never comes. `unsafeTurn` checks that on the baseline pass.
 */
export const customerScript: readonly string[] = [
  'Hi! What tents do you have?',
  'How much is the Trailblazer 2 Tent?',
  'Do you have sleeping bags?',
  'What about headlamps?',
  'Tell me about the rain jacket',
  'How much is the camp stove?',
  'Do you sell hiking boots?',
  'What backpacks do you have?',
];

export const scriptLine = (index: number): string => customerScript[index % customerScript.length]!;

/** Why a decision would not give exactly one bot reply in the workflow, or null when it would. */
export function unsafeTurn(decision: Decision, playbook: Playbook, objectionsSoFar: number): string | null {
  if (!decision.reply) return 'no reply';
  if (decision.actions.length) return `actions ${decision.actions.map((a) => a.type).join(', ')}`;
  if (decision.sentiment === 'angry') return 'angry sentiment (hand-off)';
  if (decision.confidence < playbook.handOff.minConfidence) return `confidence ${decision.confidence} below ${playbook.handOff.minConfidence} (hand-off)`;
  if (decision.objection && objectionsSoFar >= playbook.handOff.maxObjections) return 'repeated objections (hand-off)';
  return null;
}
