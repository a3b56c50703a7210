import { canned } from '../../../domain/canned-messages';
import type { PendingPayment } from '../../../domain/conversation';
import { LanguageSchema } from '../../../domain/language';
import { replies } from './replies';

const Languages = LanguageSchema.options;

/** A message that only acknowledges: agrees, declines or thanks. */
export type Ack = 'yes' | 'no' | 'thanks';

/** On folded text; longest first so "no problem" is agreement before "no" is a refusal. */
const phrases: Record<Ack, string[]> = {
  yes: [
    'sounds good', 'sounds great', 'sounds perfect', 'that sounds good', 'that works', 'works for me', 'got it', 'of course', 'go ahead',
    'do it', 'lets do it', "let's do it", 'why not', 'will do', 'fair enough', 'makes sense', 'no problem', 'no worries', 'all right',
    'yes please', 'ok', 'okay', 'okey', 'okie', 'k', 'kk', 'alright', 'sure', 'yes', 'yeah', 'yea', 'yep', 'yup', 'ya', 'please', 'pls',
    'plz', 'great', 'cool', 'nice', 'perfect', 'awesome', 'excellent', 'super', 'fine', 'good', 'definitely', 'absolutely', 'certainly',
    'understood', 'noted', 'lovely', 'wonderful', 'very good', 'very well',
    'cok iyi', 'olur tabii', 'olur tabi', 'tabii ki', 'tabi ki', 'evet lutfen', 'tamam', 'tamamdir', 'tmm', 'tm', 'olur', 'olsun', 'peki',
    'evet', 'lutfen', 'harika', 'guzel', 'anladim', 'tabii', 'tabi', 'elbette', 'kesinlikle', 'aynen', 'iyi', 'mukemmel', 'hay hay',
  ],
  no: ['no thank you', 'no thanks', 'not really', 'no', 'nope', 'nah', 'hayir', 'yok', 'istemem', 'istemiyorum', 'gerek yok', 'kalsin'],
  thanks: [
    'thank you so much', 'thank you very much', 'thanks a lot', 'many thanks', 'thank you', 'thanks', 'thx', 'ty', 'cheers',
    'appreciate it', 'much appreciated', 'cok tesekkur ederim', 'cok tesekkurler', 'tesekkur ederim', 'tesekkurler', 'tesekkur',
    'sag olun', 'sagolun', 'sag ol', 'sagol', 'eyvallah', 'mersi', 'tsk', 'tskler',
  ],
};

const all = (Object.entries(phrases) as [Ack, string[]][])
  .flatMap(([ack, list]) => list.map((phrase) => ({ ack, phrase })))
  .sort((a, b) => b.phrase.length - a.phrase.length);
const alternation = new RegExp(`(?<![\\p{L}\\p{N}'])(${all.map((a) => a.phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?![\\p{L}\\p{N}'])`, 'gu');
const ackFor = new Map(all.map((a) => [a.phrase, a.ack]));
const agreeingEmoji = /[👍👌🙏✅🙂😊👏💯]/u;

/**
 * The acknowledgement a message is made of, or null when it says anything
 * more ("ok, how much is it?" is a question). Agreement wins over thanks
 * ("ok thanks" answers a question); a refusal wins over both ("no thanks").
 */
export function acknowledgement(folded: string, raw: string): Ack | null {
  const found = new Set<Ack>();
  const rest = folded.replace(alternation, (phrase) => {
    found.add(ackFor.get(phrase)!);
    return ' ';
  });
  if (/[\p{L}\p{N}]/u.test(rest)) return null;
  if (!found.size) return agreeingEmoji.test(raw) ? 'yes' : null;
  if (found.has('no')) return 'no';
  return found.has('yes') ? 'yes' : 'thanks';
}

/** What an acknowledgement means after our last message. */
export type AckMeaning =
  | { kind: 'order' }
  | { kind: 'quantity'; quantity: number }
  | { kind: 'suggest' }
  | { kind: 'details' }
  | { kind: 'overview' }
  | { kind: 'person' }
  | { kind: 'link'; pending: PendingPayment }
  | { kind: 'handedOff' }
  | { kind: 'declined' }
  | { kind: 'thanks' }
  | { kind: 'carryOn' };

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The count in "Shall I make it 4?", from the reply's own wording in each language. */
function offeredQuantity(lastBot: string): number | null {
  for (const lang of Languages) {
    const re = new RegExp(escape(replies[lang].makeIt(9999)).replace('9999', '(\\d{1,3})'));
    const m = re.exec(lastBot);
    if (m) return Number(m[1]);
  }
  return null;
}

/** Our last message brought in a person: whatever the customer says now, a short answer at most. */
export function handedOff(lastBot: string, business: string): boolean {
  return Languages.some((l) => {
    const say = replies[l];
    return [say.handOff(business), say.supportHandOff, say.unanswered, say.stillUnclear, canned.handOff(l)].some((t) => lastBot.includes(t));
  });
}

/**
 * An acknowledgement answers the question our last message asked ("Would you
 * like to order it?" → yes → the order), points back at a payment link that
 * is waiting, or just lets the conversation go on; it is never a reason to
 * doubt we understood.
 */
export function meaningOf(ack: Ack, lastBot: string | null, pending: PendingPayment | null, business: string): AckMeaning {
  if (lastBot && handedOff(lastBot, business)) return { kind: 'handedOff' };
  if (ack === 'thanks') return pending ? { kind: 'link', pending } : { kind: 'thanks' };
  if (lastBot) {
    const asked = (pick: (say: (typeof replies)['en']) => string) => Languages.some((l) => lastBot.includes(pick(replies[l])));
    const yes = ack === 'yes';
    const quantity = offeredQuantity(lastBot);
    if (quantity !== null) return yes ? { kind: 'quantity', quantity } : { kind: 'declined' };
    if (asked((s) => s.wantToOrder)) return yes ? { kind: 'order' } : { kind: 'declined' };
    // "Your payment link has expired. Just say the word if you would like a new one."
    if (!pending && Languages.some((l) => lastBot.includes(canned.paymentExpired(l)) || lastBot.includes(canned.paymentFailed(l)))) {
      return yes ? { kind: 'order' } : { kind: 'declined' };
    }
    if (asked((s) => s.offerPerson)) return yes ? { kind: 'person' } : { kind: 'declined' };
    if (!pending) {
      if (asked((s) => s.nextStep)) return yes ? { kind: 'suggest' } : { kind: 'declined' };
      if (asked((s) => s.moreDetails) || asked((s) => s.overviewQuestion)) return yes ? { kind: 'details' } : { kind: 'declined' };
      if (asked((s) => s.unknown)) return yes ? { kind: 'overview' } : { kind: 'declined' };
    }
  }
  if (pending) return { kind: 'link', pending };
  return ack === 'no' ? { kind: 'declined' } : { kind: 'carryOn' };
}

/** Our last message was already a clarifying question: not understanding twice is when a person should step in. */
export function alreadyClarified(lastBot: string | null): boolean {
  return !!lastBot && Languages.some((l) => lastBot.includes(replies[l].unknown));
}
