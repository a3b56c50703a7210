import type { Product } from '../../../domain/catalog';
import { DecisionSchema, type Action, type Decision, type Intent, type Sentiment } from '../../../domain/decision';
import type { Language } from '../../../domain/language';
import {
  applyQualification,
  QualificationSlots,
  type LeadProfile,
  type QualificationSlot,
  type QualificationUpdate,
} from '../../../domain/lead';
import type { AgentContext, LlmProvider } from '../provider';
import { withoutCapacity } from './capacity';
import { classify, type Classified } from './intents';
import { bestAnswer, policyQuestion, policyTopic, shortAnswer } from './knowledge';
import { detectLanguage, fold, replyLanguage, words } from './language';
import { alternativesTo, findProducts } from './products';
import { parseQuantity } from './quantity';
import { productList, replies, type Replies } from './replies';
import { detectSentiment } from './sentiment';
import { extractSlots } from './slots';
import { buildSummary } from './summary';

export const PLAYBOOK_MODEL = 'playbook-v1';

/** What we know about the turn before choosing words. */
interface Turn {
  ctx: AgentContext;
  lang: Language;
  say: Replies;
  folded: string;
  intent: Classified;
  sentiment: Sentiment;
  mentioned: Product[];
  slots: QualificationUpdate;
  /** The profile with this turn's slots and products applied. */
  lead: LeadProfile;
  /** The slot our previous message asked about, if it asked one. */
  asked: QualificationSlot | null;
}

/**
 * `always` for a qualification answer; `unlessJustAsked` after answering a
 * specific question, so the customer is not quizzed on every turn.
 */
type Ask = 'always' | 'unlessJustAsked' | 'never';

interface Answer {
  parts: string[];
  ask: Ask;
  /** Asked instead when no qualification question is due. */
  fallbackQuestion?: string;
  actions?: Action[];
  /** Products the customer is talking about this turn. */
  products?: Product[];
  confidence?: number;
}

function lastBotMessage(ctx: AgentContext): string | null {
  for (let i = ctx.recent.length - 1; i >= 0; i--) if (ctx.recent[i]!.from !== 'customer') return ctx.recent[i]!.text;
  return null;
}

function askedSlot(ctx: AgentContext): QualificationSlot | null {
  const last = lastBotMessage(ctx);
  if (!last) return null;
  return QualificationSlots.find((slot) => ctx.playbook.languages.some((l) => last.includes(ctx.playbook.qualificationQuestions[slot][l]))) ?? null;
}

const isFirstContact = (ctx: AgentContext) => ctx.stage === 'new' && ctx.summary === '' && !ctx.recent.some((m) => m.from !== 'customer');

/**
 * Nothing came before this message. Only then does "Hi! How much is…" get a
 * welcome: a customer who wrote twice before our first reply is not welcomed twice.
 */
const isFirstTurn = (ctx: AgentContext) => ctx.stage === 'new' && ctx.summary === '' && ctx.recent.length === 0;

/** How far back in the lead's interests our last message is searched for the product it was about. */
const LOOKBACK = 5;

/** Our last message offered `product` as the single alternative ("You might like the X instead"). */
function suggested(lastBot: string, product: Product, languages: Language[]): boolean {
  return languages.some((l) => lastBot.includes(replies[l].insteadMaybe([product])) || lastBot.includes(replies[l].cheaperOption([product])));
}

/**
 * The product the customer means by "it" or "that one": the single
 * alternative our last message suggested, else the one product our last
 * message named, else the latest interest still in the catalog. Our last
 * message goes first because the lead's list keeps a product where it was
 * first mentioned, so a product asked about again is not at its end.
 */
async function latestInterest(turn: Turn): Promise<Product | null> {
  const lastBot = lastBotMessage(turn.ctx);
  const recent: Product[] = [];
  for (const sku of [...turn.ctx.lead.interestedIn].reverse()) {
    const product = await turn.ctx.catalog.get(sku);
    if (product) recent.push(product);
    if (recent.length === (lastBot ? LOOKBACK : 1)) break;
  }
  if (lastBot) {
    const alternative = recent.find((p) => suggested(lastBot, p, turn.ctx.playbook.languages));
    if (alternative) return alternative;
    const named = recent.filter((p) => lastBot.includes(p.name));
    if (named.length === 1) return named[0]!;
  }
  return recent[0] ?? null;
}

/**
 * A sold-out product with the alternatives to suggest. A single alternative is
 * listed last among the products discussed, so it becomes the latest interest.
 */
