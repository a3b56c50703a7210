import type { KnowledgeHit, KnowledgeTool, KnowledgeTopic } from '../../../domain/knowledge';
import type { Language } from '../../../domain/language';
import { fold } from './language';

type Patterns = Record<Exclude<KnowledgeTopic, 'other'>, RegExp[]>;

/**
 * Questions about the shop rather than its products, on folded text (lower
 * case, no Turkish letters). Only these are answered from the merchant's
 * knowledge: the agent must not quote a policy it was not given, and must not
 * answer "do you have tents?" from a FAQ.
 */
const topics: Patterns = {
  shipping: [
    /\b(ship|ships|shipping|shipped|deliver|delivers|delivered|delivery|deliveries|courier|postage|dispatch|dispatched)\b/,
    /\b(kargo|teslimat|teslim\s+sure|gonderi(m|yor)|yurt\s*disina|kac\s+gunde)/,
  ],
  returns: [
    /\b(return|returns|returning\s+(it|them|an?\s+item)|refund|refunds|exchange|exchanges|send\s+(it|them)\s+back)\b/,
    /\b(iade|degisim|degistirebilir|geri\s+gonder)/,
  ],
  warranty: [/\b(warranty|warranties|guarantee|guaranteed)\b/, /\bgaranti/],
  payment: [
    /\b(instal?l?ments?|credit\s+cards?|debit\s+cards?|paypal|apple\s+pay|google\s+pay|bank\s+transfer|cash\s+on\s+delivery|payment\s+(methods?|options?))\b/,
    /\b(pay|paying)\s+(with|by|via|in\s+(cash|instal))/,
    /\bwhich\s+cards?\b/,
    /\b(taksit|kredi\s+kart|banka\s+kart|havale|kapida\s+odeme|odeme\s+(yontem|secenek))/,
  ],
  hours: [
    /\b(opening|business|store|shop)\s+hours\b/,
    /\bwhat\s+time\s+(do|does|are|is)\b.*\b(open|close)/,
    /\b(are|is)\s+(you|the\s+(store|shop))\s+open\b/,
    /\bwhen\s+(are\s+you|do\s+you|does\s+the\s+(store|shop))\s+(open|close)/,
    /\bopen\s+on\s+(sundays?|saturdays?|weekends?|holidays?)\b/,
    /\b(calisma\s+saat|kacta\s+(acil|kapan|acik)|acik\s+mi(siniz)?\b|saat\s+kac(a|ta)\s+(kadar\s+)?acik)/,
  ],
  locations: [
    /\bwhere\s+(is|are)\s+(your|the)\s+(store|shop|showroom|office|branch)(es|s)?\b/,
    /\bwhere\s+are\s+you\s+(located|based)\b/,
    /\b(your\s+address|physical\s+(store|shop)|visit\s+(your|the)\s+(store|shop)|(store|shop)\s+locations?)\b/,
    /\b(magaza(niz)?\s+(nerede|nerde)|adresiniz|neredesiniz|subeniz|subeleriniz|magazaniza\s+gel)/,
  ],
};

/** The shop topic a message asks about, or null for anything else. */
export function policyTopic(folded: string): KnowledgeTopic | null {
  for (const [topic, patterns] of Object.entries(topics) as [KnowledgeTopic, RegExp[]][]) {
    if (patterns.some((re) => re.test(folded))) return topic;
  }
  return null;
}

const CLAUSE_BREAK = /[.!?;,]+|\s(?:and|but|also|ve|ama|bir\s+de)\s/i;

/**
 * The part of the message that asks about the shop: "I'll take the tent, can
 * I pay in instalments?" is searched as "can I pay in instalments", so the
 * product words do not dilute the match. The whole message when no one part asks.
 */
export function policyQuestion(text: string): string {
  const clauses = text.split(CLAUSE_BREAK).map((c) => c.trim()).filter(Boolean);
  return clauses.find((c) => policyTopic(fold(c)) !== null) ?? text;
}

/** A chat reply, not a page: the answer's first sentences up to about this many characters. */
const MAX_REPLY_CHARS = 420;

/** Cuts a long answer after the last whole sentence that fits, so the customer never sees half a sentence. */
export function shortAnswer(answer: string): string {
  const text = answer.replace(/\s+/g, ' ').trim();
  if (text.length <= MAX_REPLY_CHARS) return text;
  const sentences = text.match(/[^.!?]+[.!?]+(\s|$)/g) ?? [];
  let out = '';
  for (const s of sentences) {
    if ((out + s).length > MAX_REPLY_CHARS) break;
    out += s;
  }
  return out.trim() || `${text.slice(0, MAX_REPLY_CHARS - 1).trimEnd()}…`;
}

/** The merchant's best answer to the question in the conversation's language, or null when it has none. */
export async function bestAnswer(knowledge: KnowledgeTool, text: string, language: Language): Promise<KnowledgeHit | null> {
  const [hit] = await knowledge.search(text, { language, limit: 1 });
  return hit ?? null;
}
