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
import { acknowledgement, alreadyClarified, meaningOf, type Ack } from './acknowledgements';
import { basketLines, basketOffer, shortLine } from './basket';
import { withoutCapacity } from './capacity';
import { classify, type Classified } from './intents';
import { bestAnswer, policyQuestion, policyTopic, shortAnswer } from './knowledge';
import { comparable, fitBudget, formatBudget, readBudget } from './budget';
import { fold, readLanguage, words, type LanguageReading } from './language';
import { findNegations, negatedProducts, otherProducts } from './negation';
import { asksForOverview, catalogueOverview, type OverviewRequest } from './overview';
import { alternativesTo, findProducts, namesOtherModel, productTerms } from './products';
import { bareOrder, earlierQuantity, parseQuantity } from './quantity';
import { askedToChoose, lastBotMessage, resolveReference, shownProducts } from './references';
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
  /** Products the customer turned down this turn ("not the tent", "bunu istemiyorum"). */
  negated: Product[];
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

async function describe(turn: Turn, requested: Product[], single: (p: Product) => string): Promise<Answer> {
  const { say, lang } = turn;
  // A list is narrowed to the customer's budget; a product they named is described even when it is above it.
  const budget = requested.length > 1 ? inBudget(turn, requested) : { products: requested, note: null };
  const products = budget.products;
  const lead = budget.note ? [budget.note] : [];
  if (products.length === 1) {
    const product = products[0]!;
    if (product.stock === 0) {
      const instead = await withAlternatives(turn, product);
      return { parts: [...lead, single(product), ...instead.parts], ask: 'unlessJustAsked', products: instead.products };
    }
    // Already said when the list was narrowed to this one.
    const over = budget.note ? null : await overBudget(turn, product);
    if (over) return { parts: [...lead, single(product), ...over.parts], ask: 'unlessJustAsked', products: over.products };
    const quantity = parseQuantity(withoutCapacity(turn.folded), products);
    if (quantity !== null && quantity > product.stock) {
      return { parts: [...lead, single(product), say.notEnoughStock(product, quantity)], ask: 'never', products };
    }
    return { parts: [...lead, single(product)], ask: 'unlessJustAsked', fallbackQuestion: say.wantToOrder, products };
  }
  return { parts: [budget.note ?? say.listIntro, productList(products, lang)], ask: 'unlessJustAsked', fallbackQuestion: say.moreDetails, products };
}

/**
 * The products within the lead's budget, with a note saying so; the nearest
 * one when none is. Unchanged (and no note) without a budget, when everything
 * fits, or when the budget is in another currency than the catalog's.
 */
function inBudget(turn: Turn, products: Product[]): { products: Product[]; note: string | null } {
  const budget = readBudget(turn.lead.budget);
  const currency = products[0]?.currency;
  if (!budget || !currency || !comparable(budget, currency)) return { products, note: null };
  const { within, nearest } = fitBudget(products, budget);
  const shown = formatBudget(budget, currency, turn.lang);
  if (within.length === products.length) return { products, note: null };
  if (within.length) return { products: within, note: turn.say.withinBudget(shown) };
  return { products: nearest ? [nearest] : products, note: turn.say.nothingInBudget(shown) };
}

/** A product above the lead's budget: said honestly, with what the same kind costs within it. */
async function overBudget(turn: Turn, product: Product): Promise<{ parts: string[]; products: Product[] } | null> {
  const budget = readBudget(turn.lead.budget);
  if (!budget || !comparable(budget, product.currency) || product.priceMinor <= budget.amountMinor) return null;
  const cheaper = fitBudget(await alternativesTo(turn.ctx.catalog, product, { cheaperOnly: true }), budget).within;
  const parts = [turn.say.overBudget(product, formatBudget(budget, product.currency, turn.lang))];
  if (cheaper.length) parts.push(turn.say.insteadMaybe(cheaper));
  return { parts, products: cheaper.length === 1 ? [product, cheaper[0]!] : [product] };
}

/**
 * A budget just stated, with a need or a product already discussed: what fits
 * it, so the budget changes what is offered rather than only being noted.
 */