async function withAlternatives(turn: Turn, product: Product): Promise<{ parts: string[]; products: Product[] }> {
  const alternatives = await alternativesTo(turn.ctx.catalog, product);
  if (!alternatives.length) return { parts: [], products: [product] };
  return { parts: [turn.say.insteadMaybe(alternatives)], products: alternatives.length === 1 ? [product, alternatives[0]!] : [product] };
}

const refersBack = /\b(it|this|that|this one|that one|them|bu|bunu|onu|bunun|onun|sunu)\b/;

/** The products a question is about: named now, or the last one discussed when the customer says "it". */
async function productsInQuestion(turn: Turn, allowContext: boolean): Promise<Product[]> {
  if (turn.mentioned.length) return turn.mentioned;
  if (!allowContext) return [];
  const latest = await latestInterest(turn);
  return latest ? [latest] : [];
}

async function describe(turn: Turn, products: Product[], single: (p: Product) => string): Promise<Answer> {
  const { say, lang } = turn;
  if (products.length === 1) {
    const product = products[0]!;
    if (product.stock === 0) {
      const instead = await withAlternatives(turn, product);
      return { parts: [single(product), ...instead.parts], ask: 'unlessJustAsked', products: instead.products };
    }
    return { parts: [single(product)], ask: 'unlessJustAsked', fallbackQuestion: say.wantToOrder, products };
  }
  return { parts: [say.listIntro, productList(products, lang)], ask: 'unlessJustAsked', fallbackQuestion: say.moreDetails, products };
}

const handlers: Record<Intent, (turn: Turn) => Promise<Answer>> = {
  async greeting(turn) {
    const { ctx, lang } = turn;
    return { parts: [isFirstContact(ctx) ? ctx.playbook.greeting[lang] : turn.say.welcomeBack], ask: 'never' };
  },

  async product_question(turn) {
    const products = await productsInQuestion(turn, refersBack.test(turn.folded));
    if (!products.length) return { parts: [turn.say.noMatch], ask: 'always', fallbackQuestion: turn.say.tellMeMore, confidence: 0.55 };
    return describe(turn, products, turn.say.productDetail);
  },

  async price_question(turn) {
    const products = await productsInQuestion(turn, true);
    if (!products.length) return { parts: [turn.say.whichProduct], ask: 'never', confidence: 0.7 };
    return describe(turn, products, turn.say.priceOf);
  },

  async qualification(turn) {
    const { say, lang } = turn;
    const answer: Answer = { parts: [say.slotsNoted(turn.ctx.playbook.tone)], ask: 'always', fallbackQuestion: say.nextStep };
    if (nextSlot(turn) === null && turn.lead.need) {
      const fits = (await findProducts(turn.ctx.catalog, turn.lead.need, lang, 3)).filter((p) => p.stock > 0);
      if (fits.length) {
        answer.parts.push(say.suggestions, productList(fits, lang));
        answer.fallbackQuestion = say.moreDetails;
      }
    }
    return answer;
  },

  async objection(turn) {
    const kind = turn.intent.objection ?? 'price';
    const parts = [turn.ctx.playbook.objectionAnswers[kind][turn.lang]];
    const products = [...turn.mentioned];
    if (kind === 'price') {
      const product = turn.mentioned[0] ?? (await latestInterest(turn));
      const cheaper = product ? await alternativesTo(turn.ctx.catalog, product, { cheaperOnly: true }) : [];
      if (cheaper.length) parts.push(turn.say.cheaperOption(cheaper));
      // The one cheaper option goes last, so it is what "I'll take that one" means next.
      if (cheaper.length === 1) products.push(cheaper[0]!);
    }
    return { parts, ask: 'never', products };
  },

  async buying_signal(turn) {
    const { ctx, say } = turn;
    const pending = ctx.pendingPayment;
    // One open checkout at a time: asking about paying again gets the same link, not a second order.
    if (pending && (turn.intent.variant === 'payment_link' || !turn.mentioned.some((p) => p.sku !== pending.sku))) {
      return { parts: [say.linkAgain(pending)], ask: 'never' };
    }

    let product: Product | null;
    if (turn.mentioned.length === 1) product = turn.mentioned[0]!;
    else if (turn.mentioned.length > 1) {
      const recent = [...ctx.lead.interestedIn].reverse().find((sku) => turn.mentioned.some((p) => p.sku === sku));
      product = turn.mentioned.find((p) => p.sku === recent) ?? null;
      if (!product) return { parts: [say.whichOne(turn.mentioned.slice(0, 3))], ask: 'never', products: turn.mentioned, confidence: 0.75 };
    } else product = await latestInterest(turn);

    if (!product) return { parts: [say.whichProduct], ask: 'never', confidence: 0.7 };
    if (product.stock === 0) {
      const instead = await withAlternatives(turn, product);
      return { parts: [say.outOfStock(product), ...instead.parts], ask: 'never', products: instead.products };
    }
    const quantity = parseQuantity(withoutCapacity(turn.folded), [product, ...turn.mentioned]) ?? 1;
    if (quantity > product.stock) return { parts: [say.notEnoughStock(product, quantity)], ask: 'never', products: [product] };
    return {
      parts: [say.offer(product, quantity, ctx.playbook.tone)],
      ask: 'never',
      actions: [{ type: 'offer_payment', sku: product.sku, quantity }],
      products: [product],
    };
  },

  async human_request(turn) {
    return {
      parts: [turn.say.handOff(turn.ctx.playbook.businessName)],
      ask: 'never',
      actions: [{ type: 'hand_off', reason: 'customer_request' }],
    };
  },

  async support_request(turn) {
    return { parts: [turn.say.supportHandOff], ask: 'never', actions: [{ type: 'hand_off', reason: 'support_request' }] };
  },

  async thanks(turn) {
    return { parts: [turn.say.thanks(turn.ctx.playbook.tone)], ask: 'never' };
  },

  async goodbye(turn) {
    return { parts: [turn.say.goodbye(turn.ctx.playbook.businessName)], ask: 'never' };
  },

  async off_topic(turn) {
    const business = turn.ctx.playbook.businessName;
    return { parts: [turn.intent.variant === 'bot' ? turn.say.aboutBot(business) : turn.say.offTopic(business)], ask: 'never' };
  },

  async unknown(turn) {
    return { parts: [turn.sentiment === 'angry' ? turn.say.offerPerson : turn.say.unknown], ask: 'never' };
  },
};

