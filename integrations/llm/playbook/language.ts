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

const turkishLetters = /[çğıöşüÇĞİÖŞÜ]/g;

const turkishWords = new Set([
  'merhaba', 'selam', 'selamlar', 'mrb', 'slm', 'gunaydin', 'iyi', 'gunler', 'aksamlar', 'fiyat', 'fiyati', 'fiyatlar', 'kac', 'kadar',
  'para', 'var', 'mi', 'mu', 'midir', 'musunuz', 'misiniz', 'tesekkur', 'tesekkurler', 'sagol', 'istiyorum', 'lazim', 'ariyorum',
  'icin', 'bir', 've', 'ama', 'cok', 'daha', 'hafta', 'ay', 'gun', 'butce', 'butcem', 'siparis', 'odeme', 'evet', 'hayir', 'tamam',
  'nasil', 'ben', 'bu', 'su', 'siz', 'sizin', 'biz', 'alayim', 'almak', 'satin', 'temsilci', 'yetkili', 'pahali', 'ucuz', 'nerede',
  'neden', 'gorusmek', 'konusmak', 'kendim', 'esim', 'yarin', 'bugun', 'gelecek', 'stokta', 'hangi', 'hangisi', 'olur', 'olsun',
  'degil', 'yok', 'rezalet', 'berbat', 'hosca', 'kal', 'gorusuruz', 'adet', 'tane', 'ile', 'de', 'da', 'ki', 'ne', 'neler',
]);

const englishWords = new Set([
  'hi', 'hello', 'hey', 'the', 'a', 'an', 'is', 'are', 'do', 'does', 'you', 'i', "i'm", "i'll", 'how', 'much', 'price', 'want',
  'need', 'looking', 'for', 'my', 'it', 'thanks', 'thank', 'please', 'buy', 'what', 'can', 'this', 'that', 'have', 'yes', 'no',
  'with', 'to', 'of', 'and', 'but', 'in', 'stock', 'take', 'pay', 'order', 'person', 'human', 'talk', 'week', 'month', 'budget',
  'expensive', 'cheap', 'which', 'where', 'when', 'bye', 'good', 'morning', 'would', 'like', 'some', 'any', 'your', 'me', 'we',
]);

/**
 * Per message, from the text alone: Turkish letters are strong evidence,
 * common words of either language weaker. A tie (numbers, emoji, "ok")
 * keeps the conversation's language.
 */
export function detectLanguage(text: string, fallback: Language): Language {
  const tokens = words(fold(text));
  let tr = Math.min(text.match(turkishLetters)?.length ?? 0, 3) * 2;
  let en = 0;
  for (const token of tokens) {
    if (turkishWords.has(token)) tr += 1;
    if (englishWords.has(token)) en += 1;
  }
  if (tr > en) return 'tr';
  if (en > tr) return 'en';
  return fallback;
}

/** The customer's language when the merchant serves it, else the conversation's, else the merchant's default. */
export function replyLanguage(detected: Language, conversation: Language, playbook: Playbook): Language {
  if (playbook.languages.includes(detected)) return detected;
  if (playbook.languages.includes(conversation)) return conversation;
  return playbook.defaultLanguage;
}