async function budgetSuggestions(turn: Turn): Promise<{ parts: string[]; products: Product[] } | null> {
  const budget = readBudget(turn.slots.budget ?? null);
  if (!budget) return null;
  let candidates: Product[] = [];
  if (turn.lead.need) candidates = await findProducts(turn.ctx.catalog, turn.lead.need, turn.lang, 6);
  const latest = candidates.length ? null : await latestInterest(turn);
  if (latest) candidates = [latest, ...(await alternativesTo(turn.ctx.catalog, latest))];
  candidates = candidates.filter((p) => p.stock > 0);
  const currency = candidates[0]?.currency;
  if (!currency || !comparable(budget, currency)) return null;
  const { within, nearest } = fitBudget(candidates, budget);
  const shown = formatBudget(budget, currency, turn.lang);
  const products = within.length ? within.slice(0, 3) : nearest ? [nearest] : [];
  if (!products.length) return null;
  return { parts: [within.length ? turn.say.withinBudget(shown) : turn.say.nothingInBudget(shown), productList(products, turn.lang)], products };
}

/**
 * The customer turned products down and named nothing else: those are left
 * out (not recorded as interests), and the reply moves on to other products,
 * within the budget when there is one.
 */
async function turnedDown(turn: Turn): Promise<Answer> {
  const { say, lang } = turn;
  const others = inBudget(turn, await otherProducts(turn.ctx.catalog, turn.negated, 6));
  const shown = others.products.slice(0, 3);
  if (!shown.length) return { parts: [say.leaveOut(turn.negated), say.noOtherOptions], ask: 'never', products: [], confidence: 0.8 };
  return {
    parts: [say.leaveOut(turn.negated), others.note ?? say.otherOptions, productList(shown, lang)],
    ask: 'never',
    fallbackQuestion: say.moreDetails,
    products: shown,
    confidence: 0.85,
  };
}

/**
 * The customer named something (a "kayak", a "drone") and the catalog has
 * nothing like it: say so rather than ask which product, so nothing is implied
 * about a product the shop does not sell.
 */
function notInCatalog(turn: Turn): string[] {
  return productTerms(turn.ctx.message.text, turn.lang).length > 0 ? [turn.say.noMatch] : [];
}

/**
 * Every product found is another model than the one asked for ("Trailblazer
 * 3" when the shop has the Trailblazer 2): the model asked for is not sold, and
 * the one that is is suggested, never quoted or sold in its place.
 */
function otherModelAnswer(turn: Turn, others: Product[]): Answer | null {
  const { intent, variant } = turn.intent;
  if (!others.length || turn.mentioned.length || variant === 'payment_link') return null;
  if (intent !== 'product_question' && intent !== 'price_question' && intent !== 'buying_signal') return null;
  turn.intent = { ...turn.intent, intent: 'product_question', objection: null, confidence: 0.8 };
  return { parts: [turn.say.noMatch, turn.say.insteadMaybe(others)], ask: 'never', products: others };
}