/**
 * Intents a question about the shop (shipping, returns, payment, hours…)
 * takes precedence over: everything but a request for a person, a firm wish
 * to buy, a question about a pending link, and objections other than trust,
 * which "is there a warranty?" used to be read as.
 */
function knowledgeMayAnswer(c: Classified): boolean {
  switch (c.intent) {
    case 'human_request':
    case 'support_request':
      return false;
    case 'buying_signal':
      return c.variant === null && c.confidence < 0.9;
    case 'objection':
      return c.objection === 'trust';
    case 'off_topic':
      return c.variant !== 'bot';
    default:
      return true;
  }
}

/**
 * Answers a question about the shop from the merchant's knowledge, and never
 * from anything else: with no entry that answers it, a person is brought in
 * (`unanswered_question`) rather than a policy guessed. A question that also
 * names products ("how much is shipping for the Trailblazer?") gets the
 * product answer too, and no hand-off when the knowledge has nothing to add.
 * A firm wish to buy that asks how to pay keeps its offer, with the answer
 * added. Null when the message is not such a question. Sets the turn's intent.
 */
async function fromKnowledge(turn: Turn, text: string): Promise<Answer | null> {
  const topic = policyTopic(turn.folded);
  if (!topic) return null;
  const c = turn.intent;
  // "Can I pay in instalments?" reads as a wish to buy; it is a question about paying first.
  const buying = c.intent === 'buying_signal' && c.variant === null && c.confidence >= 0.9 && topic === 'payment';
  if (!buying && !knowledgeMayAnswer(c)) return null;
  const hit = await bestAnswer(turn.ctx.knowledge, policyQuestion(text), turn.lang);
  let productAnswer: Answer | null = null;
  if (buying) {
    // The offer stands with the answer beside it; without a product to offer, the question alone is answered.
    const offer = await handlers.buying_signal(turn);
    if (offer.actions?.some((a) => a.type === 'offer_payment')) productAnswer = offer;
  } else if (turn.mentioned.length > 0 && (c.intent === 'product_question' || c.intent === 'price_question')) {
    productAnswer = await handlers[c.intent](turn);
  }
  if (!productAnswer) turn.intent = { ...turn.intent, intent: 'product_question', objection: null, variant: null, confidence: 0.85 };
  if (hit) {
    const reply = shortAnswer(hit.answer);
    return productAnswer ? { ...productAnswer, parts: [...productAnswer.parts, reply] } : { parts: [reply], ask: 'unlessJustAsked' };
  }
  if (productAnswer) return productAnswer;
  return { parts: [turn.say.unanswered], ask: 'never', actions: [{ type: 'hand_off', reason: 'unanswered_question' }], confidence: 0.9 };
}

