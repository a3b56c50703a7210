/**
 * A scripted conversation and what a good salesperson would have done in it.
 * Scenarios are data: the same ones run against the offline playbook inside
 * `npm test` and against a real model with `npm run eval`.
 */
import type { Product } from '../domain/catalog';
import type { Intent } from '../domain/decision';
import type { Language } from '../domain/language';
import type { QualificationSlot } from '../domain/lead';
import type { Playbook } from '../domain/playbook';
import type { Stage } from '../domain/stage';

export const Categories = [
  'catalogue',
  'qualification',
  'objection',
  'knowledge',
  'buying',
  'reference',
  'acknowledgement',
  'clarification',
  'support',
  'anger',
  'language',
  'haggling',
  'invented_product',
  'negation',
  'quantity',
  'budget',
] as const;
export type Category = (typeof Categories)[number];

/** Checked after one customer message has been answered. Text checks ignore case and Turkish accents. */
export interface TurnExpectation {
  /** Every fact must appear in the bot's reply (product names, prices as the catalog formats them, policy facts). */
  says?: string[];
  /** None of these may appear (a sold-out product offered, an invented price, the wrong language's words). */
  saysNot?: string[];
  /** At least one of these must appear; for facts with more than one fair wording. */
  saysOneOf?: string[];
  /** The language the reply was written in. */
  language?: Language;
  intent?: Intent;
  /** The reason the lead was handed to a person on this turn; null: the bot keeps the lead. */
  handOff?: string | null;
  /** A payment link sent on this turn (sku and quantity), or null: none was sent on this turn. */
  paymentLink?: { sku: string; quantity?: number } | null;
  stage?: Stage;
}

export interface ScenarioTurn {
  customer: string;
  expect?: TurnExpectation;
}

export interface Scenario {
  /** Unique, stable: `<category>.<language>.<short-name>`. */
  id: string;
  category: Category;
  /** The customer's language (for scenarios about other languages: the merchant's language the reply should use). */
  language: Language;
  /** Changes to the demo playbook for this conversation. */
  playbook?: (demo: Playbook) => Playbook;
  /** Changes to the demo catalog, by SKU (e.g. a product sold out). */
  catalog?: Record<string, Partial<Product>>;
  turns: ScenarioTurn[];
  /** Checked when the conversation is over. */
  end?: {
    stage?: Stage;
    /** The hand-off reason the conversation ended with; null: never handed off. */
    handOff?: string | null;
    /** A payment link was sent at some point. */
    paymentLink?: boolean;
    /** Recorded qualification slots; each value must appear in the slot (case- and accent-insensitive). */
    slots?: Partial<Record<QualificationSlot, string>>;
    /** SKUs the lead is recorded as interested in (a subset check). */
    interestedIn?: string[];
  };
}