/** A price objection that proposes another price rather than only finding this one high. */
const haggles = /\d|%|\b(half|discount|deal|lower|better\s+price|yari|indirim|daha\s+ucuz|verirseniz|yaparsaniz)/;

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
    if (!products.length) return { parts: [...notInCatalog(turn), turn.say.whichProduct], ask: 'never', confidence: 0.7 };
    return describe(turn, products, turn.say.priceOf);
  },

  async qualification(turn) {
    const { say, lang } = turn;
    const answer: Answer = { parts: [say.slotsNoted(turn.ctx.playbook.tone)], ask: 'always', fallbackQuestion: say.nextStep };
    const fitting = await budgetSuggestions(turn);
    if (fitting) return { ...answer, parts: [...answer.parts, ...fitting.parts], fallbackQuestion: say.moreDetails, products: fitting.products };
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
      // Haggling (a product named, a figure, a discount asked for): the price stands, said plainly, before any cheaper option.
      if (product && (turn.mentioned.length === 1 || haggles.test(turn.folded))) parts.push(turn.say.priceOf(product));
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
    const pendingSkus = pending?.items?.map((i) => i.sku) ?? (pending ? [pending.sku] : []);
    if (pending && (turn.intent.variant === 'payment_link' || !turn.mentioned.some((p) => !pendingSkus.includes(p.sku)))) {
      return { parts: [say.linkAgain(pending)], ask: 'never' };
    }
    // "One tent and two sleeping bags": one order, a line per product.
    const basket = turn.mentioned.length > 1 ? await basketLines(ctx.message.text, ctx.catalog, turn.lang, ctx.lead.interestedIn) : null;
    if (basket) {
      const products = basket.map((l) => l.product);
      const short = shortLine(basket);
      if (short) return { parts: [short.product.stock === 0 ? say.outOfStock(short.product) : say.notEnoughStock(short.product, short.quantity)], ask: 'never', products };
      const actions: Action[] = basket.map((l) => ({ type: 'offer_payment', sku: l.product.sku, quantity: l.quantity }));
      return { parts: [basketOffer[turn.lang](basket, ctx.playbook.tone)], ask: 'never', actions, products };
    }

    let product: Product | null;
    if (turn.mentioned.length === 1) product = turn.mentioned[0]!;
    else if (turn.mentioned.length > 1) {
      const recent = [...ctx.lead.interestedIn].reverse().find((sku) => turn.mentioned.some((p) => p.sku === sku));
      product = turn.mentioned.find((p) => p.sku === recent) ?? null;
      if (!product) return { parts: [say.whichOne(turn.mentioned.slice(0, 3))], ask: 'never', products: turn.mentioned, confidence: 0.75 };
    } else product = await latestInterest(turn);

    if (!product) return { parts: [...notInCatalog(turn), say.whichProduct], ask: 'never', confidence: 0.7 };
    if (product.stock === 0) {
      const instead = await withAlternatives(turn, product);
      return { parts: [say.outOfStock(product), ...instead.parts], ask: 'never', products: instead.products };
    }
    const earlier = ctx.recent.filter((m) => m.from === 'customer').slice(-3).map((m) => m.text);
    const discussed = (await Promise.all(ctx.lead.interestedIn.slice(-LOOKBACK).map((sku) => ctx.catalog.get(sku)))).filter((p) => p !== null);
    const quantity =
      parseQuantity(withoutCapacity(turn.folded), [product, ...turn.mentioned]) ?? earlierQuantity(earlier, product, [...turn.mentioned, ...discussed]) ?? 1;
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
    if (turn.sentiment === 'angry') return { parts: [turn.say.offerPerson], ask: 'never' };
    // Disappointment ("that's a shame") is not a misunderstanding: acknowledge it and keep helping.
    if (turn.sentiment === 'negative') return { parts: [turn.say.sorry, turn.say.tellMeMore], ask: 'never', confidence: 0.6 };
    // Not understanding once gets a question, kept above the hand-off threshold; twice in a row, a person.
    if (alreadyClarified(lastBotMessage(turn.ctx))) return { parts: [turn.say.stillUnclear], ask: 'never', confidence: 0.2 };
    return { parts: [turn.say.unknown], ask: 'never', confidence: Math.min(1, Math.max(0.5, turn.ctx.playbook.handOff.minConfidence + 0.05)) };
  },
};

/** "What do you sell?": the kinds of products and a few of them, from the catalog. Null with nothing in stock to show. */
async function overview(turn: Turn, request: Pick<OverviewRequest, 'more'> & { rest?: string }): Promise<Answer | null> {
  const named = request.more && request.rest ? await findProducts(turn.ctx.catalog, request.rest, turn.lang) : [];
  const seen = request.more ? [...turn.ctx.lead.interestedIn, ...named.map((p) => p.sku)] : [];
  const found = await catalogueOverview(turn.ctx.catalog, turn.lang, seen);
  if (!found?.products.length) return null;
  turn.intent = { ...turn.intent, intent: 'product_question', objection: null, variant: null, confidence: 0.85 };
  const { say, lang } = turn;
  return { parts: [say.overviewIntro(found.categories), productList(found.products, lang)], ask: 'never', fallbackQuestion: say.overviewQuestion, products: found.products };
}

