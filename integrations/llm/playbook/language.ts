import type { Language } from '../../../domain/language';
import type { Playbook } from '../../../domain/playbook';

const foldMap: Record<string, string> = { '\u2019': "'", ı: 'i', İ: 'i', I: 'i', ç: 'c', Ç: 'c', ğ: 'g', Ğ: 'g', ö: 'o', Ö: 'o', ş: 's', Ş: 's', ü: 'u', Ü: 'u' };

/**
 * Lower-cases and strips diacritics one code unit at a time, so the result has
 * exactly the length of the input: a match found in the folded text can be cut
 * out of the original with the same indices. Customers often type Turkish
 * without its letters ("siparis", "cadir"), so all patterns run on folded text.
 */
export function fold(text: string): string {
  let out = '';
  for (const ch of text) {
    const mapped = foldMap[ch];
    if (mapped) {
      out += mapped;
      continue;
    }
    const base = ch.length === 1 && ch >= '\u00c0' && ch <= '\u024f' ? ch.normalize('NFD').charAt(0) : ch;
    const lower = base.toLowerCase();
    out += lower.length === ch.length ? lower : ch;
  }
  return out;
}

/** Words in folded text, letters and digits only (apostrophes kept for "i'll"). */
export function words(folded: string): string[] {
  return folded.split(/[^\p{L}\p{N}']+/u).filter(Boolean);
}

/*
 * Language identification for chat messages. Written here rather than taken
 * from a trigram library (franc, tinyld): those need a sentence or two and
 * read short unaccented Turkish ("kargom hala gelmedi") as anything from
 * Uzbek to Indonesian, while most chat messages are a few words. Scripts,
 * letters only one language uses, frequent words and Turkish verb endings
 * tell the languages apart on three words; a message with no evidence
 * ("ok", "3", a product name) says nothing, and the conversation keeps its language.
 */

/** ISO 639-1 codes of the languages recognised from Latin-script words, beside our own two. */
type Latin = 'en' | 'tr' | 'es' | 'de' | 'fr' | 'it' | 'pt' | 'nl';

const wordLists: Record<Latin, string> = {
  en:
    "hi hello hey the a an is are am was were be do does did don't dont doesn't you your i i'm i'll i'd i've im how much many price " +
    "want need looking for my it thanks thank please buy what can this that have has yes with to of and but in stock take pay " +
    "order person human talk week month budget expensive cheap cheaper which where when bye good morning would like some any me " +
    "we not show else something other under less than or more two three pair them they there get got send see know about just " +
    "also only too very really sure sorry tell if so at on by from up all out now still hasn't isn't can't won't arrived " +
    "delivery shipping return one first last these those will should could let lets let's yeah yep nope cost costs much thx",
  tr:
    'merhaba merhabalar selam selamlar mrb slm gunaydin iyi gunler aksamlar fiyat fiyati fiyatlar kac kadar para var mi mu ' +
    'midir musunuz misiniz tesekkur tesekkurler sagol sagolun istiyorum lazim ariyorum icin bir ve ama cok daha hafta ay gun butce ' +
    'butcem siparis odeme evet hayir tamam nasil ben bu su siz sizin biz alayim almak satin temsilci yetkili pahali ucuz nerede ' +
    'neden gorusmek konusmak kendim esim yarin bugun gelecek stokta hangi hangisi olur olsun degil yok rezalet berbat hosca kal ' +
    'gorusuruz adet tane ile de da ki ne neler hala henuz zaman kargo kargom siparisim bunu onu sunu bana beni ilk ikinci son ' +
    'istemiyorum istemem baska sey seyler bin civari altinda fazla en gibi mı mu mü peki olabilir lutfen acaba',
  es:
    'hola que cuanto cuanta cuesta cuestan precio precios tienen tienes tiene quiero quisiera necesito donde gracias por favor para ' +
    'una uno los las el la es esta estan del con pero como muy tienda buenos buenas dias tardes noches puedo comprar hay envio ' +
    'mi yo usted y o de en a no lo le al mas este esto ese eso cual cuando tambien bueno nada algo mucho ahora hoy manana si',
  de:
    'hallo guten tag morgen abend danke bitte ich du sie wir ist sind das der die und nicht ein eine einen mit fur was wie viel ' +
    'kostet kosten haben habe hat gibt es zelt kaufen mochte brauche suche auch noch aber oder mein meine wo wann bestellung ' +
    'lieferung ja nein gut sehr zu von auf den dem im am um bis kann konnen wieviel',
  fr:
    "bonjour bonsoir salut merci je vous tu nous est sont le la les un une des du et ou pas ne que qui quoi combien coute prix " +
    "avez voudrais veux cherche acheter pour avec dans sur mon ma mes votre oui non bien tres c'est j'ai s'il plait livraison commande",
  it:
    'ciao buongiorno buonasera grazie quanto costa costano prezzo vorrei voglio sono questo questa il lo gli della per con che non si ' +
    'anche avete hai tenda zaino comprare dove quando perche come molto',
  pt:
    'ola oi obrigado obrigada quanto custa preco voce voces quero tem tenho para com nao sim uma um os as do da no na em por favor ' +
    'bom dia boa tarde onde comprar barraca mochila muito tambem isso este esta pode',
  nl: 'hallo goedemorgen dank bedankt ik je jij u wij het een de en niet wat hoeveel kost kosten prijs heb hebben heeft wil zoek kopen ' +
    'voor met van op is zijn mijn waar wanneer ja nee graag alstublieft rugzak',
};

/** Greetings and thanks that on their own say which language a customer writes. */
const strongWords: Partial<Record<Latin, Set<string>>> = {
  es: new Set(['hola', 'gracias', 'cuanto', 'cuesta', 'quiero', 'necesito']),
  de: new Set(['danke', 'guten', 'mochte', 'kostet', 'brauche']),
  fr: new Set(['bonjour', 'merci', 'combien', 'voudrais']),
  it: new Set(['ciao', 'grazie', 'vorrei', 'buongiorno']),
  pt: new Set(['obrigado', 'obrigada', 'voce']),
  nl: new Set(['bedankt', 'hoeveel', 'goedemorgen']),
};

/** Each word's weight per language: a word several languages use counts for each by share. */
const wordWeights = new Map<string, Partial<Record<Latin, number>>>();
{
  const owners = new Map<string, Latin[]>();
  for (const [lang, list] of Object.entries(wordLists) as [Latin, string][]) {
    for (const word of new Set(list.split(' '))) owners.set(word, [...(owners.get(word) ?? []), lang]);
  }
  for (const [word, langs] of owners) {
    const weights: Partial<Record<Latin, number>> = {};
    for (const lang of langs) weights[lang] = (strongWords[lang]?.has(word) ? 2 : 1) / langs.length;
    wordWeights.set(word, weights);
  }
}

/** Letters that belong to one language (or one family) among those above, on the text before folding. */
const letterEvidence: [RegExp, Partial<Record<Latin, number>>][] = [
  [/[ğĞıİşŞ]/g, { tr: 2 }],
  [/[ñ¿¡]/g, { es: 2 }],
  [/ß/g, { de: 2 }],
  [/[äÄ]/g, { de: 1.5 }],
  [/[ãõ]/g, { pt: 2 }],
  [/[áíóú]/g, { es: 0.75, pt: 0.75 }],
  [/[éÉ]/g, { es: 0.5, fr: 0.75, pt: 0.5, it: 0.25 }],
  [/[èàìòù]/g, { it: 0.75, fr: 0.75 }],
  [/[êâôœëï]/g, { fr: 1, pt: 0.5 }],
];

/** Verb and case endings no English word has: "gelmedi", "istiyorum", "almak", "bakabilir misiniz". */
const turkishEnding = /^\p{L}{2,}(?:[iu]yor(?:um|uz|sun|sunuz|lar|du|dum)?|m[ae]d[iu]m?|m[ae]k|acak|ecek|acag\p{L}*|eceg\p{L}*|siniz|sunuz|iniz|unuz|lari|leri|larin|lerin|lardan|lerden|miyor\p{L}*|muyor\p{L}*)$/u;
const englishEnding = /^\p{L}{3,}(?:ing|n't)$/u;

/** Other scripts name their language outright; the first one that holds most of the letters wins. */
const scripts: [RegExp, string][] = [
  [/\p{Script=Arabic}/gu, 'ar'],
  [/\p{Script=Cyrillic}/gu, 'ru'],
  [/\p{Script=Greek}/gu, 'el'],
  [/\p{Script=Hebrew}/gu, 'he'],
  [/[\p{Script=Hiragana}\p{Script=Katakana}]/gu, 'ja'],
  [/\p{Script=Han}/gu, 'zh'],
  [/\p{Script=Hangul}/gu, 'ko'],
  [/\p{Script=Devanagari}/gu, 'hi'],
  [/\p{Script=Thai}/gu, 'th'],
  [/\p{Script=Georgian}/gu, 'ka'],
  [/\p{Script=Armenian}/gu, 'hy'],
];

/** Scores under this are noise: one word several languages share. */
const MIN_EVIDENCE = 0.9;

/**
 * The language a message is written in, as an ISO 639-1 code, or null when
 * the text carries no language (numbers, emoji, "ok", product names). Another
 * language must clearly outweigh English and Turkish, so a loanword or a
 * shared word ("no", "de") never takes a message away from them.
 */
export function identifyLanguage(text: string): string | null {
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  if (!letters) return null;
  for (const [re, code] of scripts) {
    if ((text.match(re)?.length ?? 0) * 2 > letters) return code;
  }

  const score: Record<Latin, number> = { en: 0, tr: 0, es: 0, de: 0, fr: 0, it: 0, pt: 0, nl: 0 };
  for (const [re, weights] of letterEvidence) {
    const count = Math.min(text.match(re)?.length ?? 0, 3);
    for (const [lang, weight] of Object.entries(weights) as [Latin, number][]) score[lang] += count * weight;
  }
  for (const token of words(fold(text))) {
    const weights = wordWeights.get(token);
    if (weights) for (const [lang, weight] of Object.entries(weights) as [Latin, number][]) score[lang] += weight;
    else if (turkishEnding.test(token)) score.tr += 0.75;
    else if (englishEnding.test(token)) score.en += 0.5;
  }

  const ours = score.en >= score.tr ? 'en' : 'tr';
  const oursScore = score[ours];
  let other: Latin | null = null;
  for (const lang of ['es', 'de', 'fr', 'it', 'pt', 'nl'] as const) if (!other || score[lang] > score[other]) other = lang;
  const otherScore = other ? score[other] : 0;
  if (other && otherScore >= 1.5 && otherScore > oursScore * 1.5 + 0.5) return other;
  if (oursScore >= MIN_EVIDENCE && oursScore > score[ours === 'en' ? 'tr' : 'en']) return ours;
  return null;
}

/**
 * Per message, from the text alone, for the two languages the agent speaks;
 * a message in neither (or with no clue) keeps the conversation's language.
 */
export function detectLanguage(text: string, fallback: Language): Language {
  const found = identifyLanguage(text);
  return found === 'en' || found === 'tr' ? found : fallback;
}

export interface LanguageReading {
  /** What the message is written in (ISO 639-1), null when it does not say. */
  detected: string | null;
  /** The language of the reply: the customer's when served, else the conversation's, else the merchant's default. */
  reply: Language;
  /** The customer wrote in a language the merchant does not serve (its code), so the reply says which ones it does. */
  unsupported: string | null;
}

const isLanguage = (code: string | null): code is Language => code === 'en' || code === 'tr';

/**
 * The reply language for this message. A language the merchant does not
 * serve is answered in the merchant's default language (the playbook decides
 * whether with a note or by handing off), never in whatever other language
 * the agent happens to speak.
 */
export function readLanguage(text: string, conversation: Language, playbook: Playbook): LanguageReading {
  const detected = identifyLanguage(text);
  if (detected !== null && !(isLanguage(detected) && playbook.languages.includes(detected))) {
    return { detected, reply: playbook.defaultLanguage, unsupported: detected };
  }
  const reply = isLanguage(detected) ? detected : playbook.languages.includes(conversation) ? conversation : playbook.defaultLanguage;
  return { detected, reply, unsupported: null };
}

/** The customer's language when the merchant serves it, else the conversation's, else the merchant's default. */
export function replyLanguage(detected: Language, conversation: Language, playbook: Playbook): Language {
  if (playbook.languages.includes(detected)) return detected;
  if (playbook.languages.includes(conversation)) return conversation;
  return playbook.defaultLanguage;
}
