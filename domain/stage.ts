import type { Intent } from './decision';

export const Stages = ['new', 'engaged', 'qualified', 'negotiating', 'checkout', 'won', 'lost'] as const;
export type Stage = (typeof Stages)[number];

const rank: Record<Stage, number> = { new: 0, engaged: 1, qualified: 2, negotiating: 3, checkout: 4, won: 5, lost: 5 };

export type StageEvent =
  | { type: 'customer_turn'; intent: Intent; qualified: boolean }
  | { type: 'checkout_opened' }
  | { type: 'checkout_failed' }
  | { type: 'paid' }
  | { type: 'refunded' }
  | { type: 'closed' };

/**
 * The sales funnel only moves forward on a customer's turn; payments and closing
 * are the only ways to reach a terminal stage, and a failed checkout steps back
 * to negotiating so the agent can try again.
 */
export function nextStage(current: Stage, event: StageEvent): Stage {
  if (event.type === 'paid') return 'won';
  if (event.type === 'closed') return current === 'won' ? 'won' : 'lost';
  if (event.type === 'refunded') return 'lost';
  if (current === 'won' || current === 'lost') return current;
  if (event.type === 'checkout_opened') return 'checkout';
  if (event.type === 'checkout_failed') return 'negotiating';
  const proposed: Stage =
    event.intent === 'objection' || event.intent === 'price_question' || event.intent === 'buying_signal'
      ? event.qualified
        ? 'negotiating'
        : 'engaged'
      : event.qualified
        ? 'qualified'
        : 'engaged';
  return rank[proposed] > rank[current] ? proposed : current;
}