/** "Yes please", "ok", "tamam", "thanks": the answer to what our last message asked or offered. Sets the turn's intent. */
async function acknowledge(turn: Turn, ack: Ack): Promise<Answer> {
  const { ctx, say } = turn;
  // After the payment went through, "great, thanks" is thanks: nothing is left to offer.
  const meaning = ctx.stage === 'won' && ack !== 'no' ? { kind: 'thanks' as const } : meaningOf(ack, lastBotMessage(ctx), ctx.pendingPayment, ctx.playbook.businessName);
  const as = (intent: Intent, confidence = 0.85) => (turn.intent = { ...turn.intent, intent, objection: null, variant: null, confidence });
  const showRange = async () => (await overview(turn, { more: false })) ?? { parts: [say.tellMeMore], ask: 'never' as const };
  switch (meaning.kind) {
    case 'order':
      as('buying_signal', 0.9);
      return handlers.buying_signal(turn);
    case 'quantity': {
      as('buying_signal', 0.9);
      const product = await latestInterest(turn);
      if (!product) return { parts: [say.whichProduct], ask: 'never' };
      if (product.stock < meaning.quantity) return { parts: [say.notEnoughStock(product, meaning.quantity)], ask: 'never', products: [product] };
      const action: Action = { type: 'offer_payment', sku: product.sku, quantity: meaning.quantity };
      return { parts: [say.offer(product, meaning.quantity, ctx.playbook.tone)], ask: 'never', actions: [action], products: [product] };
    }
    case 'suggest': {
      as('product_question');
      const fits = turn.lead.need ? (await findProducts(ctx.catalog, turn.lead.need, turn.lang, 3)).filter((p) => p.stock > 0) : [];
      if (fits.length) return { parts: [say.suggestions, productList(fits, turn.lang)], ask: 'never', fallbackQuestion: say.moreDetails, products: fits };
      return showRange();
    }
    case 'details': {
      as('product_question');
      const shown = (await shownProducts(ctx)).slice(0, 3);
      if (!shown.length) return showRange();
      return { parts: shown.map((p) => say.productDetail(p)), ask: 'never', fallbackQuestion: shown.length > 1 ? say.whichOne(shown) : say.wantToOrder, products: shown };
    }
    case 'overview':
      as('product_question');
      return showRange();
    case 'person':
      as('human_request', 0.95);
      return handlers.human_request(turn);
    case 'link':
      as('thanks');
      return { parts: [say.afterLink(meaning.pending, ack === 'thanks')], ask: 'never' };
    case 'handedOff':
      as('thanks');
      return { parts: [say.afterHandOff], ask: 'never' };
    case 'declined': {
      as('thanks');
      // "No" to a qualification question ("a budget in mind?") moves on to the next step rather than closing.
      const next = turn.asked ? ((await latestInterest(turn)) ? say.wantToOrder : say.nextStep) : say.anythingElse;
      return { parts: [say.noProblem], ask: 'never', fallbackQuestion: next };
    }
    case 'thanks':
      as('thanks', 0.9);
      return handlers.thanks(turn);
    case 'carryOn': {
      // "Ok" as the very first message is a hello.
      if (!lastBotMessage(ctx)) {
        as('greeting', 0.8);
        return handlers.greeting(turn);
      }
      as('thanks');
      const latest = await latestInterest(turn);
      // Right after a qualification question "ok" answers nothing: what comes next, not the same question again.
      return { parts: [say.okay], ask: turn.asked ? 'never' : 'always', fallbackQuestion: latest ? say.wantToOrder : say.nextStep };
    }
  }
}

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

/** A wish to buy in the message besides its question about the shop. */
function buysBesidesAsking(text: string): boolean {
  const rest = fold(text.replace(policyQuestion(text), ' '));
  return classify(rest, { hasProducts: false, hasSlots: false, paymentPending: false }).intent === 'buying_signal';
}