/** The first unfilled slot in the playbook's order; "what do you need?" is moot once they are discussing a product. */
function nextSlot(turn: Turn, discussingProducts = false): QualificationSlot | null {
  const hasProductContext = discussingProducts || turn.lead.interestedIn.length > 0;
  return QualificationSlots.find((slot) => !(slot === 'need' && hasProductContext) && turn.lead[slot] === null) ?? null;
}

/** Lists go on lines of their own; sentences run on. */
function joinParts(parts: string[]): string {
  return parts.reduce((text, part) => {
    if (!text) return part;
    const block = part.startsWith('•') || text.endsWith(':') || /\n•[^\n]*$/.test(text);
    return `${text}${block ? '\n' : ' '}${part}`;
  }, '');
}

/** A short answer to the question we just asked is the slot's value, even without the usual keywords. */
function bareAnswer(text: string, asked: QualificationSlot | null, lead: LeadProfile): QualificationUpdate {
  const trimmed = text.trim();
  if (!asked || lead[asked] !== null || !trimmed || words(fold(trimmed)).length > 8) return {};
  return { [asked]: trimmed.slice(0, 200) };
}

async function decide(ctx: AgentContext): Promise<Decision> {
  const text = ctx.message.text.replace(/\s+/g, ' ').trim();
  const folded = fold(text);
  const detected = detectLanguage(text, ctx.language);
  const lang = replyLanguage(detected, ctx.language, ctx.playbook);
  const asked = askedSlot(ctx);

  let slots = extractSlots(text, { asked });
  const mentioned = await findProducts(ctx.catalog, text, detected);
  const sentiment = detectSentiment(text, folded);
  let intent = classify(folded, {
    hasProducts: mentioned.length > 0,
    hasSlots: Object.keys(slots).length > 0,
    paymentPending: ctx.pendingPayment !== null,
  });
  if (intent.intent === 'unknown') {
    const bare = bareAnswer(text, asked, ctx.lead);
    if (Object.keys(bare).length) {
      slots = { ...slots, ...bare };
      intent = { ...intent, intent: 'qualification', confidence: 0.6 };
    }
  }

  const turn: Turn = {
    ctx,
    lang,
    say: replies[lang],
    folded,
    intent,
    sentiment,
    mentioned,
    slots,
    lead: applyQualification(ctx.lead, slots, mentioned.map((p) => p.sku)),
    asked,
  };
  const answer = (await fromKnowledge(turn, text)) ?? (await handlers[turn.intent.intent](turn));
  intent = turn.intent;
  const products = answer.products ?? mentioned;

  const parts: string[] = [];
  if (sentiment === 'angry') parts.push(turn.say.sorry);
  else if (intent.greeted && intent.intent !== 'greeting') parts.push(isFirstTurn(ctx) ? turn.say.firstHello(ctx.playbook.businessName) : turn.say.hello);
  parts.push(...answer.parts);
  const mayAsk = answer.ask === 'always' || (answer.ask === 'unlessJustAsked' && asked === null);
  const slot = mayAsk ? nextSlot(turn, products.length > 0) : null;
  const question = slot ? ctx.playbook.qualificationQuestions[slot][lang] : answer.fallbackQuestion;
  if (question) parts.push(question);

  const actions = answer.actions ?? [];
  const productsMentioned = [...new Set(products.map((p) => p.sku))];
  const interested: Product[] = [];
  for (const sku of applyQualification(turn.lead, {}, productsMentioned).interestedIn.slice(-3)) {
    const product = products.find((p) => p.sku === sku) ?? (await ctx.catalog.get(sku));
    if (product) interested.push(product);
  }

  return DecisionSchema.parse({
    reply: joinParts(parts),
    intent: intent.intent,
    language: lang,
    sentiment,
    confidence: answer.confidence ?? intent.confidence,
    qualification: slots,
    objection: intent.objection,
    productsMentioned,
    actions,
    summary: buildSummary({
      previous: ctx.summary,
      lead: turn.lead,
      interested,
      objection: intent.objection,
      actions,
      pendingPayment: ctx.pendingPayment,
    }),
    usage: { provider: 'playbook', model: PLAYBOOK_MODEL, inputTokens: 0, outputTokens: 0 },
  });
}

/** The offline agent: no key, no network, the same reply for the same conversation. */
export function createPlaybookProvider(): LlmProvider {
  return { name: 'playbook', decide: (ctx) => decide(ctx) };
}