/** "Eşim için alıyorum", "kendime alıyorum": who it is for, the answer to our question, not a request for the link. */
const buyingFor = /\b(icin|kendime)\s+(aliyorum|alacagim|alicam|alirim)\b/;

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
  // "Can I pay in instalments?" reads as a wish to buy; it is a question about paying, and only
  // "I'll take the tent, can I pay in instalments?" also asks for the link.
  const aboutPaying = c.intent === 'buying_signal' && c.variant === null && c.confidence >= 0.9 && topic === 'payment';
  const buying = aboutPaying && buysBesidesAsking(text);
  if (!aboutPaying && !knowledgeMayAnswer(c)) return null;
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
function nextSlot(turn: Turn, discussingProducts = false, skip: QualificationSlot | null = null): QualificationSlot | null {
  const hasProductContext = discussingProducts || turn.lead.interestedIn.length > 0;
  return QualificationSlots.find((slot) => slot !== skip && !(slot === 'need' && hasProductContext) && turn.lead[slot] === null) ?? null;
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
  const reading = readLanguage(text, ctx.language, ctx.playbook);
  const lang = reading.reply;
  const detected = reading.detected === 'en' || reading.detected === 'tr' ? reading.detected : lang;
  const asked = askedSlot(ctx);
  // "I'll take the first one": the product pointed at; the pointing words are neither searched for nor classified.
  const reference = await resolveReference(ctx, text, (rest) => findProducts(ctx.catalog, rest, detected));
  const request = reference ? null : asksForOverview(text);
  const said = reference?.text ?? request?.rest ?? text;
  const ack = reference || request ? null : acknowledgement(folded, text);

  let slots = extractSlots(text, { asked });
  // "What else do you have besides tents?": the tents named are what to leave out, not what to show.
  const found = reference ? [reference.product] : request?.more ? [] : await findProducts(ctx.catalog, said, detected);
  const otherModels = found.filter((p) => namesOtherModel(text, p));
  const mentioned = found.filter((p) => !otherModels.includes(p));
  const sentiment = detectSentiment(text, folded);
  let intent = classify(fold(said), {
    hasProducts: mentioned.length > 0,
    hasSlots: Object.keys(slots).length > 0,
    paymentPending: ctx.pendingPayment !== null,
  });
  if (intent.intent === 'buying_signal' && intent.variant === null && slots.decisionMaker && buyingFor.test(folded)) {
    intent = { ...intent, intent: 'qualification', confidence: 0.8 };
  }
  // A complaint ("that's disappointing") is not the answer to the question we asked.
  if (intent.intent === 'unknown' && !ack && !reading.unsupported && sentiment !== 'negative' && sentiment !== 'angry') {
    const bare = bareAnswer(text, asked, ctx.lead);
    if (Object.keys(bare).length) {
      slots = { ...slots, ...bare };
      intent = { ...intent, intent: 'qualification', confidence: 0.6 };
    }
  }
  // "2 of them please" after "would you like to order it?" is a yes with a count.
  if (intent.intent === 'unknown' && parseQuantity(withoutCapacity(folded), []) !== null && meaningOf('yes', lastBotMessage(ctx), null, '').kind === 'order') {
    intent = { ...intent, intent: 'buying_signal', confidence: 0.85 };
  }
  // Naming or pointing at one product when asked "which one?" is choosing it.
  if (mentioned.length === 1 && intent.intent === 'product_question' && askedToChoose(ctx)) {
    const alone = classify(fold(said), { hasProducts: false, hasSlots: false, paymentPending: ctx.pendingPayment !== null });
    if (alone.intent === 'unknown' || alone.intent === 'greeting') intent = { ...intent, intent: 'buying_signal', confidence: 0.9 };
  }

  const turn: Turn = {
    ctx,
    lang,
    say: replies[lang],
    folded: fold(said),
    intent,
    sentiment,
    mentioned,
    slots,
    lead: applyQualification(ctx.lead, slots, mentioned.map((p) => p.sku)),
    asked,
    negated: [],
  };
  await applyNegation(turn, text);
  // A number alone after our question ("What's your budget?" "300") is its answer, not an order.
  const order = bareOrder(folded);
  if ((order === 'order' || (order === 'count' && asked === null)) && ctx.lead.interestedIn.length && !notAboutProducts.has(turn.intent.intent)) {
    if (turn.intent.intent !== 'buying_signal') turn.intent = { ...turn.intent, intent: 'buying_signal', objection: null, variant: null, confidence: 0.85 };
    // "2 adet" said after our budget question is a count, not a budget of 2 (nor any other answer).
    if (order === 'order' && asked && slots[asked]) {
      slots = { ...slots };
      delete slots[asked];
      turn.slots = slots;
      turn.lead = applyQualification(ctx.lead, slots, turn.mentioned.map((p) => p.sku));
    }
  }
  let answer =
    (ack ? await acknowledge(turn, ack) : null) ??
    (turn.negated.length && !turn.mentioned.length ? await turnedDown(turn) : null) ??
    (request && !turn.mentioned.length ? await overview(turn, request) : null) ??
    (await fromKnowledge(turn, text)) ?? otherModelAnswer(turn, otherModels) ?? (await handlers[turn.intent.intent](turn));
  // A product picked from a list is one step from an order: ask that rather than a qualification question.
  if (reference && answer.ask === 'unlessJustAsked' && answer.fallbackQuestion === turn.say.wantToOrder) answer = { ...answer, ask: 'never' };
  answer = await languageAndCurrency(turn, reading, answer);
  intent = turn.intent;
  const products = answer.products ?? mentioned;

  const parts: string[] = [];
  if (sentiment === 'angry') parts.push(turn.say.sorry);
  else if (intent.greeted && intent.intent !== 'greeting') parts.push(isFirstTurn(ctx) ? turn.say.firstHello(ctx.playbook.businessName) : turn.say.hello);
  parts.push(...answer.parts);
  const mayAsk = answer.ask === 'always' || (answer.ask === 'unlessJustAsked' && asked === null);
  // A question the customer just passed over is not asked again straight away: the next one is.
  const passedOver = asked && turn.lead[asked] === null ? asked : null;
  const slot = mayAsk ? nextSlot(turn, products.length > 0, passedOver) : null;
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

/** Intents a turned-down product does not change: the customer wants something other than products. */
const notAboutProducts = new Set<Intent>(['human_request', 'support_request', 'goodbye', 'greeting', 'thanks', 'off_topic']);

/**
 * Takes the products the customer turned down out of the turn: they are not
 * discussed, offered or recorded as interests. With nothing else named, the
 * turn becomes a question about other products.
 */
async function applyNegation(turn: Turn, text: string): Promise<void> {
  const negation = findNegations(text);
  if (!negation.phrases.length && !negation.reference) return;
  const negated = await negatedProducts(turn.ctx.catalog, negation, turn.lang, () => latestInterest(turn));
  if (!negated.length) return;
  const rejected = new Set(negated.map((p) => p.sku));
  turn.negated = negated;
  // "Not the Trailblazer, the other tent": the rest of the message is searched on its own, so the
  // turned-down product no longer outranks the one the customer means.
  const wanted = negation.phrases.length ? await findProducts(turn.ctx.catalog, negation.rest, turn.lang) : turn.mentioned;
  turn.mentioned = wanted.filter((p) => !rejected.has(p.sku));
  turn.lead = applyQualification(turn.ctx.lead, turn.slots, turn.mentioned.map((p) => p.sku));
  if (!turn.mentioned.length && !notAboutProducts.has(turn.intent.intent)) {
    turn.intent = { ...turn.intent, intent: 'product_question', objection: null, variant: null, confidence: 0.85 };
  }
}

/**
 * A message in a language the merchant does not serve: a short note in the
 * default language saying which ones it does (the answer follows when the
 * message was understood, else a request to write in one of them), or a
 * person, as the playbook says. And a budget in another currency than the
 * catalog's is never compared as if it were the catalog's: the reply says so.
 */
async function languageAndCurrency(turn: Turn, reading: LanguageReading, answer: Answer): Promise<Answer> {
  const { ctx, say } = turn;
  if (reading.unsupported) {
    if (ctx.playbook.otherLanguages === 'hand_off') {
      return { parts: [say.languageHandOff(ctx.playbook.businessName)], ask: 'never', actions: [{ type: 'hand_off', reason: 'unsupported_language' }], confidence: 0.9 };
    }
    const note = say.languageNote(ctx.playbook.languages, reading.unsupported);
    const understood = turn.intent.intent !== 'unknown' && turn.intent.confidence >= 0.5;
    if (!understood) return { parts: [note, say.writeIn(ctx.playbook.languages)], ask: 'never', confidence: 0.8 };
    return { ...answer, parts: [note, ...answer.parts], confidence: Math.max(answer.confidence ?? turn.intent.confidence, 0.6) };
  }
  const budget = readBudget(turn.slots.budget ?? null);
  if (budget?.currency) {
    const currency = answer.products?.[0]?.currency ?? turn.mentioned[0]?.currency ?? (await ctx.catalog.list())[0]?.currency;
    if (currency && !comparable(budget, currency)) return { ...answer, parts: [...answer.parts, say.pricesIn(currency)] };
  }
  return answer;
}

/** The offline agent: no key, no network, the same reply for the same conversation. */
export function createPlaybookProvider(): LlmProvider {
  return { name: 'playbook', local: true, decide: (ctx) => decide(ctx) };
}
